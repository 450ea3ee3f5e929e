"""Fixtures: a real app on tmp_path (SQLite file, or PostgreSQL via TEST_DATABASE_URL)."""
from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import text

from portal import create_app
from portal.config import PROJECT_ROOT
from portal.domain.content import loader as content
from portal.extensions import db
from portal.services import storage
from portal.web import cache

CONTENT = PROJECT_ROOT / "content"


def _database_url(tmp_path: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url and url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url or f"sqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture(scope="session", autouse=True)
def _fresh_postgres_schema():
    """On PostgreSQL, start from an empty schema: tables left by an older run may lack columns."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if url.startswith("postgresql"):
        from sqlalchemy import create_engine
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    yield


@pytest.fixture
def app(tmp_path):
    url = _database_url(tmp_path)
    app = create_app({
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "SEARCH_INDEX_DIR": str(tmp_path / "index"),
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        # The PostgreSQL pass of CI keeps files in the database, as a cluster does.
        "FILE_STORAGE": os.environ.get("TEST_FILE_STORAGE", "folder"),
        "CONTENT_DIR": str(CONTENT),
        "WTF_CSRF_ENABLED": True,
        "SITE_URL": "http://portal.test",
        # The database is emptied after the app exists: build the index lazily from it.
        "SEARCH_CHECK_ON_START": False,
        # Index work runs inline, so a test sees it finished (servers do it in the background).
        "SEARCH_BACKGROUND": False,
        # Queued notices are sent as the request ends (servers send them from a thread).
        "MAIL_BACKGROUND": False,
    })
    with app.app_context():
        if url.startswith("postgresql"):
            db.create_all()
            names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            db.session.commit()
        else:
            db.create_all()
    cache.clear()
    yield app
    assert_unique_index_keys(app.config["SEARCH_INDEX_DIR"])
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def assert_unique_index_keys(root) -> None:
    """No entry is ever in the search index twice (checked after every test that wrote one)."""
    from collections import Counter

    from portal.search.whoosh.indexer import index_at

    index = index_at(root)
    if not index.exists():
        return
    searcher = index.searcher()  # shared by the process: not closed here
    keys = Counter(fields["key"] for fields in searcher.all_stored_fields())
    twice = {key: n for key, n in keys.items() if n > 1}
    assert not twice, f"entries indexed more than once: {twice}"


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def seeded(app):
    """The app with content/ loaded (the letter, the plan, decision 57 and the campaign)."""
    with app.app_context():
        content.load(CONTENT, storage())
    return app


@pytest.fixture
def content_dir(tmp_path):
    """A scratch content folder holding a copy of content/."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


@pytest.fixture
def write_doc(tmp_path):
    """Factory: write a Markdown document with front matter and return its path."""

    def write(name: str, front: str, body: str = "", folder: Path | None = None) -> Path:
        folder = folder or tmp_path / "extra"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        path.write_text("---\n" + textwrap.dedent(front).strip() + "\n---\n" + textwrap.dedent(body),
                        encoding="utf-8")
        return path

    return write


def load(app, path) -> content.LoadReport:
    with app.app_context():
        return content.load(path, storage())
