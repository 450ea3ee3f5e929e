"""Sets of documents as Python ints, one bit per document (document 0 = the lowest bit): an And
is &, an Or is |, a count is int.bit_count(). Both backends keep their match sets this way."""
from __future__ import annotations

import numpy as np


def from_positions(positions: np.ndarray, size: int = 0) -> int:
    """The bitset of some positions (`size`: at least this many bits, the rest zero)."""
    if not len(positions):
        return 0
    marks = np.zeros(max(size, int(positions.max()) + 1), dtype=np.uint8)
    marks[positions] = 1
    return from_marks(marks)


def from_marks(marks: np.ndarray) -> int:
    """The bitset of an array of 0 and 1, one per document."""
    return int.from_bytes(np.packbits(marks, bitorder="little").tobytes(), "little")


def positions(bits: int) -> np.ndarray:
    """The set bits of a bitset, ascending."""
    if not bits:
        return np.zeros(0, dtype=np.int64)
    raw = np.frombuffer(bits.to_bytes((bits.bit_length() + 7) // 8, "little"), dtype=np.uint8)
    return np.flatnonzero(np.unpackbits(raw, bitorder="little")).astype(np.int64)
