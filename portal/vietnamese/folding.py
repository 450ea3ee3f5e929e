"""Folding: the one key under which Vietnamese text is matched, everywhere.

`fold` gives each syllable the folded key of `syllables.keys` (marks removed, đ -> d, i and y
after a single consonant or qu made one letter), so the honor roll, the registry, places and
search agree: "Lí Thị Hoà", "Lý Thị Hòa" and "ly thi hoa" are one name. `transliterate` only
strips the marks (letters kept) for codes and addresses: symbols, slugs."""
from __future__ import annotations

import re
import unicodedata

from portal.vietnamese.syllables import keys, lowered, nfc

_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Lower case, NFC, every syllable replaced by its folded key; other characters kept."""
    return _WORD.sub(lambda m: keys(m.group(0))[1], lowered(nfc(text or "")))


def transliterate(text: str) -> str:
    """Lower case with every diacritic removed and đ mapped to d (letters otherwise kept)."""
    text = unicodedata.normalize("NFD", (text or "").lower().replace("đ", "d").replace("Đ", "d"))
    return "".join(c for c in text if not unicodedata.combining(c))


def slug(text: str) -> str:
    """An address part: transliterated, runs of anything but letters and digits as one hyphen."""
    return re.sub(r"[^0-9a-z]+", "-", transliterate(text)).strip("-")
