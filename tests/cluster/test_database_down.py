"""PostgreSQL unreachable: pages answer 503 in Vietnamese with Retry-After and no stack trace,
and the portal recovers by itself when the database returns. The database is reached through a
TCP relay the test can cut, as a network fault would."""
from __future__ import annotations

import os
import socket
import threading
import time

import psycopg
import pytest
import requests

from bench.harness import free_port, gunicorn
from tests.cluster.conftest import PG, _need, _pg_up

pytestmark = pytest.mark.slow


class Relay:
    """Forwards a local port to PostgreSQL; `cut()` drops every connection and refuses new ones."""

    def __init__(self, target: tuple[str, int]):
        self.target, self.port, self.open = target, free_port(), True
        self.server = socket.create_server(("127.0.0.1", self.port))
        self.links: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            if not self.open:
                client.close()
                continue
            self.links = [link for link in self.links if link.fileno() != -1]
            upstream = socket.create_connection(self.target)
            self.links += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    def cut(self):
        self.open = False
        for link in self.links:
            try:
                link.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.links.clear()

    def restore(self):
        self.open = True

    def close(self):
        self.cut()
        self.server.close()


@pytest.fixture
def relayed(tmp_path):
    _need("PostgreSQL on 127.0.0.1:5432", _pg_up())
    name = f"portal_down_{os.getpid()}"
    relay = Relay(("127.0.0.1", 5432))
    from tests.servers import environment, prepared_database
    env = environment(tmp_path, DATABASE_URL=f"postgresql://postgres@127.0.0.1:{relay.port}/{name}")
    prepared_database(name, (("db", "upgrade"), ("content", "load", "content")), env)
    yield relay, env
    relay.close()
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_database_down_is_a_503_and_the_portal_recovers_by_itself(relayed):
    relay, env = relayed
    with gunicorn("portal:create_app()", env, 1) as base:
        assert requests.get(base + "/van-ban", timeout=30).status_code == 200
        relay.cut()
        down = [requests.get(base + path, timeout=30) for path in ("/van-ban?loai=ke-hoach", "/vinh-danh?nam=2022",
                                                                     "/api/v1/honors?page=2")]
        for response in down:
            assert response.status_code == 503, response.text[:500]
            assert response.headers["Retry-After"].isdigit()
            assert "Traceback" not in response.text and "psycopg" not in response.text
        assert "tạm thời không truy cập được cơ sở dữ liệu" in down[0].text
        relay.restore()
        deadline = time.monotonic() + 10
        while requests.get(base + "/van-ban?loai=ke-hoach", timeout=30).status_code != 200:
            assert time.monotonic() < deadline, "did not recover"
            time.sleep(0.2)
