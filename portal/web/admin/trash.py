"""Deleting with a link-integrity warning, the trash, restoring and purging."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from portal.domain.editorial import publishing
from portal.errors import ValidationFailed
from portal.services import storage
from portal.web.admin import bp, role_required
from portal.web.admin.documents import get_document
from portal.web.common import actor


@bp.route("/van-ban/<int:document_id>/xoa", methods=["GET", "POST"])
def document_delete(document_id: int):
    document = get_document(document_id)
    citing, campaigns = publishing.citing(document), publishing.campaigns_planned_by(document)
    if request.method == "GET":
        return render_template("admin/delete.html", document=document, citing=citing, campaigns=campaigns)
    try:
        publishing.trash(document, actor(), confirmed=request.form.get("confirm") == "1")
    except publishing.LinkIntegrity:
        return render_template("admin/delete.html", document=document, citing=citing, campaigns=campaigns,
                               must_confirm=True), 409
    flash(f"Đã chuyển {document.symbol} vào thùng rác. Có thể khôi phục từ Thùng rác.")
    return redirect(url_for("admin.trash_list"))


@bp.get("/thung-rac")
def trash_list():
    return render_template("admin/trash.html", documents=publishing.trashed())


@bp.post("/thung-rac/<int:document_id>/khoi-phuc")
def trash_restore(document_id: int):
    document = get_document(document_id, include_trash=True)
    publishing.restore(document, actor())
    flash(f"Đã khôi phục {document.symbol}.")
    return redirect(url_for("admin.document_view", document_id=document.id))


@bp.post("/thung-rac/<int:document_id>/xoa-vinh-vien")
@role_required("admin")
def trash_purge(document_id: int):
    document = get_document(document_id, include_trash=True)
    symbol = document.symbol
    if request.form.get("confirm", "").strip() != symbol:
        raise ValidationFailed(f"Để xóa vĩnh viễn, hãy gõ đúng số ký hiệu «{symbol}».")
    publishing.purge(document, actor(), storage())
    flash(f"Đã xóa vĩnh viễn {symbol}.")
    return redirect(url_for("admin.trash_list"))
