"""Open, create, update and rebuild the Whoosh index; one writer at a time across processes.

Writers take Whoosh's lock (a kernel flock, freed if the process dies) with a bounded wait,
and read the current database state while holding it, so concurrent writers neither drop
updates nor apply them out of order.
"""
from __future__ import annotations

import fcntl
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.searching import Searcher
from whoosh.writing import CLEAR

from .entries import SearchEntry
from .schema import build_schema, fields_of

log = logging.getLogger(__name__)
WRITER_TIMEOUT = 60.0
SCHEMA_VERSION = "6"


class IndexUnavailable(Exception):
    """The index could not be opened and must be rebuilt."""


class SearchIndex:
    """One index folder; the object is shared by the threads of a process."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._ix = None
        self._searcher: Searcher | None = None
        self._retired: Searcher | None = None
        self._lock = threading.Lock()

    # -- opening -----------------------------------------------------------------------------
    def _version_file(self) -> Path:
        return self.path / "SCHEMA_VERSION"

    def exists(self) -> bool:
        """Whether a readable index of the current schema is on disk."""
        try:
            if self._version_file().read_text().strip() != SCHEMA_VERSION:
                return False
            ix = whoosh_index.open_dir(str(self.path))
            with ix.searcher() as searcher:
                searcher.doc_count()
            return True
        except Exception:  # noqa: BLE001 (missing, empty, corrupt or old: all mean "rebuild")
            return False

    def maintenance(self):
        """An exclusive cross-process lock for creating or rebuilding the index folder."""
        return _FileLock(self.path.parent / f".{self.path.name}.maintenance.lock")

    def create(self) -> None:
        """A new empty index (anything there before is removed); call under maintenance()."""
        with self._lock:
            if self.path.exists():
                for child in self.path.iterdir():
                    if child.name != ".gitkeep":
                        shutil.rmtree(child) if child.is_dir() else child.unlink()
            self.path.mkdir(parents=True, exist_ok=True)
            whoosh_index.create_in(str(self.path), build_schema())
            self._version_file().write_text(SCHEMA_VERSION)
            self.forget()

    def forget(self) -> None:
        """Drop open readers (after the folder was replaced, or in tests)."""
        for searcher in (self._searcher, self._retired):
            if searcher is not None:
                searcher.close()
        self._ix, self._searcher, self._retired = None, None, None

    def _index(self):
        if self._ix is None:
            try:
                self._ix = whoosh_index.open_dir(str(self.path))
            except Exception as exc:  # noqa: BLE001
                raise IndexUnavailable(str(exc)) from exc
        return self._ix

    def searcher(self) -> Searcher:
        """A searcher on the latest committed state (refreshed per call)."""
        with self._lock:
            try:
                ix = self._index()
                # A new searcher per index generation. Whoosh's refresh() reuses segment readers
                # and then misses deletions made since (an edited document showed its old text).
                if self._searcher is None or ix.latest_generation() != self._searcher.reader().generation():
                    # Close the searcher before last: one generation of grace for a thread
                    # still reading the previous one.
                    if self._retired is not None:
                        self._retired.close()
                    self._retired, self._searcher = self._searcher, ix.searcher()
                return self._searcher
            except IndexUnavailable:
                raise
            except Exception as exc:  # noqa: BLE001
                self._ix, self._searcher, self._retired = None, None, None
                raise IndexUnavailable(str(exc)) from exc

    # -- writing -----------------------------------------------------------------------------
    def apply(self, keys: Iterable[str], current: Callable[[str], list[SearchEntry]]) -> None:
        """Bring `keys` (and the entries that hang on them) up to date; `current(key)` is read
        under the writer lock, so the last writer always writes the last state."""
        keys = sorted(set(keys))
        if not keys:
            return
        writer = self._index().writer(timeout=WRITER_TIMEOUT)
        try:
            for key in keys:
                writer.delete_by_term("key", key)
                writer.delete_by_term("parent", key)
                for entry in current(key):
                    writer.add_document(**fields_of(entry))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def rebuild(self, entries: Iterable[SearchEntry]) -> int:
        """Replace the whole index with `entries` in one commit; returns their count."""
        with self.maintenance():
            if not self.exists():
                self.create()
        writer = self._index().writer(timeout=WRITER_TIMEOUT, limitmb=256)
        count = 0
        try:
            for entry in entries:
                writer.add_document(**fields_of(entry))
                count += 1
        except BaseException:
            writer.cancel()
            raise
        writer.commit(mergetype=CLEAR, optimize=True)
        return count


class _FileLock:
    """flock on a file: released by the kernel if the process dies."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = open(self.path, "a+")  # noqa: SIM115 (closed in __exit__)
        deadline = time.monotonic() + WRITER_TIMEOUT
        while True:
            try:
                fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except BlockingIOError:
                if time.monotonic() > deadline:
                    self.handle.close()
                    raise TimeoutError(f"index maintenance lock busy: {self.path}") from None
                time.sleep(0.05)

    def __exit__(self, *exc):
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


_indexes: dict[str, SearchIndex] = {}


def index_at(path: str | Path) -> SearchIndex:
    """The process-wide SearchIndex for a folder."""
    key = os.path.abspath(path)
    if key not in _indexes:
        _indexes[key] = SearchIndex(key)
    return _indexes[key]
