"""The honor roll: commendation decisions, the awards they make, and what stays private."""
from __future__ import annotations

import re
import secrets
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain.campaigns.models import Campaign, ReviewRound
from portal.domain.documents.models import Document
from portal.domain.honors.places import Area
from portal.domain.kernel import changes
from portal.domain.kernel.models_base import created_column, updated_column
from portal.domain.kernel.rows import RecipientPrivate, RecipientRow
from portal.domain.kernel.vocab import AWARD_LEVELS, DISTINCTIONS, PUBLICATION
from portal.extensions import db
from portal.vietnamese.folding import fold


class HonorDecision(db.Model):
    """What a quyết định khen thưởng adds to its document: the award, the reason, the round."""

    __tablename__ = "honor_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), unique=True)
    distinction: Mapped[str] = mapped_column(String(60), index=True)
    level: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"))
    review_round_id: Mapped[int | None] = mapped_column(ForeignKey("review_rounds.id", ondelete="SET NULL"))
    achievement_year: Mapped[int | None]
    contribution_public: Mapped[bool] = mapped_column(Boolean, default=False)
    list_hash: Mapped[str | None] = mapped_column(String(64))

    document: Mapped[Document] = relationship()
    campaign: Mapped[Campaign | None] = relationship()
    review_round: Mapped[ReviewRound | None] = relationship()
    awards: Mapped[list[Award]] = relationship(back_populates="decision", cascade="all, delete-orphan",
                                               order_by="Award.seq")

    @property
    def distinction_label(self) -> str:
        return DISTINCTIONS.label(self.distinction)

    @property
    def level_label(self) -> str:
        return AWARD_LEVELS.label(self.level)


# Verification codes: random (never derived from an id), from an alphabet without look-alikes
# (no 0/O, 1/I/L); 12 characters give 31**12, about 8 * 10**17 codes.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(raw: str) -> str | None:
    """A code as typed or scanned ("abcd-efgh-jkmn", spaces, lower case) in its stored form,
    or None when it cannot be one."""
    code = re.sub(r"[\s\-.]", "", (raw or "")[:40]).upper()
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return None
    return code


def grouped_code(code: str) -> str:
    """The code as printed: XXXX-XXXX-XXXX."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def name_words(name: str) -> set[str]:
    """The folded syllables of a name: "Hộ ông Nguyễn Văn Ánh" -> ho, ong, nguyen, van, anh."""
    return {word[:40] for word in re.findall(r"\w+", fold(name or ""))}


class AwardWord(db.Model):
    """One folded syllable of an award's name: the name search looks words up here (an index
    range per word) instead of scanning every name with LIKE."""

    __tablename__ = "award_words"
    word: Mapped[str] = mapped_column(String(40), primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id", ondelete="CASCADE"), primary_key=True, index=True)


class Award(RecipientRow, db.Model):
    """One line of a decision's list: public fields only (private ones live in AwardPrivate)."""

    __tablename__ = "awards"
    __table_args__ = (
        UniqueConstraint("decision_id", "seq", name="uq_awards_decision_seq"),
        Index("ix_awards_listing", "publication", "sort_key"),
        # Counts, facets and name search read this index alone, never the table's rows.
        # It also serves the decision_id foreign key (its first column).
        Index("ix_awards_cover", "decision_id", "publication", "kind", "district_area_id", "name_folded"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("honor_decisions.id", ondelete="CASCADE"))
    # The columns of RecipientRow; the roll looks names, units and communes up by index.
    # `contribution` is shown only when the decision states it.
    name_folded: Mapped[str] = mapped_column(String(300), index=True)
    sort_key: Mapped[str] = mapped_column(String(1200))
    unit: Mapped[str | None] = mapped_column(String(300), index=True)
    commune: Mapped[str | None] = mapped_column(String(200), index=True)
    district_area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"))
    publication: Mapped[str] = mapped_column(String(20), default="public")
    # Printed on the certificate; /xac-minh/<code> answers whether the award still stands.
    verification_code: Mapped[str] = mapped_column(String(16), unique=True, default=new_verification_code)
    # Set and cleared by honors.annulments only; the rows there keep the history.
    annulled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The person, collective or household across decisions and years (honors/records.py).
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("recipients.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = created_column()
    updated_at: Mapped[datetime] = updated_column()

    decision: Mapped[HonorDecision] = relationship(back_populates="awards")
    district_area: Mapped[Area | None] = relationship()
    private: Mapped[AwardPrivate | None] = relationship(cascade="all, delete-orphan", uselist=False)
    words: Mapped[list[AwardWord]] = relationship(cascade="all, delete-orphan")

    def set_name(self, name: str) -> None:
        """The name, its folded form and the words the name search looks up."""
        self.name = name
        self.name_folded = " ".join(fold(name).split())
        wanted = name_words(name)
        self.words = [w for w in self.words if w.word in wanted]
        have = {w.word for w in self.words}
        self.words += [AwardWord(word=word) for word in sorted(wanted - have)]

    @property
    def publication_label(self) -> str:
        return PUBLICATION.label(self.publication)

    @property
    def is_listed(self) -> bool:
        return self.publication in ("public", "name-unit")


class AwardPrivate(RecipientPrivate, db.Model):
    """Personal data kept for the record and never rendered publicly."""

    __tablename__ = "award_private"
    # A person's history and eligibility are looked up by ID number.
    __table_args__ = (Index("ix_award_private_id_number", "id_number"),)

    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id", ondelete="CASCADE"), primary_key=True)
    contribution: Mapped[int | None] = mapped_column(BigInteger)


class HonorRequest(db.Model):
    """A person's request to correct or remove an entry, handled by a webmaster."""

    __tablename__ = "honor_requests"
    __private_state__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # correct / remove
    message: Mapped[str] = mapped_column(Text)
    contact: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="open")
    note: Mapped[str] = mapped_column(Text, default="")
    client_address: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = created_column()
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(String(254))

    award: Mapped[Award] = relationship()

    @property
    def kind_label(self) -> str:
        return {"correct": "Đề nghị đính chính", "remove": "Đề nghị gỡ thông tin"}.get(self.kind, self.kind)


changes.track(HonorDecision, lambda d: (f"document:{d.document_id}" if d.document_id is not None else None, None))
changes.track(Award, lambda a: (f"award:{a.id}", a.decision_id) if a.id is not None else (None, None))
changes.track_award_documents(lambda session, ids: session.scalars(
    db.select(HonorDecision.document_id).where(HonorDecision.id.in_(ids))))


def decision_for(document: Document, session=None) -> HonorDecision | None:
    return (session or db.session).scalar(db.select(HonorDecision).where(HonorDecision.document_id == document.id))
