"""Searching the PostgreSQL backend (pg.py keeps its rows): Whoosh query trees, which describe
the ranking tiers in query.py, become `tsquery` text; `PgSearcher` answers what results.run_on
asks of a searcher in SQL."""
from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session
from whoosh import query as q

from .counting import FACETS, Counts
from .pg import PREFIX, STORED, _quote


def _lexeme(term: q.Term) -> str:
    return f"{PREFIX[term.fieldname]}.{term.text}"


def tsquery(query) -> str:
    """A Whoosh query tree as a tsquery literal (AndMaybe: its required part)."""
    if isinstance(query, q.Term):
        return _quote(_lexeme(query))
    if isinstance(query, q.Phrase):
        return "(" + " <-> ".join(_quote(f"{PREFIX[query.fieldname]}.{w}") for w in query.words) + ")"
    if isinstance(query, q.AndMaybe):
        return tsquery(query.a)
    if isinstance(query, (q.And, q.Or)):
        joiner = " & " if isinstance(query, q.And) else " | "
        return "(" + joiner.join(tsquery(sub) for sub in query.subqueries) + ")"
    raise TypeError(f"query part not supported: {query!r}")


def _leaves(query, boost: float = 1.0):
    """(tsquery of a scoring leaf, its boost): terms and phrases, as in BM25 they add up."""
    if isinstance(query, q.Term):
        yield _quote(_lexeme(query)), boost * query.boost
    elif isinstance(query, q.Phrase):
        yield tsquery(query), boost * query.boost
    elif isinstance(query, q.AndMaybe):
        yield from _leaves(query.a, boost)
        yield from _leaves(query.b, boost)
    elif isinstance(query, (q.And, q.Or)):
        for sub in query.subqueries:
            yield from _leaves(sub, boost * query.boost)


POOL = 400  # candidates scored in full for one tier
ESTIMATE_FROM = 5000  # entries: below, every document frequency is counted exactly (it is cheap)


def _head_lexemes(leaf: str) -> list[str]:
    """The head-column forms of a leaf's lexemes: a word of the text is looked for in the title."""
    out = []
    for lexeme in (part.strip("'") for part in leaf.split() if part.startswith("'")):
        field, _, word = lexeme.partition(".")
        mapped = {"f": "tf", "x": "tx", "b": "tb"}.get(field, field)
        if mapped in ("tf", "tx", "tb", "w", "s", "p"):
            out.append(f"{mapped}.{word}")
    return out


