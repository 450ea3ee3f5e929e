"""The Whoosh index on disk: generations of folders, one writer at a time, applied-change marks.

Layout of SEARCH_INDEX_DIR:
    CURRENT              the name of the folder in use (replaced atomically)
    g-<time>-<random>/   a Whoosh index, with SCHEMA_VERSION and APPLIED (the last change id in it)
    .write.lock          held while changes are applied (a kernel flock: freed if the process dies)
    .maintenance.lock    held while a new folder is built

A rebuild fills a new folder while searches keep reading the current one, then switches CURRENT;
a process killed mid-rebuild leaves an unused folder, never a half-built index in use.
"""
from __future__ import annotations

import fcntl
import logging
import os
import re
import secrets
import shutil
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.searching import Searcher
from whoosh.writing import CLEAR

from portal.search.core import abbreviations
from portal.search.core.entries import SearchEntry
from portal.search.whoosh.parallel import ParallelWriter
from portal.search.whoosh.schema import build_schema, fields_of
from portal.search.whoosh.state import STATE
from portal.search.whoosh.writer import faster

log = logging.getLogger(__name__)
WRITER_TIMEOUT = 10.0
SCHEMA_VERSION = f"8-{abbreviations.version()}"  # the abbreviations are part of the analysis
_FOLDER = re.compile(r"^g-[0-9a-z-]{8,64}$")


class IndexUnavailable(Exception):
    """The index could not be opened and must be rebuilt."""


class IndexBusy(Exception):
    """Another process holds the lock longer than we may wait."""


