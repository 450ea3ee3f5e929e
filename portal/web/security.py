"""Security headers on every response."""
from __future__ import annotations

from flask import Flask, request

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

    @app.after_request
    def _headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.path.startswith("/quan-tri"):
            headers["Cache-Control"] = "no-store"
        return response
