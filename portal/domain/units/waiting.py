"""What waits for whom: the lists on a unit's and on the office's dashboard, each item a count,
a sentence and the page where it is done (the web layer turns `target` into a link)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from portal.domain.kernel.models_base import today_vn
from portal.domain.units import registrations
from portal.domain.units.consultations import Consultation, open_comment_count
from portal.domain.units.decision_drafts import waiting_for_decision
from portal.domain.units.dossiers import Dossier, by_status, of_unit
from portal.domain.units.receipts import documents_for_unit
from portal.domain.units.registry import Unit
from portal.domain.units.reports import current_reports, expected_rounds, round_status, rounds_with_deadlines
from portal.extensions import db

# The office's board lists a round's missing reports from a fortnight before it is due until
# three months after (late reports are still taken).
REPORT_NOTICE_DAYS, REPORT_LATE_DAYS = 14, 90


@dataclass(frozen=True)
class Task:
    count: int
    text: str
    target: str  # an endpoint name
    args: dict = field(default_factory=dict)


def for_unit(unit: Unit) -> list[Task]:
    tasks = []
    unread = [s for s in documents_for_unit(unit) if s.ask_receipt and s.receipt is None]
    if unread:
        tasks.append(Task(len(unread), "văn bản cần xác nhận đã nhận", "units.home"))
    missing = [r for r in expected_rounds(unit) if not current_reports(r, unit)]
    if missing:
        tasks.append(Task(len(missing), "đợt chưa nộp báo cáo: " + ", ".join(r.label for r in missing),
                          "units.report_list"))
    year = registrations.season(today_vn())
    if year and not registrations.closed_for(unit, year) and not registrations.of_unit(unit, year):
        tasks.append(Task(1, f"chưa đăng ký thi đua năm {year} (hạn 31/01/{year})", "units.registration_list",
                          {"nam": year}))
    mine = of_unit(unit)
    for status, text in (("returned", "hồ sơ bị trả lại, cần bổ sung và nộp lại"),
                         ("draft", "hồ sơ đang soạn, chưa nộp")):
        found = [d for d in mine if d.status == status]
        if len(found) == 1:  # straight to the dossier, not to the list
            tasks.append(Task(1, text, "units.dossier_view", {"dossier_id": found[0].id}))
        elif found:
            tasks.append(Task(len(found), text, "units.dossier_list"))
    return tasks


def for_office() -> list[Task]:
    tasks = []
    for status, text in (("submitted", "hồ sơ đề nghị khen thưởng mới nộp, chờ nhận thẩm định"),
                         ("appraising", "hồ sơ đang thẩm định")):
        found = by_status(status)
        if found:
            tasks.append(Task(len(found), text, "admin.dossier_list", {"trang-thai": status}))
    today = today_vn()
    ready = [c for c in db.session.scalars(db.select(Consultation).join(Dossier, Consultation.dossier_id == Dossier.id)
                                           .where(Dossier.status == "consulting")) if c.state(today) == "closed"]
    if ready:
        tasks.append(Task(len(ready), "đợt lấy ý kiến đã kết thúc, hồ sơ chờ trình", "admin.dossier_list",
                          {"trang-thai": "consulting"}))
    comments = open_comment_count()
    if comments:
        tasks.append(Task(comments, "ý kiến nhân dân chưa xem xét", "admin.comment_queue"))
    for review_round in rounds_with_deadlines():  # due within a fortnight, or lately: who has not sent it
        if not (today - timedelta(days=REPORT_LATE_DAYS) <= review_round.report_due_on
                <= today + timedelta(days=REPORT_NOTICE_DAYS)):
            continue
        missing = round_status(review_round).count("missing")
        if missing:
            tasks.append(Task(missing, f"đơn vị chưa nộp báo cáo {review_round.label} "
                                       f"(hạn {review_round.report_due_on.strftime('%d/%m/%Y')})",
                              "admin.report_round", {"round_id": review_round.id}))
    year = registrations.season(today)
    if year:
        missing = [s for s in registrations.consolidated(year) if not (s.collective or s.members)]
        if missing:
            tasks.append(Task(len(missing), f"đơn vị chưa đăng ký thi đua năm {year} (hạn 31/01/{year})",
                              "admin.registration_overview", {"nam": year}))
    proposed = waiting_for_decision()
    if proposed:
        tasks.append(Task(len(proposed), "hồ sơ đã trình, chờ dự thảo quyết định", "admin.decision_draft"))
    return tasks