class SearchIndex:
    """One index root; the object is shared by the threads of a process."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self._ix = None
        self._ix_name: str | None = None
        self._searcher: Searcher | None = None
        self._retired: Searcher | None = None
        self._lock = threading.Lock()

    # -- where the current index is ---------------------------------------------------------------
    def current_name(self) -> str | None:
        try:
            name = (self.root / "CURRENT").read_text().strip()
        except OSError:
            return None
        return name if _FOLDER.match(name) else None

    def folder(self) -> Path | None:
        name = self.current_name()
        return self.root / name if name else None

    def exists(self) -> bool:
        """Whether a readable index of the current schema is in use."""
        folder = self.folder()
        if folder is None:
            return False
        try:
            if (folder / "SCHEMA_VERSION").read_text().strip() != SCHEMA_VERSION:
                return False
            ix = whoosh_index.open_dir(str(folder))
            with ix.searcher() as searcher:
                searcher.doc_count()
            return True
        except Exception:  # noqa: BLE001 (missing, empty, corrupt or old: all mean "rebuild")
            return False

    def applied(self) -> int:
        """The last change id the current index holds (-1 when there is no index)."""
        folder = self.folder()
        if folder is None:
            return -1
        try:
            return int((folder / "APPLIED").read_text().strip() or 0)
        except (OSError, ValueError):
            return -1

    # -- locks -------------------------------------------------------------------------------------
    def maintenance(self, timeout: float = WRITER_TIMEOUT):
        """Exclusive across processes while a new folder is built."""
        return _FileLock(self.root / ".maintenance.lock", timeout)

    def writing(self, timeout: float = WRITER_TIMEOUT):
        """Exclusive across processes while changes are applied or the folder is switched."""
        return _FileLock(self.root / ".write.lock", timeout)

    # -- reading -----------------------------------------------------------------------------------
    def forget(self) -> None:
        """Drop open readers (after the folder was replaced, or in tests)."""
        for searcher in (self._searcher, self._retired):
            if searcher is not None:
                searcher.close()
        self._ix, self._ix_name, self._searcher, self._retired = None, None, None, None

    def _index(self):
        name = self.current_name()
        if name is None:
            self.forget()
            raise IndexUnavailable(f"no search index in use at {self.root}")
        if self._ix is None or self._ix_name != name:
            self.forget()
            try:
                self._ix = whoosh_index.open_dir(str(self.root / name))
            except Exception as exc:  # noqa: BLE001
                raise IndexUnavailable(str(exc)) from exc
            self._ix_name = name
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
                self.forget()
                raise IndexUnavailable(str(exc)) from exc

    # -- writing -----------------------------------------------------------------------------------
    def apply(self, keys: Iterable[str], current: Callable[[str], list[SearchEntry]], applied: int) -> int:
        """Bring `keys` (and the entries hanging on them) up to date and mark `applied`; call it
        holding writing(). Every delete comes before every add, and each entry is added once,
        so no key is ever in the index twice. Returns the number of entries written."""
        keys = sorted(set(keys))
        entries: dict[str, SearchEntry] = {}
        for key in keys:
            for entry in current(key):
                entries[entry.key] = entry
        folder = self.folder()
        with _writer(self._index()) as writer:
            for key in keys:
                writer.delete_by_term("key", key)
                writer.delete_by_term("parent", key)
            for key in entries:
                writer.delete_by_term("key", key)
            for entry in entries.values():
                writer.add_document(**fields_of(entry))
        _write_atomically(folder / "APPLIED", str(applied))
        return len(entries)

    def build(self, entries: Iterable[SearchEntry], applied: int, procs: int = 1) -> int:
        """Fill a new folder with `entries` and switch to it; call it holding maintenance().
        With `procs` > 1, worker processes analyse and write a segment each (parallel.py)."""
        self.root.mkdir(parents=True, exist_ok=True)
        self._remove_unused()
        name = f"g-{time.strftime('%Y%m%d%H%M%S')}-{secrets.token_hex(4)}"
        folder = self.root / name
        folder.mkdir()
        count = 0
        ix = whoosh_index.create_in(str(folder), build_schema())
        with _writer(ix, procs=procs, limitmb=256, mergetype=CLEAR, optimize=True) as writer:
            add = writer.add_entry if isinstance(writer, ParallelWriter) else (
                lambda entry: writer.add_document(**fields_of(entry)))
            for entry in entries:
                add(entry)
                count += 1
        with ix.searcher() as searcher:
            if searcher.doc_count_all() != count:  # a worker's segment never came back
                raise RuntimeError(f"search rebuild wrote {searcher.doc_count_all()} of {count} entries")
        (folder / "SCHEMA_VERSION").write_text(SCHEMA_VERSION)
        (folder / "APPLIED").write_text(str(applied))
        with self.writing():
            _write_atomically(self.root / "CURRENT", name)
        return count

    def _remove_unused(self) -> None:
        """Folders left by killed rebuilds and indexes two switches old; files of the old layout."""
        keep = {self.current_name()}
        folders = sorted((p for p in self.root.iterdir() if p.is_dir() and _FOLDER.match(p.name)),
                         key=lambda p: p.stat().st_mtime)
        previous = [p.name for p in folders if p.name not in keep][-1:]  # grace for open readers
        for path in self.root.iterdir():
            if path.name in keep or path.name in previous or path.name.startswith("."):
                continue
            if path.is_dir() and _FOLDER.match(path.name):
                shutil.rmtree(path, ignore_errors=True)
            elif path.is_file() and (path.suffix in (".toc", ".seg", ".pst", ".trm", ".dci", ".dcz", ".fvz")
                                     or path.name in ("SCHEMA_VERSION", "MAIN_WRITELOCK")):
                path.unlink(missing_ok=True)


@contextmanager
def _writer(ix, **commit_options):
    """A Whoosh writer whose lock is released whatever happens, commit failures included."""
    limitmb = commit_options.pop("limitmb", 128)
    procs = commit_options.pop("procs", 1)
    if procs > 1:
        writer = ParallelWriter(ix, procs, timeout=WRITER_TIMEOUT, limitmb=limitmb)
    else:
        writer = faster(ix.writer(timeout=WRITER_TIMEOUT, limitmb=limitmb))
    try:
        yield writer
        writer.commit(**commit_options)
    except BaseException:
        try:
            writer.cancel()
        except Exception as exc:  # noqa: BLE001 (the commit may have got half-way; free the lock below)
            log.debug("cancelling a failed index write: %s", exc)
        lock = getattr(writer, "writelock", None)
        if lock is not None and getattr(lock, "fd", None) is not None:
            lock.release()
        raise


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


class _FileLock:
    """flock on a file: released by the kernel if the process dies; IndexBusy after `timeout`."""

    def __init__(self, path: Path, timeout: float):
        self.path, self.timeout = path, timeout

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = open(self.path, "a+")  # noqa: SIM115 (closed in __exit__)
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    self.handle.close()
                    raise IndexBusy(f"search index lock busy: {self.path}") from None
                time.sleep(0.02)

    def __exit__(self, *exc):
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()




def index_at(path: str | Path) -> SearchIndex:
    """The process-wide SearchIndex for a folder."""
    key = os.path.abspath(path)
    if key not in STATE.indexes:
        STATE.indexes[key] = SearchIndex(key)
    return STATE.indexes[key]
