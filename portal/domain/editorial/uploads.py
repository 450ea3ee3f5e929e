"""Files a webmaster uploads: a document's signed originals, and a decision's award list,
which is checked row by row and shown before anything is written."""
from __future__ import annotations

import hashlib
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from portal.domain.documents import workflow
from portal.domain.documents.models import Attachment, Document
from portal.domain.files.extract import inspect_original
from portal.domain.files.storage import STAGING, Storage, clean_filename
from portal.domain.honors.award_lists import AwardList, parse_list
from portal.domain.honors.models import decision_for
from portal.domain.honors.saving import HonorSpec, check_honor, save_honor
from portal.domain.kernel import audit
from portal.domain.kernel import frontmatter as fm
from portal.domain.kernel.actor import Actor
from portal.errors import NotFound, ValidationFailed
from portal.extensions import db

ORIGINAL_TYPES = (".pdf", ".docx", ".doc", ".odt", ".xlsx")
LIST_TYPES = (".xlsx", ".csv")
STAGING_HOURS = 24


@contextmanager
def committed_or_removed(storage: Storage, stored_name: str):
    """The database work that records a stored file, committed at the end; on any failure it is
    rolled back and the file removed, so nothing is left half-done."""
    try:
        yield
        db.session.commit()
    except Exception:
        db.session.rollback()
        storage.delete(stored_name)
        raise


def _extension(filename: str, allowed: tuple[str, ...], what: str) -> None:
    """The type of the name as it will be stored (shortened by its stem), checked before storing."""
    try:
        filename = clean_filename(filename or "")
    except ValidationFailed:
        pass  # said below: the type is what a person can act on
    ext = os.path.splitext(filename or "")[1].lower()
    if ext not in allowed:
        names = ", ".join(e[1:].upper() for e in allowed)
        raise ValidationFailed(f"Tệp «{filename}»: {what} chỉ nhận {names}.")


def add_attachment(document: Document, stream: BinaryIO, filename: str, actor: Actor,
                   storage: Storage) -> Attachment:
    """Store an original (type checked from its content) and attach it; all or nothing."""
    _extension(filename, ORIGINAL_TYPES, "bản gốc văn bản")
    saved = storage.save(stream, filename, inspect=inspect_original)
    with committed_or_removed(storage, saved.stored_name):
        text, status, signed = saved.inspected
        attachment = Attachment(filename=saved.filename, stored_name=saved.stored_name, sha256=saved.sha256,
                                size=saved.size, mime_type=saved.mime_type, text=text, text_status=status,
                                signatures=signed)
        document.attachments.append(attachment)
        db.session.flush()
        workflow.record(document.id, "attach", actor.name, saved.filename, document.status, document.status)
        audit.record(actor, "attachment.add", f"document:{document.id}",
                     f"Đính kèm «{saved.filename}» ({saved.size} byte, sha256 {saved.sha256[:12]}…) "
                     f"vào {document.symbol}")
    return attachment


def recheck_signatures(storage: Storage) -> tuple[int, int]:
    """Check the signatures of every stored PDF original again (after the trusted roots
    changed): (files checked, files whose result changed). The files are only read."""
    import shutil
    import tempfile

    from portal.domain.files import signatures
    checked = changed = 0
    for attachment in db.session.scalars(db.select(Attachment).where(Attachment.mime_type == "application/pdf")):
        path = storage.local_path(attachment.stored_name)
        with tempfile.NamedTemporaryFile(suffix=".pdf") as copy:
            if path is None:
                with storage.open(attachment.stored_name) as source:
                    shutil.copyfileobj(source, copy)
                copy.flush()
                path = Path(copy.name)
            found = signatures.check(path)
        checked += 1
        if found != attachment.signatures:
            attachment.signatures, changed = found, changed + 1
    db.session.commit()
    return checked, changed


