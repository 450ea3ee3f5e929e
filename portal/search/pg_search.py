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

    def __init__(self, session: Session):
        self.session = session
        self._df: dict[tuple[str, str], int] = {}
        self._count: int | None = None

    def doc_count_all(self) -> int:
        if self._count is None:
            self._count = int(self.session.execute(text("SELECT count(*) FROM search_entries")).scalar() or 0)
        return self._count

    def doc_frequency(self, field: str, word: str) -> int:
        key = (field, word)
        if key not in self._df:
            self._df[key] = int(self.session.execute(
                text("SELECT count(*) FROM search_entries WHERE terms @@ CAST(:q AS tsquery)"),
                {"q": _quote(f"{PREFIX[field]}.{word}")}).scalar() or 0)
        return self._df[key]

    def _where(self, query, flt) -> tuple[str, dict]:
        condition = tsquery(query) if flt is None else f"({tsquery(query)}) & ({tsquery(flt)})"
        return "terms @@ CAST(:q AS tsquery)", {"q": condition}

    def top(self, query, flt, limit: int, sortedby=None) -> list[PgHit]:
        where, params = self._where(query, flt)
        if sortedby is not None:
            rows = self.session.execute(text(f"SELECT id FROM search_entries WHERE {where} "  # noqa: S608  # nosec B608 (constants and bound parameters only)
                                             "ORDER BY issued DESC, id LIMIT :limit"), {**params, "limit": limit})
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
        rows = self.session.execute(text(f"SELECT id, {score} AS score FROM search_entries WHERE {where} "  # noqa: S608  # nosec B608 (constants and bound parameters only)
                                         "ORDER BY score DESC, id LIMIT :limit"), {**params, **extra, "limit": limit})
        return [PgHit(row[0], float(row[1]) * 10.0) for row in rows]

    def _leaf_frequency(self, leaf: str) -> int:
        key = ("leaf", leaf)
        if key not in self._df:
            self._df[key] = int(self.session.execute(
                text("SELECT count(*) FROM search_entries WHERE terms @@ CAST(:q AS tsquery)"), {"q": leaf}).scalar()
                or 0)
        return self._df[key]

    def docs_for_query(self, query):
        where, params = self._where(query, None)
        return iter(self.session.execute(text(f"SELECT id FROM search_entries WHERE {where} ORDER BY id"),  # noqa: S608  # nosec B608 (constants and bound parameters only)
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
        out.kinds = {k: int(n) for k, n in self.session.execute(
            text(f"SELECT kind, count(*) FROM search_entries WHERE {where} GROUP BY kind"), params) if k}  # noqa: S608  # nosec B608 (constants and bound parameters only)
        condition = where + (" AND kind = :kind" if kind else "")
        for name in FACETS:
            out.facets[name] = {v: int(n) for v, n in self.session.execute(text(
                f"SELECT {name}, count(*) FROM search_entries WHERE {condition} GROUP BY {name}"),  # noqa: S608  # nosec B608 (constants and bound parameters only)
                {**params, "kind": kind}) if v}
        out.total = out.kinds.get(kind, 0) if kind else sum(out.kinds.values())
        return out
