"""All that this process keeps of the Whoosh backend, in one object (`STATE`): the open indexes,
the caches of decoded segments, and the threads and marks of the index lifecycle (backend.py).
Everything here is derived data that a restart rebuilds; tests may clear it."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field

from portal.search.core.cache import Recent

SEGMENT_BITS_BUDGET = 32 * 1024 * 1024  # bytes of term bitsets kept, by segment (bitsets.py)
POSTINGS_BUDGET = 64 * 1024 * 1024  # bytes of decoded postings and field lengths (postings.py)
OPEN_SHELVES = 16  # mapped postings files (shelf.py; a rebuild's old segments are let go in turn)


def _bits_size(bits: int) -> int:
    return 64 + bits.bit_length() // 8


@dataclass
class WhooshState:
    indexes: dict = field(default_factory=dict)  # folder -> SearchIndex
    segment_bits: Recent = field(default_factory=lambda: Recent(budget=SEGMENT_BITS_BUDGET, size=_bits_size))
    postings: Recent = field(default_factory=lambda: Recent(budget=POSTINGS_BUDGET, size=lambda a: a.nbytes))
    shelves: Recent = field(default_factory=lambda: Recent(items=OPEN_SHELVES))
    results: Recent = field(default_factory=lambda: Recent(items=1000))  # (request, generation, folder)
    building: dict[str, threading.Thread] = field(default_factory=dict)  # folder -> its background rebuild
    rebuilding: set[str] = field(default_factory=set)  # folders this process is rebuilding now
    syncing: dict[str, threading.Thread] = field(default_factory=dict)  # folder -> its background catch-up
    up_to_date: dict[str, str] = field(default_factory=dict)  # folder -> generation last seen held


STATE = WhooshState()
