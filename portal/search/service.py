"""The search interface the portal uses: search(), rebuild(), and sync() with the change sequence.

The Whoosh index is derived data outside the database. It records the last change it applied
(domain/changes.py) and replays the changes after it: after a local commit, before a search,
and in the background when any request sees it is behind. A crash anywhere (mid-load,
mid-publish, mid-rebuild) therefore heals by itself at the next request; a failed write releases
its locks and is retried later, and a missing index is rebuilt in the background while search
says so in Vietnamese instead of blocking a request.
"""
from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import astuple

import click
from flask import Flask, current_app, has_app_context, has_request_context, request
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from portal.domain import changes
from portal.domain.documents.models import Document, public_filter
from portal.domain.honors.models import HonorDecision
from portal.domain.honors.roll import listed_award, public_fields
from portal.errors import Unavailable
from portal.extensions import db
from portal.search import pg, pg_bits, pg_search
from portal.search.entries import SearchEntry, entries_for_awards, entry_for_award, entry_for_document
from portal.search.indexer import IndexBusy, IndexUnavailable, SearchIndex, index_at
from portal.search.results import SearchRequest, SearchResults, run_on

log = logging.getLogger(__name__)
# How long a request waits for the index lock, or for a background rebuild, before answering.
REQUEST_WAIT = 3.0


class SearchRebuilding(Unavailable):
    """The index is being rebuilt; search answers again in a moment."""


def postgres() -> bool:
    """Whether this app keeps its search index in PostgreSQL (SEARCH_BACKEND=postgresql)."""
    return current_app.config.get("SEARCH_BACKEND", "whoosh") == "postgresql"


def current_index() -> SearchIndex:
    return index_at(current_app.config["SEARCH_INDEX_DIR"])


def _load_entries(session: Session, key: str) -> list[SearchEntry]:
    """The current public entries of a key: a document with its awards, or one award."""
    kind, _, ident = key.partition(":")
    if not (ident.isascii() and ident.isdigit()):
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
    decisions = {d.document_id: d for d in session.scalars(db.select(HonorDecision))}
    for document in session.scalars(query).all():
        yield entry_for_document(document)
        yield from entries_for_awards(document, session, decisions)


# -- building and catching up ------------------------------------------------------------------
def rebuild(record: bool = True, procs: int = 1) -> int:
    """Rebuild the index from the database into a new folder and switch to it; returns the count.
    With `record`, every other index sharing the database is asked to rebuild too. `procs` > 1
    analyses in that many worker processes (from a main thread only: they are forked)."""
    if postgres():
        return _rebuild_postgres()
    index = current_index()
    with index.maintenance(timeout=600):
        _rebuilding.add(str(index.root))
        try:
            if record:
                changes.record_everything()
            with Session(db.engine) as session:  # its own session: this also runs in a thread
                applied = changes.latest(session)
                count = index.build(all_entries(session), applied, procs)
        finally:
            _rebuilding.discard(str(index.root))
    _results.clear()
    sync()  # what was committed while the new folder was filling
    return count


def _rebuild_postgres() -> int:
    """Every row rewritten in one transaction, which also moves the change sequence."""
    with Session(db.engine) as session:
        pg.ensure_schema(session)
        session.execute(text("LOCK TABLE search_entries IN EXCLUSIVE MODE"))
        count = pg.build(session, all_entries(session))
        changes.record(session, changes.EVERYTHING)
        session.commit()
        session.execute(text("ANALYZE search_entries, search_terms"))  # plans need statistics
        session.commit()
    _results.clear()
    return count


def _ensure_postgres() -> None:
    """At start-up: tables that are missing, or empty while something is public, are rebuilt
    (the backend was just switched on, or its tables were dropped)."""
    with Session(db.engine) as session:
        created = pg.ensure_schema(session)
        session.commit()
        public = session.scalar(db.select(Document.id).where(public_filter()).limit(1)) is not None
        if not (created or pg.empty(session)) or not public:
            return
    log.warning("search tables in PostgreSQL were missing or empty: rebuilding them")
    _rebuild_postgres()


