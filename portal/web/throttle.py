"""Rate limits that hold across worker processes: kept in the database, or in Redis when
REDIS_URL is set. Sliding windows of recorded attempts per bucket ("scope:key").

An attempt is reserved before it is checked (`reserve`), atomically: of 40 simultaneous wrong
passwords against a limit of 5, exactly 5 reach the password check. In the database, each
attempt is written first and counted after its own commit, so the last of any group to commit
sees all the others; in Redis one Lua script counts and adds.
"""
from __future__ import annotations

import logging
import secrets
import time

from flask import current_app
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db

log = logging.getLogger(__name__)


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

    def reserve(self, bucket: str, seconds: int, limit: int) -> int | None:
        """Record an attempt; its id when it is within the limit, else None (and it is dropped)."""
        now = time.time()
        hit = ThrottleHit(bucket=bucket, at=now)
        db.session.add(hit)
        db.session.commit()
        ident = hit.id
        found = db.session.scalar(db.select(db.func.count(ThrottleHit.id)).where(
            ThrottleHit.bucket == bucket, ThrottleHit.at >= now - seconds)) or 0
        if found > limit:
            self.release(bucket, ident)
            return None
        return ident

    def release(self, bucket: str, ident) -> None:
        db.session.execute(db.delete(ThrottleHit).where(ThrottleHit.id == ident))
        db.session.commit()


class RedisThrottle:
    """Attempts as members of a sorted set scored by time, expiring with the window."""

    def __init__(self, url: str):
        import redis
        self.client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=1)

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

    # Count and add in one step on the server: no attempt slips between the two.
    _RESERVE = """
    redis.call('ZREMRANGEBYSCORE', KEYS[1], 0, ARGV[1] - ARGV[2])
    if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
    redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
    redis.call('EXPIRE', KEYS[1], ARGV[2])
    return 1
    """

    def reserve(self, bucket: str, seconds: int, limit: int) -> str | None:
        member = secrets.token_hex(8)
        script = self.client.register_script(self._RESERVE)
        ok = script(keys=[f"portal:throttle:{bucket}"], args=[time.time(), seconds, limit, member])
        return member if ok else None

    def release(self, bucket: str, ident) -> None:
        self.client.zrem(f"portal:throttle:{bucket}", ident)


class FallbackThrottle:
    """Redis, or the database while Redis cannot be reached (said once in the log)."""

    def __init__(self, url: str):
        self.redis, self.database, self.warned = RedisThrottle(url), DatabaseThrottle(), False

    def __getattr__(self, name):
        def call(*args, **kwargs):
            import redis
            try:
                return getattr(self.redis, name)(*args, **kwargs)
            except redis.RedisError as exc:
                if not self.warned:
                    log.warning("Redis unreachable (%s): login limits are counted in the database", exc)
                    self.warned = True
                return getattr(self.database, name)(*args, **kwargs)
        return call


_redis: dict[str, FallbackThrottle] = {}


def backend():
    """Redis when REDIS_URL is configured (the database while it is down), else the database."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return DatabaseThrottle()
    if url not in _redis:
        _redis[url] = FallbackThrottle(url)
    return _redis[url]


def too_many(scope: str, key: str, limit: int, seconds: int) -> bool:
    """Record one attempt; True when `limit` attempts were already made in the window."""
    return backend().reserve(f"{scope}:{key}", seconds, limit) is None
