"""The audit log: every change made through the portal, append-only."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.domain.kernel.models_base import created_column
from portal.domain.kernel.vocab import strip_controls
from portal.extensions import db


class AuditEntry(db.Model):
    """Who did what, when, from which address. No code path updates or deletes a row."""

    __tablename__ = "audit_log"
    __private_state__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = created_column()
    actor: Mapped[str] = mapped_column(String(254), index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    target: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str | None] = mapped_column(String(64))


def record(actor, action: str, target: str, summary: str = "") -> AuditEntry:
    """Add an entry to the session; it commits with the change it describes."""
    entry = AuditEntry(actor=strip_controls(actor.name)[:254], action=action, target=strip_controls(target)[:300],
                       summary=strip_controls(summary)[:4000], address=getattr(actor, "address", None))
    db.session.add(entry)
    return entry


def page(number: int, per_page: int, actor: str | None = None, action: str | None = None):
    """Newest first, optionally for one actor or one kind of action."""
    query = db.select(AuditEntry).order_by(AuditEntry.id.desc())
    if actor:
        query = query.where(AuditEntry.actor == actor)
    if action:
        query = query.where(AuditEntry.action.startswith(action))
    return db.paginate(query, page=number, per_page=per_page, error_out=False)
