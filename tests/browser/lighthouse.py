"""Lighthouse (npm, pinned) on the portal's main pages, mobile and desktop profiles.

`make audit` runs this module: it prepares a data folder, serves the portal with gunicorn and
prints the four category scores per page and profile; it exits non-zero below the targets.
tests/browser/test_lighthouse.py asserts the same targets inside `make test`.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from portal.config import PROJECT_ROOT

LIGHTHOUSE = PROJECT_ROOT / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROME_FLAGS = "--no-sandbox --headless=new --disable-gpu --disable-background-networking " \
               "--disable-component-update --disable-sync --no-first-run"
PAGES = {"home": "/", "document": "/van-ban/174-kh-ubnd-2022", "search": "/tim-kiem?q=giai+phong+mat+bang",
         "honor roll": "/vinh-danh", "consultations": "/lay-y-kien"}
# Signed-in pages are audited with the session of a real login; they ask not to be indexed, so
# the SEO category does not apply. The agent string is the one the login was made with.
AGENT = "Mozilla/5.0 (X11; Linux x86_64) PortalAudit/1.0"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
PROFILES = ("mobile", "desktop")


def target(category: str, profile: str) -> float:
    """At least 0.95 everywhere, except performance on the throttled mobile profile (0.9)."""
    return 0.9 if (category, profile) == ("performance", "mobile") else 0.95


BATCH = Path(__file__).with_name("lighthouse_batch.mjs")


def run_many(jobs: list[tuple[str, str, str | None]]) -> list[dict[str, float]]:
    """The category scores of each (url, profile, session cookie or None), audited one after the
    other in one Chromium (lighthouse_batch.mjs), in the order given."""
    requests = []
    for url, profile, cookie in jobs:
        signed_in = cookie is not None  # pages asking not to be indexed: SEO does not apply
        requests.append({"url": url, "profile": profile,
                         "categories": [c for c in CATEGORIES if not (signed_in and c == "seo")],
                         "headers": {"Cookie": cookie} if signed_in else None, "agent": AGENT if signed_in else None})
    result = subprocess.run(["node", str(BATCH)], input=json.dumps(requests), capture_output=True, text=True,
                            timeout=120 + 90 * len(jobs), check=True, cwd=PROJECT_ROOT,
                            env={**os.environ, "CHROME_PATH": CHROMIUM, "CHROME_FLAGS": CHROME_FLAGS})
    reports = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(reports) == len(jobs), result.stderr[-2000:]
    for report in reports:
        assert not report["runtimeError"], f"{report['url']}: {report['runtimeError']}"
        if report["finalUrl"].split("?")[0] != report["url"].split("?")[0]:
            raise AssertionError(f"{report['url']} was redirected to {report['finalUrl']}")
    return [report["scores"] for report in reports]


def failures(scores: dict[tuple[str, str], dict[str, float]]) -> list[str]:
    return [f"{page} ({profile}): {category} {value:.2f} < {target(category, profile)}"
            for (page, profile), values in scores.items() for category, value in values.items()
            if value is None or value < target(category, profile)]


def audit(base: str) -> dict[tuple[str, str], dict[str, float]]:
    keys = [(name, profile) for name in PAGES for profile in PROFILES]
    return dict(zip(keys, run_many([(base + PAGES[name], profile, None) for name, profile in keys]), strict=True))


def main() -> int:
    from tests.servers import environment, flask, serve

    if not LIGHTHOUSE.exists() or not Path(CHROMIUM).exists():
        print("Lighthouse needs `npm ci` and Chromium (apt-get install chromium).", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder:
        env = environment(Path(folder))
        for args in (["db", "upgrade"], ["content", "load", "content"], ["content", "load", "demo"],
                     ["search", "rebuild"]):
            flask(env, *args)
        with serve(env) as base:
            scores = audit(base)
    print(f"{'page':<12} {'profile':<8} " + " ".join(f"{c:>15}" for c in CATEGORIES))
    for (page, profile), values in scores.items():
        print(f"{page:<12} {profile:<8} " + " ".join(f"{values[c]:>15.2f}" for c in CATEGORIES))
    problems = failures(scores)
    for problem in problems:
        print("below target:", problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
