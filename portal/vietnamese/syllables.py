"""Vietnamese syllables: NFC, lower case, each syllable with an exact key and a folded key.

- exact key: quality marks kept (â, ă, ê, ô, ơ, ư, đ), the tone moved to a trailing digit, so
  old and new tone placement agree: hoà and hòa -> "hoa2", thuỷ and thủy -> "thuy3".
- folded key: every mark removed and đ -> d: "hoa", "thuy", "dat".
- i and y after a single consonant or qu are one letter: quí/quý, kĩ/kỹ, lí/lý.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from itertools import accumulate

TONES = {"\u0301": "1", "\u0300": "2", "\u0309": "3", "\u0303": "4", "\u0323": "5"}
_SPLIT = re.compile(r"(\w+)")
_IY = re.compile(r"^(qu|[bdđhklmnstv])i$")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


@lru_cache(maxsize=200_000)
def keys(syllable: str) -> tuple[str, str]:
    """(exact, folded) keys of one lower-case NFC syllable."""
    decomposed = unicodedata.normalize("NFD", syllable)
    tone = ""
    kept = []
    for char in decomposed:
        if char in TONES:
            tone = TONES[char]
        else:
            kept.append(char)
    base = unicodedata.normalize("NFC", "".join(kept))
    base = _IY.sub(lambda m: m.group(1) + "y", base)
    folded = "".join(c for c in unicodedata.normalize("NFD", base.replace("đ", "d"))
                     if not unicodedata.combining(c))
    return base + tone, folded


def syllables(text: str) -> Iterator[tuple[str, str, int, int]]:
    """(exact, folded, start, end) for each syllable of NFC text, offsets into that text."""
    return iter(_syllables(text))


@lru_cache(maxsize=16)  # the same text feeds the folded, exact and bigram fields in a row
def _syllables(text: str) -> tuple[tuple[str, str, int, int], ...]:
    return tuple(_scan(text))


class Joined(str):
    """Parts of an entry joined by newlines, analysed part by part: a part that several fields
    share (an entry's body feeds three) is analysed once (`columns`)."""

    parts: tuple[str, ...]

    def __new__(cls, parts):
        parts = tuple(nfc(part) for part in parts)
        joined = super().__new__(cls, "\n".join(parts))
        joined.parts = parts
        return joined


def columns(value: str) -> tuple[list[str], list[str]]:
    """The exact keys and the folded keys of a text's syllables, in order (no offsets)."""
    if not isinstance(value, Joined):
        exact, folded = _columns(nfc(value))
        return list(exact), list(folded)
    exact: list[str] = []
    folded: list[str] = []
    for part in value.parts:
        more_exact, more_folded = _columns(part)
        exact += more_exact
        folded += more_folded
    return exact, folded


@lru_cache(maxsize=16)
def _columns(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    pairs = list(map(keys, spans(text)[0]))
    return tuple(e for e, _ in pairs), tuple(f for _, f in pairs)


def lowered(text: str) -> str:
    """Lower case with the offsets of `text` (a rare character that changes length is kept)."""
    low = text.lower()
    if len(low) != len(text):
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return low


def spans(text: str) -> tuple[list[str], list[int], list[int]]:
    """The lower-case syllables of a text and their start and end offsets, split in C (a regex
    match object per syllable cost more than the analysis)."""
    parts = _SPLIT.split(lowered(text))  # separator, syllable, separator, ..., separator
    bounds = list(accumulate(map(len, parts)))
    words = parts[1::2]
    return words, bounds[0::2][:len(words)], bounds[1::2]


def _scan(text: str) -> list[tuple[str, str, int, int]]:
    words, starts, ends = spans(text)
    found = zip(map(keys, words), starts, ends, strict=True)
    return [(exact, folded, start, end) for (exact, folded), start, end in found]


def folded_text(text: str) -> str:
    """The folded keys of a text joined by spaces (for symbol gluing and suggestions)."""
    return " ".join(f for _, f, _, _ in syllables(nfc(text)))


def symbol_key(text: str) -> str:
    """Alphanumerics of the folded text: `57/2018/QĐ-UBND` -> `572018qdubnd`."""
    return re.sub(r"[^0-9a-z]", "", folded_text(text).replace(" ", ""))
