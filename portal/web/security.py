"""Security headers on every response."""
from __future__ import annotations

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

# The largest id any supported database stores in an integer column (PostgreSQL's int4).
MAX_ID = 2**31 - 1


class BoundedInt(IntegerConverter):
    """`<int:...>` in every route: a number past the database's range is a 404, not an overflow."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def bounded_int(raw: str | None, default: int | None = None) -> int | None:
    """A query or form integer inside the database's range, else `default`."""
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) <= 10 and int(raw) <= MAX_ID else default


def install_converters(app: Flask) -> None:
    """Before any route is added."""
    app.url_map.converters["int"] = BoundedInt

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


class SingleContentType:
    """Content-Type is a singleton field (RFC 9110, 8.3). A client or proxy that sends it twice
    merges the copies into "a, a": keep one when they agree, so the form is still read (and its
    CSRF token checked) instead of the request looking empty."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        value = environ.get("CONTENT_TYPE", "")
        if "," in value:
            copies = {part.strip() for part in value.split(",")}
            if len(copies) == 1:
                environ["CONTENT_TYPE"] = copies.pop()
        return self.wsgi_app(environ, start_response)


def init_app(app: Flask) -> None:
    app.wsgi_app = SingleContentType(app.wsgi_app)
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:  # behind N load balancers: the visitor's address is in X-Forwarded-For
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    @app.after_request
    def _headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.path.startswith(("/quan-tri", "/don-vi", "/api/v1/office")):
            headers["Cache-Control"] = "no-store"
        return response
