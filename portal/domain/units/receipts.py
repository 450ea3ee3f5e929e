"""Documents sent to units (Kính gửi / Nơi nhận) and their receipts.

A receipt is recorded once per document and unit: the first download by one of the unit's
accounts, or its explicit "Đã nhận". Only public documents are ever listed for a unit."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain.documents.models import Document, public_filter
from portal.domain.kernel.models_base import created_column
from portal.domain.units.registry import Unit
from portal.extensions import db

HOW = {"download": "Tải về", "confirm": "Xác nhận đã nhận"}


class DocumentRecipient(db.Model):
    __tablename__ = "document_recipients"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), primary_key=True, index=True)
    ask_receipt: Mapped[bool] = mapped_column(Boolean, default=True)

    unit: Mapped[Unit] = relationship()


class Receipt(db.Model):
    __tablename__ = "receipts"
    __table_args__ = (UniqueConstraint("document_id", "unit_id", name="uq_receipts_document_unit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    user_email: Mapped[str] = mapped_column(String(254))
    how: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = created_column()

    @property
    def how_label(self) -> str:
        return HOW.get(self.how, self.how)


def set_recipients(document: Document, units: list[Unit], ask_receipt: bool) -> None:
    """The units a document is sent to (replacing the previous list); receipts stay."""
    wanted = {u.id: u for u in units}
    current = {r.unit_id: r for r in db.session.scalars(
        db.select(DocumentRecipient).where(DocumentRecipient.document_id == document.id))}
    for unit_id, row in current.items():
        if unit_id not in wanted:
            db.session.delete(row)
        else:
            row.ask_receipt = ask_receipt
    for unit_id, unit in wanted.items():
        if unit_id not in current:
            db.session.add(DocumentRecipient(document_id=document.id, unit=unit, ask_receipt=ask_receipt))


def record_receipt(document: Document, unit: Unit, email: str, how: str) -> bool:
    """Record the unit's receipt of a public document sent to it, once; True when new."""
    if not document.is_public:
        return False
    sent = db.session.get(DocumentRecipient, (document.id, unit.id))
    if sent is None or db.session.scalar(db.select(Receipt.id).where(
            Receipt.document_id == document.id, Receipt.unit_id == unit.id)) is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(Receipt(document_id=document.id, unit_id=unit.id, user_email=email[:254], how=how))
    except IntegrityError:  # two of the unit's accounts at the same instant: the first one counts
        return False
    return True


@dataclass
class SentDocument:
    document: Document
    ask_receipt: bool
    receipt: Receipt | None


def documents_for_unit(unit: Unit) -> list[SentDocument]:
    """Public documents sent to a unit, newest first, with the unit's receipt of each."""
    rows = db.session.execute(
        db.select(Document, DocumentRecipient.ask_receipt)
        .join(DocumentRecipient, DocumentRecipient.document_id == Document.id)
        .where(DocumentRecipient.unit_id == unit.id, public_filter())
        .order_by(Document.issued_on.desc(), Document.id.desc())).all()
    receipts = {r.document_id: r for r in db.session.scalars(
        db.select(Receipt).where(Receipt.unit_id == unit.id, Receipt.document_id.in_([d.id for d, _ in rows] or [-1])))}
    return [SentDocument(d, ask, receipts.get(d.id)) for d, ask in rows]


@dataclass
class ReceiptRow:
    unit: Unit
    receipt: Receipt | None


def receipt_rows(document: Document) -> list[ReceiptRow]:
    """Every unit the document is sent to, with its receipt or None; not received first."""
    sent = db.session.scalars(db.select(DocumentRecipient).where(DocumentRecipient.document_id == document.id))
    receipts = {r.unit_id: r for r in db.session.scalars(db.select(Receipt).where(Receipt.document_id == document.id))}
    rows = [ReceiptRow(r.unit, receipts.get(r.unit_id)) for r in sent]
    return sorted(rows, key=lambda r: (r.receipt is not None, r.unit.name))
