"""Rate limits that hold across worker processes: kept in the database, or in Redis when
REDIS_URL is set. Sliding windows of recorded attempts per bucket ("scope:key")."""
from __future__ import annotations

import secrets
import time

from flask import current_app
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class ThrottleHit(db.Model):
    __tablename__ = "throttle_hits"
    __private_state__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    bucket: Mapped[str] = mapped_column(String(200), index=True)
    at: Mapped[float]


class DatabaseThrottle:
    """Attempts as rows; works wherever the portal's database does."""

    def count(self, bucket: str, seconds: int) -> int:
        now = time.time()
        db.session.execute(db.delete(ThrottleHit).where(ThrottleHit.at < now - seconds))
        found = db.session.scalar(db.select(db.func.count(ThrottleHit.id)).where(
            ThrottleHit.bucket == bucket, ThrottleHit.at >= now - seconds)) or 0
        db.session.commit()
        return found

    def add(self, bucket: str, seconds: int) -> None:
        db.session.add(ThrottleHit(bucket=bucket, at=time.time()))
        db.session.commit()

    def clear(self, bucket: str) -> None:
        db.session.execute(db.delete(ThrottleHit).where(ThrottleHit.bucket == bucket))
        db.session.commit()


class RedisThrottle:
    """Attempts as members of a sorted set scored by time, expiring with the window."""

    def __init__(self, url: str):
        import redis
        self.client = redis.Redis.from_url(url)

    def count(self, bucket: str, seconds: int) -> int:
        key = f"portal:throttle:{bucket}"
        self.client.zremrangebyscore(key, 0, time.time() - seconds)
        return int(self.client.zcard(key))

    def add(self, bucket: str, seconds: int) -> None:
        key = f"portal:throttle:{bucket}"
        with self.client.pipeline() as pipe:
            pipe.zadd(key, {secrets.token_hex(8): time.time()})
            pipe.expire(key, seconds)
            pipe.execute()

    def clear(self, bucket: str) -> None:
        self.client.delete(f"portal:throttle:{bucket}")


_redis: dict[str, RedisThrottle] = {}


def backend():
    """Redis when REDIS_URL is configured, else the database."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return DatabaseThrottle()
    if url not in _redis:
        _redis[url] = RedisThrottle(url)
    return _redis[url]


def too_many(scope: str, key: str, limit: int, seconds: int) -> bool:
    """Record one attempt; True when `limit` attempts were already made in the window."""
    store, bucket = backend(), f"{scope}:{key}"
    if store.count(bucket, seconds) >= limit:
        return True
    store.add(bucket, seconds)
    return False
