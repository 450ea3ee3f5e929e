"""The portal apps the search benchmarks query: on an embedded SQLite file, or on a scratch
PostgreSQL database, with the schema created (no migrations) and no start-up checks."""
from __future__ import annotations

from pathlib import Path


def embedded_app(work: Path):
    """An app on `work/app.sqlite3` searching the Whoosh index in `work/index`."""
    from portal import create_app
    return create_app({"INSTANCE_PATH": str(work / "instance"), "SECRET_KEY": "bench",
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{work / 'app.sqlite3'}",
                       "SEARCH_INDEX_DIR": str(work / "index"), "SEARCH_CHECK_ON_START": False,
                       "SCHEMA_CHECK": False})


def postgres_app(server: str, work: Path, database: str = "portal_bench"):
    """An app with the PostgreSQL search backend on a fresh `database` of `server`."""
    import psycopg

    from portal import create_app
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {database}")
        admin.execute(f"CREATE DATABASE {database}")
    url = f"{server}/{database}".replace("postgresql://", "postgresql+psycopg://", 1)
    return create_app({"INSTANCE_PATH": str(work), "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                       "SEARCH_INDEX_DIR": str(work / "index"), "SEARCH_CHECK_ON_START": False,
                       "SEARCH_BACKEND": "postgresql", "SCHEMA_CHECK": False})
