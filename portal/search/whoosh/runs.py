"""The rebuild writer's posting pool: postings grouped by term as they arrive (writer.py uses it).

Whoosh pools each posting as a tuple, sorts them all, pickles each to temporary "runs" on disk
when memory is full and merges the runs posting by posting: about 24 million Python calls of
each kind in a rebuild of 20,000 documents and 100,000 honor-roll entries. Here a document's
postings are added field by field into a list per (field, term): documents arrive in docnum
order, so each list is already sorted and only the terms are sorted. When the pool outgrows its
memory limit it writes its groups, in term order, as a run; runs are merged group by group (a
term's lists from each run joined in docnum order), not posting by posting.
"""
from __future__ import annotations

import heapq
import pickle
from itertools import groupby

from whoosh.writing import PostingPool

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


