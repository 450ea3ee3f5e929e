"""Match sets of the PostgreSQL search backend as bitsets, kept by each process.

A GIN index finds the rows of a lexeme fast, but counting them, or grouping them by facet,
reads every matching row from the table: 60-80 ms for a syllable in 100,000 honor-roll entries,
on every search that holds it. Here, as bitsets.py does for Whoosh, a lexeme's rows become a
Python int with one bit per row (bit = row id - base), fetched once and kept; an And or Or of
lexemes is a bitwise & or |, a total is int.bit_count(), a facet count the match set & the
bitset of a facet value. The ranking SQL then scores a few hundred chosen rows by id.

A lexeme's first read is the slow part (its rows' ids found through the GIN index and the
table: 5-30 ms for a syllable of many entries), and each process of each node met it once. The
bitsets of common lexemes are therefore written to `search_bitsets`, keyed by the state of the
rows (the table and the set of live ids, which fixes every row's content: rows are never changed
in place and ids never come back): a process started later, or on another node, reads a 15 kB
string instead. It is a cache, unlogged, emptied of other states as the rows change.

These bitsets are derived data, like the page caches: they follow the shared change sequence.
Rows of `search_entries` are never changed in place (a change deletes an entry's rows and
inserts new ones, with new ids), so on a new generation the rows that came and went are found
by their ids, and the kept bitsets are brought up to date from the new rows' lexemes alone. A
rebuild (most rows new) starts the bitsets again.
"""
from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from portal.search.core.bitset import from_positions as to_bits
from portal.search.core.bitset import positions as positions_of
from portal.search.core.counting import FACETS
from portal.search.core.tree import And, AndMaybe, Node, Or, Phrase, Term
from portal.search.postgres.store import PREFIX, _quote

log = logging.getLogger(__name__)

BUDGET = 64 * 1024 * 1024  # bytes of lexeme bitsets kept per process and table
SHARE_FROM = 1000  # rows: a lexeme this common is written to search_bitsets for the other processes
COLUMNS = ("kind",) + FACETS  # facet columns kept as value bitsets
FACET_PREFIXES = {PREFIX[name] for name in COLUMNS}  # their lexemes: answered from those bitsets


def lexeme(field: str, word: str) -> str:
    return f"{PREFIX[field]}.{word}"


def id_array(session: Session, sql: str, **params) -> np.ndarray:
    """Row ids from a statement that aggregates them into one array: read row by row, 100,000
    ids cost 2.5 s in the database driver's Python, as one array a few milliseconds."""
    found = session.execute(text(sql), params).scalar()
    return np.array(found or [], dtype=np.int64)


def int8s(raw: bytes | None) -> np.ndarray:
    """Ids sent as one binary string (`string_agg(int8send(id), '')`, 8 bytes an id): 100,000 ids
    sent as an array cost 10 ms of parsing in Python, and as many again for numpy."""
    return np.frombuffer(raw or b"", dtype=">i8").astype(np.int64)


@dataclass
class Cover:
    """The rows a query tree matches; `exact` False when they are a superset (a phrase of three
    or more words is taken as its adjacent pairs, which may stand apart)."""
    bits: int
    exact: bool = True


