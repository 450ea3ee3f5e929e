"""Nomination dossiers (hồ sơ đề nghị khen thưởng): what a unit proposes for a review round, in
the award-list format the honor roll imports, and the office's appraisal of it.

States: dự thảo → đã nộp → đang thẩm định → (lấy ý kiến) → đã trình → đã quyết định, with trả lại
(a reason required: the unit corrects and submits again) and hủy. Every step is kept with its
actor and time; two people acting on the same dossier at once cannot both win (version check)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm.exc import StaleDataError

from portal.domain.campaigns.models import ReviewRound
from portal.domain.documents.models import Attachment, Document
from portal.domain.kernel import audit
from portal.domain.kernel.actor import Actor
from portal.domain.kernel.models_base import VN, as_utc, created_column, updated_column
from portal.domain.kernel.rows import RecipientPrivate, RecipientRow
from portal.domain.kernel.steps import Step, StepTable
from portal.domain.kernel.vocab import DISTINCTIONS, strip_controls
from portal.domain.units.registry import Unit
from portal.errors import InvalidTransition, NotFound, ValidationFailed
from portal.extensions import db

STATES = {"draft": "Dự thảo", "submitted": "Đã nộp", "appraising": "Đang thẩm định", "consulting": "Lấy ý kiến",
          "proposed": "Đã trình", "decided": "Đã quyết định", "returned": "Bị trả lại", "cancelled": "Đã hủy"}
EDITABLE = ("draft", "returned")
OPEN = ("submitted", "appraising", "consulting", "proposed")
FILE_ROLES = {"to-trinh": "Tờ trình", "bien-ban": "Biên bản họp xét", "bao-cao-thanh-tich": "Báo cáo thành tích"}
LIST_ROLE = "danh-sach"  # the list of nominees as uploaded, kept with the dossier
VERDICTS = {"": "Chưa xét", "approved": "Đồng ý", "rejected": "Không đồng ý"}
OFFICE = ("editor", "reviewer", "admin")


def _office_cancels_submitted(state: str, role: str) -> bool:
    return role == "unit" or state == "submitted"  # the office may cancel what was sent to it


STEPS = StepTable((
    Step("submit", "Nộp hồ sơ", EDITABLE, "submitted", ("unit",)),
    Step("appraise", "Nhận thẩm định", ("submitted",), "appraising", OFFICE),
    Step("consult", "Lấy ý kiến nhân dân", ("appraising",), "consulting", OFFICE),
    Step("propose", "Trình khen thưởng", ("appraising", "consulting"), "proposed", OFFICE),
    Step("decide", "Đã có quyết định", ("proposed",), "decided", ()),  # the portal, on publishing
    Step("return", "Trả lại", ("submitted", "appraising", "consulting", "proposed"), "returned", OFFICE),
    Step("cancel", "Hủy hồ sơ", EDITABLE + ("submitted",), "cancelled", ("unit",) + OFFICE,
         guard=_office_cancels_submitted),
    # A cancellation is undone while its round lasts (dossier_steps.apply checks the round's end).
    Step("reopen", "Khôi phục hồ sơ đã hủy", ("cancelled",), "draft", ("unit",) + OFFICE),
), lambda state: STATES.get(state, state), refused="Không thể «{label}» hồ sơ đang ở trạng thái «{state}».",
    forbidden="Vai trò của bạn không được «{label}» hồ sơ này.", trusted="system")


class Dossier(db.Model):
    __tablename__ = "dossiers"
    __private_state__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("review_rounds.id", ondelete="CASCADE"), index=True)
    distinction: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    list_filename: Mapped[str | None] = mapped_column(String(255))
    list_warnings: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = created_column()
    updated_at: Mapped[datetime] = updated_column()
    submitted_at: Mapped[datetime | None]
    decision_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    unit: Mapped[Unit] = relationship()
    review_round: Mapped[ReviewRound] = relationship()
    files: Mapped[list[DossierFile]] = relationship(cascade="all, delete-orphan", order_by="DossierFile.id")
    nominees: Mapped[list[Nominee]] = relationship(cascade="all, delete-orphan", order_by="Nominee.seq")
    steps: Mapped[list[DossierStep]] = relationship(cascade="all, delete-orphan", order_by="DossierStep.id")
    decision_document: Mapped[Document | None] = relationship(viewonly=True)

    __mapper_args__ = {"version_id_col": version}

    @property
    def state_label(self) -> str:
        return STATES.get(self.status, self.status)

    @property
    def distinction_label(self) -> str:
        return DISTINCTIONS.label(self.distinction)

    @property
    def submitted_on(self) -> date | None:
        return as_utc(self.submitted_at).astimezone(VN).date() if self.submitted_at else None

    @property
    def late(self) -> bool:
        due = self.review_round.report_due_on
        return bool(due and self.submitted_on and self.submitted_on > due)

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE

    def files_of(self, role: str) -> list[DossierFile]:
        return [f for f in self.files if f.role == role]

    @property
    def approved(self) -> list[Nominee]:
        return [n for n in self.nominees if n.verdict == "approved"]


class DossierFile(db.Model):
    __tablename__ = "dossier_files"
    __private_state__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(30))
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    mime_type: Mapped[str] = mapped_column(String(120))
    uploaded_by: Mapped[str] = mapped_column(String(254))
    uploaded_at: Mapped[datetime] = created_column()

    @property
    def role_label(self) -> str:
        return "Danh sách đề nghị" if self.role == LIST_ROLE else FILE_ROLES.get(self.role, self.role)

    @property
    def size_label(self) -> str:
        return Attachment.size_label.fget(self)


class Nominee(RecipientRow, db.Model):
    """One line of a dossier's list: the honor roll's public fields, with the office's verdict."""

    __tablename__ = "dossier_nominees"
    __private_state__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    verdict: Mapped[str] = mapped_column(String(20), default="")
    office_note: Mapped[str] = mapped_column(Text, default="")
    noted_by: Mapped[str | None] = mapped_column(String(254))
    # The office's written reason for judging eligibility otherwise than the rules' check.
    eligibility_override: Mapped[str | None] = mapped_column(Text)
    eligibility_override_by: Mapped[str | None] = mapped_column(String(254))

    private: Mapped[NomineePrivate | None] = relationship(cascade="all, delete-orphan", uselist=False)

    @property
    def verdict_label(self) -> str:
        return VERDICTS.get(self.verdict, self.verdict)


