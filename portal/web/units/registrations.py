"""A unit's emulation registration (đăng ký thi đua) of the year: its collective's title and each
member's target title, typed one by one or uploaded as a list; withdrawn, never deleted."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from portal.domain.kernel.vocab import DISTINCTIONS
from portal.domain.units import registrations
from portal.errors import ValidationFailed
from portal.extensions import db
from portal.services import storage
from portal.web.common import actor
from portal.web.units import bp, unit_account, unit_required


def _year() -> int:
    return registrations.year_param(request.values.get("nam"), registrations.open_years()[0])


def _page(year: int, errors: list[str] | None = None, form=None, status: int = 200):
    unit = unit_account()
    return render_template("units/registrations.html", unit=unit, year=year, years=registrations.open_years(),
                           closed=registrations.closed_for(unit, year),
                           entries=registrations.of_unit(unit, year),
                           withdrawn=[r for r in registrations.of_unit(unit, year, withdrawn=True)
                                      if r.withdrawn_at],
                           titles=registrations.TITLES, labels=DISTINCTIONS.label, errors=errors or [],
                           form=form or {}), status


@bp.get("/dang-ky-thi-dua")
@unit_required
def registration_list():
    return _page(_year())


def _refused(year: int, exc: ValidationFailed):
    db.session.rollback()
    return _page(year, [exc.message, *exc.problems], request.form, 400)


@bp.post("/dang-ky-thi-dua")
@unit_required
def registration_add():
    year, form = _year(), request.form
    entry = registrations.Entry(form.get("doi-tuong", ""), form.get("ten", "").strip()[:300],
                                form.get("danh-hieu", ""), form.get("chuc-vu", "").strip()[:200] or None,
                                form.get("so-dinh-danh", "").strip()[:20] or None)
    try:
        registration = registrations.register(unit_account(), year, entry, actor())
    except ValidationFailed as exc:
        return _refused(year, exc)
    db.session.commit()
    flash(f"Đã ghi đăng ký: {registration.name} — {registration.distinction_label}.")
    return redirect(url_for("units.registration_list", nam=year), 303)


@bp.post("/dang-ky-thi-dua/danh-sach")
@unit_required
def registration_upload():
    year = _year()
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise ValidationFailed("Hãy chọn tệp danh sách đăng ký (.xlsx hoặc .csv).")
        added = registrations.replace_from_list(unit_account(), year, upload.stream, upload.filename, actor(),
                                                storage())
    except ValidationFailed as exc:
        return _refused(year, exc)
    db.session.commit()
    flash(f"Đã nạp danh sách đăng ký thi đua năm {year}: {len(added)} dòng; các đăng ký trước được rút, vẫn lưu lại.")
    return redirect(url_for("units.registration_list", nam=year), 303)


@bp.post("/dang-ky-thi-dua/<int:registration_id>/rut")
@unit_required
def registration_withdraw(registration_id: int):
    year = _year()
    try:
        registration = registrations.withdraw(unit_account(), registration_id, actor())
    except ValidationFailed as exc:
        return _refused(year, exc)
    db.session.commit()
    flash(f"Đã rút đăng ký: {registration.name} — {registration.distinction_label}.")
    return redirect(url_for("units.registration_list", nam=registration.year), 303)
