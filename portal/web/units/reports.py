"""A unit's reports: the rounds open for reports, the form, and its own history and files."""
from __future__ import annotations

from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for

from portal.domain.campaigns.models import ReviewRound
from portal.domain.kernel.models_base import VN
from portal.domain.units import reports
from portal.errors import ValidationFailed
from portal.extensions import db
from portal.services import storage
from portal.web.common import actor, send_private
from portal.web.units import bp, unit_account, unit_required


@bp.get("/bao-cao")
@unit_required
def report_list():
    unit = unit_account()
    history = reports.history(unit)
    current = {r.round_id: r for r in history if r.superseded_at is None}
    return render_template("units/reports.html", unit=unit, rounds=reports.rounds_with_deadlines(),
                           current=current, history=history)


@bp.route("/bao-cao/<int:round_id>", methods=["GET", "POST"])
@unit_required
def report_form(round_id: int):
    unit = unit_account()
    review_round = db.session.get(ReviewRound, round_id)
    if review_round is None or review_round.report_due_on is None:
        abort(404)
    figures = reports.figures_of(review_round)
    overdue = review_round.report_due_on < datetime.now(VN).date()
    if request.method == "GET":
        return render_template("units/report_form.html", unit=unit, review_round=review_round, figures=figures,
                               form={}, errors=[], current=reports.current_reports(review_round, unit),
                               overdue=overdue)
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise ValidationFailed("Chọn tệp báo cáo đã ký (PDF hoặc DOCX).")
        report = reports.submit_report(unit, review_round, upload.stream, upload.filename, request.form.to_dict(),
                                       actor(), storage())
    except ValidationFailed as exc:
        errors = [exc.message, *exc.problems]
        if upload is not None and upload.filename:  # a browser never fills a file field again
            errors.append(f"Tệp «{upload.filename}» chưa được lưu: chọn lại tệp rồi nộp "
                          "(số liệu và ghi chú đã ghi vẫn còn).")
        return render_template("units/report_form.html", unit=unit, review_round=review_round, figures=figures,
                               form=request.form, errors=errors,
                               current=reports.current_reports(review_round, unit), overdue=overdue), 400
    flash(f"Đã nộp báo cáo {review_round.label}" + (" (sau hạn, được ghi nhận là nộp muộn)." if report.late else "."))
    return redirect(url_for("units.report_list"))


@bp.get("/bao-cao/tep/<int:report_id>")
@unit_required
def report_file(report_id: int):
    report = db.session.get(reports.UnitReport, report_id)
    if report is None or report.unit_id != unit_account().id:
        abort(404)  # another unit's report: as if it did not exist
    return send_private(report)
