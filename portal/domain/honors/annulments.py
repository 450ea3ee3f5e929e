"""Annulment instead of deletion: a published award is never removed; a decision annuls it
(Luật Thi đua, khen thưởng 2022, Chương VII), with a public reason, and a correcting decision may
withdraw that annulment. Every step is a row: the history stays whole."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain.documents.symbols import parse_symbol
from portal.domain.honors.models import Award, HonorDecision
from portal.domain.kernel import audit
from portal.domain.kernel.actor import Actor
from portal.domain.kernel.bounds import check_date
from portal.domain.kernel.models_base import created_column, today_vn, utcnow
from portal.domain.kernel.vocab import strip_controls
from portal.errors import ValidationFailed
from portal.extensions import db

MAX_REASON = 1000
EARLIEST = date(1945, 1, 1)


class AwardAnnulment(db.Model):
    """One annulment of one award; `withdrawn_*` set when a later decision withdraws it."""

    __tablename__ = "award_annulments"

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id", ondelete="CASCADE"), index=True)
    symbol: Mapped[str] = mapped_column(String(60))
    decided_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = created_column()
    recorded_by: Mapped[str] = mapped_column(String(254))
    withdrawn_symbol: Mapped[str | None] = mapped_column(String(60))
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_by: Mapped[str | None] = mapped_column(String(254))

    award: Mapped[Award] = relationship(back_populates="annulments")

    @property
    def standing(self) -> bool:
        return self.withdrawn_at is None


Award.annulments = relationship(AwardAnnulment, back_populates="award", order_by=AwardAnnulment.id,
                                cascade="all, delete-orphan")


def current(award: Award) -> AwardAnnulment | None:
    """The annulment in force, if any (at most one stands at a time)."""
    return next((a for a in reversed(award.annulments) if a.standing), None)


def _decision_fields(symbol: str, decided_on: date | None, reason: str) -> tuple[str, date, str]:
    text = parse_symbol(strip_controls(symbol or "").strip()).text
    if decided_on is None:
        raise ValidationFailed("Hãy nhập ngày của quyết định.")
    check_date(decided_on, "Ngày quyết định", EARLIEST, today_vn())
    reason = " ".join(strip_controls(reason or "").split())
    if len(reason) < 10:
        raise ValidationFailed("Hãy ghi lý do công khai (ít nhất 10 ký tự).")
    if len(reason) > MAX_REASON:
        raise ValidationFailed(f"Lý do dài quá {MAX_REASON} ký tự.")
    return text, decided_on, reason


def _published(award: Award) -> None:
    document = award.decision.document
    if not document.is_public:
        raise ValidationFailed("Chỉ hủy bỏ được khen thưởng của quyết định đã công bố; "
                               "quyết định chưa công bố thì sửa danh sách của nó.")


def annul(awards: list[Award], symbol: str, decided_on: date | None, reason: str, actor: Actor) -> list[AwardAnnulment]:
    """Annul each award (all or none): refused when one is already annulled or not published."""
    symbol, decided_on, reason = _decision_fields(symbol, decided_on, reason)
    if not awards:
        raise ValidationFailed("Không có khen thưởng nào để hủy bỏ.")
    made = []
    for award in awards:
        _published(award)
        if award.annulled:
            raise ValidationFailed(f"«{award.name}» đã bị hủy bỏ (quyết định {current(award).symbol}).")
        if decided_on < award.decision.document.issued_on:
            raise ValidationFailed("Quyết định hủy bỏ không thể có ngày trước quyết định khen thưởng.")
        row = AwardAnnulment(symbol=symbol, decided_on=decided_on, reason=reason, recorded_by=actor.name[:254])
        award.annulments.append(row)
        award.annulled = True
        made.append(row)
        audit.record(actor, "award.annul", f"award:{award.id}",
                     f"Hủy bỏ khen thưởng {award.name} ({award.decision.document.symbol}) theo {symbol}: {reason}")
    return made


def annul_decision(decision: HonorDecision, symbol: str, decided_on: date | None, reason: str,
                   actor: Actor) -> list[AwardAnnulment]:
    """Annul every award of a decision still standing."""
    return annul([a for a in decision.awards if not a.annulled], symbol, decided_on, reason, actor)


def withdraw(award: Award, symbol: str, decided_on: date | None, reason: str, actor: Actor) -> AwardAnnulment:
    """A correcting decision withdraws the annulment in force: the award stands again, and
    both steps stay in its history."""
    symbol, decided_on, reason = _decision_fields(symbol, decided_on, reason)
    row = current(award)
    if row is None:
        raise ValidationFailed(f"«{award.name}» không bị hủy bỏ: không có gì để thu hồi.")
    if decided_on < row.decided_on:
        raise ValidationFailed("Quyết định đính chính không thể có ngày trước quyết định hủy bỏ.")
    row.withdrawn_symbol, row.withdrawn_on, row.withdrawn_reason = symbol, decided_on, reason
    row.withdrawn_at, row.withdrawn_by = utcnow(), actor.name[:254]
    award.annulled = False
    audit.record(actor, "award.restore", f"award:{award.id}",
                 f"Thu hồi việc hủy bỏ khen thưởng {award.name} theo {symbol}: {reason}")
    return row
