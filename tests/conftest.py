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
from tests import servers

CONTENT = PROJECT_ROOT / "content"
DATABASE_FILE = "test.sqlite3"
TEST_PASSWORD_HASH = "scrypt:1024:8:1"


# Tests under these folders start servers, browsers, scanners or crash processes on purpose: each
# gets its folder's marker and `slow`, which `make check` leaves to `make test`.
SLOW_FOLDERS = ("browser", "scans", "cluster", "faults")
# Tests that hold a served portal to a time bound run alone, after the others: on two cores a
# neighbour's load would be measured too. The other fault tests (SIGKILL mid-draft, races, hostile
# requests) assert outcomes, not times, and run beside the rest.
SOLO = ("cluster/", "faults/test_fault_bounds.py", "faults/test_fault_crashes.py", "faults/test_fault_outages.py")


# Started first, so that the longest (the scanners, Lighthouse, the browser checks) never run last alone.
FIRST = ("scans/test_wapiti", "browser/test_lighthouse.py", "scans/", "browser/")


def pytest_collection_modifyitems(items):
    root = Path(__file__).parent

    def rank(item) -> int:
        path = item.path.relative_to(root).as_posix()
        return next((n for n, prefix in enumerate(FIRST) if path.startswith(prefix)), len(FIRST))

    items.sort(key=rank)
    for item in items:
        path = item.path.relative_to(root)
        folder = path.parts[0]
        if folder in SLOW_FOLDERS:
            item.add_marker(getattr(pytest.mark, folder))
            item.add_marker(pytest.mark.slow)
        if path.as_posix().startswith(SOLO):
            item.add_marker(pytest.mark.solo)


_NOT_WATCHED = {".git", ".venv", ".venv-scan", "node_modules", "__pycache__", ".pytest_cache", ".ruff_cache"}


def _checkout_files() -> set[str]:
    found = set()
    for folder, dirs, files in os.walk(PROJECT_ROOT):
        dirs[:] = [d for d in dirs if d not in _NOT_WATCHED]
        found.update(os.path.relpath(os.path.join(folder, name), PROJECT_ROOT) for name in files)
    return found


def pytest_sessionstart(session):
    if not hasattr(session.config, "workerinput"):  # the run's main process (or the only one)
        session.config.stash[_CHECKOUT] = _checkout_files()


def pytest_sessionfinish(session, exitstatus):
    """No test writes into the checkout: a file that appeared in it during the run fails the run.
    The portals the workers prepared for the run (tests/servers.py) are removed."""
    before = session.config.stash.get(_CHECKOUT, None)
    if before is None:
        return
    shutil.rmtree(servers.run_folder(os.getpid()), ignore_errors=True)
    written = sorted(_checkout_files() - before)
    if written:
        session.config.get_terminal_writer().line(
            f"\ntests wrote into the checkout: {', '.join(written[:20])}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_CHECKOUT = pytest.StashKey[set]()


def _postgres_url() -> str | None:
    """TEST_DATABASE_URL, with the database suffixed by the xdist worker (test_gw0, test_gw1…):
    each worker process has a database of its own, created on first use."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        return None
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return f"{url}_{worker}" if worker else url


def _database_url(tmp_path: Path) -> str:
    return _postgres_url() or f"sqlite:///{tmp_path / DATABASE_FILE}"


@pytest.fixture(scope="session", autouse=True)
def _fresh_postgres_schema():
    """On PostgreSQL, start from an empty schema (tables left by an older run may lack columns),
    in this worker's own database."""
    url = _postgres_url()
    if url:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        name = make_url(url).database
        server = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with server.connect() as connection:
            if not connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                      {"name": name}).first():
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        server.dispose()
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    yield


class Templates:
    """Data folders built once per test process and copied for each test that asks for one.

    `empty` holds the migrated schema, `seeded` the same with content/ loaded: its files, and the
    search index built as the load committed. A copy is a few file copies, where building one
    costs most of a test's time. PostgreSQL tests build their data in place (one database per
    worker, see `_database_url`)."""

    def __init__(self, root: Path):
        self.root = root

    def copy_into(self, kind: str, target: Path) -> None:
        source = self.root / kind
        if not source.exists():
            self._build(kind, source)
        shutil.copytree(source, target, dirs_exist_ok=True)

    def _build(self, kind: str, folder: Path) -> None:
        work = folder.with_name(folder.name + ".building")
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        app = _make_app(work, f"sqlite:///{work / DATABASE_FILE}")
        with app.app_context():
            db.create_all()
            if kind == "seeded":
                content.load(CONTENT, storage())
            db.session.remove()
            db.engine.dispose()
        shutil.rmtree(work / "instance", ignore_errors=True)
        work.rename(folder)



@pytest.fixture(scope="session")
def templates(tmp_path_factory) -> Templates:
    return Templates(tmp_path_factory.mktemp("templates"))


