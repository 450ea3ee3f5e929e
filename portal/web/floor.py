"""What every request pays before and after its view, kept small.

A cold public page (a name typed once on the honor roll) is mostly this floor plus its view, so
three costs Flask and its extensions pay again on every request are paid once here instead:

- `Portal.ensure_sync`: Flask asks, for each hook and view of each request, whether it is a
  coroutine function (an `inspect` walk, fifteen times a request). The answer never changes for
  a function, so it is kept.
- `SessionCookies`: the signed cookie's serializer depends only on the secret key and the
  session settings, yet Flask builds it on every request, cookie or not. It is kept per key and
  settings. An empty session that nothing changed only adds "Vary: Cookie" to the answer.
- `Templates.make_globals`: a template's globals are the environment's own dict, not a ChainMap
  over it. Jinja checks, at every `{% from … import %}` of every render, which of the page's
  globals the imported template lacks, and builds each page's context from them: both walk a
  ChainMap key by key, a tenth of an empty honor-roll page's rendering.
- `anonymous_without_cookies`: a request that carries no cookie has no session and no remember
  cookie, so Flask-Login can only find the anonymous user; it is set at once, without the
  identifier hash (address and browser, SHA-512) the session protection computes first.
"""
from __future__ import annotations

import inspect

from flask import Flask, g, request
from flask.sessions import SecureCookieSessionInterface
from flask.templating import Environment
from itsdangerous import URLSafeTimedSerializer

_KEPT_FUNCTIONS = 4096  # hooks, views and error handlers: a few hundred in the portal


class Templates(Environment):
    """Flask's Jinja environment, with the globals map of the module docstring."""

    def make_globals(self, d):
        # Every template shares the environment's dict: still live, as Jinja wants, and one
        # lookup a key. So no template may have globals of its own (they would be written into
        # the environment's, for every page): asking for them is refused below.
        if d:
            raise ValueError(_OWN_GLOBALS)
        return self.globals

    def get_template(self, name, parent=None, globals=None):
        if globals:
            raise ValueError(_OWN_GLOBALS)
        return super().get_template(name, parent)

    def select_template(self, names, parent=None, globals=None):
        if globals:
            raise ValueError(_OWN_GLOBALS)
        return super().select_template(names, parent)


_OWN_GLOBALS = "the portal's templates share the environment's globals: pass values to render() instead"


class Portal(Flask):
    """The portal's Flask application class."""

    jinja_environment = Templates

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._sync: dict = {}
        self.session_interface = SessionCookies()

    def ensure_sync(self, func):
        try:
            return self._sync[func]
        except (KeyError, TypeError):  # TypeError: an unhashable callable (never kept)
            pass
        made = self.async_to_sync(func) if inspect.iscoroutinefunction(func) else func
        if len(self._sync) < _KEPT_FUNCTIONS:
            try:
                self._sync[func] = made
            except TypeError:
                pass
        return made


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the serializer made once per key and settings."""

    def __init__(self):
        self._kept: dict[tuple, URLSafeTimedSerializer] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()), self.salt,
               self.digest_method, self.key_derivation)
        made = self._kept.get(key)
        if made is None:
            made = super().get_signing_serializer(app)
            if len(self._kept) < 16:  # one per secret key in use; tests make a few
                self._kept[key] = made
        return made

    def save_session(self, app: Flask, session, response) -> None:
        if session or session.modified or session.permanent:
            return super().save_session(app, session, response)
        # An empty session never changed (most public pages): no cookie to set or delete, only
        # "Vary: Cookie" when the page read it, as Flask adds it, without parsing the field.
        if session.accessed:
            vary = response.headers.get("Vary")
            if not vary:
                response.headers["Vary"] = "Cookie"
            elif "cookie" not in vary.lower():
                response.vary.add("Cookie")
        return None


def anonymous_without_cookies(app: Flask, login_manager) -> None:
    """Before each request: no cookie at all means the anonymous visitor (see the module)."""

    @app.before_request
    def _anonymous():
        if not request.cookies:
            g._login_user = login_manager.anonymous_user()
