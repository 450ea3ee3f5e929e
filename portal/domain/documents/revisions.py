"""Revisions: every save of a document keeps its fields; two can be compared line by line."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.domain.kernel.models_base import created_column
from portal.domain.kernel.vocab import strip_controls
from portal.errors import NotFound
from portal.extensions import db

LABELS = {
    "symbol": "Số, ký hiệu", "type": "Tên loại", "issuer": "Cơ quan ban hành", "issuer_parent": "Cơ quan chủ quản",
    "place": "Địa danh", "issued_on": "Ngày ban hành", "subject": "Trích yếu",
    "signing_authority": "Quyền hạn ký", "signer_title": "Chức vụ người ký", "signer": "Người ký",
    "field": "Lĩnh vực", "campaign": "Phong trào", "recipients": "Kính gửi", "distribution": "Nơi nhận",
    "body": "Nội dung", "publish_from": "Đăng từ", "publish_until": "Đăng đến", "relations": "Quan hệ",
    "award_form": "Hình thức khen thưởng", "level": "Cấp quyết định", "review_round": "Đợt",
    "achievement_year": "Năm thành tích", "reason": "Lý do khen thưởng",
    "contribution_public": "Công khai giá trị đóng góp",
}


class DocumentRevision(db.Model):
    __tablename__ = "document_revisions"
    __table_args__ = (UniqueConstraint("document_id", "number", name="uq_document_revisions_number"),)
    __private_state__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    data: Mapped[dict] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(254))
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = created_column()


@dataclass
class FieldChange:
    key: str
    label: str
    lines: list[tuple[str, str]]  # (mark, text): "-" removed, "+" added, " " kept


def add_revision(document, data: dict, actor, comment: str) -> DocumentRevision:
    last = db.session.scalar(db.select(db.func.max(DocumentRevision.number))
                             .where(DocumentRevision.document_id == document.id)) or 0
    revision = DocumentRevision(document_id=document.id, number=last + 1, data=data, actor=actor.name,
                                comment=strip_controls(comment)[:2000])
    db.session.add(revision)
    return revision


def revisions_of(document) -> list[DocumentRevision]:
    return list(db.session.scalars(db.select(DocumentRevision).where(DocumentRevision.document_id == document.id)
                                   .order_by(DocumentRevision.number.desc())))


def get_revision(document, number: int) -> DocumentRevision:
    revision = db.session.scalar(db.select(DocumentRevision).where(
        DocumentRevision.document_id == document.id, DocumentRevision.number == number))
    if revision is None:
        raise NotFound(f"Văn bản không có phiên bản {number}.")
    return revision


def _lines(value) -> list[str]:
    if isinstance(value, list):
        return [" ".join(str(part) for part in item) for item in value]
    return str(value or "").split("\n") if value else []


def compare(old: dict, new: dict) -> list[FieldChange]:
    """The fields that differ, each as a line diff (old on the left, new on the right)."""
    changes = []
    for key, label in LABELS.items():
        before, after = _lines(old.get(key)), _lines(new.get(key))
        if before == after:
            continue
        lines = [(line[0], line[2:]) for line in difflib.ndiff(before, after) if line[0] in "-+ "]
        changes.append(FieldChange(key, label, lines))
    return changes
