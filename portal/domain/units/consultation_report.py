"""What the office sends up when a consultation window closes: how often the page was opened,
the comments on each nominee and how each was handled, as a .docx to sign and an .xlsx to
tally. Views are counted per day in their own table (`record_view`), one statement per view."""
from __future__ import annotations

import io
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from portal.domain.kernel.models_base import today_vn
from portal.domain.units.consultations import (
    Consultation,
    ConsultationComment,
    ConsultationEntry,
    ConsultationView,
)
from portal.extensions import db

STATUS = {"open": "Chưa xem xét", "closed": "Đã xem xét"}


def record_view(consultation: Consultation) -> None:
    """One more view today, in a transaction of its own (two processes at once both count)."""
    key = {"consultation_id": consultation.id, "day": today_vn()}
    bump = db.update(ConsultationView).filter_by(**key).values(views=ConsultationView.views + 1)
    if db.session.execute(bump).rowcount == 0:
        try:
            with db.session.begin_nested():
                db.session.add(ConsultationView(**key, views=1))
        except IntegrityError:  # the other process inserted today's row first
            db.session.execute(bump)
    db.session.commit()


def views_of(consultation: Consultation) -> int:
    return db.session.scalar(db.select(db.func.coalesce(db.func.sum(ConsultationView.views), 0))
                             .where(ConsultationView.consultation_id == consultation.id)) or 0


@dataclass
class Line:
    entry: ConsultationEntry | None  # None: comments on the list as a whole
    comments: list[ConsultationComment]

    @property
    def handled(self) -> int:
        return sum(1 for c in self.comments if c.status == "closed")


def lines(consultation: Consultation) -> list[Line]:
    comments = db.session.scalars(db.select(ConsultationComment)
                                  .where(ConsultationComment.consultation_id == consultation.id)
                                  .order_by(ConsultationComment.created_at, ConsultationComment.id)).all()
    by_entry: dict[int | None, list[ConsultationComment]] = {}
    for comment in comments:
        by_entry.setdefault(comment.entry_id, []).append(comment)
    out = [Line(entry, by_entry.get(entry.id, [])) for entry in consultation.entries]
    return out + ([Line(None, by_entry[None])] if None in by_entry else [])


def _who(line: Line) -> str:
    return line.entry.name if line.entry else "Góp ý chung về danh sách"


def _handling(comment: ConsultationComment) -> str:
    return f"{STATUS.get(comment.status, comment.status)}" + (f": {comment.note}" if comment.note else "")


def heading(consultation: Consultation) -> list[str]:
    return [f"Kết quả lấy ý kiến nhân dân: {consultation.title}",
            f"Từ {consultation.opens_on.strftime('%d/%m/%Y')} đến hết {consultation.closes_on.strftime('%d/%m/%Y')} "
            f"({consultation.working_days} ngày làm việc); {views_of(consultation)} lượt xem trang; "
            f"{sum(len(line.comments) for line in lines(consultation))} ý kiến."]


def xlsx(consultation: Consultation) -> io.BytesIO:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Kết quả lấy ý kiến"
    for text in heading(consultation):
        sheet.append([text])
    sheet.append([])
    sheet.append(["STT", "Họ tên", "Chức vụ", "Đơn vị", "Số ý kiến", "Đã xem xét", "Nội dung ý kiến",
                  "Kết quả xem xét"])
    for line in lines(consultation):
        first = [line.entry.seq if line.entry else "", _who(line), line.entry.position or "" if line.entry else "",
                 line.entry.unit or "" if line.entry else "", len(line.comments), line.handled]
        if not line.comments:
            sheet.append([*first, "", ""])
        for n, comment in enumerate(line.comments):
            sheet.append([*(first if n == 0 else [""] * len(first)), comment.message, _handling(comment)])
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # a comment that starts with "=" stays text
    handle = io.BytesIO()
    book.save(handle)
    handle.seek(0)
    return handle


def docx(consultation: Consultation) -> io.BytesIO:
    import docx as python_docx

    document = python_docx.Document()
    title, summary = heading(consultation)
    document.add_heading(title, level=1)
    document.add_paragraph(summary)
    table = document.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("STT", "Họ tên, chức vụ, đơn vị", "Số ý kiến", "Nội dung ý kiến",
                                                "Kết quả xem xét"), strict=True):
        cell.text = text
    for line in lines(consultation):
        cells = table.add_row().cells
        cells[0].text = str(line.entry.seq) if line.entry else ""
        cells[1].text = _who(line) + (", " + ", ".join(p for p in (line.entry.position, line.entry.unit) if p)
                                      if line.entry and (line.entry.position or line.entry.unit) else "")
        cells[2].text = str(len(line.comments))
        cells[3].text = "\n".join(c.message for c in line.comments) or "Không có ý kiến"
        cells[4].text = "\n".join(_handling(c) for c in line.comments)
    handle = io.BytesIO()
    document.save(handle)
    handle.seek(0)
    return handle
