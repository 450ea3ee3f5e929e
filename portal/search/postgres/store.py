"""The PostgreSQL search backend (SEARCH_BACKEND=postgresql): the same analysis, tiers and
results as the Whoosh index, kept in the portal's own database.

Every entry is one row of `search_entries` (what a hit shows) and one of `search_terms` with the
same id: its keys (exact and folded syllables, bigrams, symbol keys, facet values) as lexemes of
one `tsvector`, each prefixed by its field ("f.phong", "x.phong1", "b.giai_phong",
"s.174khubnd"), with the positions of the folded syllables so that phrases are `<->` queries.
Rows are written in the transaction of the change they follow (a listener of the change
sequence), so the index never disagrees with the database and no update is lost; they are never
changed in place (a change deletes an entry's rows and inserts new ones). The ranking code of
core/results.py runs unchanged on `PgSearcher` (searcher.py), which answers the questions of
core/protocol.Searcher from bitsets of the rows (bits.py) and in SQL; the portal's query tree
(core/tree.py) becomes `tsquery` text.

The tables are derived data: created when missing, filled by `flask search rebuild`.
"""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from portal.search.core.analysis import FIELDS, POSITIONED, fields_of
from portal.search.core.entries import SearchEntry

PREFIX = {"all_f": "f", "all_x": "x", "title_f": "tf", "title_x": "tx", "bigrams": "b", "title_bigrams": "tb",
          "who_bigrams": "w", "symbol_key": "s", "symbol_parts": "p", "doc_type": "dt", "issuer": "i",
          "campaign": "c", "year": "y", "kind": "k"}
ANALYZED = ("all_f", "all_x", "title_f", "title_x", "bigrams", "title_bigrams", "who_bigrams")  # of FIELDS
MAX_POSITION = 16383  # PostgreSQL keeps positions up to this one
MAX_LEXEMES = 60_000  # a tsvector holds at most 1 MB: a huge attachment keeps its first keys
STORED = ("key", "kind", "url", "title", "body", "symbol", "type_label", "issued_iso", "doc_type", "issuer",
          "campaign", "year")

# A GIN index queues new entries in a pending list that every lookup reads whole, until a vacuum
# or the list's limit (4 MB by default) moves them into the index. Read for each of a question's
# lexemes, a full list cost 300 µs a lexeme against 20-100 µs with the list at its smallest.
PENDING = "gin_pending_list_limit = 64"
SCHEMA_LOCK = 0x6B687363  # the advisory lock held while the search tables are checked or made
DDL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """CREATE TABLE IF NOT EXISTS search_entries (
        id bigserial PRIMARY KEY, key varchar(80) UNIQUE NOT NULL, parent varchar(80), kind varchar(20),
        url text, title text, body text, symbol text, type_label text, issued_iso varchar(10),
        doc_type text, issuer text, campaign text, year varchar(4), issued integer NOT NULL DEFAULT 0)""",
    "CREATE INDEX IF NOT EXISTS ix_search_entries_parent ON search_entries (parent)",
    # The keys apart, in a narrow table whose vectors all live out of line: finding a lexeme's
    # rows visits the table's pages for their ids, about 100 bytes a row here against 1.6 kB
    # with the vectors inline (seen: 14 ms against 130 ms for a syllable in 107,000 of 120,000
    # entries). PostgreSQL only moves values out of rows longer than 2 kB, whatever the
    # toast_tuple_target: `pad`, a blank 2.1 kB that compresses to 35 bytes, makes every row
    # that long, so that the vector goes out of line and the row stays small. `size`: the
    # vector's length as ts_rank's normalization counts it (see pg_search.top).
    "CREATE TABLE IF NOT EXISTS search_terms (id bigint PRIMARY KEY, terms tsvector NOT NULL, "
    "size integer NOT NULL DEFAULT 1, pad text NOT NULL DEFAULT repeat(' ', 2100)) WITH (toast_tuple_target = 128)",
    "ALTER TABLE search_terms ALTER COLUMN terms SET STORAGE EXTERNAL",
    f"CREATE INDEX IF NOT EXISTS ix_search_terms_terms ON search_terms USING gin (terms) WITH ({PENDING})",
    # Bitsets of common lexemes that a process has read, for the others (pg_bits.py): a cache,
    # unlogged (emptied by a crash, never replicated), keyed by the state of the rows it holds.
    "CREATE UNLOGGED TABLE IF NOT EXISTS search_bitsets (state varchar(64) NOT NULL, key text NOT NULL, "
    "base bigint NOT NULL, bits bytea NOT NULL, PRIMARY KEY (state, key))",
    "CREATE TABLE IF NOT EXISTS search_words (word varchar(40) PRIMARY KEY)",
    f"CREATE INDEX IF NOT EXISTS ix_search_words_trgm ON search_words USING gin (word gin_trgm_ops) WITH ({PENDING})",
]
GIN_INDEXES = ("ix_search_terms_terms", "ix_search_words_trgm")


