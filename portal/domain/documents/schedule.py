"""Scheduled and expiring publication, honoured without anyone running a job.

Each process knows, per content generation, the next instant at which a published document
enters or leaves its window. The first request past that instant, on whichever node, claims the
edge with a compare-and-set on the shared clock row and records a change naming the documents
concerned, so every node drops its cached pages and every search index re-reads them, exactly once.
"""
from __future__ import annotations

import threading
from datetime import datetime

from sqlalchemy import DateTime, Integer, func, or_, select, union_all, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.domain.documents.models import Document
from portal.domain.kernel import changes
from portal.domain.kernel.models_base import as_utc, utcnow
from portal.extensions import db


class ScheduleClock(db.Model):
    """The one row that says up to which instant window edges have been applied."""

    __tablename__ = "schedule_clock"
    __private_state__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    turn: Mapped[int] = mapped_column(Integer, default=0, nullable=False)


_state: dict[str, dict] = {}
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


def next_change(after: datetime | None, session: Session | None = None) -> datetime | None:
    """The first window edge after `after` (any edge when `after` is None)."""
    edges = _boundaries(after)
    return as_utc((session or db.session).scalar(select(func.min(edges.c.at))))


def crossed(since: datetime | None, until: datetime, session: Session | None = None) -> list[int]:
    """Ids of documents whose window opened or closed in (since, until]."""
    conditions = []
    for column in (Document.publish_from, Document.publish_until):
        edge = column <= until
        conditions.append(edge if since is None else (column > since) & edge)
    query = select(Document.id).where(Document.status == "published", or_(*conditions))
    return list((session or db.session).scalars(query))


def _clock(session: Session) -> ScheduleClock:
    clock = session.get(ScheduleClock, 1)
    if clock is None:
        try:
            session.add(ScheduleClock(id=1, since=None, turn=0))
            session.commit()
        except IntegrityError:  # another process created it first
            session.rollback()
        clock = session.get(ScheduleClock, 1)
    return clock


def _load(session: Session, generation: str) -> dict:
    clock = _clock(session)
    since = as_utc(clock.since)
    return {"generation": generation, "since": since, "turn": clock.turn, "due": next_change(since, session)}


def tick(now: datetime | None = None) -> bool:
    """Apply window edges that have passed; True when this process recorded the change."""
    now = now or utcnow()
    key = changes.engine_key()
    generation = changes.generation()
    state = _state.get(key)
    if state is not None and state["generation"] == generation and (state["due"] is None or now < state["due"]):
        return False  # what was read for this generation stands: no session for it
    try:
        with Session(db.engine) as session:
            if state is None or state["generation"] != generation:
                with _lock:
                    state = _state[key] = _load(session, generation)
            if state["due"] is None or now < state["due"]:
                return False
            return _claim(session, state, now, key)
    except SQLAlchemyError:  # not migrated yet: nothing is scheduled
        return False


def _claim(session: Session, state: dict, now: datetime, key: str) -> bool:
    """Move the clock from the turn this process read; only one process wins each edge."""
    won = session.execute(update(ScheduleClock).where(ScheduleClock.id == 1, ScheduleClock.turn == state["turn"])
                          .values(since=now, turn=ScheduleClock.turn + 1)).rowcount == 1
    if won:
        ids = crossed(state["since"], now, session)
        changes.record(session, {f"document:{ident}" for ident in ids} or {"schedule"})
        session.commit()
    else:
        session.rollback()
    _state.pop(key, None)  # re-read the clock at the next request
    return won


def reset() -> None:
    """Forget what this process knew (tests build several apps in one process)."""
    _state.clear()
