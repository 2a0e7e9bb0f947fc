"""Database fixtures: every test runs on SQLite and on PostgreSQL, inside a transaction that is
rolled back at the end (or, where processes must share data, in a fresh database)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from handoff.site import SiteReport
from tests.factories import TUESDAY_MORNING, load_sample_city
from tests.handoff.databases import BACKENDS, empty_database, migrated_engine


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """'sqlite' or 'postgresql'."""
    return str(request.param)


@pytest.fixture(scope="session")
def engine(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One migrated database per backend for the whole run."""
    with (
        empty_database(backend, tmp_path_factory.mktemp("db")) as url,
        migrated_engine(url) as engine,
    ):
        yield engine


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside an outer transaction that the test never commits."""
    with engine.connect() as connection:
        outer = connection.begin()
        try:
            yield connection
        finally:
            outer.rollback()


@pytest.fixture
def sessions(connection: Connection) -> sessionmaker[Session]:
    """Sessions whose commits only release a savepoint of the outer transaction."""
    return sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """The test's session."""
    with sessions() as session:
        yield session


@pytest.fixture
def now() -> datetime:
    """A Tuesday at 10:00 in Tokyo."""
    return TUESDAY_MORNING


@pytest.fixture
def city(session: Session) -> SiteReport:
    """The bundled sample city, loaded into the test's transaction."""
    return load_sample_city(session)


@pytest.fixture
def fresh_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of its own, for tests that migrate or span processes."""
    with empty_database(backend, tmp_path) as url:
        yield url
