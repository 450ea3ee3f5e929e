"""Documents' workflow as a table (steps.py): states, transitions, the roles allowed, and history rows."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.domain.kernel.models_base import created_column
from portal.domain.kernel.steps import Step, StepTable
from portal.domain.kernel.vocab import STATES, strip_controls
from portal.extensions import db

Transition = Step
TRANSITIONS = StepTable((
    Step("submit", "Gửi duyệt", ("draft",), "pending", ("editor", "reviewer", "admin")),
    Step("publish", "Đăng", ("pending",), "published", ("reviewer", "admin")),
    Step("reject", "Trả lại", ("pending",), "draft", ("reviewer", "admin")),
    Step("retract", "Gỡ xuống", ("published",), "retracted", ("reviewer", "admin")),
    Step("redraft", "Sửa lại", ("retracted",), "draft", ("editor", "reviewer", "admin")),
), STATES.label, refused="Không thể «{label}» một văn bản đang ở trạng thái «{state}».",
    forbidden="Vai trò «{role}» không được phép «{label}».")


class HistoryEntry(db.Model):
    """One recorded change of a document: who, when, what, and why."""

    __tablename__ = "document_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str | None] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(200))
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = created_column()


def allowed(name: str, state: str, role: str) -> bool:
    """Whether `role` may apply transition `name` to a document in `state`."""
    return TRANSITIONS.allowed(name, state, role)


def check(name: str, state: str, role: str) -> Step:
    """The transition, or InvalidTransition naming why it is refused."""
    return TRANSITIONS.check(name, state, role)


def record(document_id: int, action: str, actor: str, comment: str = "",
           from_state: str | None = None, to_state: str | None = None) -> HistoryEntry:
    """Add a history row to the session (committed by the caller's operation)."""
    entry = HistoryEntry(document_id=document_id, action=action, actor=actor, comment=strip_controls(comment),
                         from_state=from_state, to_state=to_state)
    db.session.add(entry)
    return entry
