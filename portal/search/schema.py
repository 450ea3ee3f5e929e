"""The Whoosh schema: folded and exact syllable fields, bigrams, symbol keys, facets."""
from __future__ import annotations

from collections import Counter

from whoosh import fields, formats
from whoosh.analysis import Token, Tokenizer
from whoosh.system import pack_uint

from portal.search.abbreviations import related
from portal.vietnamese.syllables import Joined, columns, nfc, syllables

FOLDED, EXACT, BIGRAM = "folded", "exact", "bigram"


class SyllableTokenizer(Tokenizer):
    """Yields one key per syllable (folded or exact), or folded syllable bigrams; with `expand`,
    the text's related abbreviations and expansions follow it (abbreviations.py)."""

    def __init__(self, mode: str = FOLDED, expand: bool = False):
        self.mode = mode
        self.expand = expand

    def keys(self, value) -> list[tuple[str, int, int]]:
        """(key, start, end) of each token of a value, in order."""
        text = nfc(value)
        items = list(syllables(text))
        if self.expand and items:
            end = len(text)
            items += [(None, word, end, end) for word in related([f for _, f, _, _ in items])]
        if self.mode == BIGRAM:
            return [(f"{a[1]}_{b[1]}", a[2], b[3]) for a, b in zip(items, items[1:], strict=False)]
        pick = 0 if self.mode == EXACT else 1
        return [(item[pick], item[2], item[3]) for item in items]

    def words(self, value) -> list[str]:
        """The keys of keys(value), without their offsets: what the index needs, made from each
        part's syllables analysed once (analyzer.columns)."""
        exact, folded = columns(value)
        if self.expand and folded:
            extra = related(folded)
            folded += extra
            exact += [None] * len(extra)  # as keys() gives them: an expansion has no exact form
        if self.mode == BIGRAM:
            return [f"{a}_{b}" for a, b in zip(folded, folded[1:], strict=False)]
        return exact if self.mode == EXACT else folded

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


def _text(mode: str, positions: bool = False, boost: float = 1.0, expand: bool = False) -> fields.TEXT:
    field = fields.TEXT(analyzer=SyllableTokenizer(mode, expand), phrase=positions, field_boost=boost)
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
        all_f=_text(FOLDED, positions=True, expand=True),
        title_f=_text(FOLDED),
        title_x=_text(EXACT),
        all_x=_text(EXACT),
        bigrams=_text(BIGRAM, expand=True),
        title_bigrams=_text(BIGRAM),
        who_bigrams=_text(BIGRAM),
        symbol_key=fields.ID(),
        symbol_parts=fields.KEYWORD(lowercase=True),
        doc_type=fields.ID(stored=True, sortable=True),
        issuer=fields.ID(stored=True, sortable=True),
        campaign=fields.ID(stored=True, sortable=True),
        year=fields.ID(stored=True, sortable=True),
        issued=fields.NUMERIC(sortable=True, bits=32, signed=False),
    )


def fields_of(entry) -> dict:
    """The field values of one SearchEntry."""
    issued = entry.issued_on
    return {
        "key": entry.key, "parent": entry.parent or None, "kind": entry.kind, "url": entry.url,
        "title": entry.title, "body": entry.body,
        "symbol": entry.symbol, "type_label": entry.type_label,
        "issued_iso": issued.isoformat() if issued else "",
        "all_f": Joined((entry.title, entry.meta, " ".join(entry.symbol_parts), entry.body)),
        "all_x": Joined((entry.title, entry.meta, entry.body)),
        "title_f": entry.title, "title_x": entry.title, "bigrams": Joined((entry.title, entry.body)),
        "title_bigrams": entry.title, "who_bigrams": entry.who,
        "symbol_key": entry.symbol_key or None, "symbol_parts": " ".join(entry.symbol_parts) or None,
        "doc_type": entry.doc_type or None, "issuer": entry.issuer or None,
        "campaign": entry.campaign or None, "year": str(issued.year) if issued else None,
        "issued": int(issued.strftime("%Y%m%d")) if issued else 0,
    }
