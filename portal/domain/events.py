"""Change notification: a generation stamp bumped after every commit that wrote something.

Rendered pages and search results are cached per generation; every worker process reads the
stamp (a small file in the instance folder) so a change made by one is seen by all at once.
"""
from __future__ import annotations

import os
from pathlib import Path

from blinker import signal
from sqlalchemy import event
from sqlalchemy.orm import Session

# Sent after a commit that wrote rows; receivers get the set of changed objects. Models whose
# rows never show on a public page (`__private_state__ = True`) do not move the generation.
committed = signal("portal.committed")

_stamp_path: Path | None = None


def configure(stamp_path: Path) -> None:
    """Point the generation stamp at a file; created on first use."""
    global _stamp_path
    _stamp_path = stamp_path
    stamp_path.parent.mkdir(parents=True, exist_ok=True)
    if not stamp_path.exists():
        bump()


def generation() -> str:
    """The current generation; changes whenever content changes."""
    if _stamp_path is None:
        return "0"
    try:
        return _stamp_path.read_text() or "0"
    except FileNotFoundError:
        return "0"


def bump() -> None:
    """Move to a new generation (atomic replace, safe across processes)."""
    if _stamp_path is None:
        return
    tmp = _stamp_path.with_name(f"{_stamp_path.name}.{os.getpid()}.tmp")
    tmp.write_text(os.urandom(8).hex())
    os.replace(tmp, _stamp_path)


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _context) -> None:
    changed = session.info.setdefault("changed", set())
    for group in (session.new, session.dirty, session.deleted):
        changed.update(obj for obj in group if not getattr(obj, "__private_state__", False))


@event.listens_for(Session, "after_commit")
def _notify(session: Session) -> None:
    changed = session.info.pop("changed", None)
    if changed:
        bump()
        committed.send(session, changed=changed)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop("changed", None)
