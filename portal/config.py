"""Settings read from the environment; tests pass their own mapping to create_app."""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigurationError(RuntimeError):
    """A setting the chosen deployment cannot run without; the message says what to set."""


def cluster() -> bool:
    """`DEPLOYMENT=cluster`: several identical nodes share one PostgreSQL database."""
    return os.environ.get("DEPLOYMENT", "embedded") == "cluster"


def _secret_key(instance_path: Path) -> str:
    """Return SECRET_KEY from the environment, else one generated once and kept in instance/
    (embedded only: nodes of a cluster must share one key, so a missing one stops start-up)."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    if cluster():
        raise ConfigurationError("DEPLOYMENT=cluster cần SECRET_KEY giống nhau trên mọi máy "
                                 "(ví dụ: python3 -c 'import secrets; print(secrets.token_hex(32))').")
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def _database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        # Heroku-style URLs name the old driver; psycopg 3 is the one we install.
        if url.startswith("postgres://"):
            url = "postgresql://" + url[len("postgres://"):]
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        return url
    return f"sqlite:///{instance_path / 'portal.sqlite3'}"


def _check_cluster(url: str) -> None:
    if cluster() and not url.startswith("postgresql"):
        raise ConfigurationError("DEPLOYMENT=cluster cần DATABASE_URL trỏ tới PostgreSQL dùng chung "
                                 "(postgresql://người-dùng@máy:5432/tên-csdl).")


LOOPBACK_HOSTS = ("localhost", "127.0.0.1")


def trusted_hosts(site_url: str, listed: str | None) -> list[str] | None:
    """The host names a request may carry: TRUSTED_HOSTS (comma-separated; `*` for any), else
    SITE_URL's host; the machine itself (health checks, commands on a node) is always allowed."""
    if listed and listed.strip() == "*":
        return None
    names = [n.strip() for n in (listed or "").split(",") if n.strip()]
    if not names:
        names = [urlsplit(site_url).hostname or "127.0.0.1"]
    return list(dict.fromkeys([*names, *LOOPBACK_HOSTS]))


