"""Real portal processes for end-to-end tests: a data folder prepared with the CLI, and
gunicorn servers on free loopback ports."""
from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.harness import gunicorn
from portal.config import PROJECT_ROOT

# Screenshots and scanners' reports, for a person to open: outside the checkout (tests never
# write into it), in TEST_ARTIFACTS when set.
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS") or Path(tempfile.gettempdir()) / "portal-test-artifacts")


def missing(message: str):
    """A tool a test needs is not installed: skipped here with `message` (the way to install it),
    a failure in CI (CI=true), where .ci/run installs every tool."""
    import pytest
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


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


# -- data prepared once per test run -------------------------------------------------------------
# A browser, scanner, fault or cluster test starts from a migrated, loaded portal: the commands that
# make it (migrate, load, rebuild, accounts; about a second each, most of it starting Python) run
# once per run, and each test gets a copy: of the folder (SQLite) or of the database (PostgreSQL,
# CREATE DATABASE … TEMPLATE, once per process). Under pytest-xdist the workers of one run share
# the folders: the first to need one makes it while the others wait on its lock.
Steps = tuple[tuple[str, ...], ...]
_folders: dict[tuple, Path] = {}
_templates: dict[tuple, str] = {}
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"


def _kept_folder() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="portal-prepared-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def run_folder(controller_pid: int) -> Path:
    """Where the workers of the pytest-xdist run controlled by that process keep prepared portals
    (the controller removes it when the run ends: tests/conftest.py)."""
    return Path(tempfile.gettempdir()) / f"portal-prepared-run-{controller_pid}"


def _run(steps: Steps, env: dict, step_env: dict | None) -> None:
    """Each step is a `flask` command, or ("-m", module, …) run with Python."""
    for args in steps:
        if args[0] == "-m":
            subprocess.run([sys.executable, *args], cwd=PROJECT_ROOT, env={**env, **(step_env or {})}, check=True,
                           capture_output=True)
        else:
            flask({**env, **(step_env or {})}, *args)


def _made_once(key: tuple, make) -> Path:
    """A folder that `make(folder)` filled, made once for this process or, under pytest-xdist, once
    for the run."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        folder = _kept_folder()
        make(folder)
        return folder
    root = run_folder(os.getppid())  # the workers are the controller's children
    root.mkdir(exist_ok=True)
    name = hashlib.sha1(repr(key).encode()).hexdigest()[:16]
    folder, ready = root / name, root / f"{name}.ready"
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, or the process dies
        if not ready.exists():
            shutil.rmtree(folder, ignore_errors=True)  # half made by a worker that died
            folder.mkdir()
            make(folder)
            ready.touch()
    return folder


def prepared(data: Path, steps: Steps, step_env: dict | None = None, **extra: str) -> dict:
    """environment(data, **extra), holding what the `steps` (run with `step_env` added) make, as if
    the test had run them in `data` itself."""
    key = (steps, tuple(sorted((step_env or {}).items())), tuple(sorted(extra.items())))
    source = _folders.get(key)
    if source is None:
        source = _made_once(key, lambda folder: _run(steps, environment(folder, **extra), step_env))
        _folders[key] = source
    shutil.copytree(source, data, dirs_exist_ok=True)
    return environment(data, **extra)


def prepared_database(name: str, steps: Steps, env: dict, cli_folder: Path | None = None,
                      step_env: dict | None = None) -> None:
    """PostgreSQL database `name` (on PG_SERVER), as the `steps` leave it when run with `env`'s
    settings. With `cli_folder`, the folders of the node that ran them (instance, index,
    uploads) are copied there too."""
    import psycopg

    settings = tuple(sorted((k, v) for k, v in env.items() if k in ("SEARCH_BACKEND", "FILE_STORAGE", "DEPLOYMENT")))
    key = (steps, settings, tuple(sorted((step_env or {}).items())))
    template = _templates.get(key)
    if template is None:
        template = f"portal_tpl_{os.getpid()}_{hashlib.sha1(repr(key).encode()).hexdigest()[:10]}"
        folder = _kept_folder()
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{template}"')
        atexit.register(_drop, template)
        _run(steps, {**env, "DATABASE_URL": f"{PG_SERVER}/{template}", "INSTANCE_DIR": str(folder / "instance"),
                     "SEARCH_INDEX_DIR": str(folder / "index"), "UPLOAD_DIR": str(folder / "uploads")}, step_env)
        _templates[key] = template
        _folders[("cli", template)] = folder
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    if cli_folder is not None:
        shutil.copytree(_folders[("cli", template)], cli_folder, dirs_exist_ok=True)


def _drop(database: str) -> None:
    import psycopg
    with contextlib.suppress(psycopg.Error), psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
