"""The Whoosh backend's lifecycle (`WHOOSH`; this process's state of it is state.STATE).

The index is derived data outside the database. It records the last change it applied
(domain/kernel/changes.py) and replays the changes after it: after a local commit, before a search,
and in the background when any request sees it is behind. A crash anywhere (mid-load,
mid-publish, mid-rebuild) therefore heals by itself at the next request; a failed write releases
its locks and is retried later, and a missing index is rebuilt in the background while search
says so in Vietnamese instead of blocking a request.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import astuple

import click
from flask import Flask, current_app
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from portal.domain.kernel import changes
from portal.errors import Unavailable
from portal.extensions import db
from portal.search.core.results import SearchRequest, SearchResults, run_on
from portal.search.core.sources import all_entries, load_entries
from portal.search.whoosh.indexer import IndexBusy, IndexUnavailable, SearchIndex, index_at
from portal.search.whoosh.searcher import WhooshSearcher
from portal.search.whoosh.state import STATE, WhooshState

log = logging.getLogger(__name__)
REQUEST_WAIT = 3.0  # how long a request waits for the index lock, or a background rebuild
WRITER_START_WAIT = 10.0


class SearchRebuilding(Unavailable):
    """The index is being rebuilt; search answers again in a moment."""


class WhooshBackend:
    """Indexes in folders (SEARCH_INDEX_DIR), one per app; what this process knows of them."""

    name = "whoosh"

    def __init__(self, state: WhooshState):
        self.state = state

    @staticmethod
    def index() -> SearchIndex:
        return index_at(current_app.config["SEARCH_INDEX_DIR"])

    # -- searching ---------------------------------------------------------------------------
    def search(self, request: SearchRequest, generation: str) -> SearchResults:
        key = (astuple(request), generation, current_app.config["SEARCH_INDEX_DIR"])
        cached = self.state.results.get(key)
        if cached is not None:
            return cached
        if self.index().applied() < int(generation):
            self.catch_up(current_app._get_current_object())
        try:
            results = self._run(request)
        except IndexUnavailable:
            if not current_app.config.get("SEARCH_BACKGROUND", True):
                self.rebuild(record=False)
            else:
                self.rebuild_in_background(current_app._get_current_object()).join(REQUEST_WAIT)
            try:
                results = self._run(request)
            except IndexUnavailable:  # still building, here or in another process
                raise SearchRebuilding("Chỉ mục tìm kiếm đang được dựng lại; xin thử lại sau ít phút.") from None
        if self.index().applied() >= int(generation):  # never cache what a lagging index said
            self.state.results.put(key, results)
        return results

    def _run(self, request: SearchRequest) -> SearchResults:
        return run_on(WhooshSearcher(self.index().searcher()), request)

    # -- building and catching up ------------------------------------------------------------
    def rebuild(self, record: bool = True, procs: int = 1) -> int:
        """Rebuild the index from the database into a new folder and switch to it; returns the
        count. With `record`, every other index sharing the database is asked to rebuild too.
        `procs` > 1 analyses in that many worker processes (from a main thread only: forked)."""
        index = self.index()
        with index.maintenance(timeout=600):
            self.state.rebuilding.add(str(index.root))
            try:
                if record:
                    changes.record_everything()
                with Session(db.engine) as session:  # its own session: this also runs in a thread
                    applied = changes.latest(session)
                    count = index.build(all_entries(session), applied, procs)
            finally:
                self.state.rebuilding.discard(str(index.root))
        self.state.results.clear()
        self.sync()  # what was committed while the new folder was filling
        return count

    def rebuild_in_background(self, app: Flask) -> threading.Thread:
        """Start (at most one per index and process) a rebuild that searches do not wait for."""
        root = app.config["SEARCH_INDEX_DIR"]
        running = self.state.building.get(root)
        if running is not None and running.is_alive():
            return running

        def work():
            with app.app_context():
                try:
                    index = self.index()
                    with index.maintenance(timeout=1):
                        if not self._needs_rebuild():  # another process built it meanwhile
                            return
                    first = index.current_name() is None and not index.root.exists()
                    count = self.rebuild(record=False)
                    # A first build is routine; an index that vanished or broke is worth a warning.
                    (log.info if first else log.warning)(
                        "search index at %s %s: %d entries", root,
                        "built" if first else "was missing or unreadable, rebuilt", count)
                except IndexBusy:
                    pass  # another process is rebuilding it
                except Exception:  # noqa: BLE001 (logged; the next request tries again)
                    log.exception("search index rebuild failed")

        thread = self.state.building[root] = threading.Thread(target=work, name="search-rebuild", daemon=True)
        thread.start()
        return thread

    def sync(self, timeout: float = REQUEST_WAIT) -> bool:
        """Apply the changes the index has not seen yet; True when it is up to date afterwards."""
        index = self.index()
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
                index.apply(keys, lambda key: load_entries(session, key), pending[-1][0])
        self.state.results.clear()
        return index.applied() >= target

    def catch_up(self, app: Flask, timeout: float = REQUEST_WAIT, background: bool = True) -> bool:
        """sync() that never raises. A missing index is rebuilt: in the background for the web
        (requests never wait minutes), in the foreground for commands. Failures are logged."""
        background = background and app.config.get("SEARCH_BACKGROUND", True)  # tests: all done on return
        if str(self.index().root) in self.state.rebuilding:
            return False
        try:
            return self.sync(timeout)
        except IndexUnavailable:
            if not background:
                self.rebuild(record=False)
                return True
            return (self.rebuild_in_background(app) if self._needs_rebuild() else None) is None
        except IndexBusy:
            return False
        except (OSError, SQLAlchemyError) as exc:
            log.warning("search index not updated yet (%s: %s); will retry", exc.__class__.__name__, exc)
            return False

    def _needs_rebuild(self) -> bool:
        """No usable index, or one that missed a full rebuild or changes no longer kept."""
        index = self.index()
        if not index.exists():
            return True
        with Session(db.engine) as session:
            applied = index.applied()
            pending = changes.since(applied, session)
            return any(keys == changes.EVERYTHING for _, keys in pending) or (
                bool(pending) and applied < changes.oldest(session) - 1)

    # -- the app's events ----------------------------------------------------------------------
    def start(self, app: Flask) -> None:
        """Catch up, or rebuild: a server in the background, a `flask` command before it exits."""
        self.catch_up(app, timeout=WRITER_START_WAIT, background=click.get_current_context(silent=True) is None)

    def _behind(self) -> bool:
        root, generation = current_app.config["SEARCH_INDEX_DIR"], changes.generation()
        if self.state.up_to_date.get(root) == generation:
            return False
        if self.index().applied() >= int(generation):
            self.state.up_to_date[root] = generation
            return False
        return True

    def before_request(self, app: Flask) -> None:
        """An index behind the sequence catches up in a thread of its own."""
        if not self._behind():
            return
        if not app.config.get("SEARCH_BACKGROUND", True):
            self.catch_up(app, background=False)
            return
        root = app.config["SEARCH_INDEX_DIR"]
        running = self.state.syncing.get(root)
        if running is not None and running.is_alive():
            return

        def work():
            with app.app_context():
                self.catch_up(app, timeout=30)

        thread = self.state.syncing[root] = threading.Thread(target=work, name="search-sync", daemon=True)
        thread.start()

    def committed(self, app: Flask, in_request: bool) -> None:
        """The committing process brings the index up to date at once (read your own writes)."""
        self.catch_up(app, background=in_request)

    def recorded(self, session: Session, keys: str) -> None:
        """A change recorded in a transaction: the index follows after the commit."""


WHOOSH = WhooshBackend(STATE)
