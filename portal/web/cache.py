"""Rendered public pages kept per content generation, with ETag and 304 answers.

A page is rendered once per change of content (the change sequence of domain/kernel/changes.py, shared
by every process and node on the database), not once per request; browsers and proxies
revalidate with If-None-Match and get 304, from whichever node answers. The cache is bounded in
bytes (`PAGE_CACHE_BYTES`), and a page larger than `PAGE_CACHE_MAX_PAGE` is never kept.

A page asked with a query (a name typed, a search, a filter) is kept from its second request on,
as nginx's `proxy_cache_min_uses 2` does: most names and words are typed once, and keeping each
cost a tenth of a cold name search, then pushed out a page that many read. A small doorkeeper
(hashes of the pages asked once lately, `PAGE_CACHE_SIZE` × 4) remembers them. A page without a
query (the section's pages, a document) is kept at once.

While the database does not answer, a page not yet rendered for the current generation is served
as it was last rendered, if it is still kept (stale-if-error, RFC 5861): a visitor reads
yesterday's honor roll rather than an error page. Only pages that need the database get the 503.
"""
from __future__ import annotations

import functools
import hashlib
import logging
import threading
from collections import OrderedDict

from flask import Flask, Response, current_app, make_response, request, session
from sqlalchemy.exc import OperationalError

from portal.domain.documents import schedule
from portal.domain.kernel import changes
from portal.web.errors import rollback_quietly

_lock = threading.Lock()
_pages: OrderedDict[tuple, tuple[bytes, str, int, dict]] = OrderedDict()
_size = {"bytes": 0}
# (path, query, app) -> the key of the newest kept rendering of that page, whatever its generation.
_newest: dict[tuple, tuple] = {}
log = logging.getLogger(__name__)


_asked_once: OrderedDict[int, None] = OrderedDict()  # hash(page) of the pages asked once lately


def clear() -> None:
    with _lock:
        _pages.clear()
        _newest.clear()
        _asked_once.clear()
        _size["bytes"] = 0


def _admitted(key: tuple) -> bool:
    """Whether a page rendered now is worth keeping: one without a query always; one with a
    query when it was asked before (see the module)."""
    if not key[1]:
        return True
    seen = hash(_page_of(key))  # a collision only keeps a page one request early
    with _lock:
        if _asked_once.pop(seen, False) is None:
            return True
        _asked_once[seen] = None
        if len(_asked_once) > 4 * current_app.config.get("PAGE_CACHE_SIZE", 2000):
            _asked_once.popitem(last=False)
    return False


def cached_bytes() -> int:
    return _size["bytes"]


def _remember(key: tuple, value: tuple) -> None:
    config = current_app.config
    size = len(value[0])
    if size > config.get("PAGE_CACHE_MAX_PAGE", 1 << 20):
        return
    limit_count, limit_bytes = config.get("PAGE_CACHE_SIZE", 2000), config.get("PAGE_CACHE_BYTES", 64 << 20)
    with _lock:
        old = _pages.pop(key, None)
        if old is not None:
            _size["bytes"] -= len(old[0])
        _pages[key] = value
        _newest[_page_of(key)] = key
        _size["bytes"] += size
        while len(_pages) > limit_count or _size["bytes"] > limit_bytes:
            dropped_key, dropped = _pages.popitem(last=False)
            _size["bytes"] -= len(dropped[0])
            if _newest.get(_page_of(dropped_key)) == dropped_key:
                del _newest[_page_of(dropped_key)]


def _page_of(key: tuple) -> tuple:
    path, query, _generation, app_name = key
    return path, query, app_name


def _last_rendering(key: tuple) -> tuple | None:
    """The newest kept rendering of the page `key` names, from an earlier generation."""
    with _lock:
        newest = _newest.get(_page_of(key))
        return _pages.get(newest) if newest is not None else None


def _respond(body: bytes, mimetype: str, status: int, headers: dict) -> Response:
    etag = headers["ETag"]
    if request.if_none_match and request.if_none_match.contains_weak(etag.strip('"')):
        response = Response(status=304)
        response.headers["ETag"] = etag
        response.headers["Cache-Control"] = headers["Cache-Control"]
        return response
    response = Response(body, status=status, mimetype=mimetype)
    response.headers.extend(headers)
    return response


def _personal() -> bool:
    """Whether the visitor's session holds something for them alone (a flashed message, a
    sign-in): such a visitor gets a page of their own, neither served from nor kept in the cache."""
    return bool(request.cookies) and any(key != "csrf_token" for key in session)


def cached(view):
    """Serve a GET view from the page cache of the current generation: only pages every visitor
    may see alike are kept (no flashed message, no signed-in visitor, no cookie set)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if request.method != "GET" or current_app.config.get("PAGE_CACHE_DISABLED") or _personal():
            return view(*args, **kwargs)
        # The root too: a portal reached both at / and under a prefix links differently in each.
        key = (request.script_root + request.path, request.query_string, changes.generation(), current_app.name)
        hit = _pages.get(key)
        if hit is not None:
            return _respond(*hit)
        try:
            response = make_response(view(*args, **kwargs))
        except OperationalError as exc:
            stale = _last_rendering(key)
            if stale is None:
                raise  # the portal's 503 page
            rollback_quietly()
            log.warning("database unreachable, %s served as last rendered: %s", request.path,
                        exc.__class__.__name__)
            return _respond(*stale)
        if (response.status_code != 200 or response.direct_passthrough or session.modified
                or "Set-Cookie" in response.headers):
            return response  # made for this visitor alone
        if not _admitted(key):
            return response  # asked once so far: not kept
        body = response.get_data()
        headers = {
            "ETag": '"' + hashlib.blake2b(body + key[2].encode(), digest_size=12).hexdigest() + '"',
            "Cache-Control": "no-cache",
        }
        if "Content-Disposition" in response.headers:
            headers["Content-Disposition"] = response.headers["Content-Disposition"]
        entry = (body, response.mimetype, 200, headers)
        _remember(key, entry)
        if request.if_none_match:
            return _respond(*entry)  # another node may have given this visitor the same page
        response.headers.update(headers)  # the response made is the one kept: no second one
        return response

    wrapper.page_cached = True  # tests walk every cached route
    return wrapper


def _follow_schedule() -> None:
    """Before each request: a scheduled publication window that opened or closed moves the
    generation, so no page rendered before it is served after it. Static files never change with it."""
    if request.endpoint != "static":
        schedule.tick()


def init_app(app: Flask) -> None:
    app.before_request(_follow_schedule)
