"""Who performs an operation, for history and the audit log: the kernel's one notion of a person
acting, so that no subject needs the accounts module to record a step."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class Account(Protocol):
    email: str
    role: str


@dataclass(frozen=True)
class Actor:
    """Who performs an operation, and from where (for history and the audit log)."""

    name: str
    role: str = "admin"
    address: str | None = None

    @classmethod
    def of(cls, user: Account, address: str | None) -> Actor:
        return cls(user.email, user.role, address)
