"""Searching the PostgreSQL backend (store.py keeps its rows): the portal's query trees, which
describe the ranking tiers of core/query.py, become `tsquery` text; `PgSearcher` answers what
core/results.run_on asks of a searcher (core/protocol.Searcher): match sets, totals, facets and
frequencies from the process's bitsets (bits.py), the scores of a few hundred chosen rows and
their stored fields in SQL."""
from __future__ import annotations

import math

import numpy as np
from sqlalchemy import text
from sqlalchemy.orm import Session

from portal.search.core.bitset import from_positions as to_bits
from portal.search.core.bitset import positions as positions_of
from portal.search.core.counting import FACETS, Counts, tally
from portal.search.core.tree import And, AndMaybe, Node, Or, Phrase, Term, leaves, words_of
from portal.search.postgres.bits import Cover, PgBits, id_array
from portal.search.postgres.store import PREFIX, STORED, _quote


def _lexeme(term: Term) -> str:
    return f"{PREFIX[term.fieldname]}.{term.text}"


def tsquery(query: Node) -> str:
    """A query tree as a tsquery literal (AndMaybe: its required part)."""
    if isinstance(query, Term):
        return _quote(_lexeme(query))
    if isinstance(query, Phrase):
        return "(" + " <-> ".join(_quote(f"{PREFIX[query.fieldname]}.{w}") for w in query.words) + ")"
    if isinstance(query, AndMaybe):
        return tsquery(query.a)
    if isinstance(query, (And, Or)):
        joiner = " & " if isinstance(query, And) else " | "
        return "(" + joiner.join(tsquery(sub) for sub in query.subqueries) + ")"
    raise TypeError(f"query part not supported: {query!r}")


POOL = 100  # candidates scored in full for one tier
SCORED_KEYS = 2000  # at most this many ts_rank calls per tier, unless the page needs more
PHRASE_CHECK = 3000  # rows a long phrase's pairs may match before the GIN index checks it instead


TITLE_OF = {"all_f": "title_f", "all_x": "title_x", "bigrams": "title_bigrams"}


class _Corrector:
    def __init__(self, searcher: PgSearcher):
        self.searcher = searcher

    def suggest(self, word: str, limit: int = 3, maxdist: int = 2) -> list[str]:
        """Indexed syllables within `maxdist` edits, the most similar first (pg_trgm finds the
        candidates, the edit distance decides)."""
        session = self.searcher.session
        # Short syllables share few trigrams with their typos ("bagn", "bang"): a low threshold.
        session.execute(text("SET LOCAL pg_trgm.similarity_threshold = 0.15"))
        rows = session.execute(text(
            "SELECT word FROM search_words WHERE word % :w AND length(word) BETWEEN :low AND :high "
            "ORDER BY similarity(word, :w) DESC LIMIT 50"),
            {"w": word, "low": len(word) - maxdist, "high": len(word) + maxdist}).scalars().all()
        close = [w for w in rows if _distance(w, word) <= maxdist]
        # Nearest first; at equal distance a word of the typed length (a swap, a wrong letter)
        # before one letter more or less, then the more common word.
        close.sort(key=lambda w: (_distance(w, word), abs(len(w) - len(word)),
                                  -self.searcher.doc_frequency("all_f", w)))
        return close[:limit]


