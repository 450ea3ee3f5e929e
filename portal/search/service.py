"""The search interface the portal uses: search(), rebuild(), sync() with the change sequence,
and the app's events, each handed to the app's backend (SEARCH_BACKEND: `whoosh`, embedded, the
default; `postgresql`, for several nodes). A backend is imported when first used: the PostgreSQL
backend runs where Whoosh is not installed."""
from __future__ import annotations

import importlib
import logging
import sys

from flask import Flask, current_app, has_app_context, has_request_context, request
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from portal.domain.kernel import changes
from portal.extensions import db
from portal.search.core.protocol import Backend
from portal.search.core.results import SearchRequest, SearchResults

BACKENDS = {"whoosh": ("portal.search.whoosh.backend", "WHOOSH"),
            "postgresql": ("portal.search.postgres.backend", "POSTGRES")}
REQUEST_WAIT = 3.0
log = logging.getLogger(__name__)


def backend(app: Flask | None = None) -> Backend:
    """The backend of an app (the current one by default), one object per process."""
    module, name = BACKENDS[(app or current_app).config.get("SEARCH_BACKEND", "whoosh")]
    return getattr(importlib.import_module(module), name)


def postgres() -> bool:
    """Whether this app keeps its search index in PostgreSQL (SEARCH_BACKEND=postgresql)."""
    return backend().name == "postgresql"


def current_index():
    """The Whoosh index of the current app (the Whoosh backend only)."""
    return backend().index()


def search(search_request: SearchRequest) -> SearchResults:
    """Results for a request, cached per content generation; SearchRebuilding while the index
    is being rebuilt and not ready within a few seconds."""
    return backend().search(search_request, changes.generation())


def rebuild(record: bool = True, procs: int = 1) -> int:
    """Write every public entry afresh; the number written."""
    return backend().rebuild(record, procs)


def sync(timeout: float = REQUEST_WAIT) -> bool:
    """Apply the changes the index has not seen yet; True when it is up to date afterwards."""
    return backend().sync(timeout)


def catch_up(app: Flask | None = None, timeout: float = REQUEST_WAIT, background: bool = True) -> bool:
    """sync() that never raises; a missing index is rebuilt (in the background for the web)."""
    app = app or current_app._get_current_object()
    return backend(app).catch_up(app, timeout, background)


def _on_commit(_session, change_id=None) -> None:  # noqa: ARG001 (the signal names it)
    if has_app_context():
        backend().committed(current_app._get_current_object(), has_request_context())


def _on_recorded(session: Session, keys: str) -> None:
    if has_app_context():
        backend().recorded(session, keys)


def _before_request() -> None:
    if request.endpoint != "static":
        backend().before_request(current_app._get_current_object())


def ensure_index(app: Flask) -> None:
    """At start-up: check the index (quiet before the first migration)."""
    with app.app_context():
        try:
            db.session.execute(db.select(changes.Change.id).limit(1))
        except SQLAlchemyError:
            db.session.rollback()
            log.info("search index: database not migrated yet; it is built after `flask db upgrade`")
            return
        backend(app).start(app)


def init_app(app: Flask) -> None:
    module = sys.modules.get(BACKENDS["postgresql"][0])  # loaded already: this process used it
    if module is not None:
        module.POSTGRES.forget()
    changes.committed.connect(_on_commit)
    changes.recorded.connect(_on_recorded)
    app.before_request(_before_request)
    if app.config.get("SEARCH_CHECK_ON_START", True):
        ensure_index(app)
