"""Moving an existing deployment's files between stores (a folder and the database)."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..extensions import db
from .documents import Attachment
from .storage import Storage
from .storage_db import verify


@dataclass
class CopyReport:
    copied: int = 0
    present: int = 0
    verified: int = 0
    missing: list[str] = field(default_factory=list)


def copy_all(source: Storage, target: Storage) -> CopyReport:
    """Copy every attachment's file from `source` to `target` under the same name; each copy is
    read back and checked against the sha256 the database recorded. Idempotent."""
    report = CopyReport()
    for name, sha256, filename in db.session.execute(
            db.select(Attachment.stored_name, Attachment.sha256, Attachment.filename).order_by(Attachment.id)):
        if target.exists(name) and verify(target, name, sha256):
            report.present += 1
            report.verified += 1
            continue
        if not source.exists(name):
            report.missing.append(f"{filename} ({name})")
            continue
        with source.local(name) as path:
            target.put_as(name, path, sha256)
        report.copied += 1
        if not verify(target, name, sha256):
            target.delete(name)
            report.missing.append(f"{filename} ({name}): sha256 khác sau khi chép")
            continue
        report.verified += 1
    return report