class PgBits:
    """The bitsets of one `search_entries` table in this process (see the module's note)."""

    def __init__(self, key: tuple):
        self.key = key
        self.lock = threading.RLock()
        self.version: str | None = None
        self._clear()

    def _clear(self) -> None:
        self.state = ""  # the table and its live ids, as a digest: the key of shared bitsets
        self.cleaned = ""  # the state whose shared bitsets this process left alone (others gone)
        self.base = 0
        self.ids = np.zeros(0, dtype=np.int64)
        self.live = 0
        self.issued = np.zeros(0, dtype=np.int64)
        self.values: dict[str, dict[str, int]] = {name: {} for name in COLUMNS}
        self.terms: OrderedDict[str, int] = OrderedDict()
        self.bytes = 0
        self.phrases: dict[str, int] = {}  # phrase document frequencies of this version

    # -- following the change sequence -------------------------------------------------------
    def follow(self, session: Session, version: str) -> None:
        """Bring the bitsets up to `version` (the change sequence's value)."""
        with self.lock:
            if version == self.version:
                return
            ids = id_array(session, "SELECT array_agg(id ORDER BY id) FROM search_entries")
            new = np.setdiff1d(ids, self.ids, assume_unique=True)
            gone = np.setdiff1d(self.ids, ids, assume_unique=True)
            if self.version is None or len(new) + len(gone) > max(2000, len(ids) // 4) or \
                    (len(new) and new.min() < self.base):
                self._load(session, ids)
            else:
                self._patch(session, ids, new, gone)
            self.phrases = {}
            self.version = version

    def _load(self, session: Session, ids: np.ndarray) -> None:
        self._clear()
        # One pass over the table (sequential: bits_for turned that off for the lexemes), its rows
        # grouped by their facet values, each group's ids and issue dates as binary strings: read
        # row by row, or as arrays of every column, 120,000 rows cost a second and a half.
        session.execute(text("SET LOCAL enable_seqscan = on"))
        names = ", ".join(COLUMNS)
        rows = session.execute(text(
            f"SELECT {names}, string_agg(int8send(id), ''), string_agg(int4send(issued), '') "  # noqa: S608  # nosec B608 (constants)
            f"FROM search_entries GROUP BY {names}")).all()
        session.execute(text("SET LOCAL enable_seqscan = off"))
        parts = [int8s(row[-2]) for row in rows]
        seen = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        issued = np.concatenate([np.frombuffer(row[-1], dtype=">i4") for row in rows]).astype(np.int64) \
            if rows else np.zeros(0, dtype=np.int64)
        which = np.repeat(np.arange(len(rows)), [len(part) for part in parts])
        order = np.argsort(seen, kind="stable")
        seen = seen[order]  # this statement's rows, not the first's
        self.base = int(seen[0]) if len(seen) else 0
        self._place(seen, seen, issued[order], [tuple(row[:len(COLUMNS)]) for row in rows], which[order])

    def _place(self, ids: np.ndarray, seen: np.ndarray, issued: np.ndarray, groups: list[tuple],
               which: np.ndarray) -> None:
        """Take `ids` as the live rows, and `seen` as newly seen rows, with their issue dates and
        the number of their facet values' group in `groups` (in the same order)."""
        self.ids = ids
        self.state = hashlib.blake2b(ids.astype("<i8").tobytes(), digest_size=16,
                                     person=str(self.key[-1]).encode()[:16]).hexdigest()
        size = int(ids.max()) - self.base + 1 if len(ids) else 0
        self.live = to_bits(ids - self.base, size)
        if len(self.issued) < size:
            self.issued = np.concatenate([self.issued, np.zeros(size - len(self.issued), dtype=np.int64)])
        places = seen - self.base
        if not len(places):
            return
        self.issued[places] = issued
        by_group = np.argsort(which, kind="stable")
        bounds = np.searchsorted(which[by_group], np.arange(len(groups) + 1))
        for column, name in enumerate(COLUMNS):
            found: dict[str, list[np.ndarray]] = {}
            for number, group in enumerate(groups):
                if group[column]:
                    found.setdefault(group[column], []).append(places[by_group[bounds[number]:bounds[number + 1]]])
            table = self.values[name]
            for value, held in found.items():
                table[value] = table.get(value, 0) | to_bits(np.concatenate(held), 0)

    def _patch(self, session: Session, ids: np.ndarray, new: np.ndarray, gone: np.ndarray) -> None:
        rows = session.execute(text(
            f"SELECT e.id, e.issued, {', '.join('e.' + c for c in COLUMNS)}, tsvector_to_array(t.terms) "  # noqa: S608  # nosec B608 (constants)
            "FROM search_entries e JOIN search_terms t ON t.id = e.id WHERE e.id = ANY(:ids)"),
            {"ids": new.tolist()}).all() if len(new) else []
        groups: dict[tuple, int] = {}
        which = np.array([groups.setdefault(tuple(row[2:2 + len(COLUMNS)]), len(groups)) for row in rows],
                         dtype=np.int64)
        self._place(ids, np.array([row[0] for row in rows], dtype=np.int64),
                    np.array([row[1] or 0 for row in rows], dtype=np.int64), list(groups), which)
        for name in COLUMNS:
            self.values[name] = {v: b & self.live for v, b in self.values[name].items() if b & self.live}
        if len(gone):
            for key, bits in self.terms.items():
                self.terms[key] = bits & self.live
        for row in rows:
            bit = 1 << (row[0] - self.base)
            for word in row[-1]:
                if word in self.terms:
                    self.terms[word] |= bit

    # -- lexemes and queries ---------------------------------------------------------------------
    def term(self, session: Session, field: str, word: str) -> int:
        if PREFIX[field] in FACET_PREFIXES:
            return self.values[field].get(word, 0)
        key = lexeme(field, word)
        with self.lock:
            found = self.terms.get(key)
            if found is None:
                self.fetch(session, [(field, word)])
                found = self.terms[key]
            self.terms.move_to_end(key)
            return found

    def fetch(self, session: Session, words) -> None:
        """Read the rows of the (field, word) pairs not kept yet, all in one statement (a question
        meets forty new keys at once; one statement each cost a round trip each): from the shared
        bitsets of this state, or else through the GIN index."""
        with self.lock:
            wanted = {_quote(key): key for f, w in words if PREFIX[f] not in FACET_PREFIXES
                      and (key := lexeme(f, w)) not in self.terms}
            if not wanted:
                return
            rows = session.execute(text(
                "SELECT k, b.base, b.bits, CASE WHEN b.bits IS NULL THEN (SELECT string_agg(int8send(t.id), '') "
                "FROM search_terms t WHERE t.terms @@ CAST(k AS tsquery)) END "
                "FROM unnest(CAST(:keys AS text[])) AS k LEFT JOIN search_bitsets b ON b.state = :state AND b.key = k"),
                {"keys": sorted(wanted), "state": self.state}).all()
            shared = []
            for quoted, base, kept, found in rows:
                if kept is not None:
                    bits = int.from_bytes(kept, "little")
                    bits = (bits << (base - self.base) if base >= self.base else bits >> (self.base - base)) & self.live
                else:
                    ids = int8s(found)
                    bits = to_bits(ids[ids >= self.base] - self.base, 0) & self.live
                    if len(ids) >= SHARE_FROM:
                        shared.append({"state": self.state, "key": quoted, "base": self.base,
                                       "bits": bits.to_bytes((bits.bit_length() + 7) // 8, "little")})
                self.terms[wanted[quoted]] = bits
                self.bytes += 64 + bits.bit_length() // 8
            while self.bytes > BUDGET and len(self.terms) > len(wanted):
                _, dropped = self.terms.popitem(last=False)
                self.bytes -= 64 + dropped.bit_length() // 8
            if shared:
                self._share(session, shared)

    def _share(self, session: Session, rows: list[dict]) -> None:
        """Write common lexemes' bitsets for the other processes (in a transaction of their own:
        a search's own is read-only, and may end in a rollback); a failure only costs them time."""
        bind = session.get_bind()
        try:
            with getattr(bind, "engine", bind).begin() as connection:
                connection.execute(text("SET LOCAL lock_timeout = '200ms'"))  # never hold a search up
                if self.cleaned != self.state:  # the first bitsets of a new state: the old ones go
                    connection.execute(text("DELETE FROM search_bitsets WHERE state <> :state"), {"state": self.state})
                    self.cleaned = self.state
                connection.execute(text("INSERT INTO search_bitsets (state, key, base, bits) "
                                        "VALUES (:state, :key, :base, :bits) ON CONFLICT DO NOTHING"), rows)
        except SQLAlchemyError as error:
            log.debug("shared search bitsets not written: %s", error)

    def cover(self, session: Session, query: Node) -> Cover:
        """The rows a query tree (Term, Phrase, And, Or, AndMaybe) matches."""
        if isinstance(query, Term):
            return Cover(self.term(session, query.fieldname, query.text))
        if isinstance(query, Phrase):
            words = list(query.words)
            pairs = [self.term(session, "bigrams", f"{a}_{b}") for a, b in zip(words, words[1:], strict=False)]
            bits = pairs[0] if pairs else 0
            for part in pairs[1:]:
                bits &= part
            return Cover(bits, exact=len(words) <= 2)
        if isinstance(query, AndMaybe):
            return self.cover(session, query.a)
        if isinstance(query, (And, Or)):
            parts = [self.cover(session, sub) for sub in query.subqueries]
            if not parts:
                return Cover(0)
            bits = parts[0].bits
            for part in parts[1:]:
                bits = bits & part.bits if isinstance(query, And) else bits | part.bits
            return Cover(bits, all(p.exact for p in parts))
        raise TypeError(f"query part not supported: {query!r}")

    def ids_of(self, bits: int) -> np.ndarray:
        return positions_of(bits) + self.base

    def newest(self, bits: int, limit: int) -> list[int]:
        """Ids of the `limit` most recently issued rows of a set (ties: the lower id first)."""
        places = positions_of(bits)
        order = np.lexsort((places, -self.issued[places]))[:limit]
        return (places[order] + self.base).tolist()
