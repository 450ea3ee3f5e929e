// Lighthouse on many pages with one Chromium and one Node process: the CLI starts both for every
// page, which costs more than the audit itself. Reads a JSON list of jobs on stdin,
//   [{"url", "profile": "mobile" | "desktop", "categories": [...], "headers": {...}, "agent"}],
// and writes one JSON line per job: {"url", "profile", "finalUrl", "scores": {category: score}}.
// The audits, their settings and the profiles are the CLI's own (--preset=desktop is its desktop
// configuration); only the full-page screenshot, which no score reads, is left out.
import {readFileSync} from 'node:fs';

import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';
import puppeteer from 'puppeteer-core';

const jobs = JSON.parse(readFileSync(0, 'utf8'));
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH,
  chromeFlags: (process.env.CHROME_FLAGS || '').split(' ').filter(Boolean),
});
const browser = await puppeteer.connect({browserURL: `http://127.0.0.1:${chrome.port}`});
try {
  for (const job of jobs) {
    // A browser context of its own, as the CLI's fresh profile: no cookie of an earlier page
    // (Lighthouse's storage reset keeps cookies) is sent beside the session given in the headers.
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    const flags = {
      port: chrome.port, output: 'json', logLevel: 'error', locale: 'vi',
      onlyCategories: job.categories, disableFullPageScreenshot: true,
      extraHeaders: job.headers || undefined, emulatedUserAgent: job.agent || undefined,
    };
    const result = await lighthouse(job.url, flags, job.profile === 'desktop' ? desktopConfig : undefined, page);
    await context.close();
    const scores = Object.fromEntries(job.categories.map((name) => [name, result.lhr.categories[name].score]));
    process.stdout.write(JSON.stringify({
      url: job.url, profile: job.profile, finalUrl: result.lhr.finalDisplayedUrl, scores,
      runtimeError: result.lhr.runtimeError?.message || null,
    }) + '\n');
  }
} finally {
  await browser.disconnect();
  await chrome.kill();
}
