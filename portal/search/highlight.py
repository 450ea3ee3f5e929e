"""What to mark in a result, honestly: plain text with highlight offsets, rendered by the page.

- A syllable typed with marks is marked where its exact form stands ("phóng" not "phòng"); one
  typed without marks wherever its folded form stands.
- In a query of several syllables only runs of them standing together as typed are marked, never
  a lone look-alike ("Phong" in "Phong trào" for "giai phong mat bang").
- A mark covers the syllables, never the space or punctuation around them.
"""
from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from . import abbreviations
from .analyzer import syllables

WINDOW = 36


@dataclass(frozen=True)
class Marker:
    exact: frozenset[str]  # exact keys of syllables typed with marks
    folded: frozenset[str]  # folded keys of syllables typed without
    pairs: frozenset[tuple[str, str]]  # folded adjacent pairs as typed
    shorts: frozenset[str]  # abbreviations whose expansion was typed (or which were typed)
    single: bool  # a one-syllable query: each match stands alone

    @classmethod
    def of(cls, parsed) -> Marker:
        words = [parsed.terms] + list(parsed.phrases)
        terms = [t for group in words for t in group]
        pairs = {(a, b) for group in words for (_, a), (_, b) in zip(group, group[1:], strict=False)}
        shorts = {short for short, expansions in abbreviations.table().items()
                  if any(all(p in pairs for p in zip(w, w[1:], strict=False)) for w in expansions)}
        return cls(exact=frozenset(e for e, f in terms if e != f), folded=frozenset(f for e, f in terms if e == f),
                   pairs=frozenset(pairs), shorts=frozenset(shorts), single=len(terms) == 1)

    def matches(self, exact: str, folded: str) -> bool:
        return exact in self.exact or folded in self.folded or folded in self.shorts

    def marked(self, tokens) -> list[bool]:
        hits = [self.matches(e, f) for e, f, _, _ in tokens]
        if self.single:
            return hits
        out = [folded in self.shorts for _, folded, _, _ in tokens]
        for i in range(len(tokens) - 1):
            if hits[i] and hits[i + 1] and (tokens[i][1], tokens[i + 1][1]) in self.pairs:
                out[i] = out[i + 1] = True
        return out


@dataclass(frozen=True)
class Highlighted:
    """Plain text and the (start, end) character offsets to mark in it."""

    text: str
    marks: tuple[tuple[int, int], ...] = ()

    def __html__(self) -> str:
        out, cursor = [], 0
        for start, end in self.marks:
            out.append(escape(self.text[cursor:start]))
            out.append(Markup("<mark>") + escape(self.text[start:end]) + Markup("</mark>"))
            cursor = end
        out.append(escape(self.text[cursor:]))
        return str(Markup("").join(out))

    def __bool__(self) -> bool:
        return bool(self.text)

    def __str__(self) -> str:
        return self.__html__()


def _runs(tokens, marked: list[bool], base: int) -> list[tuple[int, int]]:
    """Adjacent marked syllables become one mark spanning the text between them."""
    spans: list[tuple[int, int]] = []
    previous = False
    for (_, _, start, end), hit in zip(tokens, marked, strict=True):
        if hit and previous and spans:
            spans[-1] = (spans[-1][0], end - base)
        elif hit:
            spans.append((start - base, end - base))
        previous = hit
    return spans


def snippet(text: str, marker: Marker, window: int = WINDOW) -> Highlighted:
    """The stretch of `text` with the most marked syllables."""
    tokens = list(syllables(text))
    if not tokens:
        return Highlighted("")
    hits = marker.marked(tokens)
    best_start, best_score, score = 0, 0, 0
    for i in range(len(tokens)):
        score += hits[i]
        if i >= window:
            score -= hits[i - window]
        if score > best_score:
            best_start, best_score = max(0, i - window + 1), score
    end_index = min(len(tokens), best_start + window) - 1
    begin, finish = tokens[best_start][2], tokens[end_index][3]
    prefix = "… " if best_start > 0 else ""
    suffix = " …" if end_index < len(tokens) - 1 else ""
    part = tokens[best_start:end_index + 1]
    spans = _runs(part, hits[best_start:end_index + 1], begin - len(prefix))
    return Highlighted(prefix + text[begin:finish] + suffix, tuple(spans))


def mark(text: str, marker: Marker) -> Highlighted:
    """The whole (short) text with the query marked, e.g. a title."""
    tokens = list(syllables(text))
    return Highlighted(text, tuple(_runs(tokens, marker.marked(tokens), 0)))
