"""What the blueprints share; no blueprint imports another."""
from __future__ import annotations

from flask import current_app, url_for


def absolute(endpoint: str, **values) -> str:
    """An absolute link from SITE_URL alone (scheme, host and port), never from the request:
    a forged Host header must not reach a mail, a feed or an API answer."""
    return absolute_path(url_for(endpoint, **values))


def absolute_path(path: str) -> str:
    return current_app.config["SITE_URL"].rstrip("/") + path
