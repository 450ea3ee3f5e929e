"""Snippets around the match, highlighted on the original text with its diacritics."""
from __future__ import annotations

from markupsafe import Markup, escape

from .analyzer import syllables

WINDOW = 36


def snippet(text: str, folded_words: set[str], window: int = WINDOW) -> Markup:
    """The stretch of `text` with the most query syllables (adjacent ones count double)."""
    tokens = list(syllables(text))
    if not tokens:
        return Markup("")
    hits = [f in folded_words for _, f, _, _ in tokens]
    best_start, best_score = 0, -1
    score = 0
    for i in range(len(tokens)):
        score += hits[i] + (hits[i] and i > 0 and hits[i - 1])
        if i >= window:
            j = i - window
            score -= hits[j] + (hits[j] and j > 0 and hits[j - 1])
        start = max(0, i - window + 1)
        if score > best_score:
            best_start, best_score = start, score
    if best_score <= 0:
        best_start = 0
    end_index = min(len(tokens), best_start + window) - 1
    begin, finish = tokens[best_start][2], tokens[end_index][3]
    out = [Markup("… ") if best_start > 0 else Markup("")]
    cursor = begin
    for (_, _folded, start, end), hit in zip(tokens[best_start:end_index + 1],
                                             hits[best_start:end_index + 1], strict=True):
        if hit:
            out.append(escape(text[cursor:start]))
            out.append(Markup("<mark>") + escape(text[start:end]) + Markup("</mark>"))
            cursor = end
    out.append(escape(text[cursor:finish]))
    if end_index < len(tokens) - 1:
        out.append(Markup(" …"))
    return Markup("").join(out)


def mark(text: str, folded_words: set[str]) -> Markup:
    """The whole (short) text with query syllables marked, e.g. a title."""
    out, cursor = [], 0
    for _, folded, start, end in syllables(text):
        if folded in folded_words:
            out.append(escape(text[cursor:start]))
            out.append(Markup("<mark>") + escape(text[start:end]) + Markup("</mark>"))
            cursor = end
    out.append(escape(text[cursor:]))
    return Markup("").join(out)
