"""Moving an existing deployment's files between stores (a folder and the database), and
sweeping files no record refers to (left by a process killed between storing a file and
committing its record)."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from portal.domain.files.database import verify
from portal.domain.files.storage import FileMissing, Storage
from portal.extensions import db

SWEEP_AFTER_HOURS = 24  # an upload in progress is never swept
OWNER_COLUMNS = ("stored_name", "sha256", "filename")


def owners() -> list[type]:
    """Every model whose rows own a stored file (documents' originals, units' reports, dossiers'
    files...): found among the mapped models by their columns, so that a new kind of file is
    never swept as an orphan."""
    found = [mapper.class_ for mapper in db.Model.registry.mappers
             if all(name in mapper.columns for name in OWNER_COLUMNS)]
    return sorted(found, key=lambda model: model.__name__)


def _owned():
    for model in owners():
        yield from db.session.execute(db.select(model.stored_name, model.sha256, model.filename).order_by(model.id))


@dataclass
class CopyReport:
    copied: int = 0
    present: int = 0
    verified: int = 0
    missing: list[str] = field(default_factory=list)


def copy_all(source: Storage, target: Storage) -> CopyReport:
    """Copy every stored file (originals, reports, dossiers' files) from `source` to `target`
    under the same name; each copy is read back and checked against the sha256 the database
    recorded. Idempotent."""
    report = CopyReport()
    for name, sha256, filename in _owned():
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


def sweep(storage: Storage, older_than_hours: float = SWEEP_AFTER_HOURS) -> list[str]:
    """Remove stored files that no record owns and that are older than the limit; returns their
    names. Files of an upload still in progress are younger and stay."""
    owned = {name for name, _sha, _filename in _owned()}
    limit = time.time() - older_than_hours * 3600
    removed = []
    for name in storage.names():
        try:
            if name in owned or storage.stored_at(name) >= limit:
                continue
        except (FileMissing, FileNotFoundError):
            continue
        storage.delete(name)
        removed.append(name)
    return removed
