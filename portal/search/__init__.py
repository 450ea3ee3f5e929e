"""Vietnamese full-text search behind a small interface (engine: Whoosh, see README).

The rest of the portal uses only what this module exports: entries to index, a request,
its results, and the index lifecycle. Replacing the engine touches portal/search/ alone.
"""
from .entries import SearchEntry, entry_for_document
from .results import SearchRequest, SearchResults
from .service import rebuild, search

__all__ = ["SearchEntry", "SearchRequest", "SearchResults", "entry_for_document", "rebuild", "search"]
