"""Match sets of a Whoosh searcher as bitsets: totals and facet counts without visiting matches.

A common syllable (văn, thị, mặt bằng) is in most of 100,000 honor-roll entries; counting its
matches one by one, and reading each one's facet columns, was most of a search's time. Here a
term's postings become a Python int with one bit per document (read block by block, once per
segment, kept across searchers within a byte budget); an And or Or of terms is a bitwise & or |, a count
is int.bit_count(), and a facet count is the match set & the bitset of that value. Totals and
facets are then exact, at the cost of a few microseconds per facet value.

Only Term, And and Or (nested) are expressed this way; anything else (a phrase) answers None and
the caller counts the slow way.
"""
from __future__ import annotations

import numpy as np

from portal.search.core.bitset import from_marks
from portal.search.core.tree import And, Node, Or, Term
from portal.search.whoosh.postings import postings, segment_name
from portal.search.whoosh.state import STATE


class BitIndex:
    """Bitsets over one searcher's documents (global document numbers). The term bitsets
    themselves are kept per segment (`_segment_bits`); here they are only shifted into place,
    which costs microseconds, so nothing is held twice."""

    def __init__(self, searcher):
        self.searcher = searcher
        self.leaves = [(leaf.reader(), offset) for leaf, offset in searcher.leaf_searchers()]
        self._values: dict[str, dict[str, int]] = {}

    # -- terms ------------------------------------------------------------------------------------
    def term(self, field: str, text: str) -> int:
        parts = [(_segment_bits(reader, field, text), offset) for reader, offset in self.leaves]  # 0: absent
        if len(parts) == 1 and parts[0][1] == 0:
            return parts[0][0]  # one segment (an index after a rebuild): its bitset as kept
        bits = 0
        for part, offset in parts:
            bits |= part << offset
        return bits

    def values(self, field: str) -> dict[str, int]:
        """Every value of an ID field (doc_type, year, kind, …) with its bitset."""
        found = self._values.get(field)
        if found is None:
            texts: set[str] = set()
            for reader, _ in self.leaves:
                if field in reader.schema:
                    texts.update(_text(t) for t in reader.lexicon(field))
            found = self._values[field] = {text: self.term(field, text) for text in sorted(texts)}
        return found

    # -- queries ----------------------------------------------------------------------------------
    def of(self, query: Node | None) -> int | None:
        """The bitset of a Term / And / Or tree; None when the tree holds anything else."""
        if isinstance(query, Term):
            return self.term(query.fieldname, query.text)
        if isinstance(query, (And, Or)):
            parts = [self.of(sub) for sub in query.subqueries]
            if any(p is None for p in parts):
                return None
            if not parts:
                return 0
            out = parts[0]
            for part in parts[1:]:
                out = out & part if isinstance(query, And) else out | part
            return out
        return None


def bit_index(searcher) -> BitIndex:
    """The BitIndex of a searcher (an index generation), made once."""
    found = searcher.__dict__.get("_portal_bits")
    if found is None:
        found = searcher.__dict__.setdefault("_portal_bits", BitIndex(searcher))
    return found


def _segment_bits(reader, field: str, text: str) -> int:
    """A term's bitset in one segment, kept across searchers: a segment never changes but for
    deletions (counted in the key), so a commit that adds a small segment leaves the bitsets of
    the large ones warm."""
    key = (segment_name(reader), reader.doc_count_all(), reader.doc_count(), field, text)
    found = STATE.segment_bits.get(key)
    if found is None:
        found = _leaf_bits(reader, field, text)
        STATE.segment_bits.put(key, found)
    return found


def _leaf_bits(reader, field: str, text: str) -> int:
    """The documents of one segment's posting list as a bitset (document 0 = lowest bit)."""
    count = reader.doc_count_all()
    if not count:
        return 0
    marks = np.zeros(count, dtype=np.uint8)
    marks[postings(reader, field, text).documents()] = 1
    deleted = getattr(reader, "deleted_docs_set", None)
    if deleted:  # postings still list them
        marks[np.fromiter(deleted, dtype=np.int64)] = 0
    return from_marks(marks)


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
