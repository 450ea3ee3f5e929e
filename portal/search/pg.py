"""The PostgreSQL search backend (SEARCH_BACKEND=postgresql): the same analysis, tiers and
results as the Whoosh index, kept in the portal's own database.

Every entry is one row of `search_entries`; its keys (exact and folded syllables, bigrams, symbol
keys, facet values) are lexemes of one `tsvector`, each prefixed by its field ("f.phong",
"x.phong1", "b.giai_phong", "s.174khubnd"), with the positions of the folded syllables so that
phrases are `<->` queries. Rows are written in the transaction of the change they follow (a
listener of the change sequence), so the index never disagrees with the database and no update
is lost. The ranking code of results.py runs unchanged on `PgSearcher`, which answers the few
questions it asks of a Whoosh searcher (top matches of a query, document frequencies, stored
fields, spelling candidates) in SQL; Whoosh's query objects are only the description of a
query here, translated to `tsquery`.

The tables are derived data: created when missing, filled by `flask search rebuild`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import text
from sqlalchemy.orm import Session
from whoosh import query as q

from .counting import FACETS, Counts
from .entries import SearchEntry
from .schema import build_schema, fields_of

PREFIX = {"all_f": "f", "all_x": "x", "title_f": "tf", "title_x": "tx", "bigrams": "b", "title_bigrams": "tb",
          "who_bigrams": "w", "symbol_key": "s", "symbol_parts": "p", "doc_type": "dt", "issuer": "i",
          "campaign": "c", "year": "y", "kind": "k"}
ANALYZED = ("all_f", "all_x", "title_f", "title_x", "bigrams", "title_bigrams", "who_bigrams")
MAX_POSITION = 16383  # PostgreSQL keeps positions up to this one
MAX_LEXEMES = 60_000  # a tsvector holds at most 1 MB: a huge attachment keeps its first keys
STORED = ("key", "kind", "url", "title", "body", "symbol", "type_label", "issued_iso", "doc_type", "issuer",
          "campaign", "year")

DDL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """CREATE TABLE IF NOT EXISTS search_entries (
        id bigserial PRIMARY KEY, key varchar(80) UNIQUE NOT NULL, parent varchar(80), kind varchar(20),
        url text, title text, body text, symbol text, type_label text, issued_iso varchar(10),
        doc_type text, issuer text, campaign text, year varchar(4), issued integer NOT NULL DEFAULT 0,
        length integer NOT NULL DEFAULT 1, terms tsvector NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS ix_search_entries_terms ON search_entries USING gin (terms)",
    "CREATE INDEX IF NOT EXISTS ix_search_entries_parent ON search_entries (parent)",
    "CREATE TABLE IF NOT EXISTS search_words (word varchar(40) PRIMARY KEY)",
    "CREATE INDEX IF NOT EXISTS ix_search_words_trgm ON search_words USING gin (word gin_trgm_ops)",
]


def ensure_schema(session: Session) -> bool:
    """Create the tables when missing; True when they were."""
    exists = session.execute(text("SELECT to_regclass('search_entries') IS NOT NULL")).scalar()
    if not exists:
        for statement in DDL:
            session.execute(text(statement))
    return not exists


def empty(session: Session) -> bool:
    return session.execute(text("SELECT NOT EXISTS (SELECT 1 FROM search_entries)")).scalar()


@lru_cache(maxsize=1)
def _analyzers() -> dict:
    schema = build_schema()
    return {name: schema[name].analyzer for name in ANALYZED}


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def vector(entry: SearchEntry) -> tuple[str, int, list[str]]:
    """The tsvector literal of an entry, its length in folded syllables, and its folded words."""
    values = fields_of(entry)
    positions: dict[str, list[int]] = {}
    length, words = 0, []
    for name in ANALYZED:
        value = values.get(name)
        if not value:
            continue
        with_positions = name == "all_f"
        for token in _analyzers()[name](value, positions=with_positions):
            lexeme = f"{PREFIX[name]}.{token.text}"
            slot = positions.setdefault(lexeme, [])
            if with_positions:
                length += 1
                if token.pos < MAX_POSITION and len(slot) < 255:
                    slot.append(token.pos + 1)
                if len(slot) == 1 and len(token.text) <= 40:
                    words.append(token.text)
            if len(positions) >= MAX_LEXEMES:
                break
    for name in ("symbol_key", "doc_type", "issuer", "campaign", "year", "kind"):
        if values.get(name):
            positions.setdefault(f"{PREFIX[name]}.{values[name]}", [])
    for part in (values.get("symbol_parts") or "").split():
        positions.setdefault(f"p.{part.lower()}", [])
    literal = " ".join(_quote(lexeme) + (":" + ",".join(map(str, slots)) if slots else "")
                       for lexeme, slots in positions.items())
    return literal, max(length, 1), words


# -- writing -----------------------------------------------------------------------------------
def _delete(session: Session, key: str) -> None:
    session.execute(text("DELETE FROM search_entries WHERE key = :k OR parent = :k"), {"k": key})


def _insert(session: Session, entries: list[SearchEntry]) -> int:
    rows, words = [], set()
    for entry in entries:
        literal, length, entry_words = vector(entry)
        values = fields_of(entry)
        rows.append({**{name: values.get(name) or None for name in STORED}, "parent": entry.parent or None,
                     "issued": values["issued"], "length": length, "terms": literal})
        words.update(entry_words)
    if rows:
        session.execute(text(
            "INSERT INTO search_entries (key, kind, url, title, body, symbol, type_label, issued_iso, doc_type, "
            "issuer, campaign, year, parent, issued, length, terms) VALUES (:key, :kind, :url, :title, :body, "
            ":symbol, :type_label, :issued_iso, :doc_type, :issuer, :campaign, :year, :parent, :issued, :length, "
            "CAST(:terms AS tsvector)) ON CONFLICT (key) DO UPDATE SET kind = excluded.kind, url = excluded.url, "
            "title = excluded.title, body = excluded.body, symbol = excluded.symbol, "
            "type_label = excluded.type_label, issued_iso = excluded.issued_iso, doc_type = excluded.doc_type, "
            "issuer = excluded.issuer, campaign = excluded.campaign, year = excluded.year, "
            "parent = excluded.parent, issued = excluded.issued, length = excluded.length, terms = excluded.terms"),
            rows)
    if words:
        session.execute(text("INSERT INTO search_words (word) SELECT unnest(CAST(:w AS varchar[])) "
                             "ON CONFLICT DO NOTHING"), {"w": sorted(words)})
    return len(rows)


def apply(session: Session, keys: set[str], load) -> None:
    """Bring the rows of some keys up to date inside the session's transaction."""
    ensure_schema(session)
    for key in sorted(keys):
        _delete(session, key)
        _insert(session, load(session, key))


def build(session: Session, entries) -> int:
    """Replace every row (in the caller's transaction: readers see the old rows until commit)."""
    ensure_schema(session)
    session.execute(text("DELETE FROM search_entries"))
    count, batch = 0, []
    for entry in entries:
        batch.append(entry)
        if len(batch) >= 500:
            count += _insert(session, batch)
            batch = []
    return count + _insert(session, batch)


# -- searching ---------------------------------------------------------------------------------
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
