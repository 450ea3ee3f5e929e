"""A full rebuild on several processes: each analyses its share of the entries and writes a
segment of its own; the new index is those segments (searches read several segments anyway).

Whoosh's MpWriter does the work; this adds what a crash-safe rebuild needs:
- a worker dies with the process that started it (Linux PR_SET_PDEATHSIG), so a rebuild killed
  with SIGKILL leaves no worker waiting forever on its queue;
- a failed or cancelled rebuild stops its workers instead of abandoning them;
- a worker's segment that never came back is an error, not a silently smaller index
  (the caller checks the document count before switching to the new folder);
- each worker's writer has the same speed-ups as a single writer (runs.py).
Workers are forked: use it from a process's main thread (the `flask search rebuild` command),
not from a web worker's threads.
"""
from __future__ import annotations

import ctypes
import logging
import os
import pickle
import signal

from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.writing import SegmentWriter

from portal.search.whoosh.schema import fields_of
from portal.search.whoosh.writer import faster

log = logging.getLogger(__name__)
_PR_SET_PDEATHSIG = 1
_ENTRY = 1  # a batch item that is a SearchEntry (Whoosh's own items are 0, a dict of fields)


def _die_with_parent(parent: int) -> None:
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the parent's own cleanup still stops workers
        return
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)


class _Worker(SubWriterTask):
    def __init__(self, *args, parent: int):
        super().__init__(*args)
        self.parent = parent

    def run(self):
        _die_with_parent(self.parent)
        ix = self.storage.open_index(self.indexname)
        writer = self.writer = faster(SegmentWriter(ix, _lk=False, **self.kwargs))
        while True:
            job = self.jobqueue.get()
            if job is None:
                break
            self._process_file(*job)
        segment = writer._finalize_segment()
        self.resultqueue.put((None, writer.pool.fieldnames, segment), timeout=60)

    def _process_file(self, filename, doc_count):
        """A batch of entries the parent wrote (whole SearchEntry objects, not their fields:
        the fields repeat the body four times, and making them is analysis work too)."""
        storage = self.writer.temp_storage()
        with storage.open_file(filename).raw_file() as f:
            for _ in range(doc_count):
                code, item = pickle.load(f)  # noqa: S301  # nosec B301 (the parent's own batch file)
                self.writer.add_document(**(fields_of(item) if code == _ENTRY else item))
        storage.delete_file(filename)


class ParallelWriter(MpWriter):
    """MpWriter writing one segment per worker process (never merged into one)."""

    def __init__(self, ix, procs: int, **kwargs):
        super().__init__(ix, procs=procs, batchsize=200, multisegment=True, **kwargs)

    def add_entry(self, entry) -> None:
        self.docbuffer.append((_ENTRY, entry))
        if len(self.docbuffer) >= self.batchsize:
            self._enqueue()
        self._added_sub = True

    def _new_task(self):
        task = _Worker(self.storage, self.indexname, self.jobqueue, self.resultqueue, self.subargs, True,
                       parent=os.getpid())
        self.tasks.append(task)
        task.start()
        return task

    def cancel(self):
        for task in self.tasks:
            if task.is_alive():
                task.kill()
            task.join(timeout=10)
        SegmentWriter.cancel(self)
