"""A small fixed-window rate limiter kept in the database, so it holds across workers."""
from __future__ import annotations

import time

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class ThrottleHit(db.Model):
    __tablename__ = "throttle_hits"
    __private_state__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    bucket: Mapped[str] = mapped_column(String(200), index=True)
    at: Mapped[float]


def too_many(scope: str, key: str, limit: int, seconds: int) -> bool:
    """Record one attempt; True when `limit` attempts were already made in the window."""
    bucket, now = f"{scope}:{key}", time.time()
    db.session.execute(db.delete(ThrottleHit).where(ThrottleHit.at < now - seconds))
    count = db.session.scalar(db.select(db.func.count(ThrottleHit.id)).where(ThrottleHit.bucket == bucket)) or 0
    if count >= limit:
        db.session.commit()
        return True
    db.session.add(ThrottleHit(bucket=bucket, at=now))
    db.session.commit()
    return False
