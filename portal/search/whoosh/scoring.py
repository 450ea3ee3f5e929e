"""Top hits of a query of terms, scored all at once on its match set (known from bitsets).

Whoosh scores a match at a time through its matchers (about 5 µs each); an And of common terms
(văn, thị, mặt bằng over 100,000 honor-roll entries) or a question's Or of twenty words visits
thousands. Here the match set comes from bitsets.py, each term's postings and the field lengths
are numpy arrays kept per segment (postings.py), and BM25F is computed for every candidate at
once with Whoosh's own formula, statistics (idf, average field length over the whole index) and
boosts: an And scores the sum of its terms, an Or the sum of those that match, an AndMaybe adds
the optional terms that match. The hits and their order are those Whoosh returns.

Supported: a Term, an And or Or of Terms, and AndMaybe(Term or And of Terms, Term or Or of
Terms), under Whoosh's BM25F weighting. Other queries answer None: Whoosh searches them itself.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from whoosh.scoring import BM25F

from portal.search.core.bitset import positions
from portal.search.core.tree import And, AndMaybe, Node, Or, Term
from portal.search.whoosh.bitsets import bit_index
from portal.search.whoosh.postings import lengths, postings


@dataclass(frozen=True)
class ScoredHit:
    docnum: int
    score: float


def _terms(query) -> list | None:
    if isinstance(query, Term):
        return [query]
    if isinstance(query, (And, Or)) and all(isinstance(s, Term) for s in query.subqueries):
        return list(query.subqueries)
    return None


def _parts(query):
    """(the query whose matches count, every term that scores) of a supported query, else None."""
    if isinstance(query, (Term, And, Or)):
        terms = _terms(query)
        return (query, terms) if terms else None
    if isinstance(query, AndMaybe):
        must, maybe = query.a, query.b
        if isinstance(must, Or) or isinstance(maybe, And):
            return None
        must_terms, maybe_terms = _terms(must), _terms(maybe)
        if must_terms and maybe_terms is not None:
            return must, must_terms + maybe_terms
    return None


def top(searcher, query: Node, allowed: int | None, limit: int) -> list[ScoredHit] | None:
    """The best `limit` hits of `query` among the documents `allowed` (a bitset; None: all),
    best first, ties by document number; None when this query is left to Whoosh."""
    parts = _parts(query)
    weighting = getattr(searcher, "weighting", None)
    if parts is None or limit <= 0 or type(weighting) is not BM25F:
        return None
    matching, terms = parts
    matches = bit_index(searcher).of(matching)
    if matches is None:
        return None
    if allowed is not None:
        matches &= allowed
    if not matches:
        return []
    candidates = positions(matches)
    scores = np.zeros(len(candidates), dtype=np.float64)
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        lo, hi = np.searchsorted(candidates, [offset, offset + reader.doc_count_all()])
        if lo == hi:
            continue
        local = candidates[lo:hi] - offset
        part = scores[lo:hi]
        for term in terms:
            _add_scores(searcher, weighting, reader, term, local, part)
    return _best(candidates, scores, limit)


def _add_scores(searcher, weighting: BM25F, reader, term, local: np.ndarray, scores: np.ndarray) -> None:
    """Add the term's score to `scores` at each of the `local` documents that it matches."""
    field, text = term.fieldname, term.text
    found, tf = postings(reader, field, text).at(local)
    if not len(tf):
        return
    if searcher.schema[field].scorable:  # Whoosh's bm25(), the same operations in the same order
        idf = searcher.idf(field, text)
        avgfl = searcher.avg_field_length(field) or 1
        b, k1 = weighting._field_B.get(field, weighting.B), weighting.K1
        fl = lengths(reader, field)[local[found]]
        value = idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * fl / avgfl)))
    else:  # Whoosh's WeightScorer: the weight itself
        value = tf
    if term.boost != 1.0:
        value = value * term.boost
    scores[found] += value


def _best(candidates: np.ndarray, scores: np.ndarray, limit: int) -> list[ScoredHit]:
    """The `limit` best, ties by document number (all ties at the cut are looked at)."""
    if len(scores) > limit:
        cut = np.partition(scores, len(scores) - limit)[len(scores) - limit]
        keep = np.flatnonzero(scores >= cut)
    else:
        keep = np.arange(len(scores))
    order = keep[np.lexsort((candidates[keep], -scores[keep]))][:limit]
    return [ScoredHit(int(candidates[i]), float(scores[i])) for i in order]
