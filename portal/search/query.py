"""Turn what a person typed into a Whoosh query; never a syntax error, whatever the input.

Every folded syllable is required; an exact (accented) form, adjacent syllables (bigrams)
and a whole symbol add to the score, so "phóng" ranks above "phòng", words that stand together
rank above scattered ones, and `174 kh ubnd` finds 174/KH-UBND first.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from whoosh import query as q

from .analyzer import nfc, symbol_key, syllables

MAX_QUERY_CHARS = 300
MAX_TERMS = 16
_SYMBOL_LIKE = re.compile(r"\d+\s*/\s*(?:\d{4}\s*/\s*)?[^\W\d_]\w*(?:\s*-\s*[^\W_]\w*)*")


@dataclass
class ParsedQuery:
    text: str
    terms: list[tuple[str, str]] = field(default_factory=list)  # (exact, folded)
    phrases: list[list[tuple[str, str]]] = field(default_factory=list)
    symbol_keys: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.terms and not self.phrases and not self.symbol_keys

    @property
    def folded(self) -> set[str]:
        words = {f for _, f in self.terms}
        for phrase in self.phrases:
            words.update(f for _, f in phrase)
        return words


def _pairs(text: str) -> list[tuple[str, str]]:
    return [(e, f) for e, f, _, _ in syllables(text)]


def _symbol_candidates(text: str, terms: list[tuple[str, str]]) -> list[str]:
    candidates = [symbol_key(m.group()) for m in _SYMBOL_LIKE.finditer(text)]
    folded = [f for _, f in terms]
    if 1 <= len(folded) <= 6 and any(c.isdigit() for c in folded[0]):
        candidates.append("".join(folded))  # "174KHUBND", "174 kh-ubnd"
    # "174 kh ubnd", "57 2018 qd ubnd": a number followed by a few codes, glued back together.
    for start, word in enumerate(folded):
        if word.isdigit():
            for end in range(start + 2, min(len(folded), start + 6) + 1):
                candidates.append("".join(folded[start:end]))
    return list(dict.fromkeys(c for c in candidates if c and not c.isdigit()))


def parse(raw: str) -> ParsedQuery:
    """Clean and split a query: quoted phrases, syllables and symbol candidates."""
    text = " ".join(nfc(raw or "")[:MAX_QUERY_CHARS].split())
    parsed = ParsedQuery(text=text)
    for phrase in re.findall(r'"([^"]+)"', text):
        words = _pairs(phrase)
        if len(words) > 1:
            parsed.phrases.append(words[:MAX_TERMS])
        else:
            parsed.terms.extend(words)
    rest = re.sub(r'"[^"]+"', " ", text).replace('"', " ")
    parsed.terms.extend(_pairs(rest))
    parsed.terms = list(dict.fromkeys(parsed.terms))[:MAX_TERMS]
    parsed.symbol_keys = _symbol_candidates(text, _pairs(text))
    return parsed


def _term_clause(folded: str) -> q.Query:
    return q.Or([q.Term("title_f", folded, boost=3.0), q.Term("body_f", folded),
                 q.Term("meta_f", folded, boost=1.5), q.Term("symbol_parts", folded, boost=2.0)])


def _phrase_clause(words: list[tuple[str, str]]) -> q.Query:
    folded = [f for _, f in words]
    return q.Or([q.Phrase("title_f", folded, boost=3.0), q.Phrase("body_f", folded)])


def _boosts(parsed: ParsedQuery) -> list[q.Query]:
    boosts: list[q.Query] = []
    for exact, folded in parsed.terms:
        if exact != folded:  # typed with diacritics: exact forms rank first
            boosts += [q.Term("title_x", exact, boost=4.0), q.Term("body_x", exact, boost=1.5)]
    folded_terms = [f for _, f in parsed.terms]
    if len(folded_terms) > 1:  # the whole query standing in a title ranks highest
        boosts.append(q.Phrase("title_f", folded_terms, boost=6.0))
    sequences = [parsed.terms] + parsed.phrases
    for words in sequences:
        for (_, a), (_, b) in zip(words, words[1:], strict=False):
            boosts.append(q.Term("bigrams", f"{a}_{b}", boost=3.0))
    return boosts


def build(parsed: ParsedQuery, known_symbols: list[str], loose: bool = False) -> q.Query | None:
    """The Whoosh query; `loose` accepts documents with any syllable (the fallback)."""
    clauses = [_term_clause(f) for _, f in parsed.terms] + [_phrase_clause(p) for p in parsed.phrases]
    symbol_hits = [q.Term("symbol_key", key, boost=1000.0) for key in known_symbols]
    if not clauses:
        return q.Or(symbol_hits) if symbol_hits else None
    required = q.Or(clauses) if loose else (clauses[0] if len(clauses) == 1 else q.And(clauses))
    boosts = _boosts(parsed)
    main = q.AndMaybe(required, q.Or(boosts)) if boosts else required
    return q.Or(symbol_hits + [main]) if symbol_hits else main


def filters(values: dict[str, str | None]) -> q.Query | None:
    """An And of exact-value filters (type, year, issuer, campaign, kind)."""
    terms = [q.Term(name, value) for name, value in values.items() if value]
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else q.And(terms)
