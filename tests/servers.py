"""Real portal processes for end-to-end tests: a data folder prepared with the CLI, and
gunicorn servers on free loopback ports."""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from portal.config import PROJECT_ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    """A gunicorn server on a free port; yields its base URL once it answers."""
    port = free_port()
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    server = subprocess.Popen([gunicorn, "--workers", str(workers), "--limit-request-line", "8190",
                               "--bind", f"127.0.0.1:{port}", "portal:create_app()"], cwd=PROJECT_ROOT,
                              env={**env, "SITE_URL": f"http://127.0.0.1:{port}"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/", timeout=2).read()  # noqa: S310 (loopback)
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)
