"""Running a search on a Whoosh searcher: ranking tiers, totals, facets, snippets."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from whoosh import collectors, sorting
from whoosh import query as q

from portal.domain.campaigns.models import Campaign
from portal.domain.vocab import DOCUMENT_TYPES
from portal.extensions import db
from portal.search import query as qb
from portal.search import scoring
from portal.search.bitsets import bit_index
from portal.search.counting import FACETS, count
from portal.search.highlight import Highlighted, Marker, mark, snippet

MAX_PAGE = 500
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



def _facet_labels(name: str, value: str, campaigns: dict[str, str]) -> str:
    if name == "doc_type":
        return "Bảng vinh danh" if value == "vinh-danh" else DOCUMENT_TYPES.label(value)
    if name == "campaign":
        return campaigns.get(value, value)
    return value


def _facets(counts: dict[str, dict[str, int]]) -> dict[str, list[tuple[str, str, int]]]:
    """Facet rows (value, label, count), largest first (years newest first)."""
    campaigns = dict(db.session.execute(db.select(Campaign.slug, Campaign.name)).all()) if counts["campaign"] else {}
    out = {}
    for name in FACETS:
        groups = counts[name]
        rows = [(value, _facet_labels(name, value, campaigns), count)
                for value, count in groups.items() if value]
        rows.sort(key=lambda r: (-int(r[0]) if name == "year" else -r[2], r[1]))
        out[name] = rows
    return out



class _ExactTop(collectors.TopCollector):
    """Top N without Whoosh's score shortcuts: after the first segment it prunes matchers
    with a minimum score that AndMaybe misjudges, and drops better documents (seen: the top 2
    differed from the first 2 of the top 4)."""

    def _collect(self, global_docnum, score):
        result = super()._collect(global_docnum, score)
        self.minscore = 0
        return result


def _plain(query) -> bool:
    """A Term, or an And or Or of Terms: Whoosh's block-quality skipping is exact on these and
    spares scoring every match (a common word matches most of 100,000 entries)."""
    if isinstance(query, q.Term):
        return True
    return isinstance(query, (q.And, q.Or)) and all(isinstance(sub, q.Term) for sub in query.subqueries)


def docset(searcher, flt):
    """The document numbers a filter allows, computed once per searcher (an index generation):
    Whoosh would otherwise walk the filter's postings again for every tier of every search."""
    if flt is None or not hasattr(searcher, "_filter_to_comb"):  # a SQL backend filters in its query
        return flt
    cache = searcher.__dict__.setdefault("_portal_filters", {})
    key = repr(flt)
    if key not in cache:
        if len(cache) >= 64:
            cache.clear()
        cache[key] = searcher._filter_to_comb(flt)
    return cache[key]


def _top(searcher, query, flt, limit: int, sortedby=None, allowed=None):
    if hasattr(searcher, "top"):  # the PostgreSQL backend ranks in SQL
        return searcher.top(query, flt, limit, sortedby)
    if sortedby is None and (flt is None or allowed is not None):
        hits = scoring.top(searcher, query, allowed, limit)  # common terms, few documents holding all
        if hits is not None:
            return hits
    if sortedby is not None:
        return searcher.search(query, filter=flt, limit=limit, sortedby=sortedby, terms=False)
    if _plain(query):  # Term or And of Terms: Whoosh's block-quality skipping is exact here
        return searcher.search(query, filter=flt, limit=limit, terms=False)
    top = _ExactTop(limit=limit, usequality=False)
    collector = collectors.FilterCollector(top, allow=flt) if flt is not None else top
    searcher.search_with_collector(query, collector)
    return collector.results()


def _ranked(searcher, parsed, known, flt, limit: int, sortedby, loose: bool,
            allowed: int | None = None) -> list[tuple[int, float]]:
    """(docnum, score) of the best `limit` matches, in tiers: the symbol typed, then documents
    where the syllables stand together, then those with the accented forms as typed, then the
    rest. Each tier is cheap to compute; most queries are answered by the first ones."""
    found: list[tuple[int, float]] = []
    seen: set[int] = set()

    def take(query, tier: float, sort=None) -> bool:
        for hit in _top(searcher, query, flt, limit, sort, allowed):
            if hit.docnum not in seen and len(found) < limit:
                seen.add(hit.docnum)
                found.append((hit.docnum, tier + float(hit.score or 0)))
        return len(found) >= limit

    if sortedby is not None:
        full = qb.build(parsed, known, loose=loose)
        return [] if full is None else [(h.docnum, float(h.score or 0))
                                        for h in _top(searcher, full, flt, limit, sortedby)]
    if loose:  # nothing holds every word: those holding the most of them, the rarest first
        frequency = {f: searcher.doc_frequency("all_f", f) for _, f in parsed.terms}
        for number, query in enumerate(qb.relaxed(parsed, frequency)):
            if take(query, 1000.0 - 10.0 * number):
                return found
        # Still short of a page: any content word, as a question is ranked (none found only
        # when no content word is found anywhere).
        fill = qb.question(parsed)
        if fill is not None:
            take(fill, 0.0)
        return found
    if known and take(q.Or([q.Term("symbol_key", k) for k in known]), 3000.0):
        return found
    partial = qb.partial_symbol(parsed)
    if partial is not None and take(partial, 2500.0):
        return found
    if parsed.long:  # the query standing whole (a pasted title), then as a question
        for number, query in enumerate(qb.whole(parsed)):
            if take(query, 2000.0 - 300.0 * number):
                return found
        take(qb.question(parsed), 0.0)
        return found
    for number, query in enumerate(qb.tiers(parsed)):
        if take(query, 2000.0 - 300.0 * number):
            return found
    # The rest: every syllable somewhere, ranked by BM25 with the title's words counting more.
    rest = qb.title_ranked(parsed)
    if rest is not None:
        take(rest, 0.0)
    return found


