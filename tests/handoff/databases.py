"""Test databases: a SQLite file, and a throwaway schema in the test PostgreSQL.

The PostgreSQL is named by TSUNAGU_TEST_POSTGRES_URL (default: 127.0.0.1:5432/test, trust
auth). When it cannot be reached its tests are skipped with the reason, and the pytest header
says so; TSUNAGU_TEST_REQUIRE_POSTGRES=1 (set by .ci/run) turns that into a failure.
"""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from handoff.db import make_engine, upgrade

POSTGRES_URL = os.environ.get(
    "TSUNAGU_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = os.environ.get("TSUNAGU_TEST_REQUIRE_POSTGRES") == "1"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


@functools.cache
def postgres_unreachable() -> str | None:
    """Why the test PostgreSQL cannot be used, or None when it can."""
    engine = make_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        return f"PostgreSQL at {_shown(POSTGRES_URL)} is not reachable ({type(error).__name__})"
    finally:
        engine.dispose()
    return None


def postgres_status() -> str:
    """One line for the pytest header."""
    reason = postgres_unreachable()
    if reason is None:
        return f"PostgreSQL: {_shown(POSTGRES_URL)} reachable; handoff tests run on it too"
    if REQUIRE_POSTGRES:
        return f"PostgreSQL: {reason}; required here, so its tests FAIL"
    return f"PostgreSQL: {reason}; its tests are SKIPPED"


def require_postgres() -> None:
    """Skip the calling test (fail it, when PostgreSQL is required) without a server."""
    reason = postgres_unreachable()
    if reason is None:
        return
    if REQUIRE_POSTGRES:
        pytest.fail(f"{reason}, and TSUNAGU_TEST_REQUIRE_POSTGRES=1 requires it")
    pytest.skip(reason)


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A URL whose connections live in a new, empty schema; the schema is dropped after."""
    require_postgres()
    schema = f"tsunagu_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def empty_database(backend: str, directory: Path) -> Iterator[str]:
    """The URL of an empty database of `backend` ('sqlite' or 'postgresql')."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / f'handoff-{uuid.uuid4().hex[:8]}.db'}"
    else:
        with postgres_schema() as url:
            yield url


@contextmanager
def migrated_engine(url: str) -> Iterator[Engine]:
    """An engine on `url` with every migration applied."""
    engine = make_engine(url)
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
