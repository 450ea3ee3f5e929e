"""The search page /tim-kiem."""
from __future__ import annotations

from flask import render_template, request

from ... import search as engine
from ...domain.vocab import DOCUMENT_TYPES, strip_controls
from ..cache import cached
from . import bp
from .documents import page_number

FACET_ARGS = {"doc_type": "loai", "year": "nam", "issuer": "co-quan", "campaign": "phong-trao"}
FACET_NAMES = {"doc_type": "Loại văn bản", "year": "Năm", "issuer": "Cơ quan ban hành",
               "campaign": "Phong trào"}


def request_from_args(args, per_page: int = 10, page: int = 1) -> engine.SearchRequest:
    """A SearchRequest from query arguments, ignoring values that cannot be right."""
    args = {key: strip_controls(args.get(key, "")) for key in ("q", "nam", "loai", "sap-xep", "co-quan", "phong-trao")}
    year = args.get("nam", "")
    doc_type = args.get("loai") or None
    return engine.SearchRequest(
        text=args.get("q", "")[:2000], page=page, per_page=per_page,
        sort="date" if args.get("sap-xep") == "ngay" else "relevance",
        doc_type=doc_type if doc_type in DOCUMENT_TYPES else None,
        year=year if year.isdigit() and len(year) == 4 else None,
        issuer=(args.get("co-quan") or None), campaign=(args.get("phong-trao") or None))


@bp.get("/tim-kiem")
@cached
def search():
    results = engine.search(request_from_args(request.args, page=page_number()))
    return render_template("search.html", results=results, facet_args=FACET_ARGS, facet_names=FACET_NAMES)
