"""The login throttle holds across separate server processes: failures counted by one are
refused by the other (kept in the database; in Redis when REDIS_URL is set)."""
import http.cookiejar
import re
import socket
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.servers import missing, prepared, serve

pytestmark = pytest.mark.slow  # two servers per test

EMAIL, PASSWORD = "quantri@vks.test", "một mật khẩu quản trị dài"


class Browserless:
    """A cookie-keeping HTTP client that signs in through the real login form."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def login(self, password: str) -> int:
        page = self.opener.open(self.base + "/quan-tri/dang-nhap").read().decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
        body = urllib.parse.urlencode({"csrf_token": token, "email": EMAIL, "password": password}).encode()
        try:
            return self.opener.open(self.base + "/quan-tri/dang-nhap", data=body).status
        except urllib.error.HTTPError as exc:
            return exc.code


def _redis_up() -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", 6379)) == 0


@pytest.fixture
def two_servers(tmp_path, request):
    extra = {"REDIS_URL": "redis://127.0.0.1:6379/15"} if request.param == "redis" else {}
    if extra and not _redis_up():
        # .ci/run starts Redis when none answers
        missing("no Redis on 127.0.0.1:6379: start one (redis-server) to check the Redis throttle")
    if extra:
        import redis
        redis.Redis.from_url(extra["REDIS_URL"]).flushdb()
    env = prepared(tmp_path, (("db", "upgrade"), ("users", "create", EMAIL, "--role", "admin")),
                   step_env={"PORTAL_PASSWORD": PASSWORD}, **extra)
    with serve(env, workers=1) as first, serve(env, workers=1) as second:
        yield first, second


@pytest.mark.parametrize("two_servers", ["database", "redis"], indirect=True)
def test_failures_on_one_process_lock_the_account_on_the_other(two_servers):
    first, second = two_servers
    assert Browserless(first).login(PASSWORD) == 200  # followed the redirect to the dashboard
    statuses = [Browserless(server).login("mật khẩu sai hoàn toàn") for server in (first, second) * 3][:5]
    assert statuses == [401] * 5
    assert Browserless(second).login(PASSWORD) == 429
    assert Browserless(first).login(PASSWORD) == 429
