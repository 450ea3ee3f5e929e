"""A cluster on this machine: a PostgreSQL database of its own, two gunicorn nodes with separate
instance, index and upload folders, nginx balancing between them, and a third node's settings
for `flask` commands."""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from bench.harness import free_port, gunicorn
from portal.config import PROJECT_ROOT
from tests.servers import missing, prepared_database

PG = "postgresql://postgres@127.0.0.1:5432"
ADMIN, PASSWORD = "quantri@vks.test", "mật khẩu quản trị cụm máy"


def _need(what: str, ok: bool) -> None:
    if ok:
        return
    missing(f"{what} is needed for the cluster test (.ci/run provides it)")


def _pg_up() -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", 5432)) == 0


@dataclass
class Cluster:
    nodes: list[str]
    balancer: str
    env: dict
    data: Path
    processes: list = field(default_factory=list)

    @property
    def everywhere(self) -> list[str]:
        return [*self.nodes, self.balancer]

    def flask(self, *args: str, **extra: str) -> subprocess.CompletedProcess:
        """A `flask` command with a third node's settings (its own folders)."""
        return subprocess.run([sys.executable, "-m", "flask", "--app", "portal", *args], cwd=PROJECT_ROOT,
                              env={**self.node_env("c"), **extra}, check=True, capture_output=True, text=True)

    def node_env(self, name: str) -> dict:
        folder = self.data / f"node-{name}"
        return {**self.env, "INSTANCE_DIR": str(folder / "instance"), "SEARCH_INDEX_DIR": str(folder / "index"),
                "UPLOAD_DIR": str(folder / "uploads")}


class Webmaster:
    """A signed-in session; its cookie is valid on every node (one SECRET_KEY)."""

    def __init__(self, base: str):
        self.http = requests.Session()
        self.token = ""
        self.get(base + "/quan-tri/dang-nhap")
        response = self.post(base + "/quan-tri/dang-nhap", {"email": ADMIN, "password": PASSWORD})
        assert response.status_code == 200 and "Đăng xuất" in response.text

    def _remember(self, response):
        found = re.search(r'name="csrf_token" value="([^"]+)"', response.text) or re.search(
            r'name="csrf-token" content="([^"]+)"', response.text)
        if found:
            self.token = found[1]
        return response

    def get(self, url: str):
        return self._remember(self.http.get(url, timeout=30))

    def post(self, url: str, data: dict, files: dict | None = None):
        return self._remember(self.http.post(url, data={"csrf_token": self.token, **data}, files=files, timeout=60))


NGINX = """
worker_processes 1;
{user}
error_log {prefix}/error.log warn;
pid {prefix}/nginx.pid;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    client_max_body_size 22m;
    upstream portal_nodes {{
        server 127.0.0.1:{a} max_fails=1 fail_timeout=5s;
        server 127.0.0.1:{b} max_fails=1 fail_timeout=5s;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://portal_nodes;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_next_upstream error timeout http_502;
        }}
    }}
}}
"""


def _nginx(prefix: Path, a: int, b: int) -> tuple[subprocess.Popen, str]:
    prefix.mkdir(parents=True, exist_ok=True)
    port = free_port()
    user = "user root;" if os.geteuid() == 0 else ""
    (prefix / "nginx.conf").write_text(NGINX.format(prefix=prefix, a=a, b=b, port=port, user=user))
    proc = subprocess.Popen([shutil.which("nginx") or "/usr/sbin/nginx", "-c", str(prefix / "nginx.conf"),
                             "-p", str(prefix), "-g", "daemon off;"], stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/", timeout=2).read()  # noqa: S310 (loopback)
            return proc, base
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("nginx did not start: " + (prefix / "error.log").read_text()[-2000:])


@pytest.fixture(params=["whoosh", "postgresql"])
def cluster(tmp_path, request):
    """Two nodes and nginx; with each search backend (a Whoosh folder per node, or PostgreSQL)."""
    _need("PostgreSQL on 127.0.0.1:5432", _pg_up())
    _need("nginx (apt-get install nginx-light)", bool(shutil.which("nginx") or Path("/usr/sbin/nginx").exists()))
    import psycopg
    name = f"portal_cluster_{os.getpid()}"
    env = {**os.environ, "DEPLOYMENT": "cluster", "DATABASE_URL": f"{PG}/{name}", "SECRET_KEY": "cluster-test",
           "FILE_STORAGE": "database", "TRUSTED_PROXIES": "127.0.0.1", "PYTHONPATH": str(PROJECT_ROOT),
           "SEARCH_BACKEND": request.param}
    env.pop("REDIS_URL", None)
    result = Cluster([], "", env, tmp_path)
    # As if the third node had run `db upgrade`, `content load content` and `users create`.
    prepared_database(name, (("db", "upgrade"), ("content", "load", "content"),
                             ("users", "create", ADMIN, "--role", "admin")), env,
                      cli_folder=tmp_path / "node-c", step_env={"PORTAL_PASSWORD": PASSWORD})
    with ExitStack() as stack:
        for node in ("a", "b"):
            result.nodes.append(stack.enter_context(gunicorn("portal:create_app()", result.node_env(node), 2)))
        ports = [int(base.rsplit(":", 1)[1]) for base in result.nodes]
        proc, result.balancer = _nginx(tmp_path / "nginx", *ports)
        stack.callback(lambda: (proc.send_signal(signal.SIGQUIT), proc.wait(timeout=10)))
        yield result
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
