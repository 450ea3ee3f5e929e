"""Recipients as records: a person, collective or household is one record across decisions and
years. A person is matched by their ID number when the list gives one (kept in a private table,
as on the awards); collectives by their folded name and unit; households by the head's folded
name and commune. Anything else starts a record of its own, and the office merges records it
recognises as one (same name, birth date and unit are proposed). Every merge is audited and
can be undone: the awards it moved go back."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain.honors.models import Award, HonorDecision
from portal.domain.kernel import audit
from portal.domain.kernel.actor import Actor
from portal.domain.kernel.models_base import created_column, utcnow
from portal.errors import ValidationFailed
from portal.extensions import db
from portal.vietnamese.folding import fold


class Recipient(db.Model):
    __tablename__ = "recipients"
    __private_state__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(300))
    match_key: Mapped[str] = mapped_column(String(700), index=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("recipients.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_column()

    awards: Mapped[list[Award]] = relationship(order_by=Award.id, viewonly=True,
                                               primaryjoin="Award.recipient_id == Recipient.id")


class RecipientIdentity(db.Model):
    """The ID number a person's record is matched by (private: never rendered publicly)."""

    __tablename__ = "recipient_identities"
    __private_state__ = True

    id_number: Mapped[str] = mapped_column(String(20), primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("recipients.id", ondelete="CASCADE"), index=True)


class RecipientMerge(db.Model):
    """One merge: which awards moved from which record to which, and whether it was undone."""

    __tablename__ = "recipient_merges"
    __private_state__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    kept_id: Mapped[int] = mapped_column(ForeignKey("recipients.id", ondelete="CASCADE"), index=True)
    merged_id: Mapped[int] = mapped_column(ForeignKey("recipients.id", ondelete="CASCADE"), index=True)
    award_ids: Mapped[list] = mapped_column(JSON, default=list)
    identities: Mapped[list] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(String(1000))
    at: Mapped[datetime] = created_column()
    by: Mapped[str] = mapped_column(String(254))
    undone_at: Mapped[datetime | None]
    undone_by: Mapped[str | None] = mapped_column(String(254))

    kept: Mapped[Recipient] = relationship(foreign_keys=[kept_id])
    merged: Mapped[Recipient] = relationship(foreign_keys=[merged_id])


def match_key(award: Award) -> str:
    """What two lines must share to be the same recipient without an ID number: a collective's
    name and unit, a household's head and commune, a person's name, birth date and unit (a
    person's key is only a proposal: the office confirms by merging)."""
    if award.kind == "tap-the":
        parts = (award.name, award.unit)
    elif award.kind == "ho-gia-dinh":
        parts = (award.name, award.commune)
    else:
        birth = award.private.birth_date.isoformat() if award.private and award.private.birth_date else ""
        parts = (award.name, birth, award.unit)
    return "|".join(" ".join(fold(p or "").split()) for p in (award.kind, *parts))[:700]


def _record_for(award: Award) -> Recipient:
    number = (award.private.id_number or "").strip() if award.private else ""
    if number:
        identity = db.session.get(RecipientIdentity, number)
        if identity is not None:
            return _current(db.session.get(Recipient, identity.recipient_id))
    key = match_key(award)
    if award.kind != "ca-nhan":
        found = db.session.scalar(db.select(Recipient).where(Recipient.match_key == key,
                                                             Recipient.merged_into_id.is_(None)).limit(1))
        if found is not None:
            return found
    record = Recipient(kind=award.kind, name=award.name, match_key=key)
    db.session.add(record)
    db.session.flush()
    if number:
        db.session.add(RecipientIdentity(id_number=number, recipient_id=record.id))
    return record


def _current(record: Recipient) -> Recipient:
    while record.merged_into_id is not None:
        record = db.session.get(Recipient, record.merged_into_id)
    return record


def attach(decision: HonorDecision) -> int:
    """Give each award of a decision its record (in the caller's transaction); the count attached."""
    db.session.flush()
    done = 0
    for award in decision.awards:
        if award.recipient_id is None:
            award.recipient_id = _record_for(award).id
            db.session.flush()
            done += 1
    return done


def attach_all() -> int:
    """Records for every award without one (a database from before records existed)."""
    done = 0
    for decision in db.session.scalars(db.select(HonorDecision).order_by(HonorDecision.id)):
        done += attach(decision)
    return done


def identity_conflicts(rows, document_id: int | None = None) -> list[str]:
    """Lines whose ID number is known with another birth date (in the list itself or on awards
    of other decisions): refused row by row, the other date never repeated."""
    from portal.domain.documents.models import Document
    from portal.domain.honors.models import AwardPrivate
    seen: dict[str, object] = {}
    problems = []
    for row in rows:
        number = (row.private.get("id_number") or "").strip()
        born = row.private.get("birth_date")
        if not number or born is None:
            continue
        if number in seen and seen[number] != born:
            problems.append(f"dòng {row.line}: số định danh này đã có ở dòng trên với ngày sinh khác.")
            continue
        seen[number] = born
        query = (db.select(AwardPrivate.birth_date).join(Award, Award.id == AwardPrivate.award_id)
                 .join(HonorDecision, Award.decision_id == HonorDecision.id)
                 .where(AwardPrivate.id_number == number, AwardPrivate.birth_date.is_not(None),
                        AwardPrivate.birth_date != born))
        if document_id is not None:
            query = query.where(HonorDecision.document_id != document_id)
        if db.session.scalar(query.join(Document, HonorDecision.document_id == Document.id).limit(1)) is not None:
            problems.append(f"dòng {row.line}: số định danh này đã có trên cổng với ngày sinh khác; "
                            "kiểm tra lại số định danh hoặc ngày sinh.")
    return problems


