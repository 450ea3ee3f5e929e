"""Rows 8 and 15 against real servers: simultaneous transitions by two reviewers answer 409, never
500; 40 simultaneous wrong passwords reach the password check exactly as often as the limit."""
from __future__ import annotations

import http.cookiejar
import re
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.servers import prepared, serve

pytestmark = pytest.mark.slow
PASSWORD = "một mật khẩu người duyệt dài"
REVIEWERS = ("duyet1@vks.test", "duyet2@vks.test")


class Client:
    """A cookie-keeping HTTP client that signs in through the real login form."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.token = ""

    def open(self, path: str, data: dict | None = None) -> int:
        body = urllib.parse.urlencode({"csrf_token": self.token, **data}).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=60) as response:
                page = response.read().decode()
                status = response.status
        except urllib.error.HTTPError as exc:
            page, status = exc.read().decode(), exc.code
        found = re.search(r'name="csrf_token" value="([^"]+)"', page) or re.search(
            r'name="csrf-token" content="([^"]+)"', page)
        if found:
            self.token = found[1]
        return status

    def login(self, email: str, password: str) -> int:
        self.open("/quan-tri/dang-nhap")
        return self.open("/quan-tri/dang-nhap", {"email": email, "password": password})


@pytest.fixture
def server(tmp_path):
    env = prepared(tmp_path, (("db", "upgrade"), ("content", "load", "content"),
                              *(("users", "create", email, "--role", "reviewer") for email in REVIEWERS)),
                   step_env={"PORTAL_PASSWORD": PASSWORD})
    with serve(env, workers=2) as base:
        yield base, tmp_path


def test_row8_simultaneous_transitions_answer_409_never_500(server):
    base, data = server
    with sqlite3.connect(data / "db.sqlite3") as connection:
        plan_id = connection.execute("SELECT id FROM documents WHERE symbol = '174/KH-UBND'").fetchone()[0]
    clients = [Client(base) for _ in REVIEWERS]
    for client, email in zip(clients, REVIEWERS, strict=True):
        assert client.login(email, PASSWORD) == 200
        client.open(f"/quan-tri/van-ban/{plan_id}")
    statuses = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for _ in range(10):
            for name in ("retract", "redraft", "publish"):
                if name == "publish":  # from a draft, a reviewer publishes by submitting first
                    list(pool.map(lambda c: c.open(f"/quan-tri/van-ban/{plan_id}/chuyen/submit", {}), clients))
                statuses += pool.map(lambda c, n=name: c.open(f"/quan-tri/van-ban/{plan_id}/chuyen/{n}", {}),
                                     clients)
    assert 500 not in statuses, statuses
    assert set(statuses) <= {200, 409}, statuses
    with sqlite3.connect(data / "db.sqlite3") as connection:
        assert connection.execute("SELECT status FROM documents WHERE id = ?", (plan_id,)).fetchone()[0] \
            == "published"


def test_row15_the_login_limit_holds_under_40_simultaneous_attempts(server):
    base, _data = server
    clients = [Client(base) for _ in range(40)]
    for client in clients:
        client.open("/quan-tri/dang-nhap")

    def attempt(client):
        return client.open("/quan-tri/dang-nhap", {"email": REVIEWERS[0], "password": "sai hoàn toàn rồi nhé"})

    with ThreadPoolExecutor(max_workers=40) as pool:
        statuses = list(pool.map(attempt, clients))
    assert statuses.count(401) == 5, statuses  # LOGIN_LIMIT_ACCOUNT: checked exactly five times
    assert statuses.count(429) == 35
