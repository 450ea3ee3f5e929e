"""The office's consolidated emulation registrations of a year: per unit, the collective's title
and how many members registered for which title, units that have not registered, late ones;
the whole list as CSV (ID numbers left out: the list circulates)."""
from __future__ import annotations

from flask import current_app, render_template, request

from portal.domain.kernel.models_base import today_vn
from portal.domain.kernel.vocab import DISTINCTIONS
from portal.domain.units import registrations
from portal.web.admin import bp
from portal.web.common import vn_datetime

COLUMNS = [("unit", "Đơn vị"), ("kind", "Đối tượng"), ("name", "Tên"), ("position", "Chức vụ"),
           ("title", "Danh hiệu đăng ký"), ("at", "Ngày đăng ký"), ("late", "Đăng ký muộn")]


def _year() -> int:
    return registrations.year_param(request.args.get("nam"), registrations.open_years()[0])


@bp.get("/dang-ky-thi-dua")
def registration_overview():
    year = _year()
    summaries = registrations.consolidated(year)
    this_year = today_vn().year
    return render_template("admin/registrations.html", year=year, summaries=summaries,
                           missing=[s for s in summaries if not (s.collective or s.members)],
                           titles=registrations.TITLES["ca-nhan"], labels=DISTINCTIONS.label,
                           years=list(range(this_year + 1, this_year - 5, -1)))


@bp.get("/dang-ky-thi-dua.csv")
def registration_csv():
    from portal.domain.honors import exports
    year = _year()
    rows = [{"unit": s.unit.name, "kind": r.kind_label, "name": r.name, "position": r.position or "",
             "title": r.distinction_label, "at": vn_datetime(r.created_at), "late": "có" if r.late else ""}
            for s in registrations.consolidated(year) for r in s.collective + s.members]
    response = current_app.response_class("".join(exports.csv_chunks(rows, COLUMNS)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename=dang-ky-thi-dua-{year}.csv"
    return response