def _write_postgres(session: Session, keys: str) -> None:
    """Listener of the change sequence: the rows of the changed keys, in the same transaction."""
    if not has_app_context() or not postgres() or keys == changes.EVERYTHING:
        return
    pg.apply(session, set(keys.split()), _load_entries)


_background: dict[str, threading.Thread] = {}
_rebuilding: set[str] = set()  # roots this process is rebuilding now


def rebuild_in_background(app: Flask) -> threading.Thread:
    """Start (at most one per index and process) a rebuild that searches do not wait for."""
    root = app.config["SEARCH_INDEX_DIR"]
    running = _background.get(root)
    if running is not None and running.is_alive():
        return running

    def work():
        with app.app_context():
            try:
                index = current_index()
                with index.maintenance(timeout=1):
                    if not _needs_rebuild():  # another process built it meanwhile
                        return
                first = index.current_name() is None and not index.root.exists()
                count = rebuild(record=False)
                # A first build is routine; an index that vanished or broke is worth a warning.
                (log.info if first else log.warning)("search index at %s %s: %d entries", root,
                                                     "built" if first else "was missing or unreadable, rebuilt",
                                                     count)
            except IndexBusy:
                pass  # another process is rebuilding it
            except Exception:  # noqa: BLE001 (logged; the next request tries again)
                log.exception("search index rebuild failed")

    thread = _background[root] = threading.Thread(target=work, name="search-rebuild", daemon=True)
    thread.start()
    return thread


def sync(timeout: float = REQUEST_WAIT) -> bool:
    """Apply the changes the index has not seen yet; True when it is up to date afterwards."""
    if postgres():
        return True  # written with each change
    index = current_index()
    with Session(db.engine) as session:
        target = changes.latest(session)
        if index.applied() >= target:
            return True
        if not index.exists():
            raise IndexUnavailable(f"no usable search index at {index.root}")
        with index.writing(timeout):
            applied = index.applied()  # another process may have applied them meanwhile
            pending = changes.since(applied, session)
            if not pending:
                return True
            if any(keys == changes.EVERYTHING for _, keys in pending) or applied < changes.oldest(session) - 1:
                raise IndexUnavailable("a full rebuild was asked for")
            keys = {key for _, text in pending for key in text.split()}
            index.apply(keys, lambda key: _load_entries(session, key), pending[-1][0])
    _results.clear()
    return index.applied() >= target


def catch_up(app: Flask | None = None, timeout: float = REQUEST_WAIT, background: bool = True) -> bool:
    """sync() that never raises. A missing index is rebuilt: in the background for the web
    (requests never wait minutes), in the foreground for commands. Failures are logged."""
    app = app or current_app._get_current_object()
    if app.config.get("SEARCH_BACKEND", "whoosh") == "postgresql":
        return True
    background = background and app.config.get("SEARCH_BACKGROUND", True)  # tests: every step done on return
    if str(current_index().root) in _rebuilding:
        return False
    try:
        return sync(timeout)
    except IndexUnavailable:
        if not background:
            rebuild(record=False)
            return True
        thread = _rebuild_unless_current(app)
        return thread is None
    except IndexBusy:
        return False
    except (OSError, SQLAlchemyError) as exc:
        log.warning("search index not updated yet (%s: %s); will retry", exc.__class__.__name__, exc)
        return False


def _rebuild_unless_current(app: Flask):
    return rebuild_in_background(app) if _needs_rebuild() else None


def _needs_rebuild() -> bool:
    """No usable index, or one that missed a full rebuild or changes no longer kept."""
    index = current_index()
    if not index.exists():
        return True
    with Session(db.engine) as session:
        applied = index.applied()
        pending = changes.since(applied, session)
        return any(keys == changes.EVERYTHING for _, keys in pending) or (
            bool(pending) and applied < changes.oldest(session) - 1)


