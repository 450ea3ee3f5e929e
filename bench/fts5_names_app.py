"""The references for the honor roll's name search: plain pages over SQLite FTS5 doing the same
search (every word typed, the last as a beginning, marks ignored), served like the portal.
Built from the portal's own bench database by `build(source, target)`; served as
`bench.fts5_names_app:app` with FTS_NAMES_DB set.

- `/vinh-danh?ten=`: what the portal's page shows, from FTS5 and SQL: the 20 names in the roll's
  order (kind, position, unit, place, form and year, decision and its date, each linked), the
  total, the counts by kind, form, year and district (each a link that narrows the list), the
  name box, the links to statistics and exports; rendered by a Jinja template of its own, with
  no site layout.
- `/bang?ten=`: the same search as a bare table of 20 names and the total (the leanest page).
"""
from __future__ import annotations

import os
import re
import sqlite3
import threading
from urllib.parse import urlencode

from flask import Flask, request
from markupsafe import escape

app = Flask(__name__)
_local = threading.local()
PER_PAGE = 20


def build(source: str, target: str) -> int:
    """An FTS5 table of the listed awards' names, with what a row of the page shows."""
    from portal.domain.kernel.vocab import DISTINCTIONS, RECIPIENT_KINDS

    if os.path.exists(target):
        os.remove(target)
    out = sqlite3.connect(target)
    out.create_function("kind_label", 1, RECIPIENT_KINDS.label)
    out.create_function("form_label", 1, DISTINCTIONS.label)
    out.execute("ATTACH DATABASE ? AS src", (source,))
    out.execute("CREATE VIRTUAL TABLE names USING fts5(name, tokenize='unicode61 remove_diacritics 2')")
    out.execute("CREATE TABLE rows (id INTEGER PRIMARY KEY, name TEXT, kind TEXT, kind_label TEXT, position TEXT, "
                "unit TEXT, place TEXT, public INTEGER, form TEXT, form_label TEXT, year INTEGER, symbol TEXT, "
                "issued_on TEXT, slug TEXT, area TEXT, area_name TEXT, sort_key TEXT)")
    out.execute("INSERT INTO rows SELECT a.id, a.name, a.kind, kind_label(a.kind), a.position, a.unit, "
                "trim(coalesce(a.village || ', ', '') || coalesce(a.commune || ', ', '') || coalesce(a.district, ''), "
                "', '), a.publication = 'public', h.distinction, form_label(h.distinction), h.achievement_year, "
                "d.symbol, d.issued_on, d.slug, ar.code, ar.name, a.sort_key FROM src.awards a "
                "JOIN src.honor_decisions h ON h.id = a.decision_id JOIN src.documents d ON d.id = h.document_id "
                "LEFT JOIN src.areas ar ON ar.id = a.district_area_id "
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


@app.get("/bang")
def names_table():
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


# The counts of the portal's facets, in one statement over the matching rows.
_COUNTS = ("WITH m AS (SELECT r.* FROM names JOIN rows r ON r.id = names.rowid WHERE names MATCH :match) "
           "SELECT 'doi-tuong', kind, kind_label, count(*) FROM m GROUP BY kind "
           "UNION ALL SELECT 'hinh-thuc', form, form_label, count(*) FROM m GROUP BY form "
           "UNION ALL SELECT 'nam', year, year, count(*) FROM m GROUP BY year "
           "UNION ALL SELECT 'dia-ban', area, 'Huyện ' || area_name, count(*) FROM m WHERE area IS NOT NULL "
           "GROUP BY area")
_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Bảng vinh danh</title></head><body>
<h1>Bảng vinh danh</h1>
<form role="search" method="get" action="/vinh-danh"><label for="ten">Tìm theo tên</label>
<input id="ten" name="ten" type="search" value="{{ text }}" maxlength="100"><button type="submit">Tìm</button></form>
{% for key, title in groups %}{% if facets[key] %}<section><h3>{{ title }}</h3><ul>
{% for value, label, count in facets[key] %}<li><a href="{{ narrow(key, value) }}">{{ label }} ({{ count }})</a></li>
{% endfor %}</ul></section>{% endif %}{% endfor %}
<h2>{{ total }} lượt khen thưởng</h2>
<p><a href="/vinh-danh/thong-ke?{{ query }}">Thống kê</a> · <a href="/vinh-danh/xuat.csv?{{ query }}">CSV</a>
· <a href="/vinh-danh/xuat.xlsx?{{ query }}">Excel</a></p>
<table><tbody>
{% for r in rows %}<tr><th><a href="/vinh-danh/khen-thuong/{{ r[0] }}">{{ r[1] }}</a><br>
{{- r[2] }}{% if r[3] %}, {{ r[3] }}{% endif %}</th>
<td>{{ r[4] or '' }}{% if r[4] and r[5] %}<br>{% endif %}{{ r[5] or '' }}</td><td>{{ r[6] }} ({{ r[7] }})</td>
<td><a href="/vinh-danh/quyet-dinh/{{ r[10] }}">{{ r[8] }}</a><br>
{{- r[9][8:10] }}/{{ r[9][5:7] }}/{{ r[9][:4] }}</td></tr>
{% endfor %}</tbody></table>
{% if pages > 1 %}<nav><a href="/vinh-danh?{{ query }}&amp;trang=2">Trang sau</a> (trang 1/{{ pages }})</nav>{% endif %}
</body></html>"""
_GROUPS = [("doi-tuong", "Đối tượng"), ("hinh-thuc", "Hình thức"), ("nam", "Năm"), ("dia-ban", "Địa bàn")]
_TEMPLATE = app.jinja_env.from_string(_PAGE)  # compiled once (render_template_string compiles every time)


def found(text: str) -> tuple[list[tuple], int, dict[str, list[tuple[str, str, int]]]]:
    """The name search the page shows: its first 20 rows, their number, and the counts by kind,
    form, year and district (bench/names_search.py times this beside the portal's)."""
    match = _match(text)
    rows, total, facets = [], 0, {key: [] for key, _title in _GROUPS}
    if match:
        db = _db()
        for key, value, label, count in db.execute(_COUNTS, {"match": match}):
            facets[key].append((str(value), str(label), count))
        facets["nam"].sort(reverse=True)
        total = sum(count for _value, _label, count in facets["doi-tuong"])
        rows = db.execute(
            "SELECT r.id, r.name, r.kind_label, CASE WHEN r.public THEN r.position END, r.unit, "
            "CASE WHEN r.public THEN r.place END, r.form_label, r.year, r.symbol, r.issued_on, r.slug "
            "FROM names JOIN rows r ON r.id = names.rowid WHERE names MATCH ? ORDER BY r.sort_key, r.id LIMIT ?",
            (match, PER_PAGE)).fetchall()
    return rows, total, facets


@app.get("/vinh-danh")
def names_page():
    text = request.args.get("ten", "")
    rows, total, facets = found(text)
    query = urlencode({"ten": text})

    def narrow(key: str, value: str) -> str:
        return "/vinh-danh?" + urlencode({"ten": text, key: value})

    return _TEMPLATE.render(text=text, rows=rows, total=total, facets=facets, groups=_GROUPS,
                            narrow=narrow, query=query, pages=(total + PER_PAGE - 1) // PER_PAGE)
