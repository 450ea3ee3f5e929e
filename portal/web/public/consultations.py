"""Public consultation pages (lấy ý kiến nhân dân): the open windows and the archive, each
nominee's public fields, a countdown in working days, and the comment form. Pages depend on
the day (the countdown), so they are rendered fresh rather than kept in the page cache."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from portal.domain.kernel.bounds import parse_int
from portal.domain.kernel.models_base import today_vn
from portal.domain.units import consultation_report, consultations
from portal.errors import InvalidTransition, ValidationFailed
from portal.web import notices
from portal.web.public import bp
from portal.web.throttle import too_many

STATE_LABELS = {"open": "Đang lấy ý kiến", "upcoming": "Sắp lấy ý kiến", "closed": "Đã kết thúc"}
COMMENTS_PER_HOUR = 5


@bp.get("/lay-y-kien")
def consultation_list():
    return render_template("consultations/list.html", consultations=consultations.all_consultations(),
                           today=today_vn(), labels=STATE_LABELS, rules=consultations.rules())


def _page(consultation, problems=None, form=None, status: int = 200):
    return render_template("consultations/detail.html", consultation=consultation, today=today_vn(),
                           labels=STATE_LABELS, problems=problems or [], form=form or {}), status


@bp.get("/lay-y-kien/<slug>")
def consultation(slug: str):
    found = consultations.by_slug(slug) or abort(404)
    if request.method == "GET":  # counted for the office's report (HEAD is not a reader)
        consultation_report.record_view(found)
    return _page(found)


@bp.post("/lay-y-kien/<slug>/gop-y")
def consultation_comment(slug: str):
    found = consultations.by_slug(slug) or abort(404)
    raw_entry = request.form.get("nguoi", "")
    entry_id = parse_int(raw_entry)
    try:
        if entry_id is None and raw_entry != "chung":
            raise ValidationFailed("Hãy chọn người được góp ý (hoặc «Góp ý chung»).")
        if found.state() == "open" and too_many("consultation-comment", request.remote_addr or "?",
                                                limit=COMMENTS_PER_HOUR, seconds=3600):
            abort(429)
        with notices.with_change(notices.comment_received, found.title):
            consultations.add_comment(found, entry_id, request.form.get("noi-dung", ""),
                                      request.form.get("ho-ten", ""), request.form.get("lien-he", ""),
                                      request.remote_addr)
    except (ValidationFailed, InvalidTransition) as exc:
        return _page(found, [exc.message], request.form, exc.status)
    flash("Đã gửi ý kiến của bạn tới cơ quan thường trực thi đua, khen thưởng. Cảm ơn bạn.")
    return redirect(url_for("public.consultation", slug=slug, _anchor="gop-y"), 303)
