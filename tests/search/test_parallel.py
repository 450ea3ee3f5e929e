"""A rebuild on worker processes (one segment each) must index exactly what one process does,
and a worker that dies must fail the rebuild, never switch to a smaller index."""
import os
import random
from datetime import date

import pytest
from whoosh import query as q

from portal.search.core import query as qb
from portal.search.core.entries import SearchEntry
from portal.search.whoosh import parallel
from portal.search.whoosh.indexer import SearchIndex
from portal.search.whoosh.searcher import WhooshSearcher

WORDS = ("giải phóng mặt bằng khen thưởng hộ gia đình Nguyễn Văn Thị Lan xã Cao Lộc vận động nhân dân "
         "bàn giao đúng hạn kế hoạch ủy ban tỉnh Lạng Sơn GPMB UBND").split()


def _entries(count: int) -> list[SearchEntry]:
    rng = random.Random(3)
    return [SearchEntry(key=f"award:{n}", kind="award" if n % 3 else "document", url=f"/x/{n}",
                        title=" ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 6))),
                        body=" ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 80))),
                        doc_type="quyet-dinh", issued_on=date(2020 + n % 5, 1, 1)) for n in range(count)]


def _hits(index: SearchIndex, text: str) -> list[tuple[str, float]]:
    parsed = qb.parse(text)
    searcher = WhooshSearcher(index.searcher())
    out = []
    for query in (qb.required(parsed), qb.question(parsed), qb.title_ranked(parsed)):
        hits = searcher.top(query, None, 15)  # as a search ranks: scoring.py, or Whoosh exactly
        stored = searcher.stored([docnum for docnum, _ in hits])
        out += [(fields["key"], round(score, 9)) for fields, (_, score) in zip(stored, hits, strict=True)]
    return out


def test_workers_index_what_one_process_does(tmp_path):
    entries = _entries(1100)  # several batches for each worker
    one, two = SearchIndex(tmp_path / "one"), SearchIndex(tmp_path / "two")
    assert one.build(iter(entries), 7) == two.build(iter(entries), 7, procs=2) == 1100
    assert len(two.searcher().leaf_searchers()) == 2  # a segment per worker
    for text in ("giải phóng mặt bằng", "nguyen van lan", "gpmb", "ho gia dinh cao loc ban giao dung han"):
        assert _hits(two, text) == _hits(one, text) != []
    searcher = two.searcher()
    assert searcher.doc_count() == 1100 and two.applied() == 7
    assert len(list(searcher.documents(kind="document"))) == len([e for e in entries if e.kind == "document"])
    assert searcher.doc_frequency("all_f", "giai") == one.searcher().doc_frequency("all_f", "giai") > 0
    assert list(searcher.docs_for_query(q.Term("key", "award:1099")))


def test_a_worker_that_dies_fails_the_rebuild(tmp_path, monkeypatch):
    index = SearchIndex(tmp_path)
    index.build(iter(_entries(50)), 1)
    before = index.current_name()
    plain = parallel._Worker._process_file

    def dies_on_the_third_batch(self, filename, doc_count):
        self.batches = getattr(self, "batches", 0) + 1
        if self.batches == 3:
            os._exit(1)  # as a worker killed by the kernel would
        plain(self, filename, doc_count)

    monkeypatch.setattr(parallel._Worker, "_process_file", dies_on_the_third_batch)  # workers are forked
    with pytest.raises(RuntimeError, match="wrote"):
        index.build(iter(_entries(2000)), 2, procs=2)
    assert index.current_name() == before and index.searcher().doc_count() == 50
