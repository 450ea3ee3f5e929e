"""The Alembic migrations build exactly the schema the models describe."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from portal import create_app
from portal.config import PROJECT_ROOT
from portal.extensions import db


def test_upgrade_creates_the_models_schema_and_downgrade_removes_it(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x", "SCHEMA_CHECK": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite3'}"})
    with app.app_context():
        upgrade(directory=str(PROJECT_ROOT / "migrations"))
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert diff == []
        downgrade(directory=str(PROJECT_ROOT / "migrations"), revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def _app(tmp_path, **extra):
    return create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x", "SCHEMA_CHECK": True,
                       "SEARCH_CHECK_ON_START": False, "SEARCH_INDEX_DIR": str(tmp_path / "index"),
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite3'}", **extra})


def test_a_server_refuses_a_database_of_another_schema_revision(tmp_path):
    import pytest

    from portal.domain.kernel.schema import SchemaMismatch
    with pytest.raises(SchemaMismatch, match="chưa có lược đồ: chạy «flask --app portal db upgrade»"):
        _app(tmp_path)
    migrator = _app(tmp_path, SCHEMA_CHECK=False)
    with migrator.app_context():
        upgrade(directory=str(PROJECT_ROOT / "migrations"), revision="642b1fe504c2")  # an older revision
        db.engine.dispose()
    with pytest.raises(SchemaMismatch, match="cũ hơn mã nguồn .*db upgrade"):
        _app(tmp_path)
    with migrator.app_context():
        upgrade(directory=str(PROJECT_ROOT / "migrations"))
        db.engine.dispose()
    _app(tmp_path)  # at the head: starts
    with migrator.app_context():
        with db.engine.begin() as connection:
            connection.exec_driver_sql("UPDATE alembic_version SET version_num = 'ffffffffffff'")
        db.engine.dispose()
    with pytest.raises(SchemaMismatch, match="mới hơn mã nguồn"):
        _app(tmp_path)


def test_a_cluster_node_needs_a_shared_secret_and_postgresql(tmp_path, monkeypatch):
    import pytest

    from portal.config import ConfigurationError, from_environment
    monkeypatch.setenv("DEPLOYMENT", "cluster")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://portal@db.example:5432/portal")
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        from_environment(tmp_path)
    assert not (tmp_path / "secret_key").exists()
    monkeypatch.setenv("SECRET_KEY", "shared")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with pytest.raises(ConfigurationError, match="PostgreSQL"):
        from_environment(tmp_path)
    monkeypatch.setenv("DATABASE_URL", "postgresql://portal@db.example:5432/portal")
    settings = from_environment(tmp_path)
    assert settings["FILE_STORAGE"] == "database" and settings["SECRET_KEY"] == "shared"
