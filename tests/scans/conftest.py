"""Scanners run against the real portal under gunicorn, with content and sample data loaded."""

import pytest

from tests.scans.wapiti import WAPITI
from tests.servers import missing, prepared, serve


@pytest.fixture(scope="package")
def scanned_portal(tmp_path_factory):
    env = prepared(tmp_path_factory.mktemp("scanned"), (("db", "upgrade"), ("content", "load", "content"),
                                                       ("content", "load", "demo"), ("search", "rebuild")))
    with serve(env) as base:
        yield base


@pytest.fixture(scope="session")
def wapiti():
    if not WAPITI.exists():
        missing("wapiti missing: `make scan-tools` installs it into .venv-scan")
    return WAPITI
