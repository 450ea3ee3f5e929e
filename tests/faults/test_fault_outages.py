"""Outages with a bound: PostgreSQL stopped, hung, and cut mid-transaction under load, behind
nginx running deploy/nginx.conf as shipped (only addresses, ports and paths substituted).

Two nodes reach the database through a TCP proxy the test controls. While visitors, a signed-in
editor and a writer keep the portal busy, the proxy refuses, hangs or resets every connection.
Every answer must be a page of the portal (200, served from the page cache, or its Vietnamese
503) within 5 s, never nginx's own; 200 again within 2 s of the database's return; every write
the portal acknowledged is there afterwards, whole, and nothing it refused is half there."""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import psycopg
import pytest
import requests

from bench.harness import free_port, gunicorn
from portal.config import PROJECT_ROOT
from tests.cluster.conftest import PG, _need, _pg_up
from tests.servers import prepared_database

pytestmark = pytest.mark.slow
HOST = "thiduakhenthuong.example.vn"  # the shipped configuration's server_name
EDITOR, PASSWORD = "bientap@vks.test", "mật khẩu biên tập viên đủ dài"
BOUND, RECOVERY = 5.0, 2.0
PAGES = ["/", "/van-ban", "/vinh-danh", "/van-ban/174-kh-ubnd-2022", "/phong-trao/day-nhanh-tien-do-giai-phong-"
         "mat-bang-2022-2025", "/lay-y-kien", "/tim-kiem?q=giai+phong+mat+bang", "/api/v1/honors",
         "/vinh-danh/thong-ke"]


class Proxy:
    """Forwards a loopback port to PostgreSQL: `pass`, `hang` (connections stay open, nothing is
    forwarded), `refuse` (every connection closed at once, new ones too) and `cut()` (resets every
    open connection, whatever it was doing)."""

    def __init__(self, target: tuple[str, int]):
        self.target, self.port, self.mode = target, free_port(), "pass"
        self.server = socket.create_server(("127.0.0.1", self.port))
        self.links: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            if self.mode == "refuse":
                self._reset(client)
                continue
            if self.mode == "hang":  # a hung server: the connection is taken and never answered
                with self.lock:
                    self.links.append(client)
                continue
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                self._reset(client)
                continue
            with self.lock:
                self.links += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source, sink):
        try:
            while data := source.recv(65536):
                while self.mode == "hang":
                    time.sleep(0.02)
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                self._reset(s)

    @staticmethod
    def _reset(s: socket.socket) -> None:
        """Reset the connection. close() alone does not do it while the other pipe thread is
        blocked in recv() on the socket: the kernel keeps it open until that call returns, so
        PostgreSQL's side stayed connected and its backends piled up to max_connections (seen:
        recovery took 11 s, "too many clients"). shutdown() wakes that recv() first."""
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # RST
            s.shutdown(socket.SHUT_RD)
        except OSError:
            pass
        try:
            s.close()
        except OSError:
            pass

    def cut(self):
        with self.lock:
            links, self.links = self.links, []
        for link in links:
            self._reset(link)

    def set(self, mode: str):
        was, self.mode = self.mode, mode
        if mode == "refuse" or was == "hang":
            self.cut()  # what was left hanging is dropped, as a restarted server drops it

    def close(self):
        self.set("refuse")
        self.server.close()


