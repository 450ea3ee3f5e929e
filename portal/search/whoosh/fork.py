"""The Whoosh we run is, in effect, our fork: upstream (Whoosh-Reloaded 2.7.5, 02/2024) declared
itself unmaintained in 2025. The fast paths of the embedded backend reach into its internals;
every private name they use is listed here and checked when search is imported, and each place
that can fall back to Whoosh's own (5-10x slower) path counts the fallback, so that a Whoosh
change is a failing test, never a silently slower portal."""
from __future__ import annotations

import functools
import importlib
import inspect
import re
from collections import Counter
from importlib import metadata

WHOOSH_VERSION = "2.7.5"

# module:Class -> the private names the portal reads, calls or writes on its objects.
REACHED: dict[str, tuple[str, ...]] = {
    "whoosh.codec.whoosh3:W3LeafMatcher": ("_read_data", "_next_block", "_data", "_byteids"),
    "whoosh.codec.whoosh3:W3PerDocReader": ("_cached_reader",),
    "whoosh.codec.whoosh3:W3PostingsWriter": ("_ids", "_weights", "_values", "_maxweight", "_minlength",
                                               "_maxlength", "_write_block", "_blocklimit"),
    "whoosh.codec.whoosh3:W3FieldWriter": ("_postwriter", "_segment"),
    "whoosh.columns:FixedBytesColumn": ("_dbfile", "_basepos", "_count", "_fixedlen"),
    "whoosh.searching:Searcher": ("_filter_to_comb",),
    "whoosh.scoring:BM25F": ("_field_B",),
    "whoosh.collectors:TopCollector": ("_collect",),
    "whoosh.writing:SegmentWriter": ("_check_state", "_check_fields", "_added", "_finalize_segment"),
    "whoosh.writing:IndexWriter": ("_doc_boost", "_field_boost"),
    "whoosh.writing:PostingPool": ("_new_run", "_open_run", "_remove_run"),
    "whoosh.externalsort:SortingPool": ("_write_run", "_add_run", "_read_run"),
    "whoosh.multiproc:MpWriter": ("_enqueue", "_added_sub"),
    "whoosh.multiproc:SubWriterTask": ("_process_file",),
}

FALLBACKS: Counter[str] = Counter()  # fast path -> times Whoosh's slow path was taken instead


class ForkChanged(RuntimeError):
    """The installed Whoosh is not the one the fast paths were written against."""


@functools.cache
def _module_source(module_name: str) -> str:
    return inspect.getsource(importlib.import_module(module_name))


def _source(cls: type) -> str:
    """The source of the Whoosh modules defining `cls` and its bases: where an attribute set in a
    method (`self._ids = …`) can be found. Whole modules are read, not each class: extracting a
    class's lines (inspect.getsource on a class) cost 0.3 s in every process that imports search."""
    return "".join(_module_source(module) for module in dict.fromkeys(
        klass.__module__ for klass in cls.__mro__ if klass.__module__.startswith("whoosh")))


def missing() -> list[str]:
    """Every listed private name the installed Whoosh no longer has (empty when all is well)."""
    gone = []
    for where, names in REACHED.items():
        module_name, _, class_name = where.partition(":")
        cls = getattr(importlib.import_module(module_name), class_name, None)
        if cls is None:
            gone.append(where)
            continue
        source = _source(cls)
        for name in names:
            if not hasattr(cls, name) and not re.search(rf"\bself\.{name}\s*=|\b{name}\s*=", source):
                gone.append(f"{where}.{name}")
    return gone


@functools.cache
def check() -> None:
    """Refuse to run on another Whoosh: the version and every reached name."""
    version = metadata.version("Whoosh-Reloaded")
    if version != WHOOSH_VERSION:
        raise ForkChanged(f"Whoosh-Reloaded {version} is installed; the search fast paths need {WHOOSH_VERSION}")
    gone = missing()
    if gone:
        raise ForkChanged("Whoosh internals the search fast paths use are gone: " + ", ".join(gone))


def fell_back(path: str) -> None:
    FALLBACKS[path] += 1
