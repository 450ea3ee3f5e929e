"""The search page /tim-kiem."""
from __future__ import annotations

from dataclasses import replace

from flask import render_template, request

from portal import search as engine
from portal.web.cache import cached
from portal.web.common import request_from_args
from portal.web.public import bp
from portal.web.public.documents import page_number

FACET_ARGS = {"doc_type": "loai", "year": "nam", "issuer": "co-quan", "campaign": "phong-trao"}
FACET_NAMES = {"doc_type": "Loại văn bản", "year": "Năm", "issuer": "Cơ quan ban hành",
               "campaign": "Phong trào"}
KIND_ARGS = {"van-ban": "document", "vinh-danh": "award"}  # ?ket-qua=…: the tab shown
PAGE_QUERY_CHARS = 300  # the page keeps this much of a query (the API takes 1,000) and says so


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
