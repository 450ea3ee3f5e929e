"""Vietnamese collation: the alphabet a ă â b c d đ e ê ... y, then tones, then case.

Order of tones as in Vietnamese dictionaries: ngang, huyền, hỏi, ngã, sắc, nặng. Keys are
strings of hexadecimal digits so that any database orders them as Python does (byte order).
People are sorted by given name, then middle name, then family name, as Vietnamese lists are.
"""
from __future__ import annotations

import unicodedata

ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_PRIMARY = {" ": 1, **{str(d): 2 + d for d in range(10)},
            **{letter: 12 + i for i, letter in enumerate(ALPHABET)}}
_HOUSEHOLD = ("hộ ông ", "hộ bà ", "hộ gia đình ông ", "hộ gia đình bà ", "hộ ")


def _split(char: str) -> tuple[str, int, int]:
    """(base letter with its quality mark, tone, is_upper) of one character."""
    decomposed = unicodedata.normalize("NFD", char)
    tone = next((TONES[c] for c in decomposed if c in TONES), 0)
    base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONES))
    return base.lower(), tone, int(base != base.lower())


def key(text: str) -> str:
    """Collation key of a text (primary letters, then tones, then case)."""
    primary, secondary, tertiary = [], [], []
    for char in unicodedata.normalize("NFC", " ".join((text or "").split())):
        base, tone, upper = _split(char)
        weight = _PRIMARY.get(base)
        if weight is None:
            if not base.isalnum():
                continue  # punctuation is ignored
            weight = 0xFF
        primary.append(f"{weight:02X}")
        secondary.append(str(tone))
        tertiary.append(str(upper))
    return "".join(primary) + "00" + "".join(secondary) + "0" + "".join(tertiary)


def person_key(full_name: str) -> str:
    """Given name first, then middle names, then family name: "Nguyễn Văn An" by "An"."""
    name = " ".join((full_name or "").split())
    lowered = name.lower()
    for prefix in _HOUSEHOLD:
        if lowered.startswith(prefix):
            name = name[len(prefix):]
            break
    parts = name.split(" ")
    ordered = [parts[-1]] + parts[1:-1] + [parts[0]] if len(parts) > 1 else parts
    return "01".join(key(p).split("00")[0] for p in ordered) + "00" + key(" ".join(ordered))


def sort_key(full_name: str, kind: str) -> str:
    """The key an honor-roll entry sorts by: people by given name, collectives as written."""
    return person_key(full_name) if kind in ("ca-nhan", "ho-gia-dinh") else key(full_name)