@dataclass
class PgHit:
    docnum: int
    score: float


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
    """What results.run_on asks of a searcher, answered by PostgreSQL."""

    def __init__(self, session: Session, frequencies: dict | None = None):
        self.session = session
        # Matches come from the GIN index: the planner's sequential scan, chosen for a common
        # word, unpacks every entry's large vector to test it (seen: 280 ms against 17 ms).
        session.execute(text("SET LOCAL enable_seqscan = off"))
        # Document frequencies: shared by the searches of one content generation when given.
        self._df: dict[tuple[str, str], int] = {} if frequencies is None else frequencies

    def doc_count_all(self) -> int:
        """Entries in the index (once per generation when the searcher shares its counts)."""
        if ("all",) not in self._df:
            self._df[("all",)] = int(self.session.execute(text("SELECT count(*) FROM search_entries")).scalar() or 0)
        return self._df[("all",)]

    def doc_frequency(self, field: str, word: str) -> int:
        return self._leaf_frequency(_quote(f"{PREFIX[field]}.{word}"))

    def _common(self) -> dict[str, int]:
        """Entries per lexeme for the most common lexemes, from the statistics ANALYZE keeps
        (counting a word found in half the entries visits half the table; a rare one is cheap
        to count exactly). Empty until the table was analyzed: then every count is exact."""
        key = ("common",)
        if key not in self._df:
            row = self.session.execute(text(
                "SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, c.reltuples "
                "FROM pg_stats s JOIN pg_class c ON c.relname = s.tablename "
                "WHERE s.tablename = 'search_entries' AND s.attname = 'terms' "
                "AND s.schemaname = current_schema()")).first()
            common = {}
            if row and row[0] and row[1] and row[2] >= ESTIMATE_FROM:
                common = {_quote(lexeme): round(freq * row[2]) for lexeme, freq in zip(row[0], row[1], strict=False)}
            self._df[key] = common
        return self._df[key]

    def _where(self, query, flt) -> tuple[str, dict]:
        condition = tsquery(query) if flt is None else f"({tsquery(query)}) & ({tsquery(flt)})"
        return "terms @@ CAST(:q AS tsquery)", {"q": condition}

    def top(self, query, flt, limit: int, sortedby=None) -> list[PgHit]:
        where, params = self._where(query, flt)
        if sortedby is not None:
            rows = self.session.execute(text(
                f"WITH m AS MATERIALIZED (SELECT id, issued FROM search_entries WHERE {where}) "  # noqa: S608  # nosec B608 (constants and bound parameters only)
                "SELECT id FROM m ORDER BY issued DESC, id LIMIT :limit"), {**params, "limit": limit})
            return [PgHit(row[0], 0.0) for row in rows]
        leaves = list(dict.fromkeys(_leaves(query)))
        total = max(self.doc_count_all(), 1)
        parts, extra = [], {}
        for number, (leaf, boost) in enumerate(leaves[:200]):
            frequency = self._leaf_frequency(leaf)
            if not frequency:
                continue
            idf = math.log(1 + (total - frequency + 0.5) / (frequency + 0.5))
            extra[f"l{number}"] = leaf
            # ts_rank with normalization 1 divides by 1 + log(length): long texts do not win on size.
            parts.append(f"{boost * idf:.6f} * ts_rank(terms, CAST(:l{number} AS tsquery), 1)")
        score = " + ".join(parts) or "0"
        # The matches first (the GIN index, never a walk in id order), then a first pass on the
        # small head column picks the candidates, then every candidate is scored in full: a
        # common word then reads the large vectors of a few hundred entries, not of thousands.
        head = " | ".join(dict.fromkeys(_quote(h) for leaf, _ in leaves for h in _head_lexemes(leaf))) or "''"
        rows = self.session.execute(text(
            f"WITH m AS MATERIALIZED (SELECT id, head FROM search_entries WHERE {where}), "  # noqa: S608  # nosec B608 (constants and bound parameters only)
            "c AS (SELECT id FROM m ORDER BY ts_rank(head, CAST(:head AS tsquery)) DESC, id LIMIT :pool) "
            f"SELECT e.id, {score} AS score FROM search_entries e JOIN c ON c.id = e.id "
            "ORDER BY score DESC, e.id LIMIT :limit"),
            {**params, **extra, "limit": limit, "head": head, "pool": max(limit * 5, POOL)})
        return [PgHit(row[0], float(row[1]) * 10.0) for row in rows]

    def _leaf_frequency(self, leaf: str) -> int:
        key = ("leaf", leaf)
        if key not in self._df and leaf in self._common():
            self._df[key] = max(1, self._common()[leaf])
        if key not in self._df:
            self._df[key] = int(self.session.execute(
                text("SELECT count(*) FROM search_entries WHERE terms @@ CAST(:q AS tsquery)"), {"q": leaf}).scalar()
                or 0)
        return self._df[key]

    def docs_for_query(self, query):
        where, params = self._where(query, None)
        return iter(self.session.execute(text(
            f"WITH m AS MATERIALIZED (SELECT id FROM search_entries WHERE {where}) SELECT id FROM m ORDER BY id"),  # noqa: S608  # nosec B608 (constants and bound parameters only)
            params).scalars())

    def stored_fields(self, docnum: int) -> dict:
        row = self.session.execute(text(f"SELECT {', '.join(STORED)} FROM search_entries WHERE id = :id"),  # noqa: S608  # nosec B608 (constants and bound parameters only)
                                   {"id": docnum}).mappings().first()
        return {k: (v or "") for k, v in dict(row or {}).items()}

    def corrector(self, _field: str) -> _Corrector:
        return _Corrector(self)

    def count(self, query, flt, kind: str | None) -> Counts:
        """Matches per kind, and the total and facets of the kind asked for, in SQL."""
        out = Counts(facets={name: {} for name in FACETS})
        if query is None:
            return out
        where, params = self._where(query, flt)
        columns = ", ".join(FACETS)
        sets = ", ".join(["(kind)"] + [f"(kind, {name})" for name in FACETS])
        # One pass over the matches: per kind, and per kind and each facet (GROUPING SETS).
        rows = self.session.execute(text(
            f"WITH m AS MATERIALIZED (SELECT kind, {columns} FROM search_entries WHERE {where}) "  # noqa: S608  # nosec B608 (constants and bound parameters only)
            f"SELECT kind, {columns}, GROUPING({columns}), count(*) FROM m GROUP BY GROUPING SETS ({sets})"),
            params).all()
        whole = (1 << len(FACETS)) - 1  # every facet column grouped away: the row of a kind
        for row in rows:
            entry_kind, values, grouped, number = row[0], row[1:-2], row[-2], int(row[-1])
            if not entry_kind:
                continue
            if grouped == whole:
                out.kinds[entry_kind] = out.kinds.get(entry_kind, 0) + number
            elif not kind or entry_kind == kind:
                for name, value in zip(FACETS, values, strict=True):
                    if value:
                        out.facets[name][value] = out.facets[name].get(value, 0) + number
        out.total = out.kinds.get(kind, 0) if kind else sum(out.kinds.values())
        return out
