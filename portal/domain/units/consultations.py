"""Public consultation (lấy ý kiến nhân dân) on nominees for the award forms that require it.

The office opens a window on some of a dossier's nominees: their public fields are copied to the
consultation (name, position, unit; never a private field), so the page stays the same archive
after the window closes whatever happens to the dossier later. The window lasts the working
days the rules require (consultation.toml), counted with Vietnam's holidays and the days the
office set by hand. Anyone may comment on a nominee while it is open; comments go to the
office's queue and their sender's contact is never shown."""
from __future__ import annotations

import tomllib
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain.campaigns.calendar import add_working_days, working_days_between
from portal.domain.kernel import audit
from portal.domain.kernel.actor import Actor
from portal.domain.kernel.bounds import check_date, years_from
from portal.domain.kernel.models_base import created_column, today_vn, utcnow
from portal.domain.kernel.rows import ListedRecipient
from portal.domain.kernel.vocab import DISTINCTIONS, strip_controls
from portal.domain.units.dossiers import OFFICE, STEPS, Dossier, clean, commit, note_step
from portal.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from portal.extensions import db
from portal.vietnamese.folding import slug

MAX_COMMENT = 4000


@cache
def rules() -> dict:
    with open(Path(__file__).with_name("consultation.toml"), "rb") as source:
        return tomllib.load(source)


def form_requires(distinction: str) -> bool:
    return distinction in rules()["forms"]


def requires_consultation(distinction: str, kind: str) -> bool:
    """Whether a nominee of this kind proposed for this form is published for comment."""
    return form_requires(distinction) and kind in rules()["kinds"]


class Consultation(db.Model):
    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(400))
    distinction: Mapped[str] = mapped_column(String(60))
    round_label: Mapped[str] = mapped_column(String(200))
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id", ondelete="SET NULL"), index=True)
    opens_on: Mapped[date]
    closes_on: Mapped[date]
    working_days: Mapped[int]
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    opened_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = created_column()

    entries: Mapped[list[ConsultationEntry]] = relationship(cascade="all, delete-orphan",
                                                            order_by="ConsultationEntry.seq")

    @property
    def distinction_label(self) -> str:
        return DISTINCTIONS.label(self.distinction)

    def state(self, today: date | None = None) -> str:
        today = today or today_vn()
        return "upcoming" if today < self.opens_on else "open" if today <= self.closes_on else "closed"

    def days_left(self, today: date | None = None) -> int:
        """Working days still open, today included when it is one."""
        today = today or today_vn()
        return working_days_between(max(today, self.opens_on) - timedelta(days=1), self.closes_on)


class ConsultationEntry(ListedRecipient, db.Model):
    """A nominee as published: public fields only."""

    __tablename__ = "consultation_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    nominee_id: Mapped[int | None] = mapped_column(ForeignKey("dossier_nominees.id", ondelete="SET NULL"), index=True)
    # What the office writes for the public about the nominee's achievement (never a private field).
    summary: Mapped[str] = mapped_column(Text, default="", server_default="")


class ConsultationView(db.Model):
    """How many times a consultation's page was opened, per day (Vietnam's): the count the
    office reports up. Kept outside the change sequence, so a view never renews the page cache."""

    __tablename__ = "consultation_views"

    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"),
                                                 primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    views: Mapped[int] = mapped_column(default=0)


