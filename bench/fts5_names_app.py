"""The reference for the honor roll's name search: a plain page over SQLite FTS5 doing the same
search (every word typed, the last as a beginning, marks ignored), 20 names in the roll's order
with their decision and the total, served like the portal. Built from the portal's own bench
database by `build(path)`; served as `bench.fts5_names_app:app` with FTS_NAMES_DB set."""
from __future__ import annotations

import os
import re
import sqlite3
import threading

from flask import Flask, request
from markupsafe import escape

app = Flask(__name__)
_local = threading.local()
PER_PAGE = 20


def build(source: str, target: str) -> int:
    """An FTS5 table of the listed awards' names (with what a row of the page shows)."""
    if os.path.exists(target):
        os.remove(target)
    out = sqlite3.connect(target)
    out.execute("ATTACH DATABASE ? AS src", (source,))
    out.execute("CREATE VIRTUAL TABLE names USING fts5(name, tokenize='unicode61 remove_diacritics 2')")
    out.execute("CREATE TABLE rows (id INTEGER PRIMARY KEY, name TEXT, position TEXT, unit TEXT, symbol TEXT, "
                "sort_key TEXT)")
    out.execute("INSERT INTO rows SELECT a.id, a.name, a.position, a.unit, d.symbol, a.sort_key FROM src.awards a "
                "JOIN src.honor_decisions h ON h.id = a.decision_id JOIN src.documents d ON d.id = h.document_id "
                "WHERE a.publication IN ('public', 'name-unit') AND d.status = 'published'")
    out.execute("INSERT INTO names(rowid, name) SELECT id, name FROM rows")
    out.commit()
    count = out.execute("SELECT count(*) FROM rows").fetchone()[0]
    out.close()
    return count


def _db() -> sqlite3.Connection:
    if getattr(_local, "db", None) is None:
        _local.db = sqlite3.connect(os.environ["FTS_NAMES_DB"], check_same_thread=False)
    return _local.db


def _match(text: str) -> str:
    words = re.findall(r"\w+", text)[:8]
    return " ".join(f'"{w}"' for w in words[:-1]) + (f' "{words[-1]}"*' if words else "")


@app.get("/")
def index():
    return "<!doctype html><html lang=vi><title>ok</title><p>Bảng vinh danh</p></html>"


@app.get("/vinh-danh")
def names():
    text = request.args.get("ten", "")
    match = _match(text)
    rows, total = [], 0
    if match:
        db = _db()
        total = db.execute("SELECT count(*) FROM names WHERE names MATCH ?", (match,)).fetchone()[0]
        rows = db.execute("SELECT r.name, r.position, r.unit, r.symbol FROM names JOIN rows r ON r.id = names.rowid "
                          "WHERE names MATCH ? ORDER BY r.sort_key, r.id LIMIT ?", (match, PER_PAGE)).fetchall()
    body = "".join(f"<tr><td>{escape(n)}</td><td>{escape(p or '')}</td><td>{escape(u or '')}</td>"
                   f"<td>{escape(s)}</td></tr>" for n, p, u, s in rows)
    return (f"<!doctype html><html lang=vi><title>Vinh danh</title><h1>Bảng vinh danh</h1>"
            f"<p>{total} kết quả cho «{escape(text)}»</p><table>{body}</table></html>")
