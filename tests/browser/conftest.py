"""The real portal under gunicorn on a free loopback port, driven by Debian's Chromium.

Without Chromium the browser checks are skipped with the way to enable them; with CI=true a
missing browser fails the run instead.
"""
from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from portal.domain.kernel.models_base import VN
from tests.servers import ARTIFACTS, missing, prepared, serve

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
WEBMASTERS = {"editor": "bientap@vks.test", "reviewer": "duyet@vks.test"}
WEBMASTER_PASSWORD = "mật khẩu thử nghiệm dài"
UNIT_ACCOUNT = ("caoloc@vks.test", "vks-cao-loc")  # a unit's account (the same password)
# The consultation the seed opens today (Vietnam's date) on the dossier's individual nominee.
CONSULTATION = "/lay-y-kien/huan-chuong-lao-dong-hang-ba-vks-cao-loc-" + datetime.now(VN).date().isoformat()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        missing(f"Chromium not found at {CHROMIUM}: install it (apt-get install chromium) to run browser checks")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


ACCOUNTS = (*(("users", "create", email, "--role", role) for role, email in WEBMASTERS.items()),
            ("users", "create", UNIT_ACCOUNT[0], "--role", "unit", "--unit", UNIT_ACCOUNT[1]))


@pytest.fixture(scope="session")
def portal_url(tmp_path_factory):
    """Migrated, with content/ and demo/ loaded, indexed, the accounts above and a dossier in
    appraisal with an open consultation (its pages are checked like the others); served with
    gunicorn. Yields the base URL."""
    env = prepared(tmp_path_factory.mktemp("portal"),
                   (("db", "upgrade"), ("content", "load", "content"), ("content", "load", "demo"),
                    ("search", "rebuild"), *ACCOUNTS, ("-m", "tests.browser.seed_dossier")),
                   {"PORTAL_PASSWORD": WEBMASTER_PASSWORD})
    with serve(env) as base:
        yield base


def shows(locator, text: str) -> None:
    """The element's visible text contains `text`, waited for: right after a click that submits
    a form the next page may have committed with its body not yet parsed, so one read of
    inner_text() can see an empty page."""
    expect(locator).to_contain_text(text, use_inner_text=True)


def sign_in(page, base: str, email: str) -> None:
    """Sign in through the login form, as a person does; units land on their area."""
    page.goto(base + "/quan-tri/dang-nhap")
    page.fill("#email", email)
    page.fill("#password", WEBMASTER_PASSWORD)
    page.click("button:has-text('Đăng nhập')")
    page.wait_for_url("**/don-vi/" if email == UNIT_ACCOUNT[0] else "**/quan-tri/")


@pytest.fixture(scope="session")
def signed_in(browser, portal_url):
    """The browser state (the session cookie) of one real login per account, made once per
    process: pages checked signed in open in a fresh context holding it, without logging in again."""
    states: dict[str, dict] = {}

    def state(email: str) -> dict:
        if email not in states:
            context = browser.new_context()
            try:
                sign_in(context.new_page(), portal_url, email)
                states[email] = context.storage_state()
            finally:
                context.close()
        return states[email]
    return state


@pytest.fixture(scope="session")
def tab(browser, signed_in):
    """tab(width, account=None, script=None): a page at that width, signed in as `account`, with
    `script` run in every document it loads (before the page's own), kept for the process and
    navigated anew by each check. Opening a context and a page costs more than checking a page:
    axe on twelve pages took 0.72 s a page with a fresh context each, 0.27 s in a kept tab."""
    tabs = {}

    def open_tab(width: int, account: str | None = None, script: str | None = None):
        key = (width, account, script)
        if key not in tabs:
            context = browser.new_context(viewport={"width": width, "height": 900}, locale="vi-VN",
                                          storage_state=signed_in(account) if account else None)
            if script:
                context.add_init_script(script)
            tabs[key] = context.new_page()
        return tabs[key]
    yield open_tab
    for kept in tabs.values():
        kept.context.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(accept_downloads=True, locale="vi-VN")
    tab = context.new_page()
    yield tab
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
