"""One exception hierarchy for the domain; web/errors.py maps it to HTTP."""
from __future__ import annotations


class PortalError(Exception):
    """Base of every error the domain raises on purpose."""

    status = 400

    def __init__(self, message: str = "", problems: list[str] | None = None,
                 fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or []
        self.fields = fields or {}  # problems by form field, where the input came from a form


class NotFound(PortalError):
    status = 404


class Forbidden(PortalError):
    status = 403


class InvalidTransition(PortalError):
    status = 409


class Unavailable(PortalError):
    """A part of the portal is busy for a moment (the search index is being rebuilt)."""

    status = 503


class ValidationFailed(PortalError):
    """Input that breaks a rule; `problems` lists each one in Vietnamese."""

    status = 400

    def __str__(self) -> str:
        if self.problems:
            return self.message + "\n" + "\n".join(f"  - {p}" for p in self.problems)
        return self.message