def run_on(searcher, request: SearchRequest, full: bool = True) -> SearchResults:
    """Run a request on a searcher; `full=False` gives the ranked hits only (benchmarks)."""
    parsed = qb.parse(request.text)
    out = SearchResults(request=request)
    if parsed.empty:
        out.blank = True
        return out
    known = [k for k in parsed.symbol_keys if searcher.doc_frequency("symbol_key", k)]
    values = {"doc_type": request.doc_type, "year": request.year, "issuer": request.issuer,
              "campaign": request.campaign}
    chosen = qb.filters({**values, "kind": request.kind})
    flt = docset(searcher, chosen)
    allowed = None
    if chosen is not None and not hasattr(searcher, "top"):  # Whoosh: the filter as a bitset too
        allowed = bit_index(searcher).of(chosen)
    page = min(request.page, MAX_PAGE + 1)
    limit = page * request.per_page if page <= MAX_PAGE else request.per_page
    sortedby = sorting.FieldFacet("issued", reverse=True) if request.sort == "date" else None
    ranked: list[tuple[int, float]] = []
    for loose in (False, True):
        ranked = _ranked(searcher, parsed, known, flt, limit, sortedby, loose, allowed)
        if ranked or parsed.phrases or not full:
            out.approximate = loose
            break
    if not full:
        out.hits = [Hit(str(d), "", "", "", Highlighted(""), "", "", "", None, Highlighted(""), s)
                    for d, s in ranked]
        return out
    counts = count(searcher, parsed, known, qb.filters(values), request.kind, out.approximate)
    out.kinds = counts.kinds
    if not ranked:
        out.suggestion = _suggest(searcher, parsed)
        return out
    out.total = max(counts.total, len(ranked))
    out.total_approximate = counts.approximate
    out.facets = _facets(counts.facets)
    if out.approximate:
        out.suggestion = _suggest(searcher, parsed)
    if page <= MAX_PAGE:
        start = (page - 1) * request.per_page
        marker = Marker.of(parsed)
        shown = ranked[start:start + request.per_page]
        if hasattr(searcher, "prefetch"):  # a SQL backend reads the page's stored fields at once
            searcher.prefetch([d for d, _ in shown])
        out.hits = [_hit(searcher.stored_fields(d), s, marker) for d, s in shown]
    return out


def _hit(stored: dict, score: float, marker: Marker) -> Hit:
    issued = stored.get("issued_iso")
    return Hit(
        key=stored["key"], kind=stored["kind"], url=stored["url"], title=stored["title"],
        title_html=mark(stored["title"], marker), symbol=stored.get("symbol", ""),
        type_label=stored.get("type_label", ""), issuer=stored.get("issuer", ""),
        issued_on=date.fromisoformat(issued) if issued else None,
        snippet=snippet(stored.get("body", ""), marker), score=round(score, 4),
    )


def _suggest(searcher, parsed: qb.ParsedQuery) -> str | None:
    """A corrected query, offered only when it is close to what was typed and has results:
    unknown syllables replaced by the nearest indexed one (one edit for short syllables, two
    for longer); numbers and symbols are never "corrected" ("1200" is not "12")."""
    corrector = searcher.corrector("all_f")
    changed, words = False, []
    for _, folded in parsed.terms:
        if folded.isdigit() or any(c.isdigit() for c in folded) or searcher.doc_frequency("all_f", folded):
            words.append(folded)
            continue
        options = [o for o in corrector.suggest(folded, limit=3, maxdist=1 if len(folded) <= 4 else 2)
                   if not o.isdigit()]
        if not options:
            return None
        words.append(options[0])
        changed = True
    if not changed:
        return None
    check = qb.required(qb.parse(" ".join(words)))
    if check is None or not _any_match(searcher, check):
        return None
    return " ".join(words)


def _any_match(searcher, query) -> bool:
    """Whether anything matches: on Whoosh from bitsets where the query is made of terms (its
    own walk visits every posting of common words that never meet: seconds at 20,000 documents)."""
    if hasattr(searcher, "matches"):  # the PostgreSQL backend: its own bitsets
        return searcher.matches(query) != 0
    bits = bit_index(searcher).of(query)
    if bits is not None:
        return bits != 0
    return next(iter(searcher.docs_for_query(query)), None) is not None
