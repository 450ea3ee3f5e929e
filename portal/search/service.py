"""The search interface the portal uses: search(), rebuild() and live updates on commit."""
from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import astuple

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from ..domain import events, schedule
from ..domain.documents import Attachment, Document, public_filter
from ..domain.honor_roll import listed_award, public_fields
from ..domain.honors import Award, HonorDecision
from ..extensions import db
from .entries import SearchEntry, entries_for_awards, entry_for_award, entry_for_document
from .indexer import IndexUnavailable, SearchIndex, index_at
from .results import SearchRequest, SearchResults, run_on

log = logging.getLogger(__name__)

def current_index() -> SearchIndex:
    return index_at(current_app.config["SEARCH_INDEX_DIR"])


def _load_entries(session: Session, key: str) -> list[SearchEntry]:
    """The current public entries of a key: a document with its awards, or one award."""
    kind, _, ident = key.partition(":")
    if not ident.isdigit():
        return []
    if kind == "document":
        document = session.get(Document, int(ident))
        if document is None or not document.is_public:
            return []
        return [entry_for_document(document)] + entries_for_awards(document, session)
    if kind == "award":
        found = listed_award(int(ident), session)
        return [entry_for_award(public_fields(*found), found[2])] if found else []
    return []


def all_entries(session: Session):
    """Every public entry: documents and the listed awards of public decisions."""
    query = (db.select(Document).where(public_filter())
             .options(selectinload(Document.attachments), selectinload(Document.campaign))
             .order_by(Document.id))
    for document in session.scalars(query).all():
        yield entry_for_document(document)
        yield from entries_for_awards(document, session)


def rebuild() -> int:
    """Rebuild the index from the database; returns the number of entries."""
    with Session(db.engine) as session:  # its own session: this also runs after a commit
        count = current_index().rebuild(all_entries(session))
    _results.clear()
    events.bump()  # every process drops the pages and results it cached from the old index
    return count


def ensure_index() -> None:
    """Rebuild a missing, corrupt or outdated index (quietly skip before the first migration)."""
    index = current_index()
    if index.exists():
        return
    try:
        with index.maintenance():
            if index.exists():  # another process built it while we waited
                return
            index.create()
        count = rebuild()
        log.warning("search index at %s was missing or unreadable: rebuilt with %d entries", index.path, count)
    except SQLAlchemyError as exc:
        log.warning("search index not built yet (database not ready: %s)", exc.__class__.__name__)


def _keys_for(changed) -> set[str]:
    keys = set()
    for obj in changed:
        if isinstance(obj, Document) and obj.id is not None:
            keys.add(f"document:{obj.id}")
        elif isinstance(obj, (Attachment, HonorDecision)) and obj.document_id is not None:
            keys.add(f"document:{obj.document_id}")
        elif isinstance(obj, Award) and obj.id is not None:
            keys.add(f"award:{obj.id}")
    return keys


@event.listens_for(Session, "after_flush")
def _collect_keys(session: Session, _context) -> None:
    """Note what to re-index while the flushed objects still hold their values."""
    keys = session.info.setdefault("search_keys", set())
    keys |= _keys_for(list(session.new) + list(session.dirty) + list(session.deleted))


@event.listens_for(Session, "after_rollback")
def _forget_keys(session: Session) -> None:
    session.info.pop("search_keys", None)


def _on_commit(session, changed) -> None:
    _apply(session.info.pop("search_keys", set()))


def _on_window(_sender, document_ids) -> None:
    """A scheduled document entered or left its publication window."""
    _apply({f"document:{ident}" for ident in document_ids})


def _apply(keys: set[str]) -> None:
    if not keys:
        return
    try:
        # A session of its own: the committing one can emit no SQL in this event.
        with Session(db.engine) as reader:
            current_index().apply(keys, lambda key: _load_entries(reader, key))
    except IndexUnavailable:
        ensure_index()
    _results.clear()


def init_app(app: Flask) -> None:
    events.committed.connect(_on_commit)
    schedule.window_crossed.connect(_on_window)
    if app.config.get("SEARCH_CHECK_ON_START", True):
        with app.app_context():
            ensure_index()


# -- searching ---------------------------------------------------------------------------------
_results: OrderedDict[tuple, SearchResults] = OrderedDict()
_results_lock = threading.Lock()


def search(request: SearchRequest) -> SearchResults:
    """Results for a request, cached per index generation."""
    key = (astuple(request), events.generation(), current_app.config["SEARCH_INDEX_DIR"])
    cached = _results.get(key)
    if cached is not None:
        return cached
    try:
        results = _run(request)
    except IndexUnavailable:
        rebuild()
        results = _run(request)
    with _results_lock:
        _results[key] = results
        while len(_results) > 1000:
            _results.popitem(last=False)
    return results


def _run(request: SearchRequest) -> SearchResults:
    return run_on(current_index().searcher(), request)
