"""The office's view of units' reports: deadlines per review round, who reported on time, late
or not at all, the totals of the figures with charts drawn on the server, and the files."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for

from portal.domain.campaigns.models import Campaign, ReviewRound
from portal.domain.kernel.bounds import parse_date
from portal.domain.units import reports
from portal.errors import ValidationFailed
from portal.extensions import db
from portal.web.admin import bp, role_required
from portal.web.common import actor, send_private


@bp.get("/bao-cao")
def report_rounds():
    campaigns = list(db.session.scalars(db.select(Campaign).order_by(Campaign.starts_on.desc())))
    status = {r.id: reports.round_status(r) for c in campaigns for r in c.rounds if r.report_due_on}
    return render_template("admin/report_rounds.html", campaigns=campaigns, status=status)


@bp.get("/bao-cao/<int:round_id>")
def report_round(round_id: int):
    review_round = db.session.get(ReviewRound, round_id) or abort(404)
    state = reports.round_status(review_round)
    figures = reports.figures_of(review_round)
    per_figure = {f["code"]: [(r.unit.short_name or r.unit.name, reports.Decimal(r.report.figures[f["code"]]))
                              for r in state.rows if r.report and f["code"] in r.report.figures]
                  for f in figures}
    return render_template("admin/report_round.html", state=state, review_round=review_round, figures=figures,
                           per_figure=per_figure, labels=reports.STATUS_LABELS)


@bp.post("/bao-cao/<int:round_id>/han")
@role_required("reviewer")
def report_due(round_id: int):
    review_round = db.session.get(ReviewRound, round_id) or abort(404)
    raw = request.form.get("due", "").strip()
    try:
        due = parse_date(raw, "Hạn nộp", date.min, date.max)
        reports.set_due(review_round, due, actor())
    except ValidationFailed as exc:
        db.session.rollback()
        flash(exc.message)
        return report_rounds(), 400
    flash(f"Đã đặt hạn nộp báo cáo {review_round.label}: {due.strftime('%d/%m/%Y') if due else 'không có'}.")
    return redirect(url_for("admin.report_rounds"))


@bp.get("/bao-cao/tep/<int:report_id>")
def report_download(report_id: int):
    report = db.session.get(reports.UnitReport, report_id) or abort(404)
    return send_private(report)