def ensure_index(app: Flask) -> None:
    """At start-up: catch up, or rebuild in the background (quiet before the first migration)."""
    with app.app_context():
        try:
            db.session.execute(db.select(changes.Change.id).limit(1))
        except SQLAlchemyError:
            db.session.rollback()
            log.info("search index: database not migrated yet; it is built after `flask db upgrade`")
            return
        if postgres():
            db.session.rollback()
            _ensure_postgres()
            return
        # A server builds a missing index in the background; a `flask` command, before it exits.
        catch_up(app, timeout=WRITER_START_WAIT, background=click.get_current_context(silent=True) is None)


WRITER_START_WAIT = 10.0
_syncing: dict[str, threading.Thread] = {}
_up_to_date: dict[str, str] = {}  # root -> the generation the index was last seen to hold


def _behind() -> bool:
    root, generation = current_app.config["SEARCH_INDEX_DIR"], changes.generation()
    if _up_to_date.get(root) == generation:
        return False
    if current_index().applied() >= int(generation):
        _up_to_date[root] = generation
        return False
    return True


def _sync_in_background() -> None:
    """Before a request: an index behind the sequence catches up in a thread of its own."""
    if request.endpoint == "static" or postgres() or not _behind():
        return
    app = current_app._get_current_object()
    if not app.config.get("SEARCH_BACKGROUND", True):
        catch_up(app, background=False)
        return
    root = app.config["SEARCH_INDEX_DIR"]
    running = _syncing.get(root)
    if running is not None and running.is_alive():
        return

    def work():
        with app.app_context():
            catch_up(app, timeout=30)

    thread = _syncing[root] = threading.Thread(target=work, name="search-sync", daemon=True)
    thread.start()


def _on_commit(_session, change_id) -> None:
    """The committing process brings the index up to date at once (read your own writes)."""
    if has_app_context():
        catch_up(background=has_request_context())


def init_app(app: Flask) -> None:
    changes.committed.connect(_on_commit)
    changes.recorded.connect(_write_postgres)
    app.before_request(_sync_in_background)
    if app.config.get("SEARCH_CHECK_ON_START", True):
        ensure_index(app)


# -- searching ---------------------------------------------------------------------------------
_results: OrderedDict[tuple, SearchResults] = OrderedDict()
_results_lock = threading.Lock()


def search(search_request: SearchRequest) -> SearchResults:
    """Results for a request, cached per content generation; SearchRebuilding while the index
    is being rebuilt and not ready within a few seconds."""
    generation = changes.generation()
    key = (astuple(search_request), generation, current_app.config["SEARCH_INDEX_DIR"])
    cached = _results.get(key)
    if cached is not None:
        return cached
    if postgres():
        with Session(db.engine) as session:
            bits = pg_bits.bits_for(session, generation)
            results = run_on(pg_search.PgSearcher(session, bits), search_request)
            session.commit()
        with _results_lock:
            _results[key] = results
            while len(_results) > 1000:
                _results.popitem(last=False)
        return results
    if current_index().applied() < int(generation):
        catch_up()
    try:
        results = _run(search_request)
    except IndexUnavailable:
        if not current_app.config.get("SEARCH_BACKGROUND", True):
            rebuild(record=False)
        else:
            rebuild_in_background(current_app._get_current_object()).join(REQUEST_WAIT)
        try:
            results = _run(search_request)
        except IndexUnavailable:  # still building, here or in another process
            raise SearchRebuilding("Chỉ mục tìm kiếm đang được dựng lại; xin thử lại sau ít phút.") from None
    if current_index().applied() >= int(generation):  # never cache what a lagging index said
        with _results_lock:
            _results[key] = results
            while len(_results) > 1000:
                _results.popitem(last=False)
    return results


def _run(search_request: SearchRequest) -> SearchResults:
    return run_on(current_index().searcher(), search_request)
