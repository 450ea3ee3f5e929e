"""A search as asked (SearchRequest) and as answered (SearchResults, its Hits)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from portal.search.core.highlight import Highlighted

KINDS = {"document": "Văn bản", "award": "Bảng vinh danh"}


@dataclass(frozen=True)
class SearchRequest:
    text: str
    page: int = 1
    per_page: int = 10
    sort: str = "relevance"
    doc_type: str | None = None
    year: str | None = None
    issuer: str | None = None
    campaign: str | None = None
    kind: str | None = None  # "document" or "award"; None: both in one list


@dataclass
class Hit:
    key: str
    kind: str
    url: str
    title: str
    title_html: Highlighted
    symbol: str
    type_label: str
    issuer: str
    issued_on: date | None
    snippet: Highlighted
    score: float


@dataclass
class SearchResults:
    request: SearchRequest
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    facets: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)
    suggestion: str | None = None
    approximate: bool = False  # no entry holds every word: these hold some
    total_approximate: bool = False  # counted on a sample: "khoảng N"
    kinds: dict[str, int] = field(default_factory=dict)  # matches per kind, whatever the kind asked
    blank: bool = False

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.request.per_page))
