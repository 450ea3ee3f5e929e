"""Units' reports at a campaign's review rounds: the signed file and the figures the campaign
asks for. A report after its deadline is accepted and marked late; a new submission supersedes
the previous one, which stays in the history."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import BinaryIO

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain.campaigns.models import ReviewRound
from portal.domain.editorial.uploads import committed_or_removed
from portal.domain.files.storage import Storage, clean_filename
from portal.domain.kernel import audit
from portal.domain.kernel.actor import Actor
from portal.domain.kernel.bounds import check_date
from portal.domain.kernel.models_base import VN, as_utc, created_column, utcnow
from portal.domain.kernel.vocab import strip_controls
from portal.domain.units.registry import Unit, units_on
from portal.errors import ValidationFailed
from portal.extensions import db

REPORT_TYPES = (".pdf", ".docx")
MAX_FIGURE = Decimal("1e12")
MAX_NOTE = 4000


class UnitReport(db.Model):
    __tablename__ = "unit_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("review_rounds.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    mime_type: Mapped[str] = mapped_column(String(120))
    figures: Mapped[dict] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
    submitted_by: Mapped[str] = mapped_column(String(254))
    submitted_at: Mapped[datetime] = created_column()
    superseded_at: Mapped[datetime | None]

    unit: Mapped[Unit] = relationship()
    review_round: Mapped[ReviewRound] = relationship()

    @property
    def submitted_on(self) -> date:
        """The day in Vietnam it came in (deadlines are Vietnamese calendar days)."""
        return as_utc(self.submitted_at).astimezone(VN).date()

    @property
    def late(self) -> bool:
        due = self.review_round.report_due_on
        return due is not None and self.submitted_on > due


def rounds_with_deadlines() -> list[ReviewRound]:
    """Review rounds whose reports have a due date, newest deadline first."""
    return list(db.session.scalars(db.select(ReviewRound).where(ReviewRound.report_due_on.is_not(None))
                                   .order_by(ReviewRound.report_due_on.desc())))


def expected_rounds(unit: Unit) -> list[ReviewRound]:
    """The rounds a unit owes a report for: those due on a day it existed, as the office's board
    counts them (a district unit dissolved before the tổng kết owes none)."""
    return [r for r in rounds_with_deadlines() if unit.active_on(r.report_due_on)]


def figures_of(review_round: ReviewRound) -> list[dict]:
    return list(review_round.campaign.report_figures or [])


def parse_figures(review_round: ReviewRound, form: dict[str, str]) -> dict[str, str]:
    """The campaign's figures from a form: non-negative numbers written the Vietnamese way
    ("1.250", "1.250,5") or plainly; a blank stays blank; anything else is a clear problem."""
    out, problems = {}, []
    for figure in figures_of(review_round):
        raw = strip_controls(form.get(figure["code"], "")).strip().replace(" ", "")
        if not raw:
            continue
        text = raw.replace(".", "").replace(",", ".") if re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d+)?|\d+,\d+", raw) else raw
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or value < 0 or value >= MAX_FIGURE:
            problems.append(f"«{figure['label']}»: «{raw[:30]}» không phải số không âm")
            continue
        out[figure["code"]] = str(value.normalize() if value % 1 else value.quantize(Decimal(1)))
    if problems:
        raise ValidationFailed("Số liệu báo cáo chưa hợp lệ.", problems)
    return out


def submit_report(unit: Unit, review_round: ReviewRound, stream: BinaryIO, filename: str, form: dict,
                  actor: Actor, storage: Storage) -> UnitReport:
    """Store the signed report and its figures; a late one is accepted and marked late. All or
    nothing: a refused file or figure leaves nothing behind."""
    if review_round.report_due_on is None:
        raise ValidationFailed(f"{review_round.label} chưa mở nhận báo cáo.")
    gone = unit.gone_by(review_round.report_due_on)
    if gone:
        raise ValidationFailed(f"{gone}: báo cáo {review_round.label} (hạn "
                               f"{review_round.report_due_on.strftime('%d/%m/%Y')}) do đơn vị kế thừa nộp.")
    if not clean_filename(filename).lower().endswith(REPORT_TYPES):  # the name as it will be stored
        raise ValidationFailed(f"Tệp «{filename}»: báo cáo chỉ nhận PDF hoặc DOCX (bản đã ký).")
    figures = parse_figures(review_round, form)
    note = " ".join(strip_controls(form.get("note", "")).split())[:MAX_NOTE]
    saved = storage.save(stream, filename)
    with committed_or_removed(storage, saved.stored_name):
        now = utcnow()
        for previous in current_reports(review_round, unit):
            previous.superseded_at = now
        report = UnitReport(unit=unit, review_round=review_round, filename=saved.filename,
                            stored_name=saved.stored_name, sha256=saved.sha256, size=saved.size,
                            mime_type=saved.mime_type, figures=figures, note=note, submitted_by=actor.name)
        db.session.add(report)
        db.session.flush()
        audit.record(actor, "report.submit", f"unit:{unit.code}",
                     f"{unit.name} nộp báo cáo {review_round.label} («{saved.filename}»)"
                     + (" — muộn hạn" if report.late else ""))
    return report


def current_reports(review_round: ReviewRound, unit: Unit | None = None) -> list[UnitReport]:
    query = db.select(UnitReport).where(UnitReport.round_id == review_round.id, UnitReport.superseded_at.is_(None))
    if unit is not None:
        query = query.where(UnitReport.unit_id == unit.id)
    return list(db.session.scalars(query))


def history(unit: Unit) -> list[UnitReport]:
    """Every report of a unit, newest first, superseded ones included."""
    return list(db.session.scalars(db.select(UnitReport).where(UnitReport.unit_id == unit.id)
                                   .order_by(UnitReport.submitted_at.desc(), UnitReport.id.desc())))


@dataclass
class StatusRow:
    unit: Unit
    report: UnitReport | None

    @property
    def status(self) -> str:
        if self.report is None:
            return "missing"
        return "late" if self.report.late else "on-time"


STATUS_LABELS = {"on-time": "Đúng hạn", "late": "Muộn", "missing": "Chưa nộp"}


@dataclass
class RoundStatus:
    review_round: ReviewRound
    rows: list[StatusRow]
    totals: dict[str, Decimal]

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)


def round_status(review_round: ReviewRound) -> RoundStatus:
    """Per unit existing on the due date (and any other that reported): on time, late or
    missing; with the totals of every figure over the current reports."""
    reports = {r.unit_id: r for r in current_reports(review_round)}
    due = review_round.report_due_on or review_round.ends_on
    units = {u.id: u for u in units_on(due)}
    units.update({r.unit_id: r.unit for r in reports.values()})
    rows = sorted((StatusRow(u, reports.get(u.id)) for u in units.values()),
                  key=lambda r: ({"missing": 0, "late": 1, "on-time": 2}[r.status], r.unit.name))
    totals = {f["code"]: sum((Decimal(r.figures.get(f["code"], "0")) for r in reports.values()), Decimal(0))
              for f in figures_of(review_round)}
    return RoundStatus(review_round, rows, totals)


def set_due(review_round: ReviewRound, due: date | None, actor: Actor) -> None:
    if due is not None:  # a due date belongs to the round's own years
        check_date(due, "Hạn nộp", date(2000, 1, 1), date(2100, 12, 31))
    review_round.report_due_on = due
    audit.record(actor, "report.due", f"round:{review_round.id}",
                 f"Hạn nộp báo cáo {review_round.label}: {due.strftime('%d/%m/%Y') if due else 'bỏ hạn'}")
    db.session.commit()
