"""What to mark in a result, honestly: plain text with highlight offsets, rendered by the page.

- A syllable typed with marks is marked where its exact form stands ("phóng" not "phòng"); one
  typed without marks wherever its folded form stands.
- In a query of several syllables only runs of them standing together as typed are marked, never
  a lone look-alike ("Phong" in "Phong trào" for "giai phong mat bang").
- A mark covers the syllables, never the space or punctuation around them.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import compress, count

from markupsafe import Markup, escape

from portal.search.core import abbreviations
from portal.vietnamese.syllables import keys, spans

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

    # The syllables met so far (a page's texts share most of theirs) and those to mark.
    _seen: set[str] = field(default_factory=set, compare=False, repr=False)
    _hit: set[str] = field(default_factory=set, compare=False, repr=False)

    def marked(self, words: list[str]) -> list[int]:
        """The indexes of the syllables to mark among a text's lower-case syllables. Each
        distinct syllable is analysed once per query; the text itself is walked in C."""
        for word in set(words) - self._seen:
            self._seen.add(word)
            exact, folded = keys(word)
            if exact in self.exact or folded in self.folded or folded in self.shorts:
                self._hit.add(word)
        hits = list(compress(count(), map(self._hit.__contains__, words)))
        if self.single or not hits:
            return hits
        found = {i: keys(words[i])[1] for i in hits}
        out = {i for i, folded in found.items() if folded in self.shorts}
        for i in hits:
            if i + 1 in found and (found[i], found[i + 1]) in self.pairs:
                out.update((i, i + 1))
        return sorted(out)


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


def _runs(marked: list[int], starts: list[int], ends: list[int], base: int) -> list[tuple[int, int]]:
    """Adjacent marked syllables become one mark spanning the text between them."""
    out: list[tuple[int, int]] = []
    previous = -2
    for i in marked:
        if i == previous + 1 and out:
            out[-1] = (out[-1][0], ends[i] - base)
        else:
            out.append((starts[i] - base, ends[i] - base))
        previous = i
    return out


def snippet(text: str, marker: Marker, window: int = WINDOW) -> Highlighted:
    """The stretch of `window` syllables of `text` with the most marked ones (the first such)."""
    words, starts, ends = spans(text)
    if not words:
        return Highlighted("")
    marked = marker.marked(words)
    best_start, best_score = 0, 0
    for number, i in enumerate(marked):  # a window's count only grows where it takes in a mark
        score = number + 1 - bisect_right(marked, i - window)
        if score > best_score:
            best_start, best_score = max(0, i - window + 1), score
    end_index = min(len(words), best_start + window) - 1
    begin, finish = starts[best_start], ends[end_index]
    prefix = "… " if best_start > 0 else ""
    suffix = " …" if end_index < len(words) - 1 else ""
    shown = [i for i in marked if best_start <= i <= end_index]
    return Highlighted(prefix + text[begin:finish] + suffix, tuple(_runs(shown, starts, ends, begin - len(prefix))))


def mark(text: str, marker: Marker) -> Highlighted:
    """The whole (short) text with the query marked, e.g. a title."""
    words, starts, ends = spans(text)
    return Highlighted(text, tuple(_runs(marker.marked(words), starts, ends, 0)))