def proposals(record: Recipient) -> list[Recipient]:
    """Other records with the same match key: the same name (and birth date, unit) seen apart."""
    return list(db.session.scalars(db.select(Recipient).where(
        Recipient.match_key == record.match_key, Recipient.id != record.id, Recipient.merged_into_id.is_(None))))


def merge(kept: Recipient, other: Recipient, reason: str, actor: Actor) -> RecipientMerge:
    """Move every award and ID number of `other` to `kept`; nothing is lost, and undo() puts
    them back."""
    reason = " ".join((reason or "").split())
    if kept.id == other.id or other.merged_into_id is not None or kept.merged_into_id is not None:
        raise ValidationFailed("Chỉ gộp được hai hồ sơ khác nhau, chưa gộp vào hồ sơ nào.")
    if kept.kind != other.kind:
        raise ValidationFailed("Không gộp được cá nhân với tập thể hay hộ gia đình.")
    if len(reason) < 10:
        raise ValidationFailed("Hãy ghi lý do gộp (ít nhất 10 ký tự), ví dụ căn cứ đối chiếu.")
    moved = list(db.session.scalars(db.select(Award).where(Award.recipient_id == other.id)))
    identities = list(db.session.scalars(
        db.select(RecipientIdentity).where(RecipientIdentity.recipient_id == other.id)))
    for award in moved:
        award.recipient_id = kept.id
    for identity in identities:
        identity.recipient_id = kept.id
    other.merged_into_id = kept.id
    step = RecipientMerge(kept_id=kept.id, merged_id=other.id, award_ids=[a.id for a in moved],
                          identities=[i.id_number for i in identities], reason=reason[:1000], by=actor.name[:254])
    db.session.add(step)
    audit.record(actor, "recipient.merge", f"recipient:{kept.id}",
                 f"Gộp hồ sơ #{other.id} ({len(moved)} khen thưởng) vào #{kept.id} {kept.name}: {reason}")
    return step


def undo(step: RecipientMerge, actor: Actor) -> None:
    """Split a merge: the awards and ID numbers it moved return to the merged record."""
    if step.undone_at is not None:
        raise ValidationFailed("Lần gộp này đã được tách trước đó.")
    for award in db.session.scalars(db.select(Award).where(Award.id.in_(step.award_ids or [-1]))):
        award.recipient_id = step.merged_id
    for identity in db.session.scalars(db.select(RecipientIdentity)
                                       .where(RecipientIdentity.id_number.in_(step.identities or ["-"]))):
        identity.recipient_id = step.merged_id
    step.merged.merged_into_id = None
    step.undone_at, step.undone_by = utcnow(), actor.name[:254]
    audit.record(actor, "recipient.split", f"recipient:{step.kept_id}",
                 f"Tách hồ sơ #{step.merged_id} khỏi #{step.kept_id} ({len(step.award_ids)} khen thưởng)")


def open_person(name: str, id_number: str, unit: str, actor: Actor) -> Recipient:
    """A person's record before any award of theirs is on the portal (so that a discipline or a
    matter under examination can be kept for their first nomination); their awards attach to it
    by the ID number when they come."""
    import re
    name, number = " ".join((name or "").split())[:300], (id_number or "").strip()
    if not re.fullmatch(r"\d{9}|\d{12}", number):
        raise ValidationFailed("Số định danh cá nhân gồm 9 hoặc 12 chữ số.")
    if len(name) < 2:
        raise ValidationFailed("Hãy nhập họ và tên.")
    if db.session.get(RecipientIdentity, number) is not None:
        raise ValidationFailed("Số định danh này đã có hồ sơ trên cổng.")
    key = "|".join(" ".join(fold(p).split()) for p in ("ca-nhan", name, "", " ".join((unit or "").split())))
    record = Recipient(kind="ca-nhan", name=name, match_key=key[:700])
    db.session.add(record)
    db.session.flush()
    db.session.add(RecipientIdentity(id_number=number, recipient_id=record.id))
    audit.record(actor, "recipient.open", f"recipient:{record.id}", f"Lập hồ sơ cá nhân #{record.id} {name}")
    return record


def history(record: Recipient) -> list[tuple[int, list[Award]]]:
    """The record's awards by year, newest first (every award, annulled ones marked by the page)."""
    years: dict[int, list[Award]] = {}
    for award in record.awards:
        decision = award.decision
        years.setdefault(decision.achievement_year or decision.document.issued_on.year, []).append(award)
    return sorted(years.items(), reverse=True)


def public_collective(record_id: int) -> tuple[Recipient, list[tuple]] | None:
    """A collective's record as the public sees it: its listed awards of public decisions, by
    year (individuals' records are never public beyond their awards one by one)."""
    from portal.domain.honors import roll
    record = db.session.get(Recipient, record_id)
    if record is None or record.kind != "tap-the" or record.merged_into_id is not None:
        return None
    rows = roll.listed_awards([award.id for award in record.awards])
    if not rows:
        return None
    rows.sort(key=lambda r: (-(r[1].achievement_year or r[2].issued_on.year), r[2].issued_on))
    return record, rows