def _nginx(prefix: Path, nodes: list[int]) -> tuple[subprocess.Popen, str]:
    """nginx with deploy/nginx.conf as shipped: only node addresses, the port and paths changed."""
    shipped = (PROJECT_ROOT / "deploy" / "nginx.conf").read_text()
    port = free_port()
    servers = "".join(f"    server 127.0.0.1:{p} max_fails=3 fail_timeout=5s;\n" for p in nodes)
    site = re.sub(r"(upstream portal_nodes \{\n)(    server [^\n]+\n)+", lambda m: m[1] + servers, shipped)
    site = site.replace("listen 80", f"listen 127.0.0.1:{port}").replace("/opt/portal", str(PROJECT_ROOT))
    assert site.count(f"127.0.0.1:{port}") == 2 and "10.0.0." not in site
    prefix.mkdir(parents=True, exist_ok=True)
    (prefix / "site.conf").write_text(site)
    user = "user root;" if os.geteuid() == 0 else ""
    (prefix / "nginx.conf").write_text(
        f"worker_processes 1;\n{user}\nerror_log {prefix}/error.log warn;\npid {prefix}/nginx.pid;\n"
        "events { worker_connections 512; }\n"
        f"http {{\n access_log off;\n client_body_temp_path {prefix}/body;\n proxy_temp_path {prefix}/proxy;\n"
        f" fastcgi_temp_path {prefix}/fastcgi;\n uwsgi_temp_path {prefix}/uwsgi;\n scgi_temp_path {prefix}/scgi;\n"
        f" include {prefix}/site.conf;\n}}\n")
    proc = subprocess.Popen([shutil.which("nginx") or "/usr/sbin/nginx", "-c", str(prefix / "nginx.conf"),
                             "-p", str(prefix), "-g", "daemon off;"], stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if requests.get(base + "/", headers={"Host": HOST}, timeout=5).status_code == 200:
                return proc, base
        except requests.RequestException:
            pass
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError("nginx did not start: " + (prefix / "error.log").read_text()[-2000:])


class Client:
    """A visitor (or a signed-in editor) through nginx, by the portal's host name."""

    def __init__(self, base: str):
        self.base, self.http = base, requests.Session()
        self.http.headers["Host"] = HOST

    def get(self, path: str):
        return self.http.get(self.base + path, timeout=15, allow_redirects=False)

    def login(self):
        page = self.get("/quan-tri/dang-nhap").text
        self.token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
        done = self.http.post(self.base + "/quan-tri/dang-nhap", timeout=15, allow_redirects=False,
                              data={"email": EDITOR, "password": PASSWORD, "csrf_token": self.token})
        assert done.status_code == 302, done.text[:500]
        self.token = re.search(r'name="csrf-token" content="([^"]+)"', self.get("/quan-tri/").text)[1]

    def create(self, n: int):
        return self.http.post(self.base + "/quan-tri/van-ban/moi", timeout=15, allow_redirects=False, data={
            "csrf_token": self.token, "symbol": f"{n}/TB-VKS", "type": "thong-bao", "issued_on": "2026-12-01",
            "issuer": "Viện kiểm sát nhân dân tỉnh Lạng Sơn", "place": "Lạng Sơn",
            "subject": f"Thông báo thử số {n}", "signing_authority": "KT. VIỆN TRƯỞNG",
            "signer_title": "PHÓ VIỆN TRƯỞNG", "signer": "Nguyễn Văn An", "body": "Nội dung thông báo thử."})


class Load:
    """Visitors, an editor reading the webmasters' area and an editor writing drafts, all at once."""

    def __init__(self, base: str):
        self.base, self.seen, self.acknowledged, self.tried = base, [], set(), set()
        self.stop, self.threads, self.lock = threading.Event(), [], threading.Lock()
        self.editor, self.writer = Client(base), Client(base)
        self.editor.login()
        self.writer.login()
        self.number = 1000

    def _record(self, who: str, started: float, response=None, error: str = ""):
        with self.lock:
            self.seen.append((started, time.monotonic() - started, who,
                              response.status_code if response is not None else 0,
                              response.text if response is not None else error))

    def _visit(self, offset: int):
        visitor, n = Client(self.base), offset
        while not self.stop.is_set():
            path, n = PAGES[n % len(PAGES)], n + 1
            started = time.monotonic()
            try:
                self._record(path, started, visitor.get(path))
            except requests.RequestException as exc:
                self._record(path, started, error=repr(exc))

    def _staff(self):
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                self._record("/quan-tri/", started, self.editor.get("/quan-tri/"))
            except requests.RequestException as exc:
                self._record("/quan-tri/", started, error=repr(exc))
            time.sleep(0.1)

    def _write(self):
        while not self.stop.is_set():
            with self.lock:
                self.number += 1
                n = self.number
            self.tried.add(n)
            started = time.monotonic()
            try:
                response = self.writer.create(n)
                self._record("POST /quan-tri/van-ban/moi", started, response)
                if response.status_code == 302:
                    self.acknowledged.add(n)
            except requests.RequestException as exc:
                self._record("POST /quan-tri/van-ban/moi", started, error=repr(exc))
            time.sleep(0.05)

    def __enter__(self):
        targets = [lambda i=i: self._visit(i * 3) for i in range(3)] + [self._staff, self._write]
        self.threads = [threading.Thread(target=t, daemon=True) for t in targets]
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def since(self, moment: float) -> list:
        with self.lock:
            return [s for s in self.seen if s[0] >= moment]


@pytest.fixture
def outage_cluster(tmp_path):
    _need("PostgreSQL on 127.0.0.1:5432", _pg_up())
    _need("nginx (apt-get install nginx-light)", bool(shutil.which("nginx") or Path("/usr/sbin/nginx").exists()))
    name = f"portal_outage_{os.getpid()}"
    proxy = Proxy(("127.0.0.1", 5432))
    env = {**os.environ, "DEPLOYMENT": "cluster", "SECRET_KEY": "outage-test", "FILE_STORAGE": "database",
           "SEARCH_BACKEND": "postgresql", "TRUSTED_PROXIES": "127.0.0.1", "PYTHONPATH": str(PROJECT_ROOT),
           "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{proxy.port}/{name}", "SITE_URL": f"http://{HOST}"}
    env.pop("REDIS_URL", None)
    env.pop("TRUSTED_HOSTS", None)

    prepared_database(name, (("db", "upgrade"), ("content", "load", "content"), ("content", "load", "demo"),
                             ("search", "rebuild"), ("users", "create", EDITOR, "--role", "editor")),
                      env, step_env={"PORTAL_PASSWORD": PASSWORD})
    with ExitStack() as stack:
        ports = []
        for node in ("a", "b"):
            node_env = {**env, "INSTANCE_DIR": str(tmp_path / node / "instance"),
                        "SEARCH_INDEX_DIR": str(tmp_path / node / "index")}
            base = stack.enter_context(gunicorn("portal:create_app()", node_env, 2))
            ports.append(int(base.rsplit(":", 1)[1]))
        proc, balancer = _nginx(tmp_path / "nginx", ports)
        stack.callback(lambda: (proc.send_signal(signal.SIGQUIT), proc.wait(timeout=10)))
        yield proxy, balancer, name
        proxy.set("pass")
    proxy.close()
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _portal_answer(status: int, body: str) -> bool:
    if status == 200:
        return True
    return status == 503 and "tạm thời không truy cập được cơ sở dữ liệu" in body or (
        status == 503 and '"status": 503' in body)


def _judge(load: Load, fault_at: float, restored_at: float, case: str) -> dict:
    during = load.since(fault_at)
    bad = [(who, status, round(took, 2), body[:120]) for started, took, who, status, body in during
           if started < restored_at and not _portal_answer(status, body)
           and not (who.startswith("POST") and status in (302, 503))]
    slow = [(who, status, round(took, 2)) for started, took, who, status, _ in during
            if started < restored_at and took > BOUND]
    assert not bad, f"{case}: answers that are not the portal's: {bad[:10]}"
    assert not slow, f"{case}: answers slower than {BOUND} s: {slow[:10]}"
    statuses = sorted({s[3] for s in during if s[0] < restored_at})
    timed = sorted(((round(s[1], 2), s[2], s[3]) for s in during if s[0] < restored_at), reverse=True)
    return {"statuses": statuses, "requests": len(timed), "slowest": timed[0][0] if timed else 0,
            "slowest_requests": timed[:5]}


def _recovered(base: str, restored_at: float) -> float:
    """Seconds from the database's return until every page answers 200 again through nginx."""
    client = Client(base)
    pending, last = set(PAGES), {}
    while pending:
        if time.monotonic() - restored_at > 30:
            answers = {path: (r.status_code, r.text[:300]) for path in pending for r in [client.get(path)]}
            raise AssertionError(f"not recovered: {answers}")
        for path in sorted(pending):
            answer = client.get(path)
            if answer.status_code == 200:
                pending.discard(path)
            else:
                last[path] = (round(time.monotonic() - restored_at, 2), answer.status_code, answer.text[:80])
        if pending:
            time.sleep(0.05)
    took = time.monotonic() - restored_at
    if took > RECOVERY:
        print(f"\nlast refusals before recovery: {last}")
    return took


def _nothing_lost(name: str, load: Load) -> None:
    with psycopg.connect(f"{PG}/{name}", autocommit=True) as connection:
        rows = connection.execute(
            "SELECT d.symbol, (SELECT count(*) FROM document_history h WHERE h.document_id = d.id), "
            "(SELECT count(*) FROM audit_log a WHERE a.target = 'document:' || d.id) "
            "FROM documents d WHERE d.symbol LIKE '%/TB-VKS' AND d.subject LIKE 'Thông báo thử số %'").fetchall()
    present = {int(symbol.split("/")[0]): (history, audit) for symbol, history, audit in rows}
    assert load.acknowledged <= set(present), f"acknowledged and lost: {sorted(load.acknowledged - set(present))}"
    half = {n: counts for n, counts in present.items() if counts[0] < 1 or counts[1] < 1}
    assert not half, f"written without their history or audit: {half}"
    assert set(present) <= load.tried


@pytest.mark.parametrize("case", ["stopped", "hung", "cut mid-transaction"])
def test_an_outage_ends_in_the_portals_503_within_5_s_and_recovers_within_2_s(outage_cluster, case):
    proxy, base, name = outage_cluster
    with Load(base) as load:
        time.sleep(3)  # every worker renders (and keeps) the public pages
        fault_at = time.monotonic()
        if case == "stopped":
            proxy.set("refuse")
        elif case == "hung":
            proxy.set("hang")
        for _ in range(6 if case != "cut mid-transaction" else 1):
            if case == "cut mid-transaction":
                for _ in range(30):  # connections reset while the writer's transactions are open
                    proxy.cut()
                    time.sleep(0.2)
            else:
                time.sleep(1)
        proxy.set("pass")
        restored_at = time.monotonic()
        took = _recovered(base, restored_at)
        time.sleep(1)
    figures = _judge(load, fault_at, restored_at, case)
    print(f"\n{case}: {figures['requests']} requests during the fault, statuses {figures['statuses']}, "
          f"slowest {figures['slowest_requests']} s; 200 everywhere {took:.2f} s after the database returned")
    # The cut case once had 5 s more here, blamed on nginx; the cause was the proxy leaving
    # PostgreSQL's side of each cut connection open (see Proxy._reset). Recovery now takes 0.3-0.4 s.
    assert took <= RECOVERY, f"{case}: recovered after {took:.2f} s"
    assert 200 in figures["statuses"] or case == "cut mid-transaction"  # cached pages kept being served
    _nothing_lost(name, load)
