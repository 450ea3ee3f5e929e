"""Vietnamese full-text search behind a small interface (engine: Whoosh, see README).

The rest of the portal uses only what this module exports: entries to index, a request,
its results, and the index lifecycle. Replacing the engine touches portal/search/ alone.
"""
from portal.search.core.entries import SearchEntry, entry_for_document
from portal.search.core.query import looks_like_name, parse
from portal.search.core.results import KINDS, SearchRequest, SearchResults
from portal.search.service import rebuild, search


def preferred_kind(text: str) -> str:
    """Which kind of result a page shows first: honor-roll entries for a person's name,
    documents otherwise."""
    return "award" if looks_like_name(parse(text)) else "document"


__all__ = ["KINDS", "SearchEntry", "SearchRequest", "SearchResults", "entry_for_document", "preferred_kind",
           "rebuild", "search"]
