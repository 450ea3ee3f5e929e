"""The office's side of units: which units a document is sent to, who has received it (with a
CSV export), and the registry of units (admins)."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.domain import units
from portal.domain.honors import exports
from portal.domain.kernel import audit
from portal.domain.kernel.bounds import parse_ids
from portal.domain.units.registry import update_unit
from portal.errors import ValidationFailed
from portal.extensions import db
from portal.web.admin import bp, role_required
from portal.web.admin.documents import get_document
from portal.web.common import actor, vn_datetime

RECEIPT_COLUMNS = [("unit", "Đơn vị"), ("status", "Tình trạng"), ("at", "Thời điểm nhận"), ("how", "Cách nhận"),
                   ("who", "Tài khoản")]


@bp.route("/van-ban/<int:document_id>/don-vi", methods=["GET", "POST"])
def document_recipients(document_id: int):
    document = get_document(document_id)
    if request.method == "POST":
        if not current_user.has_role("editor", "reviewer"):
            abort(403)
        chosen = set(parse_ids(request.form.getlist("unit")))
        picked = [u for u in units.units_on() if u.id in chosen]
        units.set_recipients(document, picked, request.form.get("ask_receipt") == "1")
        audit.record(actor(), "document.recipients", f"document:{document.id}",
                     f"Gửi {document.symbol} đến {len(picked)} đơn vị")
        db.session.commit()
        flash(f"Đã lưu: {document.symbol} gửi đến {len(picked)} đơn vị.")
        return redirect(url_for("admin.document_recipients", document_id=document.id))
    rows = units.receipt_rows(document)
    sent = {r.unit.id for r in rows}
    choices = [u for u in units.units_on() if u.active_on(document.issued_on) or u.id in sent]
    asks = db.session.scalars(db.select(units.DocumentRecipient.ask_receipt)
                              .where(units.DocumentRecipient.document_id == document.id)).all()
    return render_template("admin/recipients.html", document=document, rows=rows, choices=choices, sent=sent,
                           ask_receipt=all(asks) if asks else True,
                           can_edit=current_user.has_role("editor", "reviewer"),
                           received=sum(1 for r in rows if r.receipt))


@bp.get("/van-ban/<int:document_id>/don-vi.csv")
def document_receipts_csv(document_id: int):
    document = get_document(document_id)
    rows = [{"unit": r.unit.name, "status": "Đã nhận" if r.receipt else "Chưa nhận",
             "at": vn_datetime(r.receipt.at) if r.receipt else "",
             "how": r.receipt.how_label if r.receipt else "", "who": r.receipt.user_email if r.receipt else ""}
            for r in units.receipt_rows(document)]
    response = current_app.response_class("".join(exports.csv_chunks(rows, RECEIPT_COLUMNS)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename=nhan-van-ban-{document.slug}.csv"
    return response


@bp.get("/don-vi")
@role_required("admin")
def unit_list():
    return render_template("admin/units.html", units=units.units_on())


@bp.route("/don-vi/<int:unit_id>", methods=["GET", "POST"])
@role_required("admin")
def unit_edit(unit_id: int):
    unit = db.session.get(units.Unit, unit_id) or abort(404)
    others = [u for u in units.units_on() if u.id != unit.id]
    if request.method == "GET":
        return render_template("admin/unit_form.html", unit=unit, others=others, errors=[], form=None)
    form = {key: request.form.get(key, "").strip() for key in
            ("name", "short", "parent", "successor", "valid_from", "valid_to")}
    try:
        update_unit(unit, form)
    except ValidationFailed as exc:
        db.session.rollback()
        return render_template("admin/unit_form.html", unit=unit, others=others, form=form,
                               errors=[exc.message, *exc.problems]), 400
    audit.record(actor(), "unit.edit", f"unit:{unit.code}", f"Sửa đơn vị {unit.name}")
    db.session.commit()
    flash(f"Đã lưu đơn vị {unit.name}.")
    return redirect(url_for("admin.unit_list"))
