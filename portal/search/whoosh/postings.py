"""A segment's posting lists and field lengths as numpy arrays, kept across searchers.

Scoring a common syllable one posting at a time through Whoosh's matchers cost about 5 µs per
match; with 100,000 honor-roll entries a cold search scored thousands of them. Here a term's
postings in one segment become two arrays (document numbers, weights) read block by block
once, and a field's lengths one array per segment, so scoring.py computes BM25 for every
candidate at once. A segment never changes but for deletions, which the match sets already
exclude, so the arrays stay valid for as long as the segment exists; a byte budget bounds them.
"""
from __future__ import annotations

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.util.numeric import byte_to_length

from portal.search.whoosh import fork
from portal.search.whoosh.shelf import shelf_of
from portal.search.whoosh.state import STATE

fork.check()  # the fast paths below were written against this Whoosh

DENSE = 8  # a term in more than 1/DENSE of a segment's documents is kept as one weight per document
_LENGTH_OF_BYTE = np.array([byte_to_length(b) or 0 for b in range(256)], dtype=np.float64)
_EMPTY = (np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32))



def segment_name(reader):
    """A name for a segment that outlives its readers (an id of the reader otherwise)."""
    segment = reader.segment() if hasattr(reader, "segment") else None
    return segment.segment_id() if segment is not None and hasattr(segment, "segment_id") else id(reader)


def _remember(key: tuple, make):
    found = STATE.postings.get(key)
    if found is None:
        found = make()
        STATE.postings.put(key, found)
    return found


class Postings:
    """A term's postings in one segment: sorted (document, weight) arrays, or, for a term in
    more than one document in DENSE, a weight per document (0: absent), smaller and faster."""

    __slots__ = ("ids", "weights", "dense", "nbytes")

    def __init__(self, ids: np.ndarray, weights: np.ndarray, count: int):
        self.dense = None
        if count and len(ids) * DENSE > count:
            small = weights.max(initial=0) < 256 and bool(np.all(weights == np.rint(weights)))
            self.dense = np.zeros(count, dtype=np.uint8 if small else np.float32)
            self.dense[ids] = weights
            ids = weights = _EMPTY[0][:0]
        self.ids, self.weights = ids, weights
        self.nbytes = ids.nbytes + weights.nbytes + (self.dense.nbytes if self.dense is not None else 0)

    @classmethod
    def stored(cls, arrays: list[np.ndarray]) -> Postings:
        """Postings from the arrays a segment's postings file holds ([dense] or [ids, weights]),
        used in place: the mapping is shared with every process, so it counts as nothing."""
        made = cls.__new__(cls)
        if len(arrays) == 1:
            made.dense, made.ids, made.weights = arrays[0], _EMPTY[0][:0], _EMPTY[0][:0]
        else:
            made.dense, (made.ids, made.weights) = None, arrays
        made.nbytes = 64
        return made

    def __len__(self) -> int:
        return len(self.ids) if self.dense is None else int(np.count_nonzero(self.dense))

    def documents(self) -> np.ndarray:
        return self.ids if self.dense is None else np.flatnonzero(self.dense)

    def at(self, local: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For ascending document numbers: which hold the term, and its weight in those."""
        if self.dense is not None:
            weights = self.dense[local]
            found = weights > 0
            return found, weights[found].astype(np.float64)
        if not len(self.ids):
            return np.zeros(len(local), dtype=bool), np.zeros(0, dtype=np.float64)
        at = np.minimum(np.searchsorted(self.ids, local), len(self.ids) - 1)
        found = self.ids[at] == local
        return found, self.weights[at[found]].astype(np.float64)  # Whoosh computes in double


def postings(reader, field: str, text: str) -> Postings:
    """A term's postings in one segment (deleted documents included: callers keep only their
    match set). A term the segment lacks is kept too, as empty postings: asking the segment's
    term table (an md5 and a hash probe) cost more than the rest for a question's forty terms."""
    count = reader.doc_count_all()
    return _remember(("p", segment_name(reader), count, field, text), lambda: _made(reader, field, text, count))


def _made(reader, field: str, text: str, count: int) -> Postings:
    kept = shelf_of(reader)
    arrays = kept.arrays(field, text) if kept is not None else None
    if arrays is not None:
        return Postings.stored(arrays)
    if (field, text) not in reader:
        empty = Postings(*_EMPTY, 0)
        empty.nbytes = 64  # counted against the budget, so that many absent terms are dropped in turn
        return empty
    return Postings(*_read_postings(reader.postings(field, text)), count)


def _read_postings(matcher) -> tuple[np.ndarray, np.ndarray]:
    child = getattr(matcher, "child", None)
    raw = child if child is not None and hasattr(child, "_read_data") else matcher
    if not (hasattr(raw, "_read_data") and hasattr(raw, "_next_block") and not raw._byteids):
        ids, weights = [], []  # another postings format (or a short list kept in the term info)
        if type(raw).__name__ != "ListMatcher":
            fork.fell_back("postings")
        while raw.is_active():
            ids.append(raw.id())
            weights.append(raw.weight())
            raw.next()
        return np.array(ids, dtype=np.int32), np.array(weights, dtype=np.float32)
    id_blocks, weight_blocks = [], []
    while raw.is_active():  # Whoosh's own format: a block of (delta-coded ids, weights) at a time
        raw._read_data()
        deltas, weights = raw._data[0], raw._data[1]
        id_blocks.append(np.cumsum(np.asarray(deltas, dtype=np.int64)))
        if weights is None or isinstance(weights, float):
            weight_blocks.append(np.full(len(deltas), 1.0 if weights is None else weights, dtype=np.float32))
        else:
            weight_blocks.append(np.asarray(weights, dtype=np.float32))
        raw._next_block()
    if not id_blocks:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
    return np.concatenate(id_blocks).astype(np.int32), np.concatenate(weight_blocks)


def lengths(reader, field: str) -> np.ndarray:
    """Each document's length of `field` in one segment, as Whoosh's scorers read it."""
    return _remember(("l", segment_name(reader), reader.doc_count_all(), field),
                     lambda: _read_lengths(reader, field))


def _read_lengths(reader, field: str) -> np.ndarray:
    count = reader.doc_count_all()
    perdoc = getattr(reader, "_perdoc", None)
    column = None
    if perdoc is not None and hasattr(perdoc, "_cached_reader"):
        column = perdoc._cached_reader(f"_{field}_len", LENGTHS_COLUMN)
    if column is not None and getattr(column, "_fixedlen", None) == 1 and hasattr(column, "_dbfile"):
        raw = bytes(column._dbfile.get(column._basepos, column._count))  # one byte per document
        codes = np.zeros(count, dtype=np.uint8)
        codes[:len(raw)] = np.frombuffer(raw, dtype=np.uint8)[:count]
        return _LENGTH_OF_BYTE[codes]
    fork.fell_back("lengths")
    return np.array([reader.doc_field_length(d, field, 1) or 0 for d in range(count)], dtype=np.float64)
