"""The rebuild's writer (runs.py: postings grouped by term, written a block at a time, spilled to
runs when memory is full) must write exactly the files Whoosh's own writer writes: the same
postings, term table and columns, byte for byte, however many runs it spills."""
import hashlib
from datetime import date

import numpy as np
import pytest
from whoosh import fields, index
from whoosh.writing import PostingPool, SegmentWriter

from portal.search.core.entries import SearchEntry
from portal.search.whoosh.runs import GroupedPool
from portal.search.whoosh.schema import build_schema, fields_of
from portal.search.whoosh.state import STATE
from portal.search.whoosh.writer import faster

WORDS = ("giải phóng mặt bằng khen thưởng kế hoạch tỉnh Lạng Sơn hộ gia đình hiến đất Nguyễn Văn Thị "
         "bằng khen Thủ tướng Chính phủ huân chương lao động hạng ba UBND GPMB").split()


def _entries(count, start=0):
    for n in range(start, start + count):
        body = " ".join(WORDS[(n * k + k * k) % len(WORDS)] for k in range(1, 20 + n % 90))
        yield SearchEntry(
            key=f"document:{n}", kind="award" if n % 3 else "document", url=f"/van-ban/{n}",
            title=" ".join(WORDS[(n + k) % len(WORDS)] for k in range(3 + n % 7)), body=body,
            meta="Kế hoạch · UBND tỉnh", symbol=f"{n}/KH-UBND", doc_type="ke-hoach", type_label="Kế hoạch",
            issuer="UBND tỉnh Lạng Sơn" if n % 2 else "VKSND tỉnh Lạng Sơn", campaign="gpmb" if n % 5 else "",
            issued_on=date(2022, 1 + n % 12, 1 + n % 28), symbol_parts=[str(n), "kh", "ubnd"],
            who="Nguyễn Thực Liệu\nVKSND tỉnh Lạng Sơn" if n % 4 == 0 else "",
            parent="" if n % 3 == 0 else "document:0")


def _files(ix) -> dict[str, str]:
    """Digest of each of Whoosh's files of the index's segments, by kind (.pst, .trm, columns…);
    for a compound segment (one .seg file, as the portal writes them), of each file packed in it,
    since the pack's own directory names the random segment id. The decoded postings beside
    them (shelf.py) are checked apart."""
    digests = {}
    for number, segment in enumerate(ix._segments()):
        storage = segment.open_compound_file(ix.storage) if segment.is_compound() else ix.storage
        names = storage.list() if segment.is_compound() else segment.list_files(ix.storage)
        for name in sorted(n for n in names if not n.endswith(".arrays")):
            with storage.open_file(name) as handle:
                kind = name.rsplit(".", 1)[-1]
                digests[f"{number}:{kind}:{len(digests)}"] = hashlib.md5(handle.read()).hexdigest()  # noqa: S324
        if segment.is_compound():
            storage.close()
    return digests


def _index(folder, schema):
    folder.mkdir()
    return index.create_in(str(folder), schema)


def _fill(ix, wrap, entries, limit=None, compound=False, **commit):
    writer = wrap(ix.writer(compound=compound))
    if limit:
        writer.pool.limit = limit
    for number, entry in enumerate(entries):
        writer.add_document(**fields_of(entry), **({"_boost": 2.0} if number % 7 == 0 else {}))
    writer.commit(**commit)


@pytest.mark.parametrize("count, limit", [
    pytest.param(1500, None, id="in memory"),
    pytest.param(1500, 20_000, id="hundreds of runs", marks=pytest.mark.slow),  # ten seconds: `make test` only
])
def test_grouped_writer_writes_whooshs_own_files_byte_for_byte(tmp_path, count, limit):
    entries = list(_entries(count))
    plain, grouped = _index(tmp_path / "plain", build_schema()), _index(tmp_path / "grouped", build_schema())
    _fill(plain, lambda w: w, entries, limit)
    _fill(grouped, faster, entries, limit)
    expected = _files(plain)
    assert {name.split(":")[1] for name in expected} >= {"pst", "trm", "col"}
    assert _files(grouped) == expected
    with grouped.searcher() as searcher:
        assert searcher.doc_count() == count
        assert searcher.document(key="document:4")["issuer"] == "VKSND tỉnh Lạng Sơn"
    _check_shelves(grouped)


