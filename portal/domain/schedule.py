"""Scheduled and expiring publication, honoured without anyone running a job.

Each process keeps, per content generation, the next instant at which a published document
enters or leaves its window. The first request past that instant sends `window_crossed` with
the documents concerned (the search index re-reads them) and moves the generation, so every
worker drops the pages it rendered before.
"""
from __future__ import annotations

import threading
from datetime import datetime

from blinker import signal
from sqlalchemy import func, or_, select, union_all
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from . import events
from .documents import Document
from .models_base import as_utc, utcnow

window_crossed = signal("portal.window-crossed")

_state: dict = {"generation": None, "due": None, "since": None}
_lock = threading.Lock()


def _boundaries(after: datetime | None):
    """Windows' edges of documents that matter to the public side, later than `after`."""
    live = (Document.status == "published", Document.deleted_at.is_(None))
    parts = []
    for column in (Document.publish_from, Document.publish_until):
        query = select(column.label("at")).where(*live, column.is_not(None))
        if after is not None:
            query = query.where(column > after)
        parts.append(query)
    return union_all(*parts).subquery()


def next_change(after: datetime | None) -> datetime | None:
    """The first window edge after `after` (any edge when `after` is None)."""
    edges = _boundaries(after)
    return as_utc(db.session.scalar(select(func.min(edges.c.at))))


def crossed(since: datetime | None, until: datetime) -> list[int]:
    """Ids of documents whose window opened or closed in (since, until]."""
    conditions = []
    for column in (Document.publish_from, Document.publish_until):
        edge = column <= until
        conditions.append(edge if since is None else (column > since) & edge)
    query = select(Document.id).where(Document.status == "published", or_(*conditions))
    return list(db.session.scalars(query))


def tick(now: datetime | None = None) -> bool:
    """Apply window edges that have passed; True when something changed."""
    now = now or utcnow()
    generation = events.generation()
    if _state["generation"] != generation:
        with _lock:
            try:
                _state["due"] = next_change(_state["since"])
            except SQLAlchemyError:  # not migrated yet: nothing is scheduled
                db.session.rollback()
                return False
            _state["generation"] = generation
    due = _state["due"]
    if due is None or now < due:
        return False
    with _lock:
        ids = crossed(_state["since"], now)
        _state["since"] = now
        _state["generation"] = None
    if ids:
        window_crossed.send(None, document_ids=ids)
    events.bump()
    return True


def reset() -> None:
    """Forget what this process knew (tests build several apps in one process)."""
    _state.update(generation=None, due=None, since=None)