def ensure_schema(session: Session) -> bool:
    """Create the tables when missing (or of an older shape: they are derived data); True when
    they were created, and must be filled. Processes starting together take turns: PostgreSQL's
    IF NOT EXISTS does not guard against a concurrent CREATE."""
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
    # One round trip (this runs with every change): the tables' shape, and the GIN indexes made
    # before their pending list was bounded (bounded in place, their list emptied).
    exists, unbounded = session.execute(text(
        "SELECT (SELECT count(*) = 3 FROM information_schema.columns WHERE (table_name, column_name) IN "
        "(('search_entries', 'issued'), ('search_terms', 'size'), ('search_bitsets', 'bits')) "
        "AND table_schema = current_schema()), "
        "ARRAY(SELECT relname FROM pg_class WHERE relname = ANY(:names) AND "
        "relnamespace = current_schema()::regnamespace AND NOT coalesce(reloptions, '{}') @> ARRAY[:option])"),
        {"names": list(GIN_INDEXES), "option": PENDING.replace(" ", "")}).one()
    if not exists:
        session.execute(text("DROP TABLE IF EXISTS search_entries, search_terms, search_bitsets"))
        for statement in DDL:
            session.execute(text(statement))
        return True
    for name in unbounded:
        session.execute(text(f"ALTER INDEX {name} SET ({PENDING})"))
        session.execute(text("SELECT gin_clean_pending_list(CAST(:name AS regclass))"), {"name": name})
    return False


def empty(session: Session) -> bool:
    return session.execute(text("SELECT NOT EXISTS (SELECT 1 FROM search_entries)")).scalar()


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _literal(positions: dict[str, list[int]]) -> str:
    return " ".join(_quote(lexeme) + (":" + ",".join(map(str, slots)) if slots else "")
                    for lexeme, slots in positions.items())


def vector(entry: SearchEntry) -> tuple[str, int, list[str]]:
    """The tsvector literal of an entry's keys, its size (what ts_rank's length normalization
    counts: each kept position, and one for a lexeme without positions), and its folded words."""
    values = fields_of(entry)
    positions: dict[str, list[int]] = {}
    words = []
    for name in ANALYZED:
        value = values.get(name)
        if not value:
            continue
        with_positions = name in POSITIONED
        for place, (key, _, _) in enumerate(FIELDS[name].keys(value)):
            lexeme = f"{PREFIX[name]}.{key}"
            slot = positions.setdefault(lexeme, [])
            if with_positions:
                if place < MAX_POSITION and len(slot) < 255:
                    slot.append(place + 1)
                if len(slot) == 1 and len(key) <= 40:
                    words.append(key)
            if len(positions) >= MAX_LEXEMES:
                break
    for name in ("symbol_key", "doc_type", "issuer", "campaign", "year", "kind"):
        if values.get(name):
            positions.setdefault(f"{PREFIX[name]}.{values[name]}", [])
    for part in (values.get("symbol_parts") or "").split():
        positions.setdefault(f"p.{part.lower()}", [])
    return _literal(positions), sum(len(slots) or 1 for slots in positions.values()), words


# -- writing -----------------------------------------------------------------------------------
def _delete(session: Session, key: str) -> None:
    session.execute(text("WITH gone AS (DELETE FROM search_entries WHERE key = :k OR parent = :k RETURNING id) "
                         "DELETE FROM search_terms WHERE id IN (SELECT id FROM gone)"), {"k": key})


def _insert(session: Session, entries: list[SearchEntry]) -> int:
    rows, terms, words = [], [], set()
    entries = list({entry.key: entry for entry in entries}.values())  # one row per key
    ids = session.execute(text("SELECT nextval(pg_get_serial_sequence('search_entries', 'id')) "
                               "FROM generate_series(1, :n)"), {"n": len(entries)}).scalars().all() if entries else []
    for entry, row_id in zip(entries, ids, strict=True):
        literal, size, entry_words = vector(entry)
        values = fields_of(entry)
        rows.append({**{name: values.get(name) or None for name in STORED}, "id": row_id,
                     "parent": entry.parent or None, "issued": values["issued"]})
        terms.append({"id": row_id, "terms": literal, "size": size})
        words.update(entry_words)
    if rows:
        # A key already there (a concurrent change wrote it) takes the new id; the vector left
        # under its old id is never read again (readers keep only ids of search_entries).
        session.execute(text(
            "INSERT INTO search_entries (id, key, kind, url, title, body, symbol, type_label, issued_iso, doc_type, "
            "issuer, campaign, year, parent, issued) VALUES (:id, :key, :kind, :url, :title, :body, "
            ":symbol, :type_label, :issued_iso, :doc_type, :issuer, :campaign, :year, :parent, :issued) "
            "ON CONFLICT (key) DO UPDATE SET id = excluded.id, kind = excluded.kind, url = excluded.url, "
            "title = excluded.title, body = excluded.body, symbol = excluded.symbol, "
            "type_label = excluded.type_label, issued_iso = excluded.issued_iso, doc_type = excluded.doc_type, "
            "issuer = excluded.issuer, campaign = excluded.campaign, year = excluded.year, "
            "parent = excluded.parent, issued = excluded.issued"),
            rows)
        session.execute(text("INSERT INTO search_terms (id, terms, size) "
                             "VALUES (:id, CAST(:terms AS tsvector), :size)"), terms)
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
    session.execute(text("DELETE FROM search_terms"))
    session.execute(text("DELETE FROM search_entries"))
    count, batch = 0, []
    for entry in entries:
        batch.append(entry)
        if len(batch) >= 500:
            count += _insert(session, batch)
            batch = []
    return count + _insert(session, batch)
