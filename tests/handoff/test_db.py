from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, inspect, select, text
from sqlalchemy.orm import Session

from handoff.db import (
    current_revision,
    downgrade,
    head_revision,
    make_engine,
    normalise_url,
    upgrade,
)
from handoff.models import Base, Resident, Site, TicketEvent
from tests.factories import worry


def test_migrations_upgrade_an_empty_database_and_back(fresh_url: str) -> None:
    engine = make_engine(fresh_url)
    try:
        assert current_revision(engine) is None
        assert upgrade(engine) == (None, head_revision())
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
        assert upgrade(engine) == (head_revision(), head_revision())  # nothing pending
        downgrade(engine, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(engine)
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_models_and_migrations_agree(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'new.db'}")  # makes the folder too
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def test_bare_postgresql_urls_use_psycopg() -> None:
    assert normalise_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert normalise_url("sqlite:///x.db").drivername == "sqlite"


def test_times_come_back_aware_and_in_utc(session: Session) -> None:
    tokyo = timezone(timedelta(hours=9))
    session.add(Site(name="x", holidays=[], updated_at=datetime(2026, 1, 1, 9, 0, tzinfo=tokyo)))
    session.flush()
    session.expire_all()
    stored = session.scalars(select(Site)).one().updated_at
    assert stored == datetime(2026, 1, 1, 0, 0, tzinfo=UTC)
    assert stored.tzinfo is not None and stored.utcoffset() == timedelta(0)


def test_naive_times_are_refused(session: Session) -> None:
    session.add(Site(name="x", holidays=[], updated_at=datetime(2026, 1, 1)))
    with pytest.raises(Exception, match="naive datetime"):
        session.flush()


def test_history_is_append_only(session: Session, city: object) -> None:
    entry = session.scalars(
        select(TicketEvent).where(TicketEvent.ticket_id == worry(session).ticket.id)
    ).first()
    assert entry is not None
    entry.note = "rewritten"
    with pytest.raises(RuntimeError, match="append-only"):
        session.flush()


def test_reprs_never_show_residents_words_or_ids(session: Session, city: object) -> None:
    handed = worry(session, text="秘密の相談です", external_id="U-secret-id")
    resident = session.scalars(select(Resident)).one()
    shown = repr(resident) + repr(handed.ticket) + repr(handed.ticket.consultant)
    assert "U-secret-id" not in shown and "秘密" not in shown


def test_connection_fixture_rolls_back(connection: Connection) -> None:
    connection.execute(text("DELETE FROM site"))
