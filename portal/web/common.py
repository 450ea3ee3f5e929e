"""What the blueprints share; no blueprint imports another."""
from __future__ import annotations

import base64
from datetime import date, datetime
from functools import lru_cache

from flask import Flask, abort, current_app, has_request_context, request, send_file, url_for
from flask_login import current_user
from markupsafe import Markup

from portal import search as engine
from portal.domain.honors import roll
from portal.domain.kernel.actor import Actor
from portal.domain.kernel.bounds import parse_int
from portal.domain.kernel.models_base import VN, as_utc
from portal.domain.kernel.vocab import DISTINCTIONS, DOCUMENT_TYPES, RECIPIENT_KINDS, strip_controls
from portal.services import storage


def absolute(endpoint: str, **values) -> str:
    """An absolute link from SITE_URL alone (scheme, host and port), never from the request:
    a forged Host header must not reach a mail, a feed or an API answer."""
    return absolute_path(url_for(endpoint, **values))


def remember_links(app: Flask, size: int = 8192) -> None:
    """Templates call url_for() for the same links on every page (the layout's dozen, a list's
    filters, each row's link): the answers are kept per app, keyed by the request's root (and
    blueprint, for a link relative to it) and the link's endpoint and values. A link asked with
    `_external`, `_anchor` or similar options, or with values that cannot be keys (lists), is
    built every time."""
    build = app.url_for

    @lru_cache(maxsize=size)
    def kept(root: str, blueprint: str | None, endpoint: str, values: tuple) -> str:
        return build(endpoint, **dict(values))

    def link(endpoint: str, **values) -> str:
        if not has_request_context() or any(key[0] == "_" for key in values):
            return build(endpoint, **values)
        here = request._get_current_object()  # noqa: SLF001 (one proxy lookup, not three)
        try:
            return kept(here.script_root, here.blueprint if endpoint[0] == "." else None, endpoint,
                        tuple(sorted(values.items())) if len(values) > 1 else tuple(values.items()))
        except TypeError:  # a value that is no key
            return build(endpoint, **values)

    def link_stem(endpoint: str, last: str, **values) -> str:
        """The link to `endpoint` without its last path segment, an integer `last`: a list of
        thousands of rows links each as stem + id, without building each link."""
        whole = link(endpoint, **values, **{last: 0})
        if not whole.endswith("/0"):
            raise ValueError(f"{endpoint}: {last} is not the last segment of its links")
        return whole[:-1]

    app.jinja_env.globals["url_for"] = link
    app.jinja_env.globals["link_stem"] = link_stem


def kept_links():
    """The current app's url_for() through the links remember_links() keeps (fetch it once for a
    loop of links)."""
    return current_app.jinja_env.globals["url_for"]


def kept_link(endpoint: str, **values) -> str:
    return kept_links()(endpoint, **values)


def kept_link_stem(endpoint: str, last: str, **values) -> str:
    """The kept link to `endpoint` without its last segment (see remember_links)."""
    return current_app.jinja_env.globals["link_stem"](endpoint, last, **values)


def remember_chrome(app: Flask, size: int = 256) -> None:
    """The layout's head links, header and footer (templates/chrome/) are the same on every page
    of a kind: each is rendered once per app, root and endpoint, and kept (an eighth of a list
    page's time went to them). A header whose box shows the words searched is made each time
    (each search would take a place of its own). A fragment reads only `endpoint`,
    `search_box`, config and url_for."""
    environment = app.jinja_env

    def render(name: str, endpoint: str | None, search_box: str) -> Markup:
        html = environment.get_template(f"chrome/{name}.html").render(endpoint=endpoint, search_box=search_box)
        return Markup(html)  # noqa: S704  # nosec B704 (the output of an autoescaped template)

    @lru_cache(maxsize=size)
    def kept(name: str, root: str, endpoint: str | None) -> Markup:
        return render(name, endpoint, "")

    def chrome(name: str) -> Markup:
        here = request._get_current_object()  # noqa: SLF001 (one proxy lookup)
        endpoint = here.endpoint
        if name == "header" and endpoint == "public.search" and here.args.get("q"):
            return render(name, endpoint, here.args["q"])
        return kept(name, here.script_root, endpoint)

    environment.globals["chrome"] = chrome


def absolute_path(path: str) -> str:
    return current_app.config["SITE_URL"].rstrip("/") + path


def vn_date(value: date | datetime | None) -> str:
    """dd/mm/yyyy, the way Vietnamese readers write dates; an instant is dated in Vietnam's time
    (a document posted at 04/08 06:30 in Lạng Sơn was stored as 03/08 23:30 UTC)."""
    if isinstance(value, datetime):
        value = as_utc(value).astimezone(VN)
    return value.strftime("%d/%m/%Y") if value else ""


def vn_datetime(value: datetime | None) -> str:
    """An instant in Vietnam's time, dd/mm/yyyy HH:MM (pages, exports and mail alike)."""
    return as_utc(value).astimezone(VN).strftime("%d/%m/%Y %H:%M") if value else ""


def actor() -> Actor:
    """The signed-in user as the actor of an operation, with the request's address."""
    return Actor.of(current_user, request.remote_addr)


def send_stored(item):
    """A stored file (anything with stored_name, filename, mime_type, size, sha256) as a download
    under its own name: from disk with sendfile, or streamed from the database in 1 MB chunks."""
    store = storage()
    path = store.local_path(item.stored_name)
    if path is not None and not path.is_file() or path is None and not store.exists(item.stored_name):
        abort(404)
    source = path if path is not None else store.open(item.stored_name)
    response = send_file(source, mimetype=item.mime_type, as_attachment=True,
                         download_name=item.filename, etag=item.sha256, conditional=True)
    if path is None:
        response.content_length = item.size
    response.headers["X-Content-Type-Options"] = "nosniff"
    # The digest recorded when the file was stored (RFC 9530): a client can check that what it
    # received are the bytes uploaded, a signed original included, never a re-saved copy.
    response.headers["Repr-Digest"] = f"sha-256=:{base64.b64encode(bytes.fromhex(item.sha256)).decode()}:"
    return response


def send_attachment(document, attachment_id: int):
    """An original as a download under its Vietnamese name, never rendered inline."""
    item = next((a for a in document.attachments if a.id == attachment_id), None)
    if item is None:
        abort(404)
    return send_stored(item)


def send_private(item):
    """A stored file only its owner and the office may fetch: never kept by a shared cache."""
    response = send_stored(item)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def filter_from_args(args) -> roll.HonorFilter:
    args = {key: strip_controls(args.get(key, "")) for key in
            ("nam", "doi-tuong", "hinh-thuc", "phong-trao", "dot", "dia-ban", "don-vi", "ten")}
    year = args.get("nam", "")
    kind = args.get("doi-tuong") or None
    form = args.get("hinh-thuc") or None
    return roll.HonorFilter(
        kind=kind if kind in RECIPIENT_KINDS else None,
        distinction=form if form in DISTINCTIONS else None,
        year=parse_int(year, None, low=1000, high=9999),
        campaign=args.get("phong-trao") or None, review_round=args.get("dot") or None,
        area=args.get("dia-ban") or None, unit=(args.get("don-vi") or None),
        name=(args.get("ten") or "")[:100] or None)


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
