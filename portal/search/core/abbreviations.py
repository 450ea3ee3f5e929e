"""Abbreviations of Vietnamese administration (GPMB, UBND, TĐKT, …) as data.

The index adds, at the end of an entry's folded text, the expansion of every abbreviation it
contains and the abbreviation of every expansion, so "GPMB" finds "giải phóng mặt bằng" and the
other way round, with phrases inside the text left as they were.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from portal.vietnamese.syllables import folded_text

SOURCE = Path(__file__).with_name("abbreviations.txt")


@lru_cache(maxsize=1)
def table() -> dict[str, list[tuple[str, ...]]]:
    """Folded abbreviation -> its folded expansions (syllable tuples)."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for line in SOURCE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or ":" not in line:
            continue
        short, _, long = line.partition(":")
        key = folded_text(short).replace(" ", "")
        for expansion in long.split(";"):
            words = tuple(folded_text(expansion).split())
            if key and len(words) > 1:
                out.setdefault(key, []).append(words)
    return out


@lru_cache(maxsize=1)
def _by_first_word() -> dict[str, list[tuple[tuple[str, ...], str]]]:
    index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for short, expansions in table().items():
        for words in expansions:
            index.setdefault(words[0], []).append((words, short))
    return index


def version() -> str:
    """Part of the index's schema version: a changed table means a rebuild."""
    return hashlib.sha256(SOURCE.read_bytes()).hexdigest()[:8]


def related(folded: list[str]) -> list[str]:
    """Folded syllables to add for a text whose folded syllables are `folded`: expansions of the
    abbreviations present, abbreviations of the expansions present, each once."""
    shorts, starts = table(), _by_first_word()
    extra: list[str] = []
    seen: set[str] = set()
    for position, word in enumerate(folded):
        for words in shorts.get(word, ()):
            if word not in seen:
                seen.add(word)
                extra.extend(words)
        for words, short in starts.get(word, ()):
            if short not in seen and tuple(folded[position:position + len(words)]) == words:
                seen.add(short)
                extra.append(short)
    return extra


def expansions_of(folded_word: str) -> list[tuple[str, ...]]:
    return table().get(folded_word, [])
