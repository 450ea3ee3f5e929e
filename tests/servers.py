"""Real portal processes for end-to-end tests: a data folder prepared with the CLI, and
gunicorn servers on free loopback ports."""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.harness import gunicorn
from portal.config import PROJECT_ROOT

# Screenshots and scanners' reports, for a person to open: outside the checkout (tests never
# write into it), in TEST_ARTIFACTS when set.
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS") or Path(tempfile.gettempdir()) / "portal-test-artifacts")


def environment(data: Path, **extra: str) -> dict:
    """Settings of a portal whose database, index and uploads live under `data`."""
    return {**os.environ, "INSTANCE_DIR": str(data / "instance"), "DATABASE_URL": f"sqlite:///{data / 'db.sqlite3'}",
            "SEARCH_INDEX_DIR": str(data / "index"), "UPLOAD_DIR": str(data / "uploads"), "SECRET_KEY": "e2e",
            **extra}


def flask(env: dict, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flask", "--app", "portal", *args], cwd=PROJECT_ROOT, env=env,
                          check=True, capture_output=True, **kwargs)


@contextlib.contextmanager
def serve(env: dict, workers: int = 2):
    """The portal under gunicorn on a free port; yields its base URL once it answers."""
    with gunicorn("portal:create_app()", env, workers) as base:
        yield base
