"""What handoff services raise; the API turns each into one HTTP status with a clear message."""

from __future__ import annotations


class HandoffError(Exception):
    """Base class: the message is safe to show to a consultant (no resident text in it)."""


class InvalidInput(HandoffError):
    """The request makes no sense (unknown domain, unknown agency, ...): 400."""


class Unauthorized(HandoffError):
    """Wrong or expired credentials: 401."""


class Forbidden(HandoffError):
    """Authenticated, but not allowed: 403."""


class NotFound(HandoffError):
    """No such thing, or not one the caller may see: 404."""


class Conflict(HandoffError):
    """The thing is in a state that forbids this (claimed by someone else, closed): 409."""


class RateLimited(HandoffError):
    """Too many failed attempts: 429, try again after `retry_after` seconds."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class NoConsultant(HandoffError):
    """The deployment has no active consultant at all (only then can routing fail)."""