def remove_attachment(document: Document, attachment_id: int, actor: Actor, storage: Storage) -> None:
    attachment = next((a for a in document.attachments if a.id == attachment_id), None)
    if attachment is None:
        raise NotFound("Văn bản không có tệp đính kèm này.")
    name, stored = attachment.filename, attachment.stored_name
    document.attachments.remove(attachment)
    workflow.record(document.id, "detach", actor.name, name, document.status, document.status)
    audit.record(actor, "attachment.remove", f"document:{document.id}", f"Gỡ tệp «{name}» khỏi {document.symbol}")
    db.session.commit()
    storage.delete(stored)


# -- award lists -------------------------------------------------------------------------------
@dataclass
class StagedList:
    token: str
    filename: str
    awards: AwardList
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def _staged_name(storage: Storage, token: str) -> str:
    """The stored name of a staged list (in the shared store: any node can confirm it)."""
    if not token or not token.isalnum() or len(token) != 32:
        raise ValidationFailed("Mã danh sách tải lên không hợp lệ.")
    for ext in LIST_TYPES:
        if storage.exists(f"{token}{ext}", STAGING):
            return f"{token}{ext}"
    raise ValidationFailed("Danh sách tải lên đã hết hạn hoặc đã được nạp; vui lòng tải lên lại.")


def _honor_spec(document: Document, path: Path) -> tuple[HonorSpec, list[str]]:
    decision = decision_for(document)
    if decision is None:
        raise ValidationFailed("Hãy chọn hình thức khen thưởng cho quyết định trước khi tải danh sách.")
    awards = parse_list(path)
    spec = HonorSpec(decision.distinction, decision.level,
                     decision.review_round.code if decision.review_round else None, decision.achievement_year,
                     decision.reason, decision.contribution_public, path, awards,
                     hashlib.sha256(path.read_bytes()).hexdigest())
    problems = fm.Problems()
    campaign = document.campaign
    check_honor(spec, "danh sách", campaign.rounds if campaign else [], campaign.award_rules if campaign else [],
                set(), problems, document.id)
    return spec, list(awards.errors) + [m for messages in problems.by_key.values() for m in messages]


def stage_award_list(document: Document, stream: BinaryIO, filename: str, storage: Storage,
                     name: str | None = None) -> StagedList:
    """Keep an uploaded list aside and report on every row; the database is not touched."""
    _extension(filename, LIST_TYPES, "danh sách khen thưởng")
    storage.expire(STAGING, time.time() - STAGING_HOURS * 3600)  # lists uploaded and never confirmed
    saved = storage.save(stream, filename, STAGING, inspect=lambda path, _mime: _honor_spec(document, path))
    spec, problems = saved.inspected
    return StagedList(saved.stored_name.split(".")[0], saved.filename, spec.awards, problems)


def staged(document: Document, token: str, storage: Storage, filename: str = "") -> StagedList:
    name = _staged_name(storage, token)
    with storage.local(name, STAGING) as path:
        spec, problems = _honor_spec(document, path)
    return StagedList(token, filename or name, spec.awards, problems)


def confirm_award_list(document: Document, token: str, actor: Actor, storage: Storage) -> int:
    """Write the staged list (awards keep their page by STT); refused while a row is faulty."""
    name = _staged_name(storage, token)
    with storage.local(name, STAGING) as path:
        spec, problems = _honor_spec(document, path)
    if problems:
        raise ValidationFailed("Danh sách còn lỗi, chưa nạp gì.", problems)
    try:
        save_honor(document, spec)
        workflow.record(document.id, "awards", actor.name, f"{len(spec.awards.rows)} dòng",
                        document.status, document.status)
        audit.record(actor, "awards.import", f"document:{document.id}",
                     f"Nạp danh sách {len(spec.awards.rows)} người được khen vào {document.symbol}")
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    storage.delete(name, STAGING)
    return len(spec.awards.rows)


def discard_award_list(storage: Storage, token: str) -> None:
    storage.delete(_staged_name(storage, token), STAGING)
