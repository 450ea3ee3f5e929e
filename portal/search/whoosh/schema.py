"""The Whoosh schema: folded and exact syllable fields, bigrams, symbol keys, facets."""
from __future__ import annotations

from collections import Counter

from whoosh import fields, formats
from whoosh.analysis import Token, Tokenizer
from whoosh.system import pack_uint

from portal.search.core.analysis import BIGRAM, EXACT, FIELDS, FOLDED, POSITIONED, Keys, fields_of

__all__ = ["BIGRAM", "EXACT", "FOLDED", "SyllableTokenizer", "build_schema", "fields_of"]


class SyllableTokenizer(Keys, Tokenizer):
    """A Whoosh tokenizer of the portal's analysis (core/analysis.py)."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for index, (key, start, end) in enumerate(self.keys(value)):
            token.text = key
            token.boost, token.stopped = 1.0, False
            if keeporiginal:
                token.original = token.text
            if positions:
                token.pos = start_pos + index
            if chars:
                token.startchar, token.endchar = start_char + start, start_char + end
            yield token


class _Frequency(formats.Frequency):
    """Whoosh's Frequency format, the same postings, counted from the tokenizer's keys directly:
    a Token object per syllable was a fifth of a rebuild."""

    def word_values(self, value, analyzer, **kwargs):
        if not isinstance(analyzer, SyllableTokenizer):
            return super().word_values(value, analyzer, **kwargs)
        boost = self.field_boost
        return ((word, count, count * boost, pack_uint(count)) for word, count in _counted(value, analyzer))

    def postings(self, value, analyzer) -> list[tuple[bytes, int, float, bytes]]:
        """What Field.index() gives (terms as UTF-8), as a list: the rebuild's writer (runs.py)."""
        if not isinstance(analyzer, SyllableTokenizer):
            return _encoded(self.word_values(value, analyzer))
        boost = self.field_boost
        return [(word.encode(), count, count * boost, pack_uint(count)) for word, count in _counted(value, analyzer)]


class _Positions(formats.Positions):
    """Whoosh's Positions format, the same postings, from the tokenizer's keys directly."""

    def word_values(self, value, analyzer, **kwargs):
        if not isinstance(analyzer, SyllableTokenizer):
            return super().word_values(value, analyzer, **kwargs)
        boost, encode = self.field_boost, self.encode
        return ((word, len(found), len(found) * boost, encode(found)) for word, found in _placed(value, analyzer))

    def postings(self, value, analyzer) -> list[tuple[bytes, int, float, bytes]]:
        """What Field.index() gives (terms as UTF-8), as a list: the rebuild's writer (runs.py)."""
        if not isinstance(analyzer, SyllableTokenizer):
            return _encoded(self.word_values(value, analyzer))
        boost, encode = self.field_boost, self.encode
        return [(word.encode(), len(found), len(found) * boost, encode(found))
                for word, found in _placed(value, analyzer)]


def _counted(value, analyzer: SyllableTokenizer):
    return Counter(analyzer.words(value)).items()


def _placed(value, analyzer: SyllableTokenizer):
    places: dict[str, list[int]] = {}
    for index, key in enumerate(analyzer.words(value)):
        places.setdefault(key, []).append(index)
    return places.items()


def _encoded(values) -> list:
    return [(word.encode(), count, weight, data) for word, count, weight, data in values]


def _text(name: str) -> fields.TEXT:
    """The Whoosh field of an analysed field of core/analysis.py."""
    keys = FIELDS[name]
    positions = name in POSITIONED
    field = fields.TEXT(analyzer=SyllableTokenizer(keys.mode, keys.expand), phrase=positions)
    field.format.__class__ = _Positions if positions else _Frequency
    return field


def build_schema() -> fields.Schema:
    return fields.Schema(
        key=fields.ID(stored=True, unique=True),
        parent=fields.ID(),
        kind=fields.ID(stored=True, sortable=True),
        url=fields.STORED(),
        title=fields.STORED(),
        body=fields.STORED(),
        symbol=fields.STORED(),
        type_label=fields.STORED(),
        issued_iso=fields.STORED(),
        all_f=_text("all_f"),
        title_f=_text("title_f"),
        title_x=_text("title_x"),
        all_x=_text("all_x"),
        bigrams=_text("bigrams"),
        title_bigrams=_text("title_bigrams"),
        who_bigrams=_text("who_bigrams"),
        symbol_key=fields.ID(),
        symbol_parts=fields.KEYWORD(lowercase=True),
        doc_type=fields.ID(stored=True, sortable=True),
        issuer=fields.ID(stored=True, sortable=True),
        campaign=fields.ID(stored=True, sortable=True),
        year=fields.ID(stored=True, sortable=True),
        issued=fields.NUMERIC(sortable=True, bits=32, signed=False),
    )
