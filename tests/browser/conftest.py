"""The real portal under gunicorn on a free loopback port, driven by Debian's Chromium.

Without Chromium the browser checks are skipped with the way to enable them; with CI=true a
missing browser fails the run instead.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from portal.config import PROJECT_ROOT

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}: install it (apt-get install chromium) to run browser checks"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def portal_url(tmp_path_factory):
    """Migrate, load content/ and demo/, build the index, serve with gunicorn; yield the base URL."""
    data = tmp_path_factory.mktemp("portal")
    env = {**os.environ, "INSTANCE_DIR": str(data / "instance"), "DATABASE_URL": f"sqlite:///{data / 'db.sqlite3'}",
           "SEARCH_INDEX_DIR": str(data / "index"), "UPLOAD_DIR": str(data / "uploads"), "SECRET_KEY": "browser"}
    flask = [sys.executable, "-m", "flask", "--app", "portal"]
    for args in (["db", "upgrade"], ["content", "load", "content"], ["content", "load", "demo"],
                 ["search", "rebuild"]):
        subprocess.run(flask + args, cwd=PROJECT_ROOT, env=env, check=True, capture_output=True)
    port = _free_port()
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    server = subprocess.Popen([gunicorn, "--workers", "2", "--bind", f"127.0.0.1:{port}", "portal:create_app()"],
                              cwd=PROJECT_ROOT, env={**env, "SITE_URL": f"http://127.0.0.1:{port}"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/", timeout=2).read()  # noqa: S310 (loopback)
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture
def page(browser, request):
    context = browser.new_context(accept_downloads=True, locale="vi-VN")
    tab = context.new_page()
    yield tab
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
