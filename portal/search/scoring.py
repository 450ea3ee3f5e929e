"""Top hits of a conjunction scored only where it matches, its match set known from bitsets.

Whoosh finds the documents of an And of common terms by leapfrogging their posting lists: the
work grows with the rarest term's postings (thousands of honor-roll entries share văn, thị, mặt
bằng), however few documents hold every term. With the match set known beforehand (bitsets.py),
each term's scoring matcher only visits those documents, in order. The scores are Whoosh's own
(the same term matchers, weighting and boosts: an And scores the sum of its terms, an AndMaybe
adds the optional terms that match), so the hits and their order are those Whoosh returns.

Supported: And of Terms, and AndMaybe(And of Terms or one Term, Term or Or of Terms). Other
queries, or a match set over MAX_SCORED documents, answer None: Whoosh searches them itself.
"""
from __future__ import annotations

import heapq
from bisect import bisect_left
from dataclasses import dataclass

from whoosh import query as q

from .bitsets import bit_index

MAX_SCORED = 20_000


@dataclass(frozen=True)
class ScoredHit:
    docnum: int
    score: float


def _terms(query) -> list | None:
    if isinstance(query, q.Term):
        return [query]
    if isinstance(query, (q.And, q.Or)) and all(isinstance(s, q.Term) for s in query.subqueries):
        return list(query.subqueries)
    return None


def _parts(query):
    """(required terms, optional terms) of a supported query, else None."""
    if isinstance(query, q.And):
        must = _terms(query)
        return (must, []) if must else None
    if isinstance(query, q.AndMaybe):
        must, maybe = query.a, query.b
        if isinstance(must, q.Or):
            return None
        must_terms, maybe_terms = _terms(must), _terms(maybe)
        if must_terms and maybe_terms is not None and not isinstance(maybe, q.And):
            return must_terms, maybe_terms
    return None


def top(searcher, query, allowed: int | None, limit: int) -> list[ScoredHit] | None:
    """The best `limit` hits of `query` among the documents `allowed` (a bitset; None: all),
    best first, ties by document number; None when this query is left to Whoosh."""
    parts = _parts(query)
    if parts is None or limit <= 0:
        return None
    must, maybe = parts
    bits = bit_index(searcher)
    matches = bits.of(q.And(must)) if len(must) > 1 else bits.of(must[0])
    if allowed is not None:
        matches &= allowed
    size = matches.bit_count()
    if size == 0:
        return []
    if size > MAX_SCORED:
        return None
    docs = _ones(matches)
    scores = [0.0] * len(docs)
    start = 0
    for leaf, offset in searcher.leaf_searchers():
        end = start
        stop = offset + leaf.doc_count_all()
        while end < len(docs) and docs[end] < stop:
            end += 1
        if end > start:
            for term in must + maybe:
                _add_scores(leaf, term, docs, scores, start, end, offset)
        start = end
    best = heapq.nsmallest(limit, range(len(docs)), key=lambda i: (-scores[i], docs[i]))
    return [ScoredHit(docs[i], scores[i]) for i in best]


def _add_scores(leaf, term, docs, scores, start: int, end: int, offset: int) -> None:
    """Add the term's score at each of docs[start:end] (global numbers) that it matches."""
    matcher = term.matcher(leaf)  # Whoosh's own: weighting, field and query boosts
    raw, boost = _unwrap(matcher)
    if raw is None:  # not Whoosh's own postings format: the matcher's generic moves
        raw, boost, jump = matcher, 1.0, _generic_jump
    else:
        jump = _block_jump
    for i in range(start, end):
        local = docs[i] - offset
        if not jump(raw, local):
            return
        if raw.id() == local:
            scores[i] += raw.score() * boost


def _unwrap(matcher):
    """The block matcher under a term's wrappers (a boost, the deleted documents: these come
    from bitsets that exclude them), with the product of the boosts; (None, 1) otherwise."""
    boost = 1.0
    while not hasattr(matcher, "_read_ids"):
        child = getattr(matcher, "child", None)
        if child is None:
            return None, 1.0
        boost *= getattr(matcher, "boost", 1.0)
        matcher = child
    return (matcher, boost) if hasattr(matcher, "_skip_to_block") else (None, 1.0)


def _generic_jump(matcher, target: int) -> bool:
    if not matcher.is_active():
        return False
    if matcher.id() < target:
        matcher.skip_to(target)
    return matcher.is_active()


def _block_jump(raw, target: int) -> bool:
    """Move to the first posting at or after `target`: whole blocks skipped by their last id,
    then a binary search in the block (Whoosh steps through a block one id at a time)."""
    if not raw.is_active():
        return False
    if raw.block_max_id() < target:
        raw._skip_to_block(lambda: raw.block_max_id() < target)
        if not raw.is_active():
            return False
    if raw._ids is None:
        raw._read_ids()
    raw._i = max(raw._i, bisect_left(raw._ids, target))
    return True


def _ones(bits: int) -> list[int]:
    """The positions of the set bits, ascending."""
    text = format(bits, "b")[::-1]
    out = []
    at = text.find("1")
    while at != -1:
        out.append(at)
        at = text.find("1", at + 1)
    return out
