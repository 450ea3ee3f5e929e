"""Running a search on any backend's searcher (core/protocol.Searcher): ranking tiers, totals,
facets, snippets."""
from __future__ import annotations

from datetime import date

from portal.domain.campaigns.models import Campaign
from portal.domain.kernel.vocab import DOCUMENT_TYPES
from portal.extensions import db
from portal.search.core import query as qb
from portal.search.core.counting import FACETS, matching
from portal.search.core.highlight import Highlighted, Marker, mark, snippet
from portal.search.core.protocol import Searcher
from portal.search.core.request import KINDS, Hit, SearchRequest, SearchResults
from portal.search.core.tree import Or, Term

__all__ = ["KINDS", "Hit", "SearchRequest", "SearchResults", "run_on"]

MAX_PAGE = 500


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



def _ranked(searcher: Searcher, parsed, known, flt, limit: int, newest_first: bool,
            loose: bool) -> list[tuple[int, float]]:
    """(docnum, score) of the best `limit` matches, in tiers: the symbol typed, then documents
    where the syllables stand together, then those with the accented forms as typed, then the
    rest. Each tier is cheap to compute; most queries are answered by the first ones."""
    found: list[tuple[int, float]] = []
    seen: set[int] = set()

    def take(query, tier: float) -> bool:
        for docnum, score in searcher.top(query, flt, limit):
            if docnum not in seen and len(found) < limit:
                seen.add(docnum)
                found.append((docnum, tier + score))
        return len(found) >= limit

    def take_each(queries, first: float, step: float) -> bool:
        """Tiers in order, each scored below the one before; stops once the page is full."""
        return any(take(query, first - step * number) for number, query in enumerate(queries))

    if newest_first:
        full = qb.build(parsed, known, loose=loose)
        return [] if full is None else searcher.top(full, flt, limit, newest_first=True)
    if loose:  # nothing holds every word: those holding the most of them, the rarest first
        frequency = {f: searcher.doc_frequency("all_f", f) for _, f in parsed.terms}
        if take_each(qb.relaxed(parsed, frequency), 1000.0, 10.0):
            return found
        # Still short of a page: any content word, as a question is ranked (none found only
        # when no content word is found anywhere).
        fill = qb.question(parsed)
        if fill is not None:
            take(fill, 0.0)
        return found
    if known and take(Or(tuple(Term("symbol_key", k) for k in known)), 3000.0):
        return found
    partial = qb.partial_symbol(parsed)
    if partial is not None and take(partial, 2500.0):
        return found
    if parsed.long:  # the query standing whole (a pasted title), then as a question
        if take_each(qb.whole(parsed), 2000.0, 300.0):
            return found
        take(qb.question(parsed), 0.0)
        return found
    if take_each(qb.tiers(parsed), 2000.0, 300.0):
        return found
    # The rest: every syllable somewhere, ranked by BM25 with the title's words counting more.
    rest = qb.title_ranked(parsed)
    if rest is not None:
        take(rest, 0.0)
    return found


def run_on(searcher: Searcher, request: SearchRequest, full: bool = True) -> SearchResults:
    """Run a request on a searcher; `full=False` gives the ranked hits only (benchmarks)."""
    parsed = qb.parse(request.text)
    out = SearchResults(request=request)
    if parsed.empty:
        out.blank = True
        return out
    known = [k for k in parsed.symbol_keys if searcher.doc_frequency("symbol_key", k)]
    values = {"doc_type": request.doc_type, "year": request.year, "issuer": request.issuer,
              "campaign": request.campaign}
    flt = qb.filters({**values, "kind": request.kind})
    page = min(request.page, MAX_PAGE + 1)
    limit = page * request.per_page if page <= MAX_PAGE else request.per_page
    ranked: list[tuple[int, float]] = []
    for loose in (False, True):
        ranked = _ranked(searcher, parsed, known, flt, limit, request.sort == "date", loose)
        if ranked or parsed.phrases or not full:
            out.approximate = loose
            break
    if not full:
        out.hits = [Hit(str(d), "", "", "", Highlighted(""), "", "", "", None, Highlighted(""), s)
                    for d, s in ranked]
        return out
    counts = searcher.count(matching(parsed, known, out.approximate), qb.filters(values), request.kind)
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
        stored = searcher.stored([d for d, _ in shown])
        out.hits = [_hit(fields, s, marker) for fields, (_, s) in zip(stored, shown, strict=True)]
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


def _suggest(searcher: Searcher, parsed: qb.ParsedQuery) -> str | None:
    """A corrected query, offered only when it is close to what was typed and has results:
    unknown syllables replaced by the nearest indexed one (one edit for short syllables, two
    for longer); numbers and symbols are never "corrected" ("1200" is not "12")."""
    changed, words = False, []
    for _, folded in parsed.terms:
        if folded.isdigit() or any(c.isdigit() for c in folded) or searcher.doc_frequency("all_f", folded):
            words.append(folded)
            continue
        options = [o for o in searcher.similar(folded, limit=3, maxdist=1 if len(folded) <= 4 else 2)
                   if not o.isdigit()]
        if not options:
            return None
        words.append(options[0])
        changed = True
    if not changed:
        return None
    check = qb.required(qb.parse(" ".join(words)))
    if check is None or not searcher.any_match(check):
        return None
    return " ".join(words)
