"""The search page /tim-kiem."""
from __future__ import annotations

from dataclasses import replace

from flask import render_template, request

from portal import search as engine
from portal.domain.bounds import parse_int
from portal.domain.vocab import DOCUMENT_TYPES, strip_controls
from portal.web.cache import cached
from portal.web.public import bp
from portal.web.public.documents import page_number

FACET_ARGS = {"doc_type": "loai", "year": "nam", "issuer": "co-quan", "campaign": "phong-trao"}
FACET_NAMES = {"doc_type": "Loại văn bản", "year": "Năm", "issuer": "Cơ quan ban hành",
               "campaign": "Phong trào"}
KIND_ARGS = {"van-ban": "document", "vinh-danh": "award"}  # ?ket-qua=…: the tab shown
PAGE_QUERY_CHARS = 300  # the page keeps this much of a query (the API takes 1,000) and says so


def request_from_args(args, per_page: int = 10, page: int = 1) -> engine.SearchRequest:
    """A SearchRequest from query arguments, ignoring values that cannot be right."""
    args = {key: strip_controls(args.get(key, "")) for key in
            ("q", "nam", "loai", "sap-xep", "co-quan", "phong-trao", "kind")}
    kind = args.get("kind") if args.get("kind") in engine.KINDS else None
    year = args.get("nam", "")
    doc_type = args.get("loai") or None
    return engine.SearchRequest(
        text=args.get("q", "")[:2000], page=page, per_page=per_page, kind=kind,
        sort="date" if args.get("sap-xep") == "ngay" else "relevance",
        doc_type=doc_type if doc_type in DOCUMENT_TYPES else None,
        year=year if parse_int(year, None, low=1000, high=9999) else None,
        issuer=(args.get("co-quan") or None), campaign=(args.get("phong-trao") or None))


@bp.get("/tim-kiem")
@cached
def search():
    """Documents and honor-roll entries on tabs of their own, with their counts: documents first
    unless the query looks like a person's name, or only the other tab has results."""
    base = request_from_args(request.args, page=page_number())
    trimmed = len(base.text) > PAGE_QUERY_CHARS
    if trimmed:
        base = replace(base, text=base.text[:PAGE_QUERY_CHARS].rsplit(" ", 1)[0])
    chosen = KIND_ARGS.get(request.args.get("ket-qua", ""))
    kind = chosen or engine.preferred_kind(base.text)
    results = engine.search(replace(base, kind=kind))
    other = "award" if kind == "document" else "document"
    if not chosen and results.total == 0 and results.kinds.get(other):
        kind, results = other, engine.search(replace(base, kind=other))
    return render_template("search.html", results=results, facet_args=FACET_ARGS, facet_names=FACET_NAMES,
                           kind=kind, kind_args={v: k for k, v in KIND_ARGS.items()}, kinds=engine.KINDS,
                           trimmed=trimmed)
