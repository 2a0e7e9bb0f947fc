"""The database fixtures of the handoff suite (SQLite and PostgreSQL), for bot's tests."""

from __future__ import annotations

from tests.handoff.conftest import (
    backend,
    city,
    connection,
    engine,
    fresh_url,
    now,
    session,
    sessions,
)

__all__ = ["backend", "city", "connection", "engine", "fresh_url", "now", "session", "sessions"]
