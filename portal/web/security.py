"""Security headers on every response."""
from __future__ import annotations

import ipaddress

from flask import Flask, request
from werkzeug.routing import IntegerConverter

from portal.config import ConfigurationError
from portal.domain.kernel.bounds import MAX_ID, parse_int


class BoundedInt(IntegerConverter):
    """`<int:...>` in every route: a number past the database's range is a 404, not an overflow."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def bounded_int(raw: str | None, default: int | None = None) -> int | None:
    """A query or form integer (ASCII digits) inside the database's range, else `default`."""
    return parse_int(raw, default)


def install_converters(app: Flask) -> None:
    """Before any route is added."""
    app.url_map.converters["int"] = BoundedInt

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
# On every response, unless the view set its own.
HEADERS = (("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"),
           ("Referrer-Policy", "strict-origin-when-cross-origin"),
           ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"))


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


class ForwardedBy:
    """The visitor's address and scheme as told by the load balancers we run, and only by them.

    X-Forwarded-For is believed only when the connection comes from an address of
    TRUSTED_PROXIES; its hops are read from the right, past our own proxies, and the first other
    address is the visitor's. A forged header sent straight to a node, or a value that is not an
    address, changes nothing (a count of hops would trust whoever connects)."""

    def __init__(self, wsgi_app, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]):
        self.wsgi_app, self.networks = wsgi_app, networks

    def _ours(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address.strip())
        except ValueError:
            return False
        return any(ip in network for network in self.networks)

    def __call__(self, environ, start_response):
        if self._ours(environ.get("REMOTE_ADDR", "")):
            hops = [h.strip() for h in environ.get("HTTP_X_FORWARDED_FOR", "")[:2000].split(",") if h.strip()]
            while hops and self._ours(hops[-1]):
                hops.pop()
            if hops:
                try:
                    environ["REMOTE_ADDR"] = str(ipaddress.ip_address(hops[-1]))
                except ValueError:
                    pass  # not an address: the proxy's own is kept
            proto = environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[-1].strip().lower()
            if proto in ("http", "https"):
                environ["wsgi.url_scheme"] = proto
        return self.wsgi_app(environ, start_response)


def proxy_networks(value) -> list:
    """TRUSTED_PROXIES: the load balancers' addresses or networks, comma-separated."""
    networks = []
    for item in str(value or "").split(","):
        item = item.strip()
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ConfigurationError(
                f"TRUSTED_PROXIES nhận địa chỉ hoặc dải địa chỉ của máy cân bằng tải (ví dụ 127.0.0.1 hoặc "
                f"10.0.0.0/24), không nhận «{item[:40]}».") from None
    return networks


def init_app(app: Flask) -> None:
    app.wsgi_app = SingleContentType(app.wsgi_app)
    networks = proxy_networks(app.config.get("TRUSTED_PROXIES"))
    if networks:  # behind our load balancers: the visitor's address is in X-Forwarded-For
        app.wsgi_app = ForwardedBy(app.wsgi_app, networks)

    @app.after_request
    def _headers(response):
        headers = response.headers
        present = {name.lower() for name, _value in headers.items()}  # one pass, no lookup per field
        for name, value in HEADERS:
            if name.lower() not in present:
                headers.add(name, value)
        if request.path.startswith(("/quan-tri", "/don-vi", "/api/v1/office")):
            headers["Cache-Control"] = "no-store"
        return response
