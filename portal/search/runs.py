"""Whoosh's segment writer made faster, with the same output.

A rebuild of 20,000 documents and 100,000 honor-roll entries makes about 24 million postings
(field, term, document, weight, value). Whoosh pools them as one tuple each, sorts them all,
pickles each to temporary "runs" on disk when memory is full, merges the runs posting by posting,
then asks, for every posting, the length of its field in its document. Each of those steps is a
Python call per posting; together they were most of a rebuild. Here:

1. Postings grouped by term as they arrive (`GroupedPool`). A document's postings are added field
by field into a list per (field, term): documents arrive in docnum order, so each list is already
sorted and nothing is sorted but the terms. When the pool outgrows its memory limit it writes its
groups, in term order, as a run; the runs are merged group by group (a term's lists from each run
joined in docnum order), not posting by posting.
2. Each term's postings written a block at a time (`_LeanPostings.add_block`): the block's ids,
weights and values become arrays in one call each, and its length bounds come from the field's
length column, read once per segment (`_WholeLengths`) instead of a seek and a read per posting.

What is written is exactly what Whoosh's own writer writes (tests/search/test_runs.py compares the
postings and the per-block length bounds of both). Writers with fields this does not handle
(spelling words, term vectors) keep Whoosh's own path.
"""
from __future__ import annotations

import heapq
import pickle
from array import array
from itertools import groupby

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3FieldWriter, W3PostingsWriter
from whoosh.util.numeric import byte_to_length
from whoosh.writing import PostingPool, SegmentWriter

CHUNK = 20_000  # postings per pickled piece of a run
_GROUP_BYTES = 250  # a new term's key, three lists and the dict slot, roughly
_POSTING_BYTES = 60  # a docnum, a weight and a value slot in the lists (values counted apart)


class GroupedPool(PostingPool):
    """Whoosh's posting pool keeping each term's postings together (see the module's text)."""

    def _start(self) -> None:
        self.groups: dict[str, dict[bytes, tuple[list, list, list]]] = {}  # field -> term -> lists
        self.unsorted: set[tuple[str, bytes]] = set()

    def add(self, item):
        """One posting, as Whoosh's own writer adds them (a merged segment's postings)."""
        fieldname, tbytes, docnum, weight, vbytes = item
        group = self.groups.get(fieldname, {}).get(tbytes)
        if group is not None and docnum <= group[0][-1]:
            self.unsorted.add((fieldname, tbytes))
        self.add_field(fieldname, docnum, ((tbytes, 0, weight, vbytes),), 1.0)
        if self.full():
            self.save()

    def add_field(self, fieldname: str, docnum: int, items, boost: float) -> int:
        """A document's postings for one field, from Field.index(); returns the field's length."""
        terms = self.groups.get(fieldname)
        if terms is None:
            terms = self.groups[fieldname] = {}
            self.fieldnames.add(fieldname)
        length = size = 0
        for tbytes, freq, weight, vbytes in items:
            length += freq
            vbytes = vbytes or b""
            group = terms.get(tbytes)
            if group is None:
                terms[tbytes] = ([docnum], [weight * boost], [vbytes])
                size += _GROUP_BYTES + len(tbytes)
            else:
                group[0].append(docnum)
                group[1].append(weight * boost)
                group[2].append(vbytes)
            size += _POSTING_BYTES + len(vbytes)
        self.currentsize += size
        return length

    def full(self) -> bool:
        return self.currentsize > self.limit

    def save(self):
        """Write the groups, in term order, as a new run and start empty."""
        if not self.groups:
            return
        path, f = self._new_run()
        self._write_run(f, self._sorted())
        self._add_run(path)
        self._start()
        self.currentsize = 0

    def _sorted(self):
        unsorted = self.unsorted
        for fieldname in sorted(self.groups):
            terms = self.groups[fieldname]
            for tbytes in sorted(terms):
                yield self._group(fieldname, tbytes, terms[tbytes], unsorted)

    @staticmethod
    def _group(fieldname, tbytes, lists, unsorted):
        docnums, weights, values = lists
        key = (fieldname, tbytes)
        if key in unsorted:
            order = sorted(range(len(docnums)), key=docnums.__getitem__)
            docnums, weights, values = ([column[i] for i in order] for column in (docnums, weights, values))
        return key, docnums, weights, values

    def _write_run(self, f, groups):
        """Groups pickled together until a piece holds about CHUNK postings."""
        try:
            piece, count = [], 0
            for group in groups:
                piece.append(group)
                count += len(group[1])
                if count >= CHUNK:
                    pickle.dump(piece, f, pickle.HIGHEST_PROTOCOL)
                    piece, count = [], 0
            if piece:
                pickle.dump(piece, f, pickle.HIGHEST_PROTOCOL)
        finally:
            f.close()

    def _read_run(self, path):
        f = self._open_run(path)
        try:
            while True:
                try:  # a run this process wrote a moment ago, never outside data
                    piece = pickle.load(f)  # noqa: S301  # nosec B301
                except EOFError:
                    return
                yield from piece
        finally:
            f.close()
            self._remove_run(path)

    def _merge_runs(self, paths):
        """The runs' groups in term order, a term's groups from several runs joined in docnum
        order (runs hold disjoint ranges of a term's docnums; Whoosh may reorder the runs)."""
        merged = heapq.merge(*(self._read_run(path) for path in paths), key=lambda g: (g[0], g[1][0]))
        for key, same in groupby(merged, key=lambda g: g[0]):
            first, *rest = same
            if not rest:
                yield first
                continue
            docnums, weights, values = list(first[1]), list(first[2]), list(first[3])
            for group in rest:
                docnums += group[1]
                weights += group[2]
                values += group[3]
            yield key, docnums, weights, values

    def iter_postings(self):
        """Every term's postings in term order: (key, docnums, weights, values) groups."""
        if not self.runs:
            return self._sorted()
        return self.items()


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
            return False
        column = reader._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
        if column is None or getattr(column, "_fixedlen", None) != 1 or not hasattr(column, "_dbfile"):
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
        field = None
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