def from_environment(instance_path: Path, secret_key: str | None = None) -> dict:
    """Build the settings mapping from environment variables, with safe defaults (a secret key
    given by the caller, as tests give theirs, is never generated into instance/)."""
    upload_default = instance_path / "uploads"
    _check_cluster(_database_url(instance_path))
    return {
        "SECRET_KEY": secret_key or _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        "SEARCH_INDEX_DIR": os.environ.get("SEARCH_INDEX_DIR", str(PROJECT_ROOT / "search_index")),
        "UPLOAD_DIR": os.environ.get("UPLOAD_DIR", str(upload_default)),
        "CONTENT_DIR": os.environ.get("CONTENT_DIR", str(PROJECT_ROOT / "content")),
        "MAX_UPLOAD_MB": int(os.environ.get("MAX_UPLOAD_MB", "20")),
        # Root certificates a signed original may chain to ("Chứng thư số hợp lệ"), one file each.
        "TRUST_ROOTS_DIR": os.environ.get("TRUST_ROOTS_DIR", str(PROJECT_ROOT / "content" / "chung-thu-so-goc")),
        # Secure cookies wherever the portal is served over HTTPS (or when asked to).
        "SESSION_COOKIE_SECURE": os.environ.get(
            "SESSION_COOKIE_SECURE", "1" if os.environ.get("SITE_URL", "").startswith("https://") else "0") == "1",
        "SITE_URL": os.environ.get("SITE_URL", "http://127.0.0.1:5000"),
        "DEMO_DATA": os.environ.get("DEMO_DATA", "1") != "0",
        "PAGE_CACHE_SIZE": int(os.environ.get("PAGE_CACHE_SIZE", "2000")),
        # A server refuses a database of another schema revision (0: a script that knows better).
        "SCHEMA_CHECK": os.environ.get("SCHEMA_CHECK", "1") != "0",
        # Memory the rendered-page cache may use per worker, and the largest page it keeps.
        "PAGE_CACHE_BYTES": int(os.environ.get("PAGE_CACHE_MB", "64")) * 1024 * 1024,
        "PAGE_CACHE_MAX_PAGE": 1024 * 1024,
        # Bounds on waiting for the database (seconds; portal/database.py): connecting, each
        # statement of a request (measured here), each statement on the server, a pooled connection.
        "DB_CONNECT_TIMEOUT": float(os.environ.get("DB_CONNECT_TIMEOUT", "2")),
        "DB_REQUEST_BUDGET": float(os.environ.get("DB_REQUEST_BUDGET", "2")),
        "DB_STATEMENT_TIMEOUT": float(os.environ.get("DB_STATEMENT_TIMEOUT", "30")),
        "DB_POOL_TIMEOUT": float(os.environ.get("DB_POOL_TIMEOUT", "2")),
        # Read the honor roll's name index as a worker starts (web/warmup.py): 1 or 0; unset, a
        # worker gunicorn starts does, anything else does not.
        "WARM_UP": {"1": True, "0": False}.get(os.environ.get("WARM_UP", "")),
        # Login throttle across workers: Redis when set, else the database.
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        # Where originals and staged award lists live: this machine's UPLOAD_DIR, or the database.
        "FILE_STORAGE": os.environ.get("FILE_STORAGE", "database" if cluster() else "folder"),
        # The load balancers' addresses or networks (comma-separated): X-Forwarded-For is believed
        # only from them (web/security.py).
        "TRUSTED_PROXIES": os.environ.get("TRUSTED_PROXIES", ""),
        # Where the search index lives: a Whoosh folder per node, or PostgreSQL (the database's own).
        "SEARCH_BACKEND": os.environ.get("SEARCH_BACKEND", "whoosh"),
        # E-mail notices (optional): the office and units see the same on their dashboards.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25") or 25),
        "MAIL_USE_TLS": os.environ.get("MAIL_USE_TLS", "0") == "1",
        "MAIL_USE_SSL": os.environ.get("MAIL_USE_SSL", "0") == "1",
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_SENDER": os.environ.get("MAIL_SENDER", "thidua@vks.langson.invalid"),
        # Seconds the sending thread waits on the mail server (no request ever waits on it).
        "MAIL_TIMEOUT": float(os.environ.get("MAIL_TIMEOUT", "10") or 10),
        # Where notices for the office go besides its accounts (comma-separated; optional).
        "MAIL_OFFICE": [a.strip() for a in os.environ.get("MAIL_OFFICE", "").split(",") if a.strip()],
    }


DEFAULTS = {
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "PER_PAGE": 20,
    # Failed logins allowed per account and per address within LOGIN_WINDOW seconds.
    "LOGIN_LIMIT_ACCOUNT": 5,
    "LOGIN_LIMIT_ADDRESS": 20,
    "LOGIN_WINDOW": 900,
    # Werkzeug's method string: scrypt with its default cost (N=2**15). Tests lower the cost.
    "PASSWORD_HASH_METHOD": "scrypt:32768:8:1",
    "PERMANENT_SESSION_LIFETIME": 8 * 3600,
    "SITE_NAME": "Viện kiểm sát nhân dân tỉnh Lạng Sơn",
    "SECTION_NAME": "Thi đua - khen thưởng",
    # What a webmaster's first new document starts with; later ones start from their last.
    "DOCUMENT_DEFAULTS": {"issuer_parent": "Viện kiểm sát nhân dân tối cao",
                          "issuer": "Viện kiểm sát nhân dân tỉnh Lạng Sơn", "place": "Lạng Sơn",
                          # The part after the number in the procuracy's own decisions (25/QĐ-VKS).
                          "decision_suffix": "QĐ-VKS"},
}
