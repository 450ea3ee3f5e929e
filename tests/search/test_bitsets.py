"""Counting on bitsets and scoring only the known matches must agree with Whoosh itself:
same match counts, same hits in the same order with the same scores, over several segments
and with deleted entries."""
import random
from datetime import date

import pytest
from whoosh import index
from whoosh.writing import NO_MERGE

from portal.search.core import query as qb
from portal.search.core.entries import SearchEntry
from portal.search.core.tree import And, Term
from portal.search.whoosh import scoring
from portal.search.whoosh.bitsets import bit_index
from portal.search.whoosh.schema import build_schema, fields_of
from portal.search.whoosh.searcher import to_whoosh

WORDS = ("giải phóng mặt bằng khen thưởng hộ gia đình Nguyễn Văn Thị Lan xã Cao Lộc vận động nhân dân "
         "bàn giao đúng hạn kế hoạch ủy ban tỉnh Lạng Sơn").split()


def _entry(n: int, rng: random.Random) -> SearchEntry:
    kind = "award" if n % 3 else "document"
    return SearchEntry(key=f"{kind}:{n}", kind=kind, url=f"/x/{n}",
                       title=" ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 6))),
                       body=" ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 60))),
                       doc_type="quyet-dinh" if n % 2 else "ke-hoach", issuer="UBND" if n % 5 else "VKS",
                       issued_on=date(2020 + n % 5, 1 + n % 12, 1))


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    rng = random.Random(5)
    ix = index.create_in(str(tmp_path_factory.mktemp("ix")), build_schema())
    for part in range(3):  # three segments
        writer = ix.writer()
        for n in range(part * 400, part * 400 + 400):
            writer.add_document(**fields_of(_entry(n, rng)))
        writer.commit(mergetype=NO_MERGE)
    writer = ix.writer()
    for n in range(0, 1200, 7):  # deletions in every segment
        writer.delete_by_term("key", f"{'award' if n % 3 else 'document'}:{n}")
    writer.commit(mergetype=NO_MERGE)
    with ix.searcher() as s:
        assert len(s.leaf_searchers()) > 1
        yield s


QUERIES = ["giải phóng mặt bằng", "nguyen van lan", "hộ gia đình cao lộc", "khen thuong", "vận động bàn giao",
           "ke hoach uy ban tinh"]


@pytest.mark.parametrize("text", QUERIES)
def test_bitset_counts_are_whooshs(searcher, text):
    parsed = qb.parse(text)
    bits = bit_index(searcher)
    for query in (qb.required(parsed), qb.required(parsed, loose=True), And((qb.required(parsed),
                                                                               Term("doc_type", "quyet-dinh")))):
        expected = set(searcher.docs_for_query(to_whoosh(query)))
        assert bits.of(query).bit_count() == len(expected) > 0
    kinds = bits.values("kind")
    assert sum(b.bit_count() for b in kinds.values()) == searcher.doc_count()  # deleted ones excluded


@pytest.mark.parametrize("text", QUERIES)
@pytest.mark.parametrize("flt", [None, Term("issuer", "UBND")])
@pytest.mark.parametrize("limit", [10, 37])
def test_scoring_known_matches_gives_whooshs_hits(searcher, text, flt, limit):
    parsed = qb.parse(text)
    queries = [qb.required(parsed), qb.title_ranked(parsed), qb.required(parsed, loose=True), qb.question(parsed),
               Term("all_f", parsed.terms[0][1])] + [t for t in qb.tiers(parsed) if isinstance(t, And)]
    allowed = bit_index(searcher).of(flt) if flt is not None else None
    checked = 0
    for query in queries:
        ours = scoring.top(searcher, query, allowed, limit)
        assert ours is not None, query  # every shape the ranking uses is scored here
        theirs = searcher.search(to_whoosh(query), limit=limit, filter=to_whoosh(flt) if flt is not None else None)
        expected = [(hit.docnum, hit.score) for hit in theirs]
        assert [h.score for h in ours] == pytest.approx([s for _, s in expected]), query
        # Equal scores may differ in their last bits (terms summed in another order): compare
        # the documents with ties put in one order.
        assert _tie_order([(h.docnum, h.score) for h in ours]) == _tie_order(expected), query
        checked += bool(expected)
    assert checked


def _tie_order(hits):
    return [d for d, _ in sorted(hits, key=lambda h: (-round(h[1], 9), h[0]))]


def test_counts_follow_deletions_and_new_segments(tmp_path):
    """Bitsets are kept per segment across searchers: a deletion in an old segment and a new
    segment must both show in the next searcher's counts."""
    rng = random.Random(9)
    ix = index.create_in(str(tmp_path), build_schema())
    writer = ix.writer()
    for n in range(300):
        writer.add_document(**fields_of(_entry(n, rng)))
    writer.commit()
    term = Term("all_f", "giai")

    def counted():
        with ix.searcher() as s:
            return bit_index(s).of(term).bit_count(), len(set(s.docs_for_query(to_whoosh(term))))

    before, truth = counted()
    assert before == truth > 2
    with ix.searcher() as s:
        victim = s.stored_fields(next(iter(s.docs_for_query(to_whoosh(term)))))["key"]
    writer = ix.writer()
    writer.delete_by_term("key", victim)
    writer.commit(mergetype=NO_MERGE)
    assert counted() == (before - 1, before - 1)
    writer = ix.writer()
    writer.add_document(**fields_of(SearchEntry(key="award:9999", kind="award", url="/x", title="giải thưởng",
                                                body="giải phóng")))
    writer.commit(mergetype=NO_MERGE)
    assert counted() == (before, before)