def _check_shelves(ix):
    """Every term in SHARED_FROM documents or more of a segment is beside it, decoded, equal to
    what reading Whoosh's blocks gives; no other term is."""
    from portal.search.whoosh.postings import Postings, _read_postings
    from portal.search.whoosh.shelf import SHARED_FROM, shelf_of

    checked = 0
    with ix.searcher() as searcher:
        for reader, _ in searcher.reader().leaf_readers():
            kept = shelf_of(reader)
            assert kept is not None
            for field, text in reader.all_terms():
                if field == "issued":  # numeric: never looked up by text, never kept
                    continue
                arrays = kept.arrays(field, text.decode())
                common = reader.doc_frequency(field, text) >= SHARED_FROM
                assert (arrays is not None) == common, (field, text)
                if arrays is None:
                    continue
                stored = Postings.stored(arrays)
                decoded = Postings(*_read_postings(reader.postings(field, text)), reader.doc_count_all())
                for name in ("ids", "weights", "dense"):
                    ours, theirs = getattr(stored, name), getattr(decoded, name)
                    assert (ours is None) == (theirs is None) and (ours is None or (
                        ours.dtype == theirs.dtype and np.array_equal(ours, theirs))), (field, text, name)
                checked += 1
    assert checked >= 20


def test_compound_segments_as_the_portal_writes_them_pack_the_same_files(tmp_path):
    """The portal's writers keep Whoosh's default of one compound file per segment."""
    entries = list(_entries(1200))
    plain, grouped = _index(tmp_path / "plain", build_schema()), _index(tmp_path / "grouped", build_schema())
    _fill(plain, lambda w: w, entries, compound=True)
    _fill(grouped, faster, entries, compound=True)
    assert [segment.is_compound() for segment in grouped._segments()] == [True]
    expected = _files(plain)
    assert {name.split(":")[1] for name in expected} >= {"pst", "trm", "col"}
    assert _files(grouped) == expected
    _check_shelves(grouped)


def test_merging_older_segments_and_deletions_writes_the_same_files(tmp_path):
    """A later write merges the index's earlier segments (their postings come through the pool
    one by one), with documents deleted in between."""
    folders = {}
    for name, wrap in (("plain", lambda w: w), ("grouped", faster)):
        ix = _index(tmp_path / name, build_schema())
        _fill(ix, wrap, _entries(400))
        _fill(ix, wrap, _entries(300, start=400), merge=False)
        writer = wrap(ix.writer(compound=False))
        for number in range(0, 700, 9):
            writer.delete_by_term("key", f"document:{number}")
        for entry in _entries(200, start=700):
            writer.add_document(**fields_of(entry))
        writer.commit(optimize=True)
        folders[name] = ix
    assert _files(folders["grouped"]) == _files(folders["plain"])
    with folders["grouped"].searcher() as searcher:
        assert searcher.doc_count() == 900 - len(range(0, 700, 9))


def test_only_a_fresh_whoosh_writer_is_switched(tmp_path):
    schema = fields.Schema(text=fields.TEXT)
    writer = faster(index.create_in(str(tmp_path), schema).writer())
    assert type(writer.pool) is GroupedPool and type(writer) is not SegmentWriter
    writer.cancel()
    writer = index.open_dir(str(tmp_path)).writer()
    writer.add_document(text="đã có dữ liệu")
    assert type(faster(writer).pool) is PostingPool  # postings already pooled stay as they are
    writer.cancel()
    vectors = fields.Schema(text=fields.TEXT(vector=True))
    (tmp_path / "vectors").mkdir()
    writer = faster(index.create_in(str(tmp_path / "vectors"), vectors).writer())
    assert type(writer) is SegmentWriter  # term vectors: Whoosh's own path
    writer.cancel()