class NomineePrivate(RecipientPrivate, db.Model):
    """A nominee's personal data, kept apart like the honor roll's and never rendered."""

    __tablename__ = "dossier_nominee_private"
    __private_state__ = True

    nominee_id: Mapped[int] = mapped_column(ForeignKey("dossier_nominees.id", ondelete="CASCADE"), primary_key=True)


class DossierStep(db.Model):
    __tablename__ = "dossier_steps"
    __private_state__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(254))
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = created_column()

    @property
    def label(self) -> str:
        step = STEPS.get(self.action)
        return step.label if step else {"create": "Tạo hồ sơ", "list": "Nạp danh sách", "file": "Đính kèm tệp",
                                        "remove-file": "Gỡ tệp", "verdict": "Ý kiến thẩm định",
                                        "draft-decision": "Dự thảo quyết định",
                                        "withdraw-draft": "Rút khỏi dự thảo quyết định",
                                        "eligibility": "Xét khác kết quả kiểm tra điều kiện"}.get(self.action,
                                                                                                  self.action)


def clean(text: str, limit: int = 2000) -> str:
    return " ".join(strip_controls(text or "").split())[:limit]


def get(dossier_id: int, unit: Unit | None = None) -> Dossier:
    """A dossier; for a unit account only its own unit's (another's is as if it did not exist)."""
    dossier = db.session.get(Dossier, dossier_id)
    if dossier is None or (unit is not None and dossier.unit_id != unit.id):
        raise NotFound("Không có hồ sơ này.")
    return dossier


def of_unit(unit: Unit) -> list[Dossier]:
    return list(db.session.scalars(db.select(Dossier).where(Dossier.unit_id == unit.id)
                                   .order_by(Dossier.updated_at.desc(), Dossier.id.desc())))


def by_status(*statuses: str) -> list[Dossier]:
    query = db.select(Dossier).order_by(Dossier.submitted_at.is_(None), Dossier.submitted_at, Dossier.id)
    if statuses:
        query = query.where(Dossier.status.in_(statuses))
    return list(db.session.scalars(query))


def note_step(dossier: Dossier, action: str, actor: Actor, comment: str = "", to_state: str | None = None) -> None:
    dossier.steps.append(DossierStep(action=action, from_state=dossier.status, to_state=to_state or dossier.status,
                                     actor=actor.name, comment=comment))


def commit(dossier: Dossier, what: str) -> None:
    """Commit a change made on the version read; if someone changed the dossier meanwhile,
    nothing is written and the message says what it is now."""
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        db.session.refresh(dossier)
        raise InvalidTransition(f"Hồ sơ vừa được người khác thay đổi (hiện «{dossier.state_label}»); thao tác "
                                f"«{what}» chưa được thực hiện. Hãy tải lại trang.") from None


def create(unit: Unit, review_round: ReviewRound, distinction: str, title: str, actor: Actor) -> Dossier:
    form = DISTINCTIONS.resolve(distinction) if distinction else None
    if form is None:
        raise ValidationFailed("Hãy chọn hình thức khen thưởng đề nghị.")
    if review_round.report_due_on is None:
        raise ValidationFailed(f"{review_round.label} chưa mở nhận hồ sơ.")
    gone = unit.gone_by(review_round.report_due_on)
    if gone:
        raise ValidationFailed(f"{gone}: hồ sơ đề nghị khen thưởng {review_round.label} do đơn vị kế thừa lập.")
    title = clean(title, 300) or f"Đề nghị {form.label} — {review_round.label}"
    dossier = Dossier(unit=unit, review_round=review_round, distinction=form.code, title=title,
                      created_by=actor.name, status="draft", list_warnings="")
    db.session.add(dossier)
    note_step(dossier, "create", actor)
    dossier.steps[-1].from_state = None
    db.session.flush()
    audit.record(actor, "dossier.create", f"dossier:{dossier.id}", f"{unit.name} tạo hồ sơ «{title}»")
    db.session.commit()
    return dossier
