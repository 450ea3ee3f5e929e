"""Uploads: a document's originals, and a decision's award list (report first, then confirm)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from portal.domain.editorial import publishing, uploads
from portal.errors import ValidationFailed
from portal.services import storage
from portal.web.admin import bp
from portal.web.admin.documents import get_document
from portal.web.common import actor, send_attachment


def _upload():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationFailed("Hãy chọn một tệp để tải lên.")
    return upload


@bp.post("/van-ban/<int:document_id>/tep")
def attachment_add(document_id: int):
    document = get_document(document_id)
    publishing.require_edit(document, actor())
    upload = _upload()
    attachment = uploads.add_attachment(document, upload.stream, upload.filename, actor(), storage())
    flash(f"Đã đính kèm «{attachment.filename}».")
    return redirect(url_for("admin.document_view", document_id=document.id))


@bp.get("/van-ban/<int:document_id>/tep/<int:attachment_id>")
def attachment_download(document_id: int, attachment_id: int):
    return send_attachment(get_document(document_id, include_trash=True), attachment_id)


@bp.post("/van-ban/<int:document_id>/tep/<int:attachment_id>/go")
def attachment_remove(document_id: int, attachment_id: int):
    document = get_document(document_id)
    publishing.require_edit(document, actor())
    uploads.remove_attachment(document, attachment_id, actor(), storage())
    flash("Đã gỡ tệp đính kèm.")
    return redirect(url_for("admin.document_view", document_id=document.id))


@bp.post("/van-ban/<int:document_id>/danh-sach")
def award_list_upload(document_id: int):
    document = get_document(document_id)
    publishing.require_edit(document, actor())
    upload = _upload()
    report = uploads.stage_award_list(document, upload.stream, upload.filename, storage())
    return render_template("admin/award_report.html", document=document, report=report), (200 if report.ok else 400)


@bp.post("/van-ban/<int:document_id>/danh-sach/<token>")
def award_list_confirm(document_id: int, token: str):
    document = get_document(document_id)
    publishing.require_edit(document, actor())
    if request.form.get("action") == "cancel":
        uploads.discard_award_list(storage(), token)
        flash("Đã hủy danh sách tải lên; dữ liệu không thay đổi.")
    else:
        count = uploads.confirm_award_list(document, token, actor(), storage())
        flash(f"Đã nạp danh sách: {count} người được khen thưởng.")
    return redirect(url_for("admin.document_view", document_id=document.id))