def _held(places: np.ndarray, sets: list[int]) -> np.ndarray:
    """One matrix of the sets' bits at some places (a row per set, a column per place, 0 or 1)."""
    if not sets or not len(places):
        return np.zeros((len(sets), len(places)), dtype=np.uint8)
    width = max((part.bit_length() + 7) // 8 for part in sets) or 1
    width = max(width, int(places.max()) // 8 + 1)
    raw = np.frombuffer(b"".join(part.to_bytes(width, "little") for part in sets), dtype=np.uint8)
    return (raw.reshape(len(sets), width)[:, places >> 3] >> (places & 7).astype(np.uint8)) & 1


def _distance(a: str, b: str) -> int:
    """Edits between two words, a swap of neighbours counting one ("bagn" -> "bang")."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


class PgSearcher:
    """core/protocol.Searcher on the PostgreSQL backend: match sets, counts and frequencies from
    this process's bitsets of the table (bits.py), ranking and stored fields in SQL."""

    def __init__(self, session: Session, bits: PgBits):
        self.session = session
        self.bits = bits  # bits_for() also turned sequential scans off: rows come from the GIN index
        self._stored: dict[int, dict] = {}

    def cover(self, query) -> Cover:
        self.bits.fetch(self.session, words_of(query))
        return self.bits.cover(self.session, query)

    def doc_count_all(self) -> int:
        return self.bits.live.bit_count()

    def doc_frequency(self, field: str, word: str) -> int:
        return self.bits.term(self.session, field, word).bit_count()

    def _frequency(self, leaf) -> int:
        if isinstance(leaf, Term):
            return self.doc_frequency(leaf.fieldname, leaf.text)
        key = tsquery(leaf)
        if key not in self.bits.phrases:
            self.bits.phrases[key] = self.matches(leaf).bit_count()
        return self.bits.phrases[key]

    def _checked(self, bits: int, query) -> np.ndarray:
        """The rows of a superset that hold the query (a long phrase: its words in a row)."""
        return id_array(self.session, "SELECT array_agg(id) FROM search_terms WHERE id = ANY(:ids) "
                        "AND terms @@ CAST(:q AS tsquery)", ids=self.bits.ids_of(bits).tolist(), q=tsquery(query))

    def matches(self, query, flt=None) -> int:
        """The rows a query matches (and a filter allows), as a bitset."""
        cover = self.cover(query)
        bits = cover.bits
        if flt is not None:
            bits &= self.cover(flt).bits
        if not cover.exact and bits:
            if bits.bit_count() > PHRASE_CHECK:
                where = f"({tsquery(query)})" + (f" & ({tsquery(flt)})" if flt is not None else "")
                found = id_array(self.session, "SELECT array_agg(id) FROM search_terms "
                                 "WHERE terms @@ CAST(:q AS tsquery)", q=where)
            else:
                found = self._checked(bits, query)
            bits = to_bits(found[found >= self.bits.base] - self.bits.base, 0) & self.bits.live
        return bits

    def top(self, query: Node, flt: Node | None, limit: int, newest_first: bool = False) -> list[tuple[int, float]]:
        title = [(TITLE_OF[f], w) for f, w in words_of(query) if f in TITLE_OF]  # _choose may need them
        self.bits.fetch(self.session, list(words_of(query)) + title)
        bits = self.matches(query, flt)
        if not bits:
            return []
        if newest_first:
            return [(docnum, 0.0) for docnum in self.bits.newest(bits, limit)]
        scoring = list(dict.fromkeys(leaves(query)))[:200]
        total = max(self.doc_count_all(), 1)
        weights = []
        for leaf, boost in scoring:
            frequency = self._frequency(leaf)
            weights.append(boost * math.log(1 + (total - frequency + 0.5) / (frequency + 0.5)) if frequency else 0.0)
        # Each candidate costs one ts_rank per key it holds: a long question (forty keys) scores fewer.
        pool = max(limit * 5, min(POOL, SCORED_KEYS // max(1, sum(1 for w in weights if w))))
        ids = self.bits.ids_of(bits) if bits.bit_count() <= pool else self._choose(bits, scoring, weights, pool)
        scored = [(leaf, weight) for (leaf, _), weight in zip(scoring, weights, strict=True) if weight]
        # Which of the keys each candidate holds, from the bitsets (a phrase: its words' pairs,
        # a superset): ts_rank runs for those alone, a third of the pairs for a long question.
        held = _held(ids - self.bits.base, [self.bits.cover(self.session, leaf).bits for leaf, _ in scored])
        masks = (held.T + ord("0")).astype(np.uint8).tobytes().decode("ascii")
        width = len(scored)
        # One statement text whatever the query (the driver prepares it once; a text of its own
        # per query cost a millisecond of parsing and compiling in Python). `v`: each vector read
        # from its out-of-line store once, by setweight to its own weight (OFFSET 0 keeps the
        # subquery apart); ts_rank on the stored column would read it again for every key.
        # A row's sum is divided by log2(1 + its size) (ts_rank's normalization 1: long texts do
        # not win on size), once: ts_rank's own counts the vector's positions on every call, half
        # of the statement's time for a question of fifty keys. The best rows come with their
        # stored fields (the page shows some of them): one round trip.
        rows = self.session.execute(text(
            f"SELECT e.id, best.score, {', '.join('e.' + name for name in STORED)} FROM ("  # noqa: S608  # nosec B608 (constants and bound parameters only)
            "SELECT id, coalesce((SELECT sum(k.w * ts_rank(c.v, k.q, 0)) FROM unnest(CAST(:queries AS tsquery[]), "
            "CAST(:weights AS float8[])) WITH ORDINALITY AS k(q, w, n) WHERE get_bit(c.mask, k.n::int - 1) = 1), 0) "
            "* ln(2.0::float8) / ln(c.size + 1.0::float8) AS score FROM (SELECT t.id, setweight(t.terms, 'D') AS v, "
            "t.size, m.mask FROM unnest(CAST(:ids AS bigint[]), CAST(:masks AS varbit[])) AS m(id, mask) "
            "JOIN search_terms t ON t.id = m.id OFFSET 0) c ORDER BY score DESC, id LIMIT :limit) best "
            "JOIN search_entries e ON e.id = best.id ORDER BY best.score DESC, best.id"),
            {"queries": [tsquery(leaf) for leaf, _ in scored], "weights": [w for _, w in scored],
             "ids": ids.tolist(), "masks": [masks[n * width:(n + 1) * width] for n in range(len(ids))],
             "limit": limit})
        hits = []
        for row in rows:
            self._stored[row[0]] = {name: (value or "") for name, value in zip(STORED, row[2:], strict=True)}
            hits.append((row[0], float(row[1]) * 10.0))
        return hits

    def _choose(self, bits: int, leaves, weights, pool: int):
        """The `pool` rows of a large match set worth scoring in full: the most (and rarest)
        of the query's keys, a key standing in the title counting half again; ties to the
        lower id. Reading every match's vector to rank it would cost milliseconds per thousand."""
        sets, factors = [], []
        for (leaf, _), weight in zip(leaves, weights, strict=True):
            if not weight:
                continue
            if isinstance(leaf, Term):  # its rows were read by top()
                sets.append(self.bits.term(self.session, leaf.fieldname, leaf.text))
                factors.append(weight)
                if leaf.fieldname in TITLE_OF:
                    sets.append(self.bits.term(self.session, TITLE_OF[leaf.fieldname], leaf.text))
                    factors.append(0.5 * weight)
            else:
                sets.append(self.matches(leaf))
                factors.append(weight)
        places = positions_of(bits)
        if not sets:
            return places[:pool] + self.bits.base
        estimate = np.asarray(factors, dtype=np.float64) @ _held(places, sets)
        order = np.lexsort((places, -estimate))[:pool]
        return places[order] + self.bits.base

    def any_match(self, query: Node) -> bool:
        return self.matches(query) != 0

    def stored(self, docnums: list[int]) -> list[dict]:
        """The stored fields of some rows, read in one statement (those top() read, not again)."""
        wanted = [d for d in docnums if d not in self._stored]
        if wanted:
            rows = self.session.execute(text(f"SELECT id, {', '.join(STORED)} FROM search_entries "  # noqa: S608  # nosec B608 (constants and bound parameters only)
                                             "WHERE id = ANY(:ids)"), {"ids": wanted}).mappings()
            for row in rows:
                self._stored[row["id"]] = {k: (v or "") for k, v in row.items() if k != "id"}
        return [self._stored.get(docnum, {}) for docnum in docnums]

    def similar(self, word: str, limit: int, maxdist: int) -> list[str]:
        return _Corrector(self).suggest(word, limit, maxdist)

    def count(self, query: Node | None, flt: Node | None, kind: str | None) -> Counts:
        """Matches per kind, and the total and facets of the kind asked for, on bitsets."""
        out = Counts(facets={name: {} for name in FACETS})
        if query is None:
            return out
        tally(self.matches(query, flt), self.bits.values.__getitem__, kind, out)
        return out
