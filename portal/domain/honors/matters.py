"""What the office knows of a person that bars or holds a nomination: disciplines, the date they
were recruited, long leaves and matters still being examined (a discipline under way, an
inspection, a complaint). Kept on the person's record, private like the ID number, entered and
corrected by the office only: a wrong entry is withdrawn with a reason, never erased, and every
step is audited. The eligibility rules of kinds `exclusion` and `hold` read them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.domain.honors.records import Recipient, RecipientIdentity
from portal.domain.kernel import audit
from portal.domain.kernel.actor import Actor
from portal.domain.kernel.models_base import created_column, today_vn, utcnow
from portal.domain.kernel.vocab import Term, Vocabulary
from portal.errors import ValidationFailed
from portal.extensions import db

KINDS = Vocabulary("matter kind", [
    Term("ky-luat", "Kỷ luật"),
    Term("tuyen-dung", "Ngày tuyển dụng"),
    Term("nghi", "Thời gian nghỉ (không kể nghỉ thai sản)"),
    Term("dang-xem-xet", "Việc đang xem xét"),
])

# Forms of discipline, lightest first: Luật Cán bộ, công chức 2008, Điều 78 (cán bộ) and Điều 79
# khoản 1 (công chức), as kept in bench/qa/laws/can-bo-cong-chuc-2008.txt.gz.
DISCIPLINES = Vocabulary("discipline", [
    Term("khien-trach", "Khiển trách"),
    Term("canh-cao", "Cảnh cáo"),
    Term("ha-bac-luong", "Hạ bậc lương"),
    Term("giang-chuc", "Giáng chức"),
    Term("cach-chuc", "Cách chức"),
    Term("bai-nhiem", "Bãi nhiệm"),
    Term("buoc-thoi-viec", "Buộc thôi việc"),
])

# What may be under examination while a nomination waits.
SUBJECTS = Vocabulary("pending subject", [
    Term("xem-xet-ky-luat", "Đang xem xét kỷ luật"),
    Term("thanh-tra", "Đang bị thanh tra, kiểm tra"),
    Term("khieu-nai-to-cao", "Có khiếu nại, tố cáo đang giải quyết"),
    Term("dieu-tra", "Đang bị điều tra, truy tố, xét xử"),
])


class RecipientMatter(db.Model):
    __tablename__ = "recipient_matters"
    __private_state__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("recipients.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    form: Mapped[str] = mapped_column(String(40), default="")  # discipline form or pending subject
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(300), default="")
    recorded_at: Mapped[datetime] = created_column()
    recorded_by: Mapped[str] = mapped_column(String(254))
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by: Mapped[str | None] = mapped_column(String(254))
    withdrawn_reason: Mapped[str | None] = mapped_column(String(1000))

    @property
    def kind_label(self) -> str:
        return KINDS.label(self.kind)

    @property
    def form_label(self) -> str:
        vocabulary = DISCIPLINES if self.kind == "ky-luat" else SUBJECTS
        return vocabulary.label(self.form) if self.form else ""

    @property
    def open(self) -> bool:
        """A matter under examination with no conclusion yet (as of today in Vietnam)."""
        return self.kind == "dang-xem-xet" and (self.ended_on is None or self.ended_on > today_vn())

    def describe(self) -> str:
        ref = f" ({self.reference})" if self.reference else ""
        if self.kind == "ky-luat":
            return f"Kỷ luật «{self.form_label}» ngày {self.started_on:%d/%m/%Y}{ref}"
        if self.kind == "tuyen-dung":
            return f"Tuyển dụng ngày {self.started_on:%d/%m/%Y}{ref}"
        until = f" đến {self.ended_on:%d/%m/%Y}" if self.ended_on else ""
        if self.kind == "nghi":
            return f"Nghỉ từ {self.started_on:%d/%m/%Y}{until}{ref}"
        state = "" if self.open else " (đã có kết luận)"
        return f"«{self.form_label}» từ {self.started_on:%d/%m/%Y}{until}{ref}{state}"


def _text(value: str | None, limit: int) -> str:
    return " ".join((value or "").split())[:limit]


def _day(value, label: str, required: bool = True) -> date | None:
    if isinstance(value, date):
        return value
    text = (value or "").strip()
    if not text:
        if required:
            raise ValidationFailed(f"Hãy nhập {label} (dd/mm/yyyy).")
        return None
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text[:10], pattern).date()
        except ValueError:
            continue
    raise ValidationFailed(f"{label.capitalize()} «{text[:20]}» không đúng dạng dd/mm/yyyy.")


def add(record: Recipient, kind: str, form: str, started_on, ended_on, reference: str, actor: Actor) -> RecipientMatter:
    """Record a matter on a person's record (in the caller's transaction)."""
    if record.kind != "ca-nhan" or record.merged_into_id is not None:
        raise ValidationFailed("Chỉ ghi kỷ luật, thời gian công tác và việc đang xem xét cho hồ sơ cá nhân đang dùng.")
    if kind not in KINDS:
        raise ValidationFailed("Hãy chọn loại thông tin cần ghi.")
    form = (form or "").strip()
    if kind == "ky-luat" and form not in DISCIPLINES:
        raise ValidationFailed("Hãy chọn hình thức kỷ luật.")
    if kind == "dang-xem-xet" and form not in SUBJECTS:
        raise ValidationFailed("Hãy chọn việc đang xem xét.")
    if kind in ("tuyen-dung", "nghi"):
        form = ""
    start = _day(started_on, "ngày bắt đầu" if kind in ("nghi", "dang-xem-xet") else "ngày")
    end = _day(ended_on, "ngày kết thúc", required=kind == "nghi") if kind in ("nghi", "dang-xem-xet") else None
    if end is not None and end < start:
        raise ValidationFailed("Ngày kết thúc phải từ ngày bắt đầu trở đi.")
    if start > today_vn() and kind != "nghi":
        raise ValidationFailed("Ngày ghi nhận không được ở tương lai.")
    matter = RecipientMatter(recipient_id=record.id, kind=kind, form=form, started_on=start, ended_on=end,
                             reference=_text(reference, 300), recorded_by=actor.name[:254])
    db.session.add(matter)
    db.session.flush()
    audit.record(actor, "recipient.matter", f"recipient:{record.id}", f"Ghi: {matter.describe()}")
    return matter


def conclude(matter: RecipientMatter, ended_on, actor: Actor) -> None:
    """A matter under examination has its conclusion: from that day it holds nothing."""
    if matter.kind != "dang-xem-xet" or matter.withdrawn_at is not None or matter.ended_on is not None:
        raise ValidationFailed("Chỉ ghi kết luận cho việc đang xem xét chưa có kết luận.")
    end = _day(ended_on, "ngày có kết luận")
    if end < matter.started_on or end > today_vn():
        raise ValidationFailed("Ngày có kết luận phải từ ngày bắt đầu đến hôm nay.")
    matter.ended_on = end
    audit.record(actor, "recipient.matter.conclude", f"recipient:{matter.recipient_id}",
                 f"Có kết luận ngày {end:%d/%m/%Y}: {matter.describe()}")


def withdraw(matter: RecipientMatter, reason: str, actor: Actor) -> None:
    """An entry made by mistake stops counting; it stays, with who withdrew it and why."""
    reason = _text(reason, 1000)
    if matter.withdrawn_at is not None:
        raise ValidationFailed("Thông tin này đã được rút trước đó.")
    if len(reason) < 10:
        raise ValidationFailed("Hãy ghi lý do rút (ít nhất 10 ký tự).")
    matter.withdrawn_at, matter.withdrawn_by, matter.withdrawn_reason = utcnow(), actor.name[:254], reason
    audit.record(actor, "recipient.matter.withdraw", f"recipient:{matter.recipient_id}",
                 f"Rút: {matter.describe()}. Lý do: {reason}")


def _record_ids(record_id: int) -> list[int]:
    """A record and every record merged into it (their matters are the person's)."""
    ids, frontier = [record_id], [record_id]
    while frontier:
        frontier = list(db.session.scalars(db.select(Recipient.id).where(Recipient.merged_into_id.in_(frontier))))
        ids += frontier
    return ids


def of_record(record: Recipient, standing: bool = False) -> list[RecipientMatter]:
    query = db.select(RecipientMatter).where(RecipientMatter.recipient_id.in_(_record_ids(record.id)))
    if standing:
        query = query.where(RecipientMatter.withdrawn_at.is_(None))
    return list(db.session.scalars(query.order_by(RecipientMatter.started_on.desc(), RecipientMatter.id.desc())))


@dataclass(frozen=True)
class Standing:
    """The standing matters of the person an ID number names, for the eligibility rules."""

    known: bool  # the ID number names a record on the portal
    matters: tuple[RecipientMatter, ...] = ()


def of_person(id_number: str) -> Standing:
    identity = db.session.get(RecipientIdentity, id_number.strip()) if id_number.strip() else None
    if identity is None:
        return Standing(False)
    record = db.session.get(Recipient, identity.recipient_id)
    while record.merged_into_id is not None:
        record = db.session.get(Recipient, record.merged_into_id)
    return Standing(True, tuple(of_record(record, standing=True)))


def _months_between(start: date, end: date) -> int:
    """Whole months from `start` to `end`."""
    return (end.year - start.year) * 12 + end.month - start.month - (1 if end.day < start.day else 0)


def bars(standing: Standing, year: int, discipline: str = "", service_months: int = 0,
         leave_months: int = 0) -> tuple[list[str], list[str]]:
    """What bars a title of `year` (a discipline of `discipline` or heavier in the year, less than
    `service_months` of service at its end, `leave_months` of leave in it, 30 days a month), and
    what was looked at without finding a bar."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    found, seen = [], []
    if discipline:
        floor = DISCIPLINES.rank(discipline)
        found += [m.describe() for m in standing.matters if m.kind == "ky-luat" and m.started_on.year == year
                  and DISCIPLINES.rank(m.form) >= floor]
        seen.append(f"không có kỷ luật từ «{DISCIPLINES.label(discipline)}» trở lên năm {year}")
    if service_months:
        recruited = [m.started_on for m in standing.matters if m.kind == "tuyen-dung"]
        if not recruited:
            seen.append("ngày tuyển dụng chưa ghi")
        elif (start := max(recruited)) > last or _months_between(start, last) < service_months:
            found.append(f"tuyển dụng ngày {start:%d/%m/%Y}: đến 31/12/{year} chưa đủ {service_months} tháng công tác")
        else:
            seen.append(f"tuyển dụng ngày {start:%d/%m/%Y}")
    if leave_months:
        days = sum(max(0, (min(m.ended_on, last) - max(m.started_on, first)).days + 1)
                   for m in standing.matters if m.kind == "nghi" and m.ended_on)
        if days >= leave_months * 30:
            found.append(f"nghỉ {days} ngày trong năm {year} (từ {leave_months} tháng trở lên)")
        else:
            seen.append(f"nghỉ {days} ngày trong năm {year}" if days else f"không ghi thời gian nghỉ năm {year}")
    return found, seen


def pending(standing: Standing) -> list[str]:
    """The matters still under examination today."""
    return [m.describe() for m in standing.matters if m.open]
