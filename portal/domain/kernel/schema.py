"""The database schema a node expects: a node refuses to serve a database migrated to another
revision (older: run the migration; newer: deploy the newer code first)."""
from __future__ import annotations

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal.config import PROJECT_ROOT
from portal.extensions import db

UPGRADE = "flask --app portal db upgrade"


class SchemaMismatch(RuntimeError):
    """The database is not at the revision this code was written for."""


def expected() -> set[str]:
    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    return set(ScriptDirectory.from_config(config).get_heads())


def known() -> set[str]:
    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    return {revision.revision for revision in ScriptDirectory.from_config(config).walk_revisions()}


def check() -> None:
    """Raise SchemaMismatch naming what to do; a database that cannot be reached is not checked
    here (requests then answer 503 until it returns)."""
    try:
        with db.engine.connect() as connection:
            found = set(connection.scalars(text("SELECT version_num FROM alembic_version")))
    except SQLAlchemyError as exc:
        if "alembic_version" in str(exc):
            raise SchemaMismatch(f"Cơ sở dữ liệu chưa có lược đồ: chạy «{UPGRADE}» trước khi khởi động.") from None
        return
    heads = expected()
    if found == heads:
        return
    if found - known():
        raise SchemaMismatch(f"Cơ sở dữ liệu ở phiên bản lược đồ {', '.join(sorted(found))}, mới hơn mã nguồn này "
                             f"({', '.join(sorted(heads))}): hãy triển khai phiên bản mã mới hơn.")
    raise SchemaMismatch(f"Cơ sở dữ liệu ở phiên bản lược đồ {', '.join(sorted(found)) or '(trống)'}, cũ hơn mã "
                         f"nguồn ({', '.join(sorted(heads))}): chạy «{UPGRADE}».")
