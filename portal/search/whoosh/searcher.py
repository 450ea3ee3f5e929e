"""A Whoosh searcher (one index generation) answering core/protocol.Searcher.

Query trees of core/tree.py are ranked from bitsets and numpy where they are made of terms
(scoring.py, bitsets.py) and by Whoosh itself otherwise, translated to whoosh.query."""
from __future__ import annotations

from whoosh import collectors, sorting
from whoosh import query as wq

from portal.search.core.counting import Counts
from portal.search.core.tree import And, AndMaybe, Node, Or, Phrase, Term, plain
from portal.search.whoosh import counting, scoring
from portal.search.whoosh.bitsets import bit_index

FILTERS_KEPT = 64  # filters of one searcher kept as Whoosh's document sets


def to_whoosh(node: Node) -> wq.Query:
    """The Whoosh query of a tree."""
    if isinstance(node, Term):
        return wq.Term(node.fieldname, node.text, boost=node.boost)
    if isinstance(node, Phrase):
        return wq.Phrase(node.fieldname, list(node.words), boost=node.boost)
    if isinstance(node, AndMaybe):
        both = wq.AndMaybe(to_whoosh(node.a), to_whoosh(node.b))
        both.boost = node.boost
        return both
    if isinstance(node, (And, Or)):
        kind = wq.And if isinstance(node, And) else wq.Or
        return kind([to_whoosh(sub) for sub in node.subqueries], boost=node.boost)
    raise TypeError(f"query part not supported: {node!r}")


class _ExactTop(collectors.TopCollector):
    """Top N without Whoosh's score shortcuts: after the first segment it prunes matchers
    with a minimum score that AndMaybe misjudges, and drops better documents (seen: the top 2
    differed from the first 2 of the top 4)."""

    def _collect(self, global_docnum, score):
        result = super()._collect(global_docnum, score)
        self.minscore = 0
        return result


class WhooshSearcher:
    """core/protocol.Searcher over a whoosh.searching.Searcher."""

    def __init__(self, searcher):
        self.searcher = searcher
        # Kept with Whoosh's searcher, which serves every request of an index generation.
        self._filters: dict[Node, tuple] = searcher.__dict__.setdefault("_portal_filters", {})

    def doc_frequency(self, field: str, word: str) -> int:
        return self.searcher.doc_frequency(field, word)

    def _filter(self, flt: Node | None) -> tuple:
        """(Whoosh's document set of a filter, its bitset or None), once per searcher: Whoosh
        would otherwise walk the filter's postings again for every tier of every search."""
        if flt is None:
            return None, None
        found = self._filters.get(flt)
        if found is None:
            if len(self._filters) >= FILTERS_KEPT:
                self._filters.clear()
            found = self._filters[flt] = (self.searcher._filter_to_comb(to_whoosh(flt)),
                                          bit_index(self.searcher).of(flt))
        return found

    def top(self, query: Node, flt: Node | None, limit: int, newest_first: bool = False) -> list[tuple[int, float]]:
        comb, allowed = self._filter(flt)
        if not newest_first and (flt is None or allowed is not None):
            hits = scoring.top(self.searcher, query, allowed, limit)  # terms: from bitsets, at once
            if hits is not None:
                return [(hit.docnum, hit.score) for hit in hits]
        if newest_first:
            found = self.searcher.search(to_whoosh(query), filter=comb, limit=limit, terms=False,
                                         sortedby=sorting.FieldFacet("issued", reverse=True))
        elif plain(query):  # Term or And of Terms: Whoosh's block-quality skipping is exact here
            found = self.searcher.search(to_whoosh(query), filter=comb, limit=limit, terms=False)
        else:
            best = _ExactTop(limit=limit, usequality=False)
            collector = collectors.FilterCollector(best, allow=comb) if comb is not None else best
            self.searcher.search_with_collector(to_whoosh(query), collector)
            found = collector.results()
        return [(hit.docnum, float(hit.score or 0)) for hit in found]

    def count(self, query: Node | None, flt: Node | None, kind: str | None) -> Counts:
        return counting.count(self.searcher, query, flt, kind, to_whoosh)

    def any_match(self, query: Node) -> bool:
        """From bitsets where the query is made of terms (Whoosh's own walk visits every posting
        of common words that never meet: seconds at 20,000 documents)."""
        bits = bit_index(self.searcher).of(query)
        if bits is not None:
            return bits != 0
        return next(iter(self.searcher.docs_for_query(to_whoosh(query))), None) is not None

    def similar(self, word: str, limit: int, maxdist: int) -> list[str]:
        return list(self.searcher.corrector("all_f").suggest(word, limit=limit, maxdist=maxdist))

    def stored(self, docnums: list[int]) -> list[dict]:
        return [self.searcher.stored_fields(docnum) for docnum in docnums]
