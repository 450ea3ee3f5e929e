"""The PostgreSQL backend needs no Whoosh: in a virtual environment holding every dependency
but Whoosh, the portal migrates, loads its content, builds its index in PostgreSQL and finds a
directive by its number and without diacritics."""
import os
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import psycopg
import pytest

from portal.config import PROJECT_ROOT
from tests.cluster.conftest import PG, _need, _pg_up

pytestmark = pytest.mark.slow

SEARCH = textwrap.dedent("""
    import sys
    from portal import create_app
    app = create_app()
    client = app.test_client()
    for question in ("174/KH-UBND", "giai phong mat bang"):
        found = client.get("/api/v1/search", query_string={"q": question}).get_json()
        print(question, "->", found["results"][0]["url"] if found["results"] else None)
    engines = sorted(name for name in sys.modules if name.split(".")[0] == "whoosh" or "search.whoosh" in name)
    print("whoosh modules:", engines)
""")


def _venv_without_whoosh(folder: Path) -> Path:
    """A virtual environment whose site-packages are this one's, Whoosh left out (links)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    ours = Path(sysconfig.get_paths()["purelib"])
    theirs = Path(subprocess.run([str(folder / "bin" / "python"), "-c",
                                  "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                 check=True, capture_output=True, text=True).stdout.strip())
    for item in ours.iterdir():
        if item.name.lower().startswith(("whoosh", "whoosh_reloaded")) or item.name == "__pycache__":
            continue
        (theirs / item.name).symlink_to(item)
    return folder / "bin" / "python"


def test_the_postgresql_backend_runs_where_whoosh_is_not_installed(tmp_path):
    _need("PostgreSQL on 127.0.0.1:5432", _pg_up())
    python = _venv_without_whoosh(tmp_path / "venv")
    missing = subprocess.run([str(python), "-c", "import whoosh"], capture_output=True, text=True)
    assert missing.returncode != 0 and "No module named 'whoosh'" in missing.stderr
    name = f"portal_nowhoosh_{os.getpid()}"
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "SEARCH_BACKEND": "postgresql", "DATABASE_URL": f"{PG}/{name}", "SECRET_KEY": "t",
           "INSTANCE_DIR": str(tmp_path / "instance"), "SEARCH_INDEX_DIR": str(tmp_path / "index"),
           "UPLOAD_DIR": str(tmp_path / "uploads"), "PYTHONPATH": str(PROJECT_ROOT)}
    try:
        for command in (["db", "upgrade"], ["content", "load", "content"], ["search", "rebuild"]):
            done = subprocess.run([str(python), "-m", "flask", "--app", "portal", *command], cwd=PROJECT_ROOT,
                                  env=env, capture_output=True, text=True, timeout=300)
            assert done.returncode == 0, done.stderr[-2000:]
        done = subprocess.run([str(python), "-c", SEARCH], cwd=PROJECT_ROOT, env=env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
    finally:
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    assert "174/KH-UBND -> " in done.stdout and "/van-ban/174-kh-ubnd-2022\n" in done.stdout
    assert "giai phong mat bang -> http" in done.stdout
    assert "whoosh modules: []" in done.stdout
