"""The change sequence: every commit that changes public content adds a row, in its own transaction.

The newest row's id is the content generation. Page caches, result caches, ETags and the schedule
key on it, so every process and every machine on the same database agrees on it; a search index
kept outside the database records the last id it applied and replays the rows after it
(`search/service.sync`). Nothing here lives on a node's disk.

A row names what changed as keys (`document:12`, `award:7`); `*` means "everything" (a full
search rebuild). Models whose rows never show publicly (`__private_state__ = True`) add nothing.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from weakref import WeakKeyDictionary

from blinker import signal
from sqlalchemy import BigInteger, DateTime, Integer, Text, event, func, insert, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.database import budget
from portal.domain.kernel.models_base import utcnow
from portal.extensions import db

# Sent after a commit that recorded a change; receivers get the change id.
committed = signal("portal.committed")
# Sent inside the transaction when a change row is added: a backend that keeps its index in the
# same database writes it here, so the index commits (or rolls back) with the change.
recorded = signal("portal.recorded")

EVERYTHING = "*"
# Above this many awards in one commit, the change names their documents instead.
MAX_AWARD_KEYS = 50
# How long a process trusts the generation it last read from the database (seconds).
POLL_SECONDS = 0.25
RETRY_SECONDS = 1.0  # while the database is away, how often a process asks again
READ_BUDGET = 1.0  # seconds a request waits for the generation before serving what it knew
# The PostgreSQL advisory lock that orders recording transactions (an arbitrary constant).
ORDER_LOCK = 0x6B686374


class Change(db.Model):
    """One committed change of public content."""

    __tablename__ = "changes"
    __private_state__ = True

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    keys: Mapped[str] = mapped_column(Text, default="", nullable=False)


# -- the generation, as each process knows it --------------------------------------------------
_known: dict[str, tuple[int, float]] = {}  # engine url -> (newest id, monotonic time read)
_lock = threading.Lock()
settings = {"poll": POLL_SECONDS}


def engine_key(engine=None) -> str:
    """The database an engine (the app's, by default) reaches, as its URL without password:
    the key of what each process knows of that database. Rendered once per engine."""
    engine = engine if engine is not None else db.engine
    key = _urls.get(engine)
    if key is None:
        key = _urls[engine] = str(engine.url)
    return key


_urls: WeakKeyDictionary = WeakKeyDictionary()  # engine -> str(url): rendering a URL costs a few µs


def latest(session: Session | None = None) -> int:
    """The newest change id in the database (0 when none, or before the first migration)."""
    session = session or db.session
    try:
        return int(session.scalar(select(func.max(Change.id))) or 0)
    except SQLAlchemyError:
        session.rollback()
        return 0


def _learn(key: str, value: int, pause: float = 0.0) -> None:
    with _lock:
        old = _known.get(key, (0, 0.0))[0]
        _known[key] = (max(old, value), time.monotonic() + pause)


def generation() -> str:
    """The content generation: the newest change id, re-read at most every `POLL_SECONDS`.
    While the database does not answer, the generation last read stands (pages rendered for it
    are still served from the cache) and is asked again only every `RETRY_SECONDS`."""
    key = engine_key()
    known = _known.get(key)
    if known is None or time.monotonic() - known[1] >= settings["poll"]:
        try:
            with Session(db.engine) as reader, budget(READ_BUDGET):
                _learn(key, int(reader.scalar(select(func.max(Change.id))) or 0))
        except SQLAlchemyError:
            _learn(key, 0, pause=RETRY_SECONDS)  # not migrated yet, or away: what was read stands
        known = _known[key]
    return str(known[0])


def forget() -> None:
    """Drop what this process knew (tests build several apps in one process)."""
    with _lock:
        _known.clear()
    for memo in _memos:
        memo.clear()


_memos: list[PerGeneration] = []


def holds_own_changes(session: Session) -> bool:
    """Whether `session` sees content no generation names yet: changes pending, or flushed and
    not committed, or another session than the request's."""
    if session is not db.session:
        return True
    if not session.registry.has():
        return False  # the request has not opened its session yet: it holds nothing
    session = session()  # the request's own, once: each attribute of the proxy looks it up again
    if session.info.get("change_pending") or session.new:
        return True
    # Only an object the session holds can be changed or deleted (a public page holds none).
    return bool(session.identity_map) and bool(session.dirty or session.deleted)


class PerGeneration:
    """A value read from the database once per content generation and process, for reads that
    many requests repeat and only a change of content alters. A session holding changes of its
    own, or another session than the request's, reads afresh (what it sees is not yet, or not
    the same, generation). Only the newest generation's value is kept."""

    def __init__(self, read: Callable[..., object]):
        self._read = read
        self._kept: tuple[tuple, object] | None = None
        _memos.append(self)

    def get(self, session: Session, *extra):
        """`read(session)` as of the current generation; `extra` names what else it depends on."""
        if holds_own_changes(session):
            return self._read(session)
        key = (engine_key(), generation(), *extra)
        kept = self._kept
        if kept is None or kept[0] != key:
            kept = self._kept = (key, self._read(session))
        return kept[1]

    def clear(self) -> None:
        self._kept = None


# -- recording ---------------------------------------------------------------------------------
# Each subject tells the change sequence how its rows are named (documents and honors register
# when their models are imported), so that this kernel module knows no subject.
KeyOf = Callable[[object], tuple[str | None, int | None]]  # -> (entity key, decision id of an award)
_KEYS: dict[type, KeyOf] = {}
_AWARD_DOCUMENTS: list[Callable[[Session, set[int]], Iterable[int]]] = []


def track(model: type, key_of: KeyOf) -> None:
    """Name the rows of `model` in the change sequence."""
    _KEYS[model] = key_of


def track_award_documents(documents_of: Callable[[Session, set[int]], Iterable[int]]) -> None:
    """How a commit of many awards names their documents instead (see _compact)."""
    _AWARD_DOCUMENTS[:] = [documents_of]


def entity_keys(objects) -> tuple[set[str], set[int]]:
    """Keys of what a set of flushed objects changes, and decision ids of awards to resolve."""
    keys: set[str] = set()
    award_decisions: set[int] = set()
    for obj in objects:
        key_of = _KEYS.get(type(obj))
        if key_of is None:
            continue
        key, decision = key_of(obj)
        if key is not None:
            keys.add(key)
        if decision is not None:
            award_decisions.add(decision)
    return keys, award_decisions


def _compact(session: Session, keys: set[str], decisions: set[int]) -> set[str]:
    """Many awards in one commit: name their documents (which carry their awards) instead."""
    awards = {k for k in keys if k.startswith("award:")}
    if len(awards) <= MAX_AWARD_KEYS or not _AWARD_DOCUMENTS:
        return keys
    return (keys - awards) | {f"document:{ident}" for ident in _AWARD_DOCUMENTS[0](session, decisions)}


def _in_commit_order(session: Session) -> None:
    """Make change ids become visible in the order they are handed out.

    A PostgreSQL sequence hands out ids when a row is inserted, not when its transaction commits:
    a change numbered 10 could commit after 11, after an index had already replayed up to 11, and
    be skipped forever. A transaction-level lock taken before the insert and released by the
    commit makes each recording transaction commit before the next takes an id. It is held only
    from the insert to the commit: the change row, and the search rows a PostgreSQL index writes
    with it, are the last things a transaction writes.
    SQLite needs nothing: it admits one writer at a time already.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(ORDER_LOCK)))


def record(session: Session, keys: set[str] | str) -> int:
    """Add a change row in the session's transaction; returns its id."""
    text = keys if isinstance(keys, str) else " ".join(sorted(keys))
    session.info["recording"] = True
    try:
        _in_commit_order(session)
        result = session.execute(insert(Change).values(at=utcnow(), keys=text))
    finally:
        session.info.pop("recording", None)
    ident = int(result.inserted_primary_key[0])
    session.info["change_id"] = max(ident, session.info.get("change_id", 0))
    recorded.send(session, keys=text)
    return ident


def record_everything() -> int:
    """A change that asks every search index to rebuild (a full rebuild was started)."""
    ident = record(db.session, EVERYTHING)
    db.session.commit()
    return ident


def since(after: int, session: Session, limit: int = 5000) -> list[tuple[int, str]]:
    """Changes after an id, oldest first."""
    query = select(Change.id, Change.keys).where(Change.id > after).order_by(Change.id).limit(limit)
    return [(row[0], row[1]) for row in session.execute(query)]


def oldest(session: Session) -> int:
    return int(session.scalar(select(func.min(Change.id))) or 0)


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _context) -> None:
    public = [obj for group in (session.new, session.dirty, session.deleted) for obj in group
              if not getattr(obj, "__private_state__", False)]
    if not public:
        return
    keys, decisions = entity_keys(public)
    session.info.setdefault("change_keys", set()).update(keys)
    session.info.setdefault("change_decisions", set()).update(decisions)
    session.info["change_pending"] = True


@event.listens_for(Session, "before_commit")
def _record(session: Session) -> None:
    if session.info.get("recording"):
        return
    session.flush()  # what is still pending belongs to this change too
    if not session.info.pop("change_pending", False):
        return
    keys = session.info.pop("change_keys", set())
    decisions = session.info.pop("change_decisions", set())
    record(session, _compact(session, keys, decisions))


@event.listens_for(Session, "after_commit")
def _notify(session: Session) -> None:
    ident = session.info.pop("change_id", None)
    if ident:
        _learn(engine_key(session.get_bind()), ident)
        committed.send(session, change_id=ident)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    for name in ("change_keys", "change_decisions", "change_pending", "change_id"):
        session.info.pop(name, None)
