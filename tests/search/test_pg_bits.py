"""The PostgreSQL backend's bitsets, kept by a process across changes (portal/search/pg_bits.py):
after any change they must equal what a process starting now would read."""
import math
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from portal.extensions import db
from portal.search.core.entries import SearchEntry
from portal.search.core.results import SearchRequest, run_on
from portal.search.postgres import bits as pg_bits
from portal.search.postgres import store as pg
from portal.search.postgres.backend import POSTGRES
from portal.search.postgres.searcher import PgSearcher

WORDS = [("all_f", "giai"), ("all_f", "phong"), ("bigrams", "giai_phong"), ("all_x", "phong3"),
         ("title_f", "ke"), ("all_f", "zebra"), ("bigrams", "zebra_moi"), ("symbol_parts", "174")]


def _entry(key: str, title: str, body: str, year: int) -> SearchEntry:
    return SearchEntry(key=key, kind="document", url=f"/van-ban/{key}", title=title, body=body,
                       symbol=f"9{year % 100}/TB-VKS", doc_type="TB", type_label="Thông báo",
                       issuer="Viện kiểm sát nhân dân tỉnh Lạng Sơn", issued_on=date(year, 1, 2))


def _snapshot(bits: pg_bits.PgBits, session: Session) -> dict:
    """Row ids of every set (bit positions depend on where a process began)."""
    def ids(value: int) -> set[int]:
        return set(bits.ids_of(value).tolist())
    return {"live": ids(bits.live),
            "values": {name: {v: ids(b) for v, b in table.items()} for name, table in bits.values.items()},
            "terms": {word: ids(bits.term(session, *word)) for word in WORDS}}


@pytest.fixture
def searched(search_app):
    if search_app.config["SEARCH_BACKEND"] != "postgresql":
        pytest.skip("the PostgreSQL backend's own bitsets")
    with search_app.app_context():
        session = Session(db.engine)
        run_on(PgSearcher(session, POSTGRES.bits_for(session, "a")), SearchRequest(text="giai phong"))  # fills tables
        session.commit()
        yield session
        session.close()


def test_bitsets_kept_across_changes_equal_bitsets_read_afresh(searched):
    session = searched
    kept = POSTGRES.bits_for(session, "b")
    _snapshot(kept, session)  # the words' bitsets are now kept, and must follow what comes
    key, gone = session.execute(text(
        "SELECT key FROM search_entries WHERE kind = 'document' ORDER BY id LIMIT 2")).scalars().all()
    # One entry changed (its rows deleted, new ones inserted), one new, one gone.
    pg.apply(session, {key}, lambda s, k: [_entry(k, "Kế hoạch mới về zebra", "giải phóng zebra mới", 2031)])
    pg.apply(session, {"document:new"}, lambda s, k: [_entry(k, "Zebra mới", "zebra mới ở Lạng Sơn", 2032)])
    pg.apply(session, {gone}, lambda s, k: [])
    session.commit()
    followed = _snapshot(POSTGRES.bits_for(session, "c"), session)
    fresh = pg_bits.PgBits(("fresh",))
    fresh.follow(session, "c")
    assert followed == _snapshot(fresh, session)
    assert len(followed["terms"][("all_f", "zebra")]) == 2  # the changed entry and the new one
    assert "2032" in followed["values"]["year"] and "2031" in followed["values"]["year"]


def test_search_after_a_change_finds_new_rows_and_never_gone_ones(searched):
    session = searched
    before = run_on(PgSearcher(session, POSTGRES.bits_for(session, "d")), SearchRequest(text="giai phong"))
    session.commit()
    assert before.total > 1
    first = before.hits[0].key
    pg.apply(session, {first}, lambda s, k: [])
    pg.apply(session, {"document:later"}, lambda s, k: [_entry(k, "Giải phóng mặt bằng quả táo", "táo", 2033)])
    session.commit()
    after = run_on(PgSearcher(session, POSTGRES.bits_for(session, "e")), SearchRequest(text="giai phong qua tao"))
    session.commit()
    assert [hit.key for hit in after.hits] == ["document:later"]
    again = run_on(PgSearcher(session, POSTGRES.bits_for(session, "e")), SearchRequest(text="giai phong"))
    assert first not in [hit.key for hit in again.hits] and again.total == before.total  # one gone, one new


def test_vectors_are_kept_out_of_the_rows_lexemes_are_read_from(searched):
    """A lexeme's rows are found by visiting the pages of `search_terms`: its rows must stay
    small (their vectors out of line), or every common syllable reads the whole table."""
    session = searched
    words = " ".join(f"tu{n} mot{n} hai{n}" for n in range(8))  # a vector of 1.2 kB
    before = session.execute(text("SELECT pg_relation_size('search_terms')")).scalar()
    pg.apply(session, {f"document:x{n}" for n in range(200)},
             lambda s, k: [_entry(k, f"Văn bản {k}", words, 2030)])
    grown = session.execute(text("SELECT pg_relation_size('search_terms')")).scalar() - before
    session.rollback()
    assert grown <= 200 * 200, f"{grown / 200:.0f} bytes a row"


