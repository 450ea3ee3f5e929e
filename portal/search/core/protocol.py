"""What a search backend answers: the few questions core/results.run_on asks of one index
generation (a `Searcher`), and the lifecycle the portal asks of a backend (`Backend`).

Query trees and filters are core/tree.py nodes; document numbers are the backend's own (only
ever given back to the same searcher)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from portal.search.core.counting import Counts
from portal.search.core.tree import Node

if TYPE_CHECKING:
    from flask import Flask
    from sqlalchemy.orm import Session

    from portal.search.core.request import SearchRequest, SearchResults


class Searcher(Protocol):
    def doc_frequency(self, field: str, word: str) -> int:
        """How many entries hold a word in a field."""

    def top(self, query: Node, flt: Node | None, limit: int, newest_first: bool = False) -> list[tuple[int, float]]:
        """(docnum, score) of the best `limit` matches that the filter allows, best first (or the
        most recently issued first)."""

    def count(self, query: Node | None, flt: Node | None, kind: str | None) -> Counts:
        """Matches per kind, and the total and facet counts of the kind asked for."""

    def any_match(self, query: Node) -> bool:
        """Whether anything matches."""

    def similar(self, word: str, limit: int, maxdist: int) -> list[str]:
        """Indexed folded syllables within `maxdist` edits of a word, the closest first."""

    def stored(self, docnums: list[int]) -> list[dict]:
        """The stored fields of some matches, in the order asked."""


class Backend(Protocol):
    """One kind of index, and all of this process's state of it (caches, background threads)."""

    name: str

    def search(self, request: SearchRequest, generation: str) -> SearchResults:
        """Results of a request on the index at a content generation (changes.generation())."""

    def rebuild(self, record: bool = True, procs: int = 1) -> int:
        """Write every public entry afresh; the number written."""

    def sync(self, timeout: float) -> bool:
        """Apply the changes the index has not seen yet; True when up to date afterwards."""

    def catch_up(self, app: Flask, timeout: float, background: bool = True) -> bool:
        """sync() that never raises; a missing index is rebuilt."""

    def start(self, app: Flask) -> None:
        """Check the index when the app starts; rebuild it when missing."""

    def before_request(self, app: Flask) -> None:
        """Before a request: an index behind the change sequence catches up."""

    def committed(self, app: Flask, in_request: bool) -> None:
        """After this process committed a change."""

    def recorded(self, session: Session, keys: str) -> None:
        """A change of some keys recorded in a transaction not yet committed."""
