"""Match sets of the PostgreSQL search backend as bitsets, kept by each process.

A GIN index finds the rows of a lexeme fast, but counting them, or grouping them by facet,
reads every matching row from the table: 60-80 ms for a syllable in 100,000 honor-roll entries,
on every search that holds it. Here, as bitsets.py does for Whoosh, a lexeme's rows become a
Python int with one bit per row (bit = row id - base), fetched once and kept; an And or Or of
lexemes is a bitwise & or |, a total is int.bit_count(), a facet count the match set & the
bitset of a facet value. The ranking SQL then scores a few hundred chosen rows by id.

These bitsets are derived data, like the page caches: they follow the shared change sequence.
Rows of `search_entries` are never changed in place (a change deletes an entry's rows and
inserts new ones, with new ids), so on a new generation the rows that came and went are found
by their ids, and the kept bitsets are brought up to date from the new rows' lexemes alone. A
rebuild (most rows new) starts the bitsets again.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from sqlalchemy import text
from sqlalchemy.orm import Session
from whoosh import query as q

from .counting import FACETS
from .pg import PREFIX, _quote, ensure_schema

BUDGET = 64 * 1024 * 1024  # bytes of lexeme bitsets kept per process and table
COLUMNS = ("kind",) + FACETS  # facet columns kept as value bitsets
FACET_PREFIXES = {PREFIX[name] for name in COLUMNS}  # their lexemes: answered from those bitsets


def lexeme(field: str, word: str) -> str:
    return f"{PREFIX[field]}.{word}"


def to_bits(positions: np.ndarray, size: int) -> int:
    if not len(positions):
        return 0
    marks = np.zeros(max(size, int(positions.max()) + 1), dtype=np.uint8)
    marks[positions] = 1
    return int.from_bytes(np.packbits(marks, bitorder="little").tobytes(), "little")


def id_array(session: Session, sql: str, **params) -> np.ndarray:
    """Row ids from a statement that aggregates them into one array: read row by row, 100,000
    ids cost 2.5 s in the database driver's Python, as one array a few milliseconds."""
    found = session.execute(text(sql), params).scalar()
    return np.array(found or [], dtype=np.int64)


def leaves(query, boost: float = 1.0):
    """(a scoring leaf, its boost): the terms and phrases of a query tree, as in BM25 they add up."""
    if isinstance(query, (q.Term, q.Phrase)):
        yield query, boost * query.boost
    elif isinstance(query, q.AndMaybe):
        yield from leaves(query.a, boost)
        yield from leaves(query.b, boost)
    elif isinstance(query, (q.And, q.Or)):
        for sub in query.subqueries:
            yield from leaves(sub, boost * query.boost)


def words_of(query):
    """The (field, word) keys a query tree reads: its terms, and the adjacent pairs of its phrases."""
    for leaf, _ in leaves(query):
        if isinstance(leaf, q.Term):
            yield leaf.fieldname, leaf.text
        else:
            words = list(leaf.words)
            yield from (("bigrams", f"{a}_{b}") for a, b in zip(words, words[1:], strict=False))


