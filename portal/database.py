"""Every wait for the database has a bound, so that an outage ends in the portal's own 503 and
never in a request that hangs until the worker is killed.

- Connecting: `connect_timeout` (DB_CONNECT_TIMEOUT seconds).
- A server that stops answering on a live connection (hung, paused, or a network that drops
  packets): TCP keepalives and `tcp_user_timeout` find a dead peer; a peer whose kernel still
  acknowledges (a stopped process, a stalled proxy) is bounded by the request budget below.
- Each statement a request sends: at most DB_REQUEST_BUDGET seconds of waiting, measured on
  the client (the server cannot enforce a limit when it is the part that hangs); past it the
  connection is closed and SQLAlchemy's OperationalError becomes the 503 page.
- Server side, a serving process's statements stop after DB_STATEMENT_TIMEOUT seconds.
- Waiting for a pooled connection: DB_POOL_TIMEOUT seconds.

Background work (search catch-up, commands) has no request budget: only its own timeouts."""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager

import psycopg
from psycopg import waiting
from sqlalchemy import event
from sqlalchemy.engine import Engine

_budget = threading.local()


class DatabaseTimeout(psycopg.OperationalError):
    """The database did not answer within the request's budget (the connection is closed)."""


BREAK_SECONDS = 1.0  # after the database missed a deadline, requests of this process do not wait on it
_down_until = [0.0]


def _gave_up() -> None:
    """Once the database missed a deadline, the rest of the request does not wait on it again,
    nor do the process's other requests for BREAK_SECONDS: visitors get the 503 page (or the
    cached page) at once, not after one more timeout each; then one request tries again."""
    if getattr(_budget, "gave_up", False) or time.monotonic() < _down_until[0]:
        raise DatabaseTimeout("cơ sở dữ liệu vừa không trả lời: không chờ thêm trong yêu cầu này")


def _missed() -> None:
    _budget.gave_up = True
    _down_until[0] = time.monotonic() + BREAK_SECONDS


class BoundedConnection(psycopg.Connection):
    """psycopg's connection whose waits on the server stop at the thread's budget."""

    def wait(self, gen, interval: float | None = 0.1):
        seconds = getattr(_budget, "seconds", None)
        if not seconds:
            return super().wait(gen, interval)
        _gave_up()
        # The pure-Python poll loop hands control back every `interval`: the budget is checked there.
        return waiting.wait_poll(self._within(gen, time.monotonic() + seconds), self.pgconn.socket, interval)

    def _within(self, gen, deadline: float):
        try:
            state = next(gen)
            while True:
                ready = yield state
                if ready == waiting.READY_NONE and time.monotonic() > deadline:
                    self.pgconn.finish()  # the connection is unusable mid-statement: closed, then replaced
                    _missed()
                    raise DatabaseTimeout("cơ sở dữ liệu không trả lời trong thời hạn")
                state = gen.send(ready)
        except StopIteration as done:
            return done.value


@contextmanager
def budget(seconds: float | None):
    """Within the block, each statement of this thread waits at most `seconds` (None: no limit)."""
    before = getattr(_budget, "seconds", None)
    _budget.seconds = seconds
    try:
        yield
    finally:
        _budget.seconds = before


def set_budget(seconds: float | None) -> None:
    """A request's budget per wait (None: none), with nothing given up on yet."""
    _budget.seconds, _budget.gave_up = seconds, False


def _connect(dialect, _record, cargs, cparams):
    if dialect.driver != "psycopg":
        return None  # SQLite: a local file, nothing to wait on the network for
    if getattr(_budget, "seconds", None):
        _gave_up()
        try:
            return BoundedConnection.connect(*cargs, **cparams)
        except psycopg.OperationalError:
            _missed()  # refused or silent: not tried again for a moment
            raise
    return BoundedConnection.connect(*cargs, **cparams)


def engine_options(url: str, config: dict, serving: bool) -> dict:
    """SQLAlchemy engine options with the bounds above for PostgreSQL."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options.setdefault("pool_pre_ping", True)
    if not url.startswith("postgresql"):
        return options
    options.setdefault("pool_timeout", config["DB_POOL_TIMEOUT"])
    connect_args = {"connect_timeout": max(1, round(config["DB_CONNECT_TIMEOUT"])), "keepalives": 1,
                    "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 3,
                    "tcp_user_timeout": int(config["DB_CONNECT_TIMEOUT"] * 1000) + 8000}
    if serving:
        connect_args["options"] = f"-c statement_timeout={int(config['DB_STATEMENT_TIMEOUT'] * 1000)}"
    options["connect_args"] = {**connect_args, **options.get("connect_args", {})}
    return options


def init_app(app) -> None:
    if not event.contains(Engine, "do_connect", _connect):
        event.listen(Engine, "do_connect", _connect)
    seconds = app.config["DB_REQUEST_BUDGET"]

    @app.before_request
    def _start_budget():
        set_budget(seconds)

    @app.teardown_appcontext  # registered before the database's: runs after its rollback and release
    def _end_budget(_exc=None):
        set_budget(None)
