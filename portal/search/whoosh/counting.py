"""Totals and facet counts of a search on a Whoosh index, bounded in work.

A common syllable (văn, thị) matches most of 100,000 honor-roll entries; visiting every match to
count it made the search page crawl. Terms, conjunctions and disjunctions are counted exactly on
bitsets (bitsets.py). What they cannot express (a quoted phrase) is counted on at most SAMPLE
matches: since Whoosh yields matches in document order, the share of the index already passed
estimates the rest, and the page says "khoảng N" for such a total.
"""
from __future__ import annotations

from itertools import islice

from portal.search.core.counting import FACETS, Counts, restricted, tally
from portal.search.core.tree import Node
from portal.search.whoosh.bitsets import bit_index

SAMPLE = 5000


def count(searcher, query: Node | None, flt: Node | None, kind: str | None, to_whoosh) -> Counts:
    """Matches per kind (documents, honor-roll entries), and the total and facet counts of the
    kind asked for (or of all): exact on bitsets, or from at most SAMPLE matches scaled to the
    whole index when the query holds a phrase."""
    out = Counts(facets={name: {} for name in FACETS})
    if _count_bits(searcher, query, flt, kind, out):
        return out
    query = restricted(query, flt)
    if query is None:
        return out
    docnums = list(islice(searcher.docs_for_query(to_whoosh(query)), SAMPLE + 1))
    scale = 1.0
    if len(docnums) > SAMPLE:
        docnums = docnums[:SAMPLE]
        passed = (docnums[-1] + 1) / max(searcher.doc_count_all(), 1)
        scale, out.approximate = 1.0 / max(passed, 1e-9), True
    raw_kinds: dict[str, int] = {}
    raw_facets: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        local = [d - offset for d in docnums if offset <= d < offset + reader.doc_count_all()]
        if not local:
            continue
        # Whoosh's multi-segment column reader fails on segments that lack a column: read each.
        kinds = reader.column_reader("kind") if reader.has_column("kind") else None
        columns = {name: reader.column_reader(name) for name in FACETS if reader.has_column(name)}
        for docnum in local:
            entry_kind = _text(kinds[docnum]) if kinds is not None else ""
            raw_kinds[entry_kind] = raw_kinds.get(entry_kind, 0) + 1
            if kind and entry_kind != kind:
                continue
            for name, column in columns.items():
                value = _text(column[docnum])
                if value:
                    tally = raw_facets[name]
                    tally[value] = tally.get(value, 0) + 1
    out.kinds = {k: round(n * scale) for k, n in raw_kinds.items() if k}
    out.facets = {name: {v: round(n * scale) for v, n in tally.items()} for name, tally in raw_facets.items()}
    out.total = out.kinds.get(kind, 0) if kind else sum(out.kinds.values())
    return out


def _count_bits(searcher, query, flt, kind: str | None, out: Counts) -> bool:
    """Exact counts on bitsets into `out`; False when the query cannot be expressed as bitsets."""
    if query is None:
        return True
    bits = bit_index(searcher)
    matches = bits.of(query)
    allowed = bits.of(flt) if flt is not None else None
    if matches is None or (flt is not None and allowed is None):
        return False
    if allowed is not None:
        matches &= allowed
    tally(matches, bits.values, kind, out)
    return True


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else (value or "")
