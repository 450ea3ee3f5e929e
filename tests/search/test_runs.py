"""A rebuild larger than the writer's memory spills sorted runs to disk: with the chunked pool
and the length columns read whole, the index must hold exactly what Whoosh's own writer writes
(postings, and the field lengths kept with each term and posting block for scoring)."""
from whoosh import fields, index
from whoosh.writing import PostingPool

from portal.search.runs import ChunkedPostingPool, faster


def _build(folder, wrap, docs):
    schema = fields.Schema(key=fields.ID(stored=True), text=fields.TEXT(phrase=True))
    ix = index.create_in(str(folder), schema)
    writer = wrap(ix.writer())
    writer.pool.limit = 4000  # bytes: hundreds of runs, more than the 128 merged at once
    for number, text in docs:
        writer.add_document(key=str(number), text=text)
    writer.commit()
    return ix


def _postings(ix):
    with ix.searcher() as searcher:
        reader = searcher.reader()
        return {(name, term): (sorted(reader.postings(name, term).items_as("positions")),
                               _lengths(reader, name, term))
                for name, term in reader.all_terms() if name == "text"}


def _lengths(reader, name, term):
    info = reader.term_info(name, term)
    matcher = reader.postings(name, term)
    blocks = []
    while matcher.is_active():
        blocks.append((matcher.block_min_length(), matcher.block_max_length()))
        matcher.skip_to(matcher.block_max_id() + 1) if matcher.supports_block_quality() else matcher.next()
    return info.min_length(), info.max_length(), blocks


def test_spilled_runs_index_exactly_what_whoosh_does(tmp_path):
    words = "giai phong mat bang khen thuong ke hoach tinh lang son ho gia dinh".split()
    docs = [(n, " ".join(words[(n * k) % len(words)] for k in range(1, 30 + n % 40))) for n in range(1500)]
    (tmp_path / "plain").mkdir()
    (tmp_path / "chunked").mkdir()
    plain = _build(tmp_path / "plain", lambda w: w, docs)
    spilled = _build(tmp_path / "chunked", faster, docs)
    expected = _postings(plain)
    assert expected and _postings(spilled) == expected
    with spilled.searcher() as searcher:
        assert searcher.doc_count() == 1500


def test_only_a_fresh_whoosh_pool_is_switched(tmp_path):
    schema = fields.Schema(text=fields.TEXT)
    writer = faster(index.create_in(str(tmp_path), schema).writer())
    assert type(writer.pool) is ChunkedPostingPool
    writer.cancel()
    writer = index.open_dir(str(tmp_path)).writer()
    writer.add_document(text="đã có dữ liệu")
    assert type(faster(writer).pool) is PostingPool  # postings already pooled stay as they are
    writer.cancel()


TEXTS = ["Kế hoạch 174/KH-UBND về đẩy nhanh tiến độ giải phóng mặt bằng (GPMB) các dự án trọng điểm",
         "Hộ ông Chu Văn I hiến đất: quí, quý, kĩ, kỹ; Thủy và thuỷ, hoà và hòa; UBND tỉnh Lạng Sơn",
         "phóng phong phòng phong phóng", "", "!!! 2022 - 2025 ...", "İstanbul đi Đi ĐẤT"]


def test_postings_counted_from_keys_equal_whooshs_own_formats():
    """The portal's text fields count their postings from the analyzer's keys directly; Whoosh's
    own formats, over the same tokens, must give the same words, counts, weights and positions."""
    from whoosh import formats

    from portal.search.schema import SyllableTokenizer, build_schema

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
