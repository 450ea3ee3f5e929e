"""The PostgreSQL backend's lifecycle, and all its state in this process (`POSTGRES`): rows
written in the transaction of each change (never behind), bitsets per table, results per
content generation."""
from __future__ import annotations

import logging
import threading
from dataclasses import astuple

from flask import Flask
from sqlalchemy import text
from sqlalchemy.orm import Session

from portal.domain.documents.models import Document, public_filter
from portal.domain.kernel import changes
from portal.extensions import db
from portal.search.core.cache import Recent
from portal.search.core.results import SearchRequest, SearchResults, run_on
from portal.search.core.sources import all_entries, load_entries
from portal.search.postgres import store
from portal.search.postgres.bits import PgBits
from portal.search.postgres.searcher import PgSearcher

log = logging.getLogger(__name__)


class PostgresBackend:
    name = "postgresql"

    def __init__(self):
        self.results = Recent(items=1000)  # (request, generation, database) -> SearchResults
        self.tables: dict[tuple, PgBits] = {}  # (database, table oid) -> its bitsets
        self.tables_lock = threading.Lock()

    def forget(self) -> None:
        """Drop what is kept per generation and per table: a new app may face a database emptied
        and refilled under the same name, whose generations start again."""
        self.results.clear()
        with self.tables_lock:
            self.tables.clear()

    def bits_for(self, session: Session, version: str) -> PgBits:
        """This process's bitsets of the session's `search_entries` table, at `version` (and
        sequential scans off for the rest of the session's transaction)."""
        # Lexemes are read through the GIN index: the planner's sequential scan, chosen for a
        # common word, would unpack every entry's vector (off for this transaction, same round trip).
        table = session.execute(text("SELECT to_regclass('search_entries')::oid, "
                                     "set_config('enable_seqscan', 'off', true)")).scalar()
        if table is None:  # checked at start-up; made again only if dropped since
            store.ensure_schema(session)
            table = session.execute(text("SELECT to_regclass('search_entries')::oid")).scalar()
        key = (changes.engine_key(session.get_bind()), table)
        with self.tables_lock:
            found = self.tables.get(key)
            if found is None:
                for old in [k for k in self.tables if k[0] == key[0]]:  # a table made again: drop the old's
                    del self.tables[old]
                found = self.tables[key] = PgBits(key)
        found.follow(session, version)
        return found

    def search(self, request: SearchRequest, generation: str) -> SearchResults:
        key = (astuple(request), generation, changes.engine_key())
        cached = self.results.get(key)
        if cached is not None:
            return cached
        with Session(db.engine) as session:
            results = run_on(PgSearcher(session, self.bits_for(session, generation)), request)
            session.commit()
        self.results.put(key, results)
        return results

    def rebuild(self, record: bool = True, procs: int = 1) -> int:
        """Every row rewritten in one transaction, which also moves the change sequence."""
        with Session(db.engine) as session:
            store.ensure_schema(session)
            session.execute(text("LOCK TABLE search_entries IN EXCLUSIVE MODE"))
            count = store.build(session, all_entries(session))
            changes.record(session, changes.EVERYTHING)
            session.commit()
            session.execute(text("ANALYZE search_entries, search_terms"))  # plans need statistics
            session.commit()
        self.results.clear()
        return count

    def sync(self, timeout: float = 0) -> bool:
        return True  # written with each change

    def catch_up(self, app: Flask, timeout: float = 0, background: bool = True) -> bool:
        return True

    def start(self, app: Flask) -> None:
        """Tables that are missing, or empty while something is public, are rebuilt (the backend
        was just switched on, or its tables were dropped)."""
        db.session.rollback()
        with Session(db.engine) as session:
            created = store.ensure_schema(session)
            session.commit()
            public = session.scalar(db.select(Document.id).where(public_filter()).limit(1)) is not None
            if not (created or store.empty(session)) or not public:
                return
        log.warning("search tables in PostgreSQL were missing or empty: rebuilding them")
        self.rebuild()

    def before_request(self, app: Flask) -> None:
        """Never behind: nothing to do."""

    def committed(self, app: Flask, in_request: bool) -> None:
        """The rows were written with the change."""

    def recorded(self, session: Session, keys: str) -> None:
        """Listener of the change sequence: the rows of the changed keys, in the same transaction."""
        if keys != changes.EVERYTHING:
            store.apply(session, set(keys.split()), load_entries)


POSTGRES = PostgresBackend()
