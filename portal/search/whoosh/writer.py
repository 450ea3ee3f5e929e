"""Whoosh's segment writer made faster, with the same files, plus decoded common postings.

A rebuild of 20,000 documents and 100,000 honor-roll entries makes about 24 million postings.
Whoosh handles each with several Python calls on its way to disk; here (`faster()`):

1. A document's postings go to the pool a field at a time, as lists the portal's formats make
directly (schema.py `postings()`), into a pool that groups them by term (runs.GroupedPool).
2. Each term's postings are written a block at a time (`_LeanPostings.add_block`): the block's
ids, weights and values become arrays in one call each, and its length bounds come from the
field's length column, read once per segment (`_WholeLengths`) instead of a seek and a read per
posting.
3. The postings of each term in shelf.SHARED_FROM documents or more are also written, decoded,
beside the segment (shelf.py), for readers to map instead of decoding Whoosh's blocks.

The segment's files are exactly those Whoosh's own writer writes (tests/search/test_runs.py
compares them byte for byte). Writers with fields this does not handle (spelling words, term
vectors) keep Whoosh's own path.
"""
from __future__ import annotations

import logging
from array import array
from pathlib import Path

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3FieldWriter, W3PostingsWriter
from whoosh.util.numeric import byte_to_length
from whoosh.writing import PostingPool, SegmentWriter

from portal.search.whoosh import fork, shelf
from portal.search.whoosh.postings import Postings
from portal.search.whoosh.runs import GroupedPool

fork.check()  # the fast paths below were written against this Whoosh

log = logging.getLogger(__name__)


class _WholeLengths:
    """A segment's per-document reader whose field lengths are read whole, once per field."""

    def __init__(self, reader):
        self._reader = reader
        self._columns: dict[str, list | bool] = {}

    def __getattr__(self, name):
        return getattr(self._reader, name)

    def column(self, fieldname) -> list | None:
        """Every document's length of a field, as Whoosh answers each (None where unset)."""
        column = self._columns.get(fieldname)
        if column is None:
            column = self._columns[fieldname] = self._read(fieldname)
        return column or None

    def doc_field_length(self, docnum, fieldname, default=0):
        column = self.column(fieldname)
        if column is None:
            return self._reader.doc_field_length(docnum, fieldname, default)
        return column[docnum] if docnum < len(column) else None

    def _read(self, fieldname):
        reader = self._reader
        if not hasattr(reader, "_cached_reader"):
            fork.fell_back("writer-lengths")
            return False
        column = reader._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
        if column is None:  # no document of this segment has the field
            return False
        if getattr(column, "_fixedlen", None) != 1 or not hasattr(column, "_dbfile"):
            fork.fell_back("writer-lengths")
            return False
        codes = bytes(column._dbfile.get(column._basepos, column._count))
        return [byte_to_length(code) if code else None for code in codes]


class _LeanPostings(W3PostingsWriter):
    """Whoosh's postings writer filled a block at a time."""

    def add_block(self, docnums, weights, values, lengths) -> None:
        """Postings of the current term, at most a block's worth, as add_posting() would add them
        one by one; `lengths` are their field lengths (None or 0 where none is kept)."""
        if self._ids:
            self._write_block()
        self._ids = array("I", docnums)
        self._weights = array("f", weights)
        self._values = [value for value in values if value]
        self._maxweight = max(0, max(weights))
        kept = [length for length in lengths if length]
        if kept:
            self._minlength, self._maxlength = min(kept), max(kept)


class _GroupedFieldWriter(W3FieldWriter):
    def add_postings(self, schema, lengths, items):
        """Whoosh's add_postings for a GroupedPool's groups (anything else: Whoosh's own)."""
        if not isinstance(items, _Groups):
            return super().add_postings(schema, lengths, items)
        field, count = None, self._segment.doc_count_all()
        self.shared: list[tuple[str, str, Postings]] = []
        for (fieldname, btext), docnums, weights, values in items.groups:
            if docnums[0] == -1:  # Whoosh's marker of a spelling word, never a posting
                continue
            if fieldname != field:
                if field is not None:
                    self.finish_field()
                field = fieldname
                self.start_field(fieldname, schema[fieldname])
                column = lengths.column(fieldname) if isinstance(lengths, _WholeLengths) else None
            self.start_term(btext)
            writer, step = self._postwriter, self._postwriter._blocklimit
            for start in range(0, len(docnums), step):
                ids = docnums[start:start + step]
                writer.add_block(ids, weights[start:start + step], values[start:start + step],
                                 _lengths(lengths, column, fieldname, ids))
            self.finish_term()
            if len(docnums) >= shelf.SHARED_FROM:
                text = schema[fieldname].from_bytes(btext)
                if isinstance(text, str):  # a numeric field's terms are never looked up by text
                    self.shared.append((fieldname, text, Postings(
                        np.array(docnums, dtype=np.int32), np.array(weights, dtype=np.float32), count)))
        if field is not None:
            self.finish_field()
        return None


