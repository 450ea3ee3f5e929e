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

from functools import lru_cache

from sqlalchemy import text
from sqlalchemy.orm import Session

from .entries import SearchEntry
from .schema import build_schema, fields_of

PREFIX = {"all_f": "f", "all_x": "x", "title_f": "tf", "title_x": "tx", "bigrams": "b", "title_bigrams": "tb",
          "who_bigrams": "w", "symbol_key": "s", "symbol_parts": "p", "doc_type": "dt", "issuer": "i",
          "campaign": "c", "year": "y", "kind": "k"}
ANALYZED = ("all_f", "all_x", "title_f", "title_x", "bigrams", "title_bigrams", "who_bigrams")
# The small part of an entry a first ranking pass reads: its title, who issued it, its symbol.
HEAD = ("tf", "tx", "tb", "w", "s", "p")
MAX_POSITION = 16383  # PostgreSQL keeps positions up to this one
MAX_LEXEMES = 60_000  # a tsvector holds at most 1 MB: a huge attachment keeps its first keys
STORED = ("key", "kind", "url", "title", "body", "symbol", "type_label", "issued_iso", "doc_type", "issuer",
          "campaign", "year")

SCHEMA_LOCK = 0x6B687363  # the advisory lock held while the search tables are checked or made
DDL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """CREATE TABLE IF NOT EXISTS search_entries (
        id bigserial PRIMARY KEY, key varchar(80) UNIQUE NOT NULL, parent varchar(80), kind varchar(20),
        url text, title text, body text, symbol text, type_label text, issued_iso varchar(10),
        doc_type text, issuer text, campaign text, year varchar(4), issued integer NOT NULL DEFAULT 0,
        length integer NOT NULL DEFAULT 1, terms tsvector NOT NULL, head tsvector NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS ix_search_entries_terms ON search_entries USING gin (terms)",
    # ANALYZE then keeps the frequencies of the 10,000 commonest lexemes (the searcher's estimates).
    "ALTER TABLE search_entries ALTER COLUMN terms SET STATISTICS 1000",
    "CREATE INDEX IF NOT EXISTS ix_search_entries_parent ON search_entries (parent)",
    "CREATE TABLE IF NOT EXISTS search_words (word varchar(40) PRIMARY KEY)",
    "CREATE INDEX IF NOT EXISTS ix_search_words_trgm ON search_words USING gin (word gin_trgm_ops)",
]


def ensure_schema(session: Session) -> bool:
    """Create the tables when missing (or of an older shape: they are derived data); True when
    they were created, and must be filled. Processes starting together take turns: PostgreSQL's
    IF NOT EXISTS does not guard against a concurrent CREATE."""
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
    exists = session.execute(text(
        "SELECT count(*) = 1 FROM information_schema.columns WHERE table_name = 'search_entries' "
        "AND column_name = 'head' AND table_schema = current_schema()")).scalar()
    if not exists:
        session.execute(text("DROP TABLE IF EXISTS search_entries"))
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


def _literal(positions: dict[str, list[int]]) -> str:
    return " ".join(_quote(lexeme) + (":" + ",".join(map(str, slots)) if slots else "")
                    for lexeme, slots in positions.items())


def vector(entry: SearchEntry) -> tuple[str, str, int, list[str]]:
    """The tsvector literals of an entry (all its keys; its head), its length in folded
    syllables, and its folded words."""
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
    head = {lexeme: [] for lexeme in positions if lexeme.split(".", 1)[0] in HEAD}
    return _literal(positions), _literal(head), max(length, 1), words


# -- writing -----------------------------------------------------------------------------------
def _delete(session: Session, key: str) -> None:
    session.execute(text("DELETE FROM search_entries WHERE key = :k OR parent = :k"), {"k": key})


def _insert(session: Session, entries: list[SearchEntry]) -> int:
    rows, words = [], set()
    for entry in entries:
        literal, head, length, entry_words = vector(entry)
        values = fields_of(entry)
        rows.append({**{name: values.get(name) or None for name in STORED}, "parent": entry.parent or None,
                     "issued": values["issued"], "length": length, "terms": literal, "head": head})
        words.update(entry_words)
    if rows:
        session.execute(text(
            "INSERT INTO search_entries (key, kind, url, title, body, symbol, type_label, issued_iso, doc_type, "
            "issuer, campaign, year, parent, issued, length, terms, head) VALUES (:key, :kind, :url, :title, :body, "
            ":symbol, :type_label, :issued_iso, :doc_type, :issuer, :campaign, :year, :parent, :issued, :length, "
            "CAST(:terms AS tsvector), CAST(:head AS tsvector)) "
            "ON CONFLICT (key) DO UPDATE SET kind = excluded.kind, url = excluded.url, "
            "title = excluded.title, body = excluded.body, symbol = excluded.symbol, "
            "type_label = excluded.type_label, issued_iso = excluded.issued_iso, doc_type = excluded.doc_type, "
            "issuer = excluded.issuer, campaign = excluded.campaign, year = excluded.year, "
            "parent = excluded.parent, issued = excluded.issued, length = excluded.length, terms = excluded.terms, "
            "head = excluded.head"),
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