class ConsultationComment(db.Model):
    __tablename__ = "consultation_comments"
    __private_state__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("consultation_entries.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(Text)
    sender: Mapped[str] = mapped_column(String(200), default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    client_address: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = created_column()
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    handled_by: Mapped[str | None] = mapped_column(String(254))
    handled_at: Mapped[datetime | None]

    consultation: Mapped[Consultation] = relationship()
    entry: Mapped[ConsultationEntry | None] = relationship()


def by_slug(slug: str) -> Consultation | None:
    return db.session.scalar(db.select(Consultation).where(Consultation.slug == slug))


def all_consultations() -> list[Consultation]:
    """Open windows first (closing soonest first), then upcoming, then past ones, newest first."""
    found = list(db.session.scalars(db.select(Consultation).order_by(Consultation.opens_on.desc(),
                                                                     Consultation.id.desc())))
    order = {"open": 0, "upcoming": 1, "closed": 2}
    today = today_vn()
    return sorted(found, key=lambda c: (order[c.state(today)], c.closes_on if c.state(today) == "open" else date.min))


def of_dossier(dossier: Dossier) -> list[Consultation]:
    return list(db.session.scalars(db.select(Consultation).where(Consultation.dossier_id == dossier.id)
                                   .order_by(Consultation.id)))


def _slug(dossier: Dossier, opens_on: date) -> str:
    base = slug(f"{dossier.distinction} {dossier.unit.code} {opens_on.isoformat()}")[:180]
    found, n = base, 1
    while by_slug(found) is not None:
        n += 1
        found = f"{base}-{n}"
    return found


SUMMARY_LIMIT = 600


def _summary(nominee, summaries: dict[int, str] | None) -> str:
    """The office's public summary of a nominee's achievement (by default the list's own
    achievement line, a public field), bounded; refused when longer than a citizen reads."""
    text = (summaries or {}).get(nominee.id)
    text = " ".join(strip_controls(text if text is not None else nominee.achievement or "").split())
    if len(text) > SUMMARY_LIMIT:
        raise ValidationFailed(f"Tóm tắt thành tích của {nominee.name} dài quá {SUMMARY_LIMIT} ký tự.")
    return text


def open_consultation(dossier: Dossier, nominee_ids: list[int], opens_on: date | None, actor: Actor,
                      summaries: dict[int, str] | None = None) -> Consultation:
    """Publish some of an appraised dossier's nominees for comment; the dossier waits in
    "lấy ý kiến" until the office proposes it after the window."""
    if actor.role not in OFFICE:
        raise Forbidden("Chỉ cơ quan thường trực thi đua mở lấy ý kiến.")
    if dossier.status != "appraising":
        raise InvalidTransition(f"Hồ sơ đang «{dossier.state_label}»: chỉ lấy ý kiến khi đang thẩm định.")
    if not form_requires(dossier.distinction):
        raise ValidationFailed(f"{dossier.distinction_label} không thuộc các hình thức phải lấy ý kiến nhân dân.")
    today = today_vn()
    opens_on = opens_on or today
    if opens_on < today:
        raise ValidationFailed("Ngày bắt đầu lấy ý kiến không được trước hôm nay.")
    # A window opens within the year ahead: a review round never waits longer for its comments.
    check_date(opens_on, "Ngày bắt đầu lấy ý kiến", today, years_from(today, 1))
    chosen = [n for n in dossier.nominees if n.id in set(nominee_ids) and n.verdict != "rejected"
              and requires_consultation(dossier.distinction, n.kind)]
    if not chosen:
        raise ValidationFailed("Hãy chọn ít nhất một người phải lấy ý kiến (cá nhân, chưa bị không đồng ý).")
    days = int(rules()["working_days"])
    consultation = Consultation(
        slug=_slug(dossier, opens_on), distinction=dossier.distinction, round_label=dossier.review_round.label,
        title=f"Lấy ý kiến nhân dân đối với đề nghị tặng {dossier.distinction_label} — {dossier.unit.name}",
        dossier_id=dossier.id, opens_on=opens_on, closes_on=add_working_days(opens_on - timedelta(days=1), days),
        working_days=days, legal_basis=rules()["legal_basis"], opened_by=actor.name,
        entries=[ConsultationEntry(nominee_id=n.id, seq=i, kind=n.kind, name=n.name, position=n.position,
                                   unit=n.unit, summary=_summary(n, summaries))
                 for i, n in enumerate(chosen, start=1)])
    db.session.add(consultation)
    note_step(dossier, "consult", actor, f"{len(chosen)} người, từ {opens_on:%d/%m/%Y} đến "
              f"{consultation.closes_on:%d/%m/%Y}", STEPS["consult"].target)
    dossier.status = STEPS["consult"].target
    audit.record(actor, "dossier.consult", f"dossier:{dossier.id}",
                 f"Mở lấy ý kiến «{consultation.title}» ({len(chosen)} người)")
    commit(dossier, STEPS["consult"].label)
    return consultation


def consultation_problems(dossier: Dossier) -> list[str]:
    """Why approved nominees cannot be proposed yet: their form needs a consultation that has
    not run, or is still open."""
    windows = of_dossier(dossier)
    today = today_vn()
    problems = []
    for nominee in dossier.approved:
        if not requires_consultation(dossier.distinction, nominee.kind):
            continue
        mine = [c for c in windows if any(e.nominee_id == nominee.id for e in c.entries)]
        if not mine:
            problems.append(f"{nominee.name}: chưa lấy ý kiến nhân dân ({dossier.distinction_label})")
        elif all(c.state(today) != "closed" for c in mine):
            last = max(c.closes_on for c in mine)
            problems.append(f"{nominee.name}: đang lấy ý kiến đến hết ngày {last:%d/%m/%Y}")
    return problems


def add_comment(consultation: Consultation, entry_id: int | None, message: str, sender: str, contact: str,
                address: str | None) -> ConsultationComment:
    if consultation.state() != "open":
        raise InvalidTransition("Đợt lấy ý kiến này " + ("chưa bắt đầu." if consultation.state() == "upcoming"
                                                          else "đã kết thúc; không nhận thêm ý kiến."))
    entry = None
    if entry_id is not None:
        entry = next((e for e in consultation.entries if e.id == entry_id), None)
        if entry is None:
            raise ValidationFailed("Hãy chọn người được góp ý trong danh sách.")
    message = clean(message, MAX_COMMENT)
    if len(message) < 10:
        raise ValidationFailed("Hãy ghi nội dung góp ý (ít nhất 10 ký tự).")
    comment = ConsultationComment(consultation=consultation, entry=entry, message=message,
                                  sender=clean(sender, 200), contact=clean(contact, 200), client_address=address)
    db.session.add(comment)
    db.session.commit()
    return comment


COMMENTS_PER_PAGE = 50


def comment_queue(status: str = "open", page: int = 1):
    """One page of comments: the oldest open ones first, or the latest handled ones."""
    order = ConsultationComment.id if status == "open" else ConsultationComment.id.desc()
    return db.paginate(db.select(ConsultationComment).where(ConsultationComment.status == status).order_by(order),
                       page=page, per_page=COMMENTS_PER_PAGE, error_out=False)


def open_comment_count() -> int:
    return db.session.scalar(db.select(db.func.count(ConsultationComment.id))
                             .where(ConsultationComment.status == "open")) or 0


def close_comment(comment_id: int, note: str, actor: Actor) -> ConsultationComment:
    """Record how a comment was handled; of two people closing it at once, one wins."""
    comment = db.session.get(ConsultationComment, comment_id)
    if comment is None:
        raise NotFound("Không có ý kiến này.")
    note = clean(note)
    if not note:
        raise ValidationFailed("Hãy ghi kết quả xem xét ý kiến trước khi đóng.")
    claimed = db.session.execute(
        db.update(ConsultationComment).where(ConsultationComment.id == comment_id,
                                             ConsultationComment.status == "open")
        .values(status="closed", note=note, handled_by=actor.name, handled_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        db.session.rollback()
        raise InvalidTransition("Ý kiến này đã được xem xét trước đó.")
    audit.record(actor, "consultation.comment", f"consultation:{comment.consultation_id}",
                 f"Xem xét ý kiến #{comment_id}: {note}")
    db.session.commit()
    db.session.refresh(comment)
    return comment
