"""Blueprint "api": read-only JSON under /api/v1 (public data only)."""
from __future__ import annotations

from flask import Blueprint, Flask, jsonify, request

from portal import search as engine
from portal.domain.honors import roll as roll
from portal.domain.honors import shown
from portal.domain.kernel.bounds import parse_int
from portal.errors import ValidationFailed
from portal.web.common import absolute, absolute_path, filter_from_args, request_from_args

bp = Blueprint("api", __name__, url_prefix="/api/v1")
MAX_PER_PAGE = 100
MAX_PAGE = 500
MAX_QUERY = 1000  # characters of a search: a long question fits, and the URL stays within server limits
MAX_ARGUMENT = 300  # any other argument
MAX_NAME = 100


@bp.before_request
def _bounded_arguments():
    """Repeated arguments, or ones longer than any real one, are refused before any work."""
    for name, values in request.args.lists():
        if len(values) > 1:
            raise ValidationFailed(f"Tham số «{name[:40]}» chỉ được truyền một lần.")
        limit = MAX_QUERY if name == "q" else MAX_ARGUMENT
        if len(values[0]) > limit:
            raise ValidationFailed(f"Tham số «{name[:40]}» dài quá {limit} ký tự.")


def int_arg(name: str, default: int, low: int, high: int) -> int:
    """A bounded integer argument, or a 400 naming it."""
    raw = request.args.get(name)
    if raw is None:
        return default
    value = parse_int(raw, None, low=low, high=high)
    if value is None:
        raise ValidationFailed(f"Tham số «{name[:40]}» phải là số nguyên từ {low} đến {high}.")
    return value


@bp.get("/search")
def search():
    page = int_arg("page", 1, 1, MAX_PAGE)
    per_page = int_arg("per_page", 10, 1, MAX_PER_PAGE)
    args = request.args.to_dict()
    args.setdefault("loai", args.get("type", ""))
    args.setdefault("nam", args.get("year", ""))
    text = args.get("q", "")
    if len(text) > MAX_QUERY:
        raise ValidationFailed(f"Từ khóa tìm kiếm dài quá {MAX_QUERY} ký tự.")
    kind = args.get("kind", "")
    if kind and kind not in engine.KINDS:
        raise ValidationFailed("Tham số «kind» phải là «document» hoặc «award».")
    results = engine.search(request_from_args(args, per_page=per_page, page=page))
    return jsonify({
        "query": results.request.text,
        "total": results.total,
        "total_approximate": results.total_approximate,
        "kinds": results.kinds,
        "page": page,
        "per_page": per_page,
        "results": [{
            "kind": h.kind, "symbol": h.symbol or None, "title": h.title, "type": h.type_label or None,
            "issuer": h.issuer or None, "issued_on": h.issued_on.isoformat() if h.issued_on else None,
            "url": absolute_path(h.url), "snippet": h.snippet.text,
            "highlights": [list(span) for span in h.snippet.marks], "score": h.score,
        } for h in results.hits],
        "facets": {name: [{"value": v, "label": label, "count": n} for v, label, n in rows]
                   for name, rows in results.facets.items()},
        "suggestion": results.suggestion,
    })


@bp.get("/honors")
def honors():
    """The honor roll with the page's filters; public fields only."""
    page = int_arg("page", 1, 1, 100_000)
    per_page = int_arg("per_page", 20, 1, MAX_PER_PAGE)
    if len(request.args.get("ten", "")) > MAX_NAME:
        raise ValidationFailed(f"Tên tìm kiếm dài quá {MAX_NAME} ký tự.")
    result = roll.list_awards(filter_from_args(request.args), page, per_page)
    items = []
    for award, decision, document in result.items:
        row = shown.public_fields(award, decision, document)
        row["url"] = absolute("public.honor_award", award_id=award.id)
        row.pop("decision_slug")
        items.append(row)
    return jsonify({"total": result.total, "page": page, "per_page": per_page, "results": items})


def init_app(app: Flask) -> None:
    from portal.web.api import office, openapi  # noqa: F401  (routes register on import)

    app.register_blueprint(bp)
