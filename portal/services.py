"""Objects built from the app's settings that the web and the CLI share."""
from __future__ import annotations

from flask import current_app

from portal.domain.files.database import DatabaseStorage
from portal.domain.files.storage import FolderStorage, Storage


def storage(kind: str | None = None) -> Storage:
    """The attachment store configured for this app (or the one named: folder, database)."""
    config = current_app.config
    kind = kind or config.get("FILE_STORAGE", "folder")
    limit = config["MAX_UPLOAD_MB"] * 1024 * 1024
    if kind == "database":
        return DatabaseStorage(limit)
    return FolderStorage(config["UPLOAD_DIR"], limit)