def _lengths(lengths, column: list | None, fieldname: str, docnums: list[int]) -> list:
    """Field lengths of ascending docnums, as Whoosh's add_postings asks them one by one."""
    if lengths is None:
        return []
    if column is not None:
        if docnums[-1] < len(column):
            return list(map(column.__getitem__, docnums))
        return [column[d] if d < len(column) else None for d in docnums]
    return [lengths.doc_field_length(d, fieldname) for d in docnums]


class _Groups:
    """A GroupedPool's output, marked so the field writer takes it whole."""

    def __init__(self, groups):
        self.groups = groups


class _LeanWriter(SegmentWriter):
    """Whoosh's SegmentWriter adding a document's postings a field at a time to a GroupedPool."""

    def add_document(self, **fields):
        self._check_state()
        per_doc, schema, docnum, pool = self.perdocwriter, self.schema, self.docnum, self.pool
        boost = self._doc_boost(fields)
        names = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, names)
        per_doc.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if field.indexed:
                    postings = getattr(field.format, "postings", None)  # the portal's formats (schema.py)
                    items = postings(value, field.analyzer) if postings else field.index(value)
                    length = pool.add_field(name, docnum, items, self._field_boost(fields, name, boost))
                    if not field.scorable:
                        length = 0
                stored = fields.get(f"_stored_{name}", value)
                per_doc.add_field(name, field, stored if field.stored else None, length)
                if field.column_type and stored is not None:
                    per_doc.add_column_value(name, field.column_type, field.to_column_value(stored))
        except Exception:
            per_doc.cancel_doc()
            raise
        per_doc.finish_doc()
        self._added = True
        self.docnum += 1
        if pool.full():  # between documents: a run never splits one
            pool.save()

    def _finalize_segment(self):
        segment = super()._finalize_segment()
        shared, folder = getattr(self.fieldwriter, "shared", None), getattr(self.storage, "folder", None)
        if shared and folder:
            try:
                shelf.write(Path(folder) / shelf.file_name(segment.segment_id()), segment.doc_count_all(), shared)
            except OSError as exc:  # only an accelerator: the segment is whole without it
                log.warning("decoded postings of segment %s not written: %s", segment.segment_id(), exc)
        return segment

    def _flush_segment(self):
        self.perdocwriter.close()
        lengths = _WholeLengths(self.per_document_reader()) if self.codec.length_stats else None
        self.fieldwriter.add_postings(self.schema, lengths, _Groups(self.pool.iter_postings()))
        self.fieldwriter.close()
        if lengths is not None:
            lengths.close()


def _plain_fields(schema) -> bool:
    """No field needs what _LeanWriter leaves to Whoosh (spelling words, term vectors)."""
    return not any(field.separate_spelling() or field.vector for _, field in schema.items())


def faster(writer):
    """A fresh Whoosh segment writer (nothing added yet) switched to the grouped pool and
    block-wise postings; any other writer as it is."""
    pool = getattr(writer, "pool", None)
    if (type(writer) is not SegmentWriter or type(pool) is not PostingPool or pool.runs or pool.current
            or type(writer.codec) is not W3Codec or not _plain_fields(writer.schema)
            or not isinstance(writer.fieldwriter, W3FieldWriter) or writer.docnum != writer.docbase):
        return writer
    pool.__class__ = GroupedPool
    pool._start()
    writer.__class__ = _LeanWriter
    writer.codec.__class__ = _LeanCodec  # the writer's own codec object
    writer.fieldwriter.__class__ = _GroupedFieldWriter
    return writer


class _LeanCodec(W3Codec):
    def postings_writer(self, dbfile, byteids=False):
        writer = super().postings_writer(dbfile, byteids)
        if type(writer) is W3PostingsWriter and not byteids:
            writer.__class__ = _LeanPostings
        return writer
