"""A dossier's files (tờ trình, biên bản họp xét, báo cáo thành tích) and its list of nominees,
read with the honor roll's own import: the same columns, checks, private fields and thresholds.
All or nothing: a refused file or list leaves the dossier and the store as they were."""
from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from portal.domain.editorial.uploads import LIST_TYPES, _extension, committed_or_removed
from portal.domain.files.storage import Storage
from portal.domain.honors.award_lists import parse_list
from portal.domain.honors.saving import HonorSpec, check_honor
from portal.domain.kernel import audit
from portal.domain.kernel import frontmatter as fm
from portal.domain.kernel.actor import Actor
from portal.domain.units.dossiers import (
    FILE_ROLES,
    LIST_ROLE,
    Dossier,
    DossierFile,
    Nominee,
    NomineePrivate,
    commit,
    note_step,
)
from portal.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from portal.extensions import db

DOSSIER_TYPES = (".pdf", ".docx")


def _editable(dossier: Dossier, actor: Actor) -> None:
    if actor.role != "unit":
        raise Forbidden("Chỉ đơn vị lập hồ sơ mới sửa được hồ sơ.")
    if not dossier.editable:
        raise InvalidTransition(f"Hồ sơ đang «{dossier.state_label}»: không sửa được nữa.")


# A dossier holds one tờ trình and one biên bản: a new one replaces the old (báo cáo thành tích
# may be one per nominee, so they add up).
SINGLE_ROLES = ("to-trinh", "bien-ban")


def add_file(dossier: Dossier, role: str, stream: BinaryIO, filename: str, actor: Actor,
             storage: Storage) -> DossierFile:
    """The file attached; for a tờ trình or a biên bản, in place of the one attached before (its
    name kept in the dossier's history, on `item.replaced`, its bytes removed once committed)."""
    _editable(dossier, actor)
    if role not in FILE_ROLES:
        raise ValidationFailed("Hãy chọn loại tệp: tờ trình, biên bản họp xét hoặc báo cáo thành tích.")
    _extension(filename, DOSSIER_TYPES, FILE_ROLES[role].lower())
    saved = storage.save(stream, filename)
    replaced = [f for f in dossier.files if f.role == role] if role in SINGLE_ROLES else []
    with committed_or_removed(storage, saved.stored_name):
        item = DossierFile(role=role, filename=saved.filename, stored_name=saved.stored_name, sha256=saved.sha256,
                           size=saved.size, mime_type=saved.mime_type, uploaded_by=actor.name)
        for old in replaced:
            dossier.files.remove(old)
        dossier.files.append(item)
        what = (f"«{saved.filename}» thay «{', '.join(f.filename for f in replaced)}»" if replaced
                else f"«{saved.filename}»")
        note_step(dossier, "file", actor, f"{FILE_ROLES[role]}: {what}")
        audit.record(actor, "dossier.file", f"dossier:{dossier.id}", f"Đính kèm {FILE_ROLES[role].lower()} "
                     f"{what} vào hồ sơ «{dossier.title}»")
        db.session.flush()
    for old in replaced:
        storage.delete(old.stored_name)
    item.replaced = [f.filename for f in replaced]
    return item


def remove_file(dossier: Dossier, file_id: int, actor: Actor, storage: Storage) -> None:
    _editable(dossier, actor)
    item = next((f for f in dossier.files if f.id == file_id and f.role != LIST_ROLE), None)
    if item is None:
        raise NotFound("Hồ sơ không có tệp này.")
    stored = item.stored_name
    dossier.files.remove(item)
    note_step(dossier, "remove-file", actor, f"«{item.filename}»")
    commit(dossier, "Gỡ tệp")
    storage.delete(stored)


def _checked(dossier: Dossier, path: Path) -> tuple[HonorSpec, list[str]]:
    """The list read and checked as a decision's list would be, against the campaign's rules."""
    awards = parse_list(path)
    spec = HonorSpec(dossier.distinction, None, dossier.review_round.code, None, "", False, path, awards)
    problems = fm.Problems()
    campaign = dossier.review_round.campaign
    check_honor(spec, "danh sách", campaign.rounds, campaign.award_rules or [], set(), problems)
    return spec, list(awards.errors) + [m for messages in problems.by_key.values() for m in messages]


def replace_list(dossier: Dossier, stream: BinaryIO, filename: str, actor: Actor, storage: Storage) -> list[str]:
    """Read the nominees from an award list (.xlsx or .csv); every row must pass. Replaces the
    previous list; returns the threshold warnings (accepted, shown to the unit and the office)."""
    _editable(dossier, actor)
    _extension(filename, LIST_TYPES, "danh sách đề nghị")
    saved = storage.save(stream, filename, inspect=lambda path, _mime: _checked(dossier, path))
    spec, problems = saved.inspected
    if problems:
        storage.delete(saved.stored_name)
        raise ValidationFailed(f"Danh sách «{saved.filename}» còn lỗi, chưa nạp gì.", problems)
    old_files = [f.stored_name for f in dossier.files if f.role == LIST_ROLE]
    with committed_or_removed(storage, saved.stored_name):
        dossier.files = [f for f in dossier.files if f.role != LIST_ROLE]
        dossier.files.append(DossierFile(role=LIST_ROLE, filename=saved.filename, stored_name=saved.stored_name,
                                         sha256=saved.sha256, size=saved.size, mime_type=saved.mime_type,
                                         uploaded_by=actor.name))
        dossier.nominees = [_nominee(row) for row in spec.awards.rows]
        dossier.list_filename = saved.filename
        dossier.list_warnings = "\n".join(spec.awards.warnings)
        note_step(dossier, "list", actor, f"«{saved.filename}»: {len(spec.awards.rows)} người")
        audit.record(actor, "dossier.list", f"dossier:{dossier.id}",
                     f"Nạp danh sách {len(spec.awards.rows)} người vào hồ sơ «{dossier.title}»")
        db.session.flush()
    for name in old_files:
        storage.delete(name)
    return list(spec.awards.warnings)


def _nominee(row) -> Nominee:
    values = row.values
    nominee = Nominee(**{key: values.get(key) for key in Nominee.PUBLIC_FIELDS})
    nominee.private = NomineePrivate(**row.private)
    return nominee
