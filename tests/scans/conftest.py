"""Scanners run against the real portal under gunicorn, with content and sample data loaded."""
import os

import pytest

from tests.scans.wapiti import WAPITI
from tests.servers import prepared, serve


@pytest.fixture(scope="package")
def scanned_portal(tmp_path_factory):
    env = prepared(tmp_path_factory.mktemp("scanned"), (("db", "upgrade"), ("content", "load", "content"),
                                                       ("content", "load", "demo"), ("search", "rebuild")))
    with serve(env) as base:
        yield base


@pytest.fixture(scope="session")
def wapiti():
    if not WAPITI.exists():
        message = "wapiti missing: `make scan-tools` installs it into .venv-scan"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return WAPITI
