"""Workflow operations on documents: transitions, the reviewer's worklist, trash and purge."""
from __future__ import annotations

from blinker import Namespace
from sqlalchemy.orm.exc import StaleDataError

from portal.domain.campaigns.models import Campaign
from portal.domain.documents import workflow
from portal.domain.documents.models import Document, DocumentAlias, Relation, resolve
from portal.domain.documents.revisions import DocumentRevision
from portal.domain.files.storage import Storage
from portal.domain.honors.models import decision_for
from portal.domain.kernel import audit
from portal.domain.kernel.actor import Actor
from portal.domain.kernel.models_base import utcnow
from portal.domain.kernel.vocab import RELATION_KINDS, strip_controls
from portal.errors import Forbidden, InvalidTransition, PortalError, ValidationFailed
from portal.extensions import db


class LinkIntegrity(PortalError):
    """Deleting would leave other documents pointing at nothing; they are listed first."""

    status = 409

    def __init__(self, citing: list[tuple[str, Document]], campaigns: list[Campaign]):
        super().__init__("Văn bản đang được văn bản khác dẫn chiếu.")
        self.citing, self.campaigns = citing, campaigns


signals = Namespace()
# Sent with the document just before it becomes published, in the publishing transaction: a
# subject built on documents (units' decision drafts) checks and follows it; raising refuses.
publishing = signals.signal("document-publishing")


def can_edit(document: Document, role: str) -> bool:
    """Editors change drafts; reviewers and admins may also correct what is published."""
    if document.deleted_at is not None:
        return False
    return role in ("admin", "reviewer") or document.status == "draft"


def require_edit(document: Document, actor: Actor) -> None:
    if not can_edit(document, actor.role):
        raise Forbidden(f"Văn bản ở trạng thái «{document.state_label}»: vai trò của bạn không được sửa.")


def transition(document: Document, name: str, actor: Actor, comment: str = "") -> Document:
    """Apply a workflow transition, checked against the table, recorded and audited."""
    if document.deleted_at is not None:
        raise InvalidTransition("Văn bản đang ở thùng rác; hãy khôi phục trước.")
    step = workflow.check(name, document.status, actor.role)
    comment = " ".join(strip_controls(comment or "").split())[:2000]
    if name == "reject" and not comment:
        raise ValidationFailed("Hãy ghi lý do trả lại để người soạn biết cần sửa gì.")
    old = document.status
    if step.target == "published":
        publishing.send(document)  # refused, before anything changes, while its dossiers moved on
    document.status = step.target
    if step.target == "published" and document.published_at is None:
        document.published_at = utcnow()
    workflow.record(document.id, name, actor.name, comment, old, step.target)
    audit.record(actor, f"document.{name}", f"document:{document.id}",
                 f"{step.label} {document.symbol}" + (f": {comment}" if comment else ""))
    commit_or_conflict(document, step.label)
    return document


def commit_or_conflict(document: Document, what: str) -> None:
    """Commit a change based on the version read; if someone changed the document meanwhile,
    nothing is written and InvalidTransition names the state it is in now."""
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        db.session.refresh(document)
        raise InvalidTransition(
            f"Văn bản {document.symbol} vừa được người khác thay đổi (hiện ở trạng thái «{document.state_label}»"
            + (", trong thùng rác" if document.deleted_at else "") + f"); thao tác «{what}» chưa được thực hiện. "
            "Hãy tải lại trang.") from None


def available(document: Document, role: str) -> list[workflow.Transition]:
    """The transitions a role may apply now, in table order."""
    if document.deleted_at is not None:
        return []
    return [t for t in workflow.TRANSITIONS.values() if workflow.allowed(t.name, document.status, role)]


def worklist() -> list[Document]:
    """What waits for a reviewer: pending documents, oldest first."""
    return list(db.session.scalars(db.select(Document).where(
        Document.status == "pending", Document.deleted_at.is_(None)).order_by(Document.updated_at)))


