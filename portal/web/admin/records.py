"""The office's records of recipients: a person's, collective's or household's awards across
decisions and years, records proposed as the same, merges and their undoing."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from portal.domain.honors import matters, records
from portal.domain.kernel.bounds import parse_int
from portal.errors import ValidationFailed
from portal.extensions import db
from portal.vietnamese.folding import fold
from portal.web.admin import bp, role_required
from portal.web.common import actor

PER_PAGE = 50


def _record(record_id: int) -> records.Recipient:
    return db.session.get(records.Recipient, record_id) or abort(404)


@bp.get("/nguoi-duoc-khen")
def recipient_list(errors: list | None = None, status: int = 200):
    typed = " ".join(request.args.get("ten", "").split())[:100]
    number = request.args.get("so-dinh-danh", "").strip()[:12]
    query = db.select(records.Recipient).where(records.Recipient.merged_into_id.is_(None))
    if number:
        query = query.join(records.RecipientIdentity).where(records.RecipientIdentity.id_number == number)
    elif typed:
        query = query.where(records.Recipient.match_key.contains(f"|{' '.join(fold(typed).split())}"))
    found = list(db.session.scalars(query.order_by(records.Recipient.name).limit(PER_PAGE))) if typed or number else []
    return render_template("admin/recipient_list.html", found=found, typed=typed, number=number,
                           errors=errors or [], form=request.form), status


@bp.get("/nguoi-duoc-khen/<int:record_id>")
def recipient_view(record_id: int, errors: list | None = None, status: int = 200, typed=None):
    record = _record(record_id)
    if record.merged_into_id is not None:
        return redirect(url_for("admin.recipient_view", record_id=record.merged_into_id), 303)
    merges = list(db.session.scalars(db.select(records.RecipientMerge).where(
        records.RecipientMerge.kept_id == record.id).order_by(records.RecipientMerge.id)))
    return render_template("admin/recipient.html", record=record, years=records.history(record),
                           proposals=records.proposals(record), merges=merges, errors=errors or [],
                           matters=matters.of_record(record), typed=typed or {}, kinds=matters.KINDS,
                           disciplines=matters.DISCIPLINES, subjects=matters.SUBJECTS), status


@bp.post("/nguoi-duoc-khen/<int:record_id>/gop")
@role_required("reviewer")
def recipient_merge(record_id: int):
    record = _record(record_id)
    other = db.session.get(records.Recipient, parse_int(request.form.get("other"), 0) or 0)
    try:
        if other is None:
            raise ValidationFailed("Hãy chọn hồ sơ cần gộp.")
        records.merge(record, other, request.form.get("reason", ""), actor())
    except ValidationFailed as exc:
        db.session.rollback()
        return recipient_view(record_id, [exc.message], 400)
    db.session.commit()
    flash(f"Đã gộp hồ sơ #{other.id} vào hồ sơ này.")
    return redirect(url_for("admin.recipient_view", record_id=record.id), 303)


@bp.post("/nguoi-duoc-khen/gop/<int:merge_id>/tach")
@role_required("reviewer")
def recipient_split(merge_id: int):
    step = db.session.get(records.RecipientMerge, merge_id) or abort(404)
    try:
        records.undo(step, actor())
    except ValidationFailed as exc:
        db.session.rollback()
        return recipient_view(step.kept_id, [exc.message], 400)
    db.session.commit()
    flash(f"Đã tách hồ sơ #{step.merged_id}: các khen thưởng đã trở về hồ sơ đó.")
    return redirect(url_for("admin.recipient_view", record_id=step.kept_id), 303)
