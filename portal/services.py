"""Objects built from the app's settings that the web and the CLI share."""
from __future__ import annotations

from flask import current_app

from .domain.storage import Storage


def storage() -> Storage:
    """The attachment store configured for this app."""
    config = current_app.config
    return Storage(config["UPLOAD_DIR"], config["MAX_UPLOAD_MB"] * 1024 * 1024)