def _make_app(folder: Path, url: str):
    return create_app({
        "TESTING": True,
        "INSTANCE_PATH": str(folder / "instance"),
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "SEARCH_INDEX_DIR": str(folder / "index"),
        "UPLOAD_DIR": str(folder / "uploads"),
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
        # scrypt at a 32nd of the served cost: tests sign in thousands of times.
        "PASSWORD_HASH_METHOD": TEST_PASSWORD_HASH,
        # A test's commits need not wait for the disk: losing the last ones when the server
        # itself crashes is no concern here (the crash tests serve their own portals).
        **({"SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": "-c synchronous_commit=off"}}}
           if url.startswith("postgresql") else {}),
    })


@pytest.fixture
def app(request, tmp_path, templates):
    """A real app on its own data: a copy of a template (SQLite), or emptied tables (PostgreSQL).
    Tests that ask for `seeded` get the content-loaded template."""
    url = _database_url(tmp_path)
    if not url.startswith("postgresql"):
        templates.copy_into("seeded" if "seeded" in request.fixturenames else "empty", tmp_path)
    app = _make_app(tmp_path, url)
    if url.startswith("postgresql"):
        with app.app_context():
            _empty_postgres()
    cache.clear()
    yield app
    assert_unique_index_keys(app.config["SEARCH_INDEX_DIR"])
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _empty_postgres() -> None:
    """The schema emptied as a test starts: rows deleted from the tables that have any (children
    first) and every sequence restarted, as TRUNCATE … RESTART IDENTITY would, at a tenth of its
    cost (TRUNCATE makes new files for every table). Tables missing (a first test, or a module
    that dropped them) are made first."""
    from sqlalchemy.exc import ProgrammingError
    try:
        filled = _filled_tables()
    except ProgrammingError:
        db.session.rollback()
        db.create_all()
        filled = _filled_tables()
    for table in reversed(filled):
        db.session.execute(text(f'DELETE FROM "{table.name}"'))
    if filled:
        db.session.execute(text("SELECT setval(c.oid, 1, false) FROM pg_class c "
                                "WHERE c.relkind = 'S' AND c.relnamespace = 'public'::regnamespace"))
    db.session.commit()


def _filled_tables() -> list:
    """The tables holding at least one row, parents first (one query for all of them)."""
    tables = db.metadata.sorted_tables
    probe = text(" UNION ALL ".join(f'SELECT {n} FROM (SELECT 1 FROM "{t.name}" LIMIT 1) AS t{n}'
                                    for n, t in enumerate(tables)))
    filled = set(db.session.scalars(probe))
    return [table for n, table in enumerate(tables) if n in filled]


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


class PostgresSeed:
    """content/ loaded on PostgreSQL once per process and kept: the rows of every table it
    filled (COPY, binary), the sequences' values and the folders it wrote (search index,
    uploads). Later tests get all of it back in a few COPYs instead of loading again."""

    def __init__(self, root: Path):
        self.root, self.rows, self.sequences = root, None, []

    @staticmethod
    def _cursor():
        """A cursor on the session's own connection, in its transaction (taken after any commit)."""
        return db.session.connection().connection.driver_connection.cursor()

    def load(self, app) -> None:
        folders = {"index": app.config["SEARCH_INDEX_DIR"], "uploads": app.config["UPLOAD_DIR"]}
        if self.rows is None:
            content.load(CONTENT, storage())
            self.rows = {}
            cursor = self._cursor()
            for table in _filled_tables():
                with cursor.copy(f'COPY "{table.name}" TO STDOUT (FORMAT BINARY)') as copy:
                    self.rows[table.name] = b"".join(bytes(block) for block in copy)
            self.sequences = db.session.execute(text(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")).all()
            db.session.commit()
            for name, folder in folders.items():
                if Path(folder).exists():
                    shutil.copytree(folder, self.root / name)
            return
        cursor = self._cursor()
        for name, data in self.rows.items():  # parents first: sorted_tables' order
            with cursor.copy(f'COPY "{name}" FROM STDIN (FORMAT BINARY)') as copy:
                copy.write(data)
        for name, value in self.sequences:
            db.session.execute(text("SELECT setval(CAST(:name AS regclass), :value, :called)"),
                               {"name": f'"{name}"', "value": value or 1, "called": value is not None})
        db.session.commit()
        for name, folder in folders.items():
            if (self.root / name).exists():
                shutil.copytree(self.root / name, folder, dirs_exist_ok=True)


@pytest.fixture(scope="session")
def postgres_seed(tmp_path_factory) -> PostgresSeed:
    return PostgresSeed(tmp_path_factory.mktemp("postgres-seed"))


@pytest.fixture
def seeded(app, request):
    """The app with content/ loaded (the letter, the plan, decision 57 and the campaign). On
    SQLite `app` starts from the loaded template when a test asks for this fixture; on PostgreSQL
    the content is loaded here, after the search tests have chosen their backend (a copy of the
    process's first load with the embedded index; loaded again for PostgreSQL's own)."""
    if _postgres_url():
        with app.app_context():
            if app.config["SEARCH_BACKEND"] == "whoosh":
                request.getfixturevalue("postgres_seed").load(app)
            else:
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