def history(document: Document) -> list[workflow.HistoryEntry]:
    return list(db.session.scalars(db.select(workflow.HistoryEntry).where(
        workflow.HistoryEntry.document_id == document.id).order_by(workflow.HistoryEntry.id.desc())))


def citing(document: Document) -> list[tuple[str, Document]]:
    """Documents (any state, not in the trash) whose relations resolve to this one."""
    query = (db.select(Relation, Document).join(Document, Relation.source_id == Document.id)
             .where(Relation.target_key == document.symbol_key, Document.id != document.id,
                    Document.deleted_at.is_(None)).order_by(Document.issued_on))
    found = []
    for relation, source in db.session.execute(query):
        if resolve(relation.target_key, source.issued_on, public_only=False) is document:
            found.append((RELATION_KINDS[relation.kind][0], source))
    return found


def campaigns_planned_by(document: Document) -> list[Campaign]:
    return list(db.session.scalars(db.select(Campaign).where(Campaign.plan_key == document.symbol_key)))


def trash(document: Document, actor: Actor, confirmed: bool = False) -> None:
    """Move to the trash; when others cite it, only after the list was shown and confirmed."""
    if document.deleted_at is not None:
        return
    if actor.role == "editor" and document.status != "draft":
        raise Forbidden("Biên tập viên chỉ xóa được bản nháp.")
    links, campaigns = citing(document), campaigns_planned_by(document)
    if (links or campaigns) and not confirmed:
        raise LinkIntegrity(links, campaigns)
    document.deleted_at, document.deleted_by = utcnow(), actor.name
    workflow.record(document.id, "trash", actor.name, "", document.status, document.status)
    audit.record(actor, "document.trash", f"document:{document.id}", f"Chuyển {document.symbol} vào thùng rác")
    commit_or_conflict(document, "Chuyển vào thùng rác")


def restore(document: Document, actor: Actor) -> None:
    """Out of the trash. A document that was public before needs the role that may publish:
    an editor cannot undo a reviewer's removal."""
    if document.deleted_at is None:
        return
    if document.status != "draft" and not workflow.allowed("publish", "pending", actor.role):
        raise Forbidden(f"Văn bản ở trạng thái «{document.state_label}»: chỉ người duyệt hoặc quản trị "
                        "được khôi phục.")
    document.deleted_at, document.deleted_by = None, None
    workflow.record(document.id, "restore", actor.name, "", document.status, document.status)
    audit.record(actor, "document.restore", f"document:{document.id}", f"Khôi phục {document.symbol} từ thùng rác")
    commit_or_conflict(document, "Khôi phục")


def trashed() -> list[Document]:
    return list(db.session.scalars(db.select(Document).where(Document.deleted_at.is_not(None))
                                   .order_by(Document.deleted_at.desc())))


def purge(document: Document, actor: Actor, storage: Storage) -> None:
    """Delete for good a document already in the trash, with its files (admins only)."""
    if actor.role != "admin":
        raise Forbidden("Chỉ quản trị hệ thống được xóa vĩnh viễn.")
    if document.deleted_at is None:
        raise InvalidTransition("Chỉ xóa vĩnh viễn được văn bản đã ở thùng rác.")
    files = [a.stored_name for a in document.attachments]
    label = f"{document.symbol} ({document.subject[:120]})"
    decision = decision_for(document)
    if decision is not None:
        db.session.delete(decision)
    for model, column in ((DocumentRevision, DocumentRevision.document_id),
                          (workflow.HistoryEntry, workflow.HistoryEntry.document_id),
                          (DocumentAlias, DocumentAlias.document_id)):
        db.session.execute(db.delete(model).where(column == document.id))
    audit.record(actor, "document.purge", f"document:{document.id}", f"Xóa vĩnh viễn {label}")
    db.session.delete(document)
    db.session.commit()
    for name in files:
        storage.delete(name)
