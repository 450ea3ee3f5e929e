"""What bars or holds a person's nomination, kept on their record by the office: disciplines,
the recruitment date, long leaves, matters under examination; and records opened for a person
before their first award, so that those can be kept for their first nomination."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for

from portal.domain.honors import matters, records
from portal.errors import ValidationFailed
from portal.extensions import db
from portal.web.admin import bp, role_required
from portal.web.admin.records import recipient_list, recipient_view
from portal.web.common import actor


def _matter(matter_id: int) -> matters.RecipientMatter:
    return db.session.get(matters.RecipientMatter, matter_id) or abort(404)


@bp.post("/nguoi-duoc-khen/lap-ho-so")
@role_required("reviewer")
def recipient_open():
    form = request.form
    try:
        record = records.open_person(form.get("name", ""), form.get("id_number", ""), form.get("unit", ""), actor())
    except ValidationFailed as exc:
        db.session.rollback()
        return recipient_list(errors=[exc.message], status=400)
    db.session.commit()
    flash(f"Đã lập hồ sơ #{record.id} {record.name}.")
    return redirect(url_for("admin.recipient_view", record_id=record.id), 303)


@bp.post("/nguoi-duoc-khen/<int:record_id>/thong-tin")
@role_required("reviewer")
def matter_add(record_id: int):
    record = db.session.get(records.Recipient, record_id) or abort(404)
    form = request.form
    try:
        matter = matters.add(record, form.get("kind", ""), form.get("form", ""), form.get("started_on", ""),
                             form.get("ended_on", ""), form.get("reference", ""), actor())
    except ValidationFailed as exc:
        db.session.rollback()
        return recipient_view(record_id, [exc.message], 400, typed=form)
    db.session.commit()
    flash(f"Đã ghi: {matter.describe()}.")
    return redirect(url_for("admin.recipient_view", record_id=record_id, _anchor="h-matters"), 303)


@bp.post("/nguoi-duoc-khen/thong-tin/<int:matter_id>/ket-luan")
@role_required("reviewer")
def matter_conclude(matter_id: int):
    matter = _matter(matter_id)
    try:
        matters.conclude(matter, request.form.get("ended_on", ""), actor())
    except ValidationFailed as exc:
        db.session.rollback()
        return recipient_view(matter.recipient_id, [exc.message], 400)
    db.session.commit()
    flash(f"Đã ghi kết luận: {matter.describe()}.")
    return redirect(url_for("admin.recipient_view", record_id=matter.recipient_id, _anchor="h-matters"), 303)


@bp.post("/nguoi-duoc-khen/thong-tin/<int:matter_id>/rut")
@role_required("reviewer")
def matter_withdraw(matter_id: int):
    matter = _matter(matter_id)
    try:
        matters.withdraw(matter, request.form.get("reason", ""), actor())
    except ValidationFailed as exc:
        db.session.rollback()
        return recipient_view(matter.recipient_id, [exc.message], 400)
    db.session.commit()
    flash(f"Đã rút: {matter.describe()}.")
    return redirect(url_for("admin.recipient_view", record_id=matter.recipient_id, _anchor="h-matters"), 303)