TEXTS = ["Kế hoạch 174/KH-UBND về đẩy nhanh tiến độ giải phóng mặt bằng (GPMB) các dự án trọng điểm",
         "Hộ ông Chu Văn I hiến đất: quí, quý, kĩ, kỹ; Thủy và thuỷ, hoà và hòa; UBND tỉnh Lạng Sơn",
         "phóng phong phòng phong phóng", "", "!!! 2022 - 2025 ...", "İstanbul đi Đi ĐẤT"]


def test_postings_counted_from_keys_equal_whooshs_own_formats():
    """The portal's text fields count their postings from the analyzer's keys directly; Whoosh's
    own formats, over the same tokens, must give the same words, counts, weights and positions."""
    from whoosh import formats

    from portal.search.whoosh.schema import SyllableTokenizer

    schema = build_schema()
    names = [name for name in schema.names() if isinstance(schema[name].analyzer, SyllableTokenizer)]
    assert {"all_f", "all_x", "bigrams", "title_f", "who_bigrams"} <= set(names)
    for name in names:
        field = schema[name]
        stock = formats.Positions if isinstance(field.format, formats.Positions) else formats.Frequency
        assert type(field.format) is not stock  # the direct count is in use
        for text in TEXTS:
            ours = list(field.format.word_values(text, field.analyzer))
            assert ours == list(stock.word_values(field.format, text, field.analyzer)), (name, text)
        assert list(field.format.word_values(TEXTS[0], field.analyzer))


def test_an_entry_analysed_part_by_part_gives_the_keys_of_its_whole_text():
    """Fields made of an entry's parts (title, meta, body) analyse each part once; their keys,
    expansions and bigrams across parts must be those of the joined text."""
    from portal.search.whoosh.schema import SyllableTokenizer
    from portal.vietnamese.syllables import Joined

    schema = build_schema()
    parts = [TEXTS[0], "", TEXTS[1], "Ủy ban nhân dân tỉnh", TEXTS[2]]
    joined = Joined(parts)
    assert joined == "\n".join(parts) and isinstance(joined, str)
    for name in schema.names():
        field = schema[name]
        if isinstance(field.analyzer, SyllableTokenizer):
            assert field.analyzer.words(joined) == [key for key, _, _ in field.analyzer.keys("\n".join(parts))], name
            assert list(field.format.word_values(joined, field.analyzer)) == list(
                field.format.word_values("\n".join(parts), field.analyzer)), name


def test_a_missing_or_damaged_postings_file_is_read_through_whoosh(tmp_path):
    """The decoded postings are only an accelerator: a segment whose file is gone, cut short or
    written for another segment gives the same postings, read from Whoosh's blocks."""
    from portal.search.whoosh import postings, shelf

    ix = _index(tmp_path / "ix", build_schema())
    _fill(ix, faster, _entries(1200))
    with ix.searcher() as searcher:
        reader = searcher.reader()
        path = tmp_path / "ix" / shelf.file_name(reader.segment().segment_id())
        expected = postings._made(reader, "all_f", "bang", reader.doc_count_all())
    assert path.exists() and expected.dense is not None and not expected.dense.flags.writeable  # mapped
    good = path.read_bytes()
    for damage in (b"", good[:100], good.replace(b'"documents": 1200', b'"documents": 1201'), None):
        if damage is None:
            path.unlink()
        else:  # a new file, as a writer leaves it (a mapped file is never rewritten in place)
            (tmp_path / "damaged").write_bytes(damage)
            (tmp_path / "damaged").replace(path)
        STATE.shelves.clear()
        with ix.searcher() as searcher:
            reader = searcher.reader()
            assert shelf.shelf_of(reader) is None
            found = postings._made(reader, "all_f", "bang", reader.doc_count_all())
        assert found.dense.flags.writeable and np.array_equal(found.dense, expected.dense)
