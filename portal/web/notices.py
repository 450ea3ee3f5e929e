"""E-mail notices of the steps that hand work to someone else: a dossier submitted (to the
office), returned, sent to consultation or decided (to the unit), a comment from the public
(to the office). Sent after the change is committed; without MAIL_SERVER nothing is sent and
the dashboards show the same."""
from __future__ import annotations

from flask import current_app

from portal import mail
from portal.domain.accounts import User
from portal.domain.kernel import outbox
from portal.domain.units.dossiers import OFFICE, STEPS, Dossier
from portal.extensions import db
from portal.web.common import absolute

TO_OFFICE = {"submit", "cancel"}
TO_UNIT = {"return", "consult", "propose", "decide", "appraise"}


def with_change(build, *args):
    """Within the block, the change's own commit also queues the notice `build(*args)` writes."""
    return outbox.on_commit(lambda: build(*args))


def decided(document) -> None:
    for dossier in db.session.scalars(db.select(Dossier).where(Dossier.decision_document_id == document.id,
                                                               Dossier.status == "decided")):
        dossier_step(dossier, "decide")


def office_addresses() -> list[str]:
    accounts = db.session.scalars(db.select(User.email).where(User.role.in_(OFFICE), User.active.is_(True)))
    return [*accounts, *current_app.config["MAIL_OFFICE"]]


def unit_addresses(unit_id: int) -> list[str]:
    return list(db.session.scalars(db.select(User.email).where(User.unit_id == unit_id, User.active.is_(True))))


def dossier_step(dossier: Dossier, name: str) -> bool:
    if not mail.enabled() or name not in TO_OFFICE | TO_UNIT:
        return False
    step = STEPS[name]
    last = dossier.steps[-1] if dossier.steps else None
    why = f"\nLý do: {last.comment}" if name == "return" and last and last.comment else ""
    if name in TO_OFFICE:
        link = absolute("admin.dossier_view", dossier_id=dossier.id)
        what = f"{step.label.lower()} «{dossier.title}»"
        return mail.send(office_addresses(), f"[Thi đua] {dossier.unit.name}: {what}",
                         f"{dossier.unit.name} vừa {what} ({dossier.review_round.label})."
                         + (" Hồ sơ nộp sau hạn." if name == "submit" and dossier.late else "")
                         + f"\n\nXem hồ sơ: {link}")
    link = absolute("units.dossier_view", dossier_id=dossier.id)
    return mail.send(unit_addresses(dossier.unit_id), f"[Thi đua] Hồ sơ «{dossier.title}»: {dossier.state_label}",
                     f"Hồ sơ «{dossier.title}» của {dossier.unit.name} nay ở trạng thái «{dossier.state_label}» "
                     f"({step.label}).{why}\n\nXem hồ sơ: {link}")


def comment_received(consultation_title: str) -> bool:
    if not mail.enabled():
        return False
    link = absolute("admin.comment_queue")
    return mail.send(office_addresses(), "[Thi đua] Có ý kiến nhân dân mới",
                     f"Có ý kiến mới về «{consultation_title}».\n\nXem và xử lý: {link}")