def _pending_pages(session: Session) -> int | None:
    try:
        with session.begin_nested():
            session.execute(text("CREATE EXTENSION IF NOT EXISTS pgstattuple"))
    except Exception:  # noqa: BLE001 (a server without the contrib modules: the options are still checked)
        return None
    return session.execute(text("SELECT pending_pages FROM pgstatginindex('ix_search_terms_terms')")).scalar()


def test_lexeme_lookups_never_read_a_long_pending_list(searched):
    """Each lexeme a search meets is looked up in the GIN index, which also reads its whole list of
    entries not yet merged (up to 4 MB by default, 300 µs a lookup): the list is kept at its
    smallest, also on indexes made before, without rebuilding the tables."""
    session = searched
    session.execute(text("ALTER INDEX ix_search_terms_terms RESET (gin_pending_list_limit)"))
    session.execute(text("ALTER INDEX ix_search_words_trgm RESET (gin_pending_list_limit)"))
    assert pg.ensure_schema(session) is False  # bounded in place, not made again
    options = dict(session.execute(text("SELECT relname, reloptions FROM pg_class WHERE relname = ANY(:names)"),
                                   {"names": list(pg.GIN_INDEXES)}).all())
    assert options == {"ix_search_terms_terms": ["gin_pending_list_limit=64"],
                       "ix_search_words_trgm": ["gin_pending_list_limit=64"]}
    words = " ".join(f"tu{n} mot{n} hai{n} ba{n}" for n in range(60))
    pg.apply(session, {f"document:p{n}" for n in range(300)}, lambda s, k: [_entry(k, f"Văn bản {k}", words, 2030)])
    pending = _pending_pages(session)
    session.rollback()
    assert pending is None or pending <= 8, f"{pending} pending pages"


def test_scores_equal_ts_rank_normalized_by_its_own_length_count(searched):
    """Scores divide each row's sum by log2(1 + size) once, where ts_rank's normalization 1
    counts the vector's positions on every call: the stored size must be that count, so the
    order is the same as with ts_rank(…, 1) for every key."""
    session = searched
    body = " ".join(["giải phóng mặt bằng"] * 300 + [f"tu{n}" for n in range(50)])  # positions capped per lexeme
    pg.apply(session, {"document:long"}, lambda s, k: [_entry(k, "Kế hoạch giải phóng", body, 2031)])
    rows = session.execute(text(
        "SELECT t.id, t.size, ts_rank(t.terms, q, 1), ts_rank(t.terms, q, 0) "
        "FROM search_terms t, CAST('f.giai | f.phong' AS tsquery) q WHERE t.terms @@ q")).all()
    session.rollback()
    assert len(rows) >= 2
    for _, size, normalized, plain in rows:
        assert normalized == pytest.approx(plain / math.log2(size + 1), rel=1e-5)


def test_common_lexemes_read_by_one_process_serve_the_others_only_in_their_state(searched, monkeypatch):
    """A lexeme's bitset read through the GIN index is written to search_bitsets under the state
    of the rows; another process in that state reads it from there, one in another state never."""
    session = searched
    monkeypatch.setattr(pg_bits, "SHARE_FROM", 1)  # every lexeme counts as common here
    table = session.execute(text("SELECT to_regclass('search_entries')::oid")).scalar()
    session.execute(text("DELETE FROM search_bitsets"))
    session.commit()
    first = pg_bits.PgBits(("one", table))
    first.follow(session, "s1")
    expected = _snapshot(first, session)["terms"]
    assert first.term(session, "all_f", "xyzzy") == 0
    shared = dict(session.execute(text("SELECT key, state FROM search_bitsets")).all())
    assert shared and set(shared.values()) == {first.state}
    assert "'f.giai'" in shared and "'f.xyzzy'" not in shared  # a lexeme in no row is not written

    # Another process in the same state reads from there (an entry spoiled on purpose shows it).
    session.execute(text("UPDATE search_bitsets SET bits = '\\x01' WHERE key = '''f.phong'''"))
    session.commit()
    second = pg_bits.PgBits(("two", table))
    second.follow(session, "s1")
    assert second.state == first.state
    assert second.ids_of(second.term(session, "all_f", "phong")).tolist() == [second.base]
    assert second.ids_of(second.term(session, "all_f", "giai")).tolist() == sorted(expected[("all_f", "giai")])

    # After a change, a process starting now gets the new rows right, and the old state's
    # entries are gone once it writes its own.
    pg.apply(session, {"document:shared"}, lambda s, k: [_entry(k, "Giải phóng mặt bằng", "giải phóng", 2033)])
    session.commit()
    third = pg_bits.PgBits(("three", table))
    third.follow(session, "s2")
    assert third.state != first.state
    later = session.execute(text("SELECT id FROM search_entries WHERE key = 'document:shared'")).scalar()
    assert later in third.ids_of(third.term(session, "all_f", "phong")).tolist()
    assert set(third.ids_of(third.term(session, "all_f", "giai")).tolist()) == expected[("all_f", "giai")] | {later}
    assert set(session.execute(text("SELECT state FROM search_bitsets")).scalars()) == {third.state}
