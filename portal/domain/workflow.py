"""Workflow as a table: states, transitions, the roles allowed, and history rows."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.domain.models_base import created_column
from portal.domain.vocab import STATES, strip_controls
from portal.errors import Forbidden, InvalidTransition
from portal.extensions import db


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    source: tuple[str, ...]
    target: str
    roles: tuple[str, ...]


TRANSITIONS: dict[str, Transition] = {t.name: t for t in (
    Transition("submit", "Gửi duyệt", ("draft",), "pending", ("editor", "reviewer", "admin")),
    Transition("publish", "Đăng", ("pending",), "published", ("reviewer", "admin")),
    Transition("reject", "Trả lại", ("pending",), "draft", ("reviewer", "admin")),
    Transition("retract", "Gỡ xuống", ("published",), "retracted", ("reviewer", "admin")),
    Transition("redraft", "Sửa lại", ("retracted",), "draft", ("editor", "reviewer", "admin")),
)}


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
    transition = TRANSITIONS.get(name)
    return bool(transition and state in transition.source and role in transition.roles)


def check(name: str, state: str, role: str) -> Transition:
    """The transition, or InvalidTransition naming why it is refused."""
    transition = TRANSITIONS.get(name)
    if transition is None or state not in transition.source:
        label = transition.label if transition else name
        raise InvalidTransition(f"Không thể «{label}» một văn bản đang ở trạng thái «{STATES.label(state)}».")
    if role not in transition.roles:
        raise Forbidden(f"Vai trò «{role}» không được phép «{transition.label}».")
    return transition


def record(document_id: int, action: str, actor: str, comment: str = "",
           from_state: str | None = None, to_state: str | None = None) -> HistoryEntry:
    """Add a history row to the session (committed by the caller's operation)."""
    entry = HistoryEntry(document_id=document_id, action=action, actor=actor, comment=strip_controls(comment),
                         from_state=from_state, to_state=to_state)
    db.session.add(entry)
    return entry
