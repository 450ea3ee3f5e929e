"""The register of decision numbers (sổ đăng ký quyết định): the procuracy's own decisions take
their number from here, per issuer and year, in order, never twice and never skipped. A number
drafted and then abandoned stays in the register, marked as its document's state says, so the
sequence has no silent gap (Nghị định 30/2020/NĐ-CP: numbers start again at 1 each year)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint, func, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain.documents.models import Document
from portal.domain.kernel.actor import Actor
from portal.domain.kernel.models_base import created_column
from portal.errors import ValidationFailed
from portal.extensions import db

ATTEMPTS = 8  # two office members drafting at the same instant: the later one takes the next number


class RegisterEntry(db.Model):
    """One number given out: to which issuer and year, which symbol, which document, by whom."""

    __tablename__ = "decision_register"
    __table_args__ = (UniqueConstraint("issuer", "year", "number", name="uq_decision_register_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(300))
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    symbol: Mapped[str] = mapped_column(String(60))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"), index=True)
    issued_at: Mapped[datetime] = created_column()
    issued_by: Mapped[str] = mapped_column(String(254))

    document: Mapped[Document | None] = relationship()

    @property
    def state(self) -> str:
        document = self.document
        if document is None:
            return "Văn bản đã bị xóa hẳn: số không dùng"
        if document.deleted_at is not None:
            return "Dự thảo trong thùng rác: số chưa dùng"
        return "Đã công bố" if document.status == "published" else "Dự thảo"


def issue_year(raw) -> int:
    """The year of a document's date as typed (ISO), this year when blank or not a date (the
    date itself is refused with its message by the form's checks)."""
    from portal.domain.kernel.models_base import today_vn
    try:
        return date.fromisoformat(str(raw)).year if raw else today_vn().year
    except ValueError:
        return today_vn().year


def next_number(issuer: str, year: int) -> int:
    last = db.session.scalar(db.select(func.max(RegisterEntry.number))
                             .where(RegisterEntry.issuer == issuer, RegisterEntry.year == year))
    return (last or 0) + 1


def _lock_key(issuer: str, year: int) -> int:
    digest = hashlib.blake2b(f"decision-register|{issuer}|{year}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def allocate(issuer: str, year: int, suffix: str, actor: Actor) -> RegisterEntry:
    """The next number of `issuer` in `year`, written into the register in the caller's
    transaction, which must not have written anything yet.

    PostgreSQL: a transaction-scoped advisory lock on (issuer, year) makes the office members
    take turns, so the later one reads the earlier one's committed number and never collides
    (without it, two writers can keep colliding on each other's uncommitted numbers). SQLite
    serializes writers itself: a number taken meanwhile is retried after rolling back the
    caller's transaction, since pysqlite's RELEASE of the outermost savepoint would commit and a
    draft refused afterwards would keep its number."""
    savepoints = db.session.get_bind().dialect.name == "postgresql"
    if savepoints:
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _lock_key(issuer, year)})
    for _ in range(ATTEMPTS):
        number = next_number(issuer, year)
        entry = RegisterEntry(issuer=issuer, year=year, number=number, symbol=f"{number}/{suffix}",
                              issued_by=actor.name[:254])
        try:
            if savepoints:
                with db.session.begin_nested():
                    db.session.add(entry)
            else:
                db.session.add(entry)
                db.session.flush()
        except IntegrityError:
            if not savepoints:
                db.session.rollback()
            continue
        return entry
    raise ValidationFailed("Sổ đăng ký quyết định đang được người khác ghi; hãy thử lại.")


@dataclass(frozen=True)
class RegisterYear:
    year: int
    entries: list[RegisterEntry]

    @property
    def gaps(self) -> list[int]:
        """Numbers missing from the sequence (none when the register is the only source)."""
        have = {e.number for e in self.entries}
        return [n for n in range(1, max(have, default=0) + 1) if n not in have]


def year_of(issuer: str, year: int) -> RegisterYear:
    entries = list(db.session.scalars(db.select(RegisterEntry).where(
        RegisterEntry.issuer == issuer, RegisterEntry.year == year).order_by(RegisterEntry.number)))
    return RegisterYear(year, entries)


def years(issuer: str) -> list[int]:
    found = db.session.scalars(db.select(RegisterEntry.year).where(RegisterEntry.issuer == issuer).distinct())
    return sorted(set(found) | {date.today().year}, reverse=True)
