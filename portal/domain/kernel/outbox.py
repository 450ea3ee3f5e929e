"""Mail waiting to be sent: a notice is a row written in the same transaction as the change it
tells of, and is sent after the response, with retries. A crash loses neither the change nor its
notice, and a mail server that is down or never answers delays no request."""
from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import DateTime, String, Text, event, or_, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.domain.kernel.models_base import created_column, utcnow
from portal.extensions import db

MAX_ATTEMPTS = 8   # then the message stays in the table, marked failed, for the administrator
CLAIM_SECONDS = 120  # a sender that died while sending frees its messages after this
PENDING = "outbox_pending"  # session.info key: notices to write when the change commits


class OutboxMessage(db.Model):
    __tablename__ = "mail_outbox"
    __private_state__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    recipients: Mapped[str] = mapped_column(Text)  # one address per line
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_column()
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(String(300))

    @property
    def addresses(self) -> list[str]:
        return [a for a in self.recipients.splitlines() if a]


def queue(recipients: list[str], subject: str, body: str) -> OutboxMessage | None:
    """Add a message to the session: it is written with the change being committed."""
    recipients = sorted({r.strip() for r in recipients if r and r.strip()})
    if not recipients:
        return None
    message = OutboxMessage(recipients="\n".join(recipients), subject=subject[:300], body=body)
    db.session.add(message)
    return message


@contextmanager
def on_commit(build: Callable[[], object]):
    """Within the block, the next commit first runs `build` (which queues its notices), so the
    notices are written in the change's own transaction; a block that fails queues nothing."""
    pending = db.session.info.setdefault(PENDING, [])
    pending.append(build)
    try:
        yield
    finally:
        if build in pending:
            pending.remove(build)


@event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:
    pending = session.info.get(PENDING)
    while pending:
        pending.pop(0)()


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(PENDING, None)


def claim(limit: int = 20) -> list[OutboxMessage]:
    """Due messages this process now owns (another process or node never sends them twice)."""
    now = utcnow()
    due = db.session.scalars(db.select(OutboxMessage.id).where(
        OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None), OutboxMessage.next_attempt_at <= now,
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))
        .order_by(OutboxMessage.id).limit(limit)).all()
    mine = []
    for ident in due:
        taken = db.session.execute(update(OutboxMessage).where(
            OutboxMessage.id == ident, or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))
            .values(claimed_until=now + timedelta(seconds=CLAIM_SECONDS)))
        if taken.rowcount == 1:
            mine.append(ident)
    db.session.commit()
    return list(db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.id.in_(mine)))) if mine else []


def sent(message: OutboxMessage) -> None:
    message.sent_at, message.claimed_until, message.attempts = utcnow(), None, message.attempts + 1
    db.session.commit()


def failed(message: OutboxMessage, error: str) -> None:
    """Try again later, each time waiting twice as long (1 minute to about 2 hours)."""
    message.attempts += 1
    message.last_error = error[:300]
    message.claimed_until = None
    if message.attempts >= MAX_ATTEMPTS:
        message.failed_at = utcnow()
    else:
        message.next_attempt_at = utcnow() + timedelta(seconds=60 * 2 ** (message.attempts - 1))
    db.session.commit()


def waiting() -> int:
    """Messages not yet sent nor given up."""
    return db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage).where(
        OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None))) or 0
