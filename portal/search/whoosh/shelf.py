"""A segment's common terms' postings, decoded, in a file beside the segment.

A process that just started reads each term's postings through Whoosh: blocks of 128 postings,
each zlib-compressed and pickled. For a syllable in most of 100,000 honor-roll entries that is
hundreds of blocks, about 0.4 µs a posting; the first hundred cold searches of a new worker spent
60% of their time there. So the writer (runs.py), which holds every term's postings as lists
anyway, also writes the postings of each term in SHARED_FROM documents or more as raw arrays, in
exactly the form postings.Postings keeps them, to `<segment>.arrays`. Readers map that file and
use its arrays in place: no decoding, and one copy in the page cache for every worker.

Whoosh names the file as its own (the segment's name, an extension): it is deleted with the
segment. It is only ever an accelerator: a segment without one (written by Whoosh's own path, or
by a writer killed before it wrote it) is read through Whoosh as before, and a file whose header
does not match its segment is ignored.
"""
from __future__ import annotations

import json
import mmap
import os
import struct
from pathlib import Path

import numpy as np

from portal.search.whoosh.state import STATE

SHARED_FROM = 1000
MAGIC = b"PORTAL-POSTINGS-1\n"
_ALIGN = 8
_DTYPES = {"int32": np.int32, "float32": np.float32, "uint8": np.uint8}


def file_name(segment_id: str) -> str:
    return f"{segment_id}.arrays"


def write(path: Path, documents: int, terms) -> None:
    """`terms`: (field, text, Postings) of one segment, its `documents` counted as Whoosh does.
    Written under another name first, then renamed: a reader never sees half a file. That name
    is also the segment's (Whoosh's pattern), so what a killed writer leaves goes with it."""
    header, arrays, offset = [], [], 0
    for field, text, postings in terms:
        parts = [postings.dense] if postings.dense is not None else [postings.ids, postings.weights]
        placed = []
        for array in parts:
            placed.append([str(array.dtype), offset, len(array)])
            arrays.append(array)
            offset += -(-array.nbytes // _ALIGN) * _ALIGN
        header.append([field, text, placed])
    if not header:
        return
    head = json.dumps({"documents": documents, "terms": header}, ensure_ascii=False).encode()
    start = -(-(len(MAGIC) + 8 + len(head)) // _ALIGN) * _ALIGN
    partial = path.with_name(f"{path.name}.partial{os.getpid()}")
    try:
        with open(partial, "wb") as out:
            out.write(MAGIC + struct.pack("<Q", len(head)) + head)
            out.write(b"\0" * (start - out.tell()))
            for array in arrays:
                data = np.ascontiguousarray(array).tobytes()
                out.write(data + b"\0" * (-len(data) % _ALIGN))
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


class Shelf:
    """A mapped `.arrays` file: (field, text) -> arrays viewing the mapping."""

    def __init__(self, path: Path, documents: int):
        with open(path, "rb") as handle:
            self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        if self._map[:len(MAGIC)] != MAGIC:
            raise ValueError(f"{path}: not a postings file")
        (size,) = struct.unpack_from("<Q", self._map, len(MAGIC))
        head = json.loads(self._map[len(MAGIC) + 8:len(MAGIC) + 8 + size])
        if head["documents"] != documents:
            raise ValueError(f"{path}: written for {head['documents']} documents, the segment has {documents}")
        start = -(-(len(MAGIC) + 8 + size) // _ALIGN) * _ALIGN
        self._terms = {(field, text): [(_DTYPES[dtype], start + offset, length) for dtype, offset, length in placed]
                       for field, text, placed in head["terms"]}

    def arrays(self, field: str, text: str) -> list[np.ndarray] | None:
        """[dense] or [ids, weights] of a term, read-only views of the file; None if not kept."""
        placed = self._terms.get((field, text))
        if placed is None:
            return None
        return [np.frombuffer(self._map, dtype=dtype, count=length, offset=offset) for dtype, offset, length in placed]


_UNKNOWN = object()


def shelf_of(reader) -> Shelf | None:
    """The mapped postings file of a segment reader's segment, if it has a valid one."""
    segment = getattr(reader, "_segment", None)
    storage = getattr(reader, "_storage", None)
    storage = getattr(storage, "b", storage)  # a compound segment's reader overlays its folder
    folder = getattr(storage, "folder", None)
    if segment is None or folder is None:
        return None
    key = (folder, segment.segment_id(), reader.doc_count_all())
    known = STATE.shelves.get(key, _UNKNOWN)
    if known is not _UNKNOWN:
        return known
    path = Path(folder) / file_name(segment.segment_id())
    try:
        found = Shelf(path, reader.doc_count_all()) if path.exists() else None
    except (OSError, ValueError, KeyError, struct.error):  # json errors are ValueErrors
        found = None
    STATE.shelves.put(key, found)  # a shelf let go: its arrays keep the mapping alive while in use
    return found
