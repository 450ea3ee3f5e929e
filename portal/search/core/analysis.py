"""How an entry's text becomes index keys, whatever keeps the index: one key per syllable
(folded or exact), or folded syllable bigrams; with `expand`, the text's related
abbreviations and expansions follow it (abbreviations.py). FIELDS says which analysis each
analysed field gets; fields_of() gives the values of one entry."""
from __future__ import annotations

from portal.search.core.abbreviations import related
from portal.vietnamese.syllables import Joined, columns, nfc, syllables

FOLDED, EXACT, BIGRAM = "folded", "exact", "bigram"


class Keys:
    """The keys of one analysis (a mode, with or without expansions)."""

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


# The analysed fields: the folded text with positions (phrases), the exact forms, the pairs of
# syllables standing together, each of the whole entry and of its title apart.
FIELDS = {
    "all_f": Keys(FOLDED, expand=True), "title_f": Keys(FOLDED), "title_x": Keys(EXACT), "all_x": Keys(EXACT),
    "bigrams": Keys(BIGRAM, expand=True), "title_bigrams": Keys(BIGRAM), "who_bigrams": Keys(BIGRAM),
}
POSITIONED = ("all_f",)


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