def positions_of(bits: int) -> np.ndarray:
    """The set bits of an int, ascending."""
    if not bits:
        return np.zeros(0, dtype=np.int64)
    raw = np.frombuffer(bits.to_bytes((bits.bit_length() + 7) // 8, "little"), dtype=np.uint8)
    return np.flatnonzero(np.unpackbits(raw, bitorder="little"))


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
        # Column by column, each one array (120,000 rows read as rows cost a second of Python).
        columns = session.execute(text(
            "SELECT array_agg(id ORDER BY id), array_agg(issued ORDER BY id), "  # noqa: S608  # nosec B608 (constants)
            + ", ".join(f"array_agg({name} ORDER BY id)" for name in COLUMNS) + " FROM search_entries")).one()
        ids = np.array(columns[0] or [], dtype=np.int64)  # this statement's rows, not the first's
        self.base = int(ids.min()) if len(ids) else 0
        self._place(ids, ids, columns[1] or [], {name: columns[2 + n] or [] for n, name in enumerate(COLUMNS)})

    def _place(self, ids: np.ndarray, seen: np.ndarray, issued: list, values: dict[str, list]) -> None:
        """Take `ids` as the live rows, and `seen` (with their issue dates and facet values, in
        the same order) as newly seen rows."""
        self.ids = ids
        size = int(ids.max()) - self.base + 1 if len(ids) else 0
        self.live = to_bits(ids - self.base, size)
        if len(self.issued) < size:
            self.issued = np.concatenate([self.issued, np.zeros(size - len(self.issued), dtype=np.int64)])
        places = seen - self.base
        if len(places):
            self.issued[places] = np.array([value or 0 for value in issued], dtype=np.int64)
        for name in COLUMNS:
            if not len(places):
                continue
            found, which = np.unique(np.array([value or "" for value in values[name]], dtype=str), return_inverse=True)
            table = self.values[name]
            for number, value in enumerate(found.tolist()):
                if value:
                    table[value] = table.get(value, 0) | to_bits(places[which == number], 0)

    def _patch(self, session: Session, ids: np.ndarray, new: np.ndarray, gone: np.ndarray) -> None:
        rows = session.execute(text(
            f"SELECT e.id, e.issued, {', '.join('e.' + c for c in COLUMNS)}, tsvector_to_array(t.terms) "  # noqa: S608  # nosec B608 (constants)
            "FROM search_entries e JOIN search_terms t ON t.id = e.id WHERE e.id = ANY(:ids)"),
            {"ids": new.tolist()}).all() if len(new) else []
        self._place(ids, np.array([row[0] for row in rows], dtype=np.int64), [row[1] for row in rows],
                    {name: [row[2 + n] for row in rows] for n, name in enumerate(COLUMNS)})
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
        meets forty new keys at once; one statement each cost a round trip each)."""
        with self.lock:
            wanted = sorted({key for f, w in words if PREFIX[f] not in FACET_PREFIXES
                             and (key := lexeme(f, w)) not in self.terms})
            if not wanted:
                return
            rows = dict(session.execute(text(
                "SELECT k, array_agg(t.id) FILTER (WHERE t.id IS NOT NULL) FROM unnest(CAST(:keys AS text[])) AS k "
                "LEFT JOIN LATERAL (SELECT id FROM search_terms WHERE terms @@ CAST(k AS tsquery)) t ON true "
                "GROUP BY k"), {"keys": [_quote(key) for key in wanted]}).all())
            for key in wanted:
                ids = np.array(rows.get(_quote(key)) or [], dtype=np.int64)
                bits = to_bits(ids[ids >= self.base] - self.base, 0) & self.live
                self.terms[key] = bits
                self.bytes += 64 + bits.bit_length() // 8
            while self.bytes > BUDGET and len(self.terms) > len(wanted):
                _, dropped = self.terms.popitem(last=False)
                self.bytes -= 64 + dropped.bit_length() // 8

    def cover(self, session: Session, query) -> Cover:
        """The rows a query tree (Term, Phrase, And, Or, AndMaybe) matches."""
        if isinstance(query, q.Term):
            return Cover(self.term(session, query.fieldname, query.text))
        if isinstance(query, q.Phrase):
            words = list(query.words)
            pairs = [self.term(session, "bigrams", f"{a}_{b}") for a, b in zip(words, words[1:], strict=False)]
            bits = pairs[0] if pairs else 0
            for part in pairs[1:]:
                bits &= part
            return Cover(bits, exact=len(words) <= 2)
        if isinstance(query, q.AndMaybe):
            return self.cover(session, query.a)
        if isinstance(query, (q.And, q.Or)):
            parts = [self.cover(session, sub) for sub in query.subqueries]
            if not parts:
                return Cover(0)
            bits = parts[0].bits
            for part in parts[1:]:
                bits = bits & part.bits if isinstance(query, q.And) else bits | part.bits
            return Cover(bits, all(p.exact for p in parts))
        raise TypeError(f"query part not supported: {query!r}")

    def ids_of(self, bits: int) -> np.ndarray:
        return positions_of(bits) + self.base

    def newest(self, bits: int, limit: int) -> list[int]:
        """Ids of the `limit` most recently issued rows of a set (ties: the lower id first)."""
        places = positions_of(bits)
        order = np.lexsort((places, -self.issued[places]))[:limit]
        return (places[order] + self.base).tolist()


_tables: dict[tuple, PgBits] = {}
_tables_lock = threading.Lock()


def bits_for(session: Session, version: str) -> PgBits:
    """This process's bitsets of the session's `search_entries` table, at `version` (and
    sequential scans off for the rest of the session's transaction)."""
    # Lexemes are read through the GIN index: the planner's sequential scan, chosen for a common
    # word, would unpack every entry's vector (off for this transaction, in the same round trip).
    table = session.execute(text("SELECT to_regclass('search_entries')::oid, "
                                 "set_config('enable_seqscan', 'off', true)")).scalar()
    if table is None:  # checked at start-up; made again only if dropped since
        ensure_schema(session)
        table = session.execute(text("SELECT to_regclass('search_entries')::oid")).scalar()
    key = (str(session.get_bind().url), table)
    with _tables_lock:
        found = _tables.get(key)
        if found is None:
            for old in [k for k in _tables if k[0] == key[0]]:  # a table made again: drop the old one's
                del _tables[old]
            found = _tables[key] = PgBits(key)
    found.follow(session, version)
    return found
