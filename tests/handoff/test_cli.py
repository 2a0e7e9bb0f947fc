"""The `tsunagu` commands that manage the handoff database."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.__main__ import _prepare_database, main
from bot.settings import Settings
from handoff.auth import verify_password
from handoff.db import current_revision, head_revision, make_engine, make_sessionmaker
from handoff.models import Agency, Consultant
from handoff.site import SAMPLE_CITY


@pytest.fixture
def database(fresh_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("TSUNAGU_DATABASE_URL", fresh_url)
    monkeypatch.setenv("TSUNAGU_ENVIRONMENT", "test")
    return fresh_url


def count(url: str, model: type[Agency] | type[Consultant]) -> int:
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            return session.scalar(select(func.count()).select_from(model)) or 0
    finally:
        engine.dispose()


def test_db_upgrade(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade"]) == 0
    assert f"database at revision {head_revision()}" in capsys.readouterr().out
    engine = make_engine(database)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_site_load(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["site", "load", str(SAMPLE_CITY)]) == 0
    assert "agencies: 13 new" in capsys.readouterr().out
    assert count(database, Agency) == 13


def test_site_load_reports_the_line(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "city.yaml"
    broken.write_text(
        SAMPLE_CITY.read_text(encoding="utf-8").replace("domains: [school]", "domains: [skool]"),
        encoding="utf-8",
    )
    assert main(["site", "load", str(broken)]) == 2
    error = capsys.readouterr().err
    assert f"{broken}:" in error and "unknown domain 'skool'" in error
    assert count(database, Agency) == 0


def test_consultant_add_reads_the_password_from_stdin(
    database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["site", "load", str(SAMPLE_CITY)]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    code = main(
        [
            "consultant",
            "add",
            "--name",
            "新井 花",
            "--reading",
            "Arai Hana",
            "--email",
            "arai@minato.example",
            "--agency",
            "shakyo",
            "--languages",
            "ja,pt",
            "--domains",
            "debt,work",
            "--role",
            "supervisor",
            "--password-stdin",
        ]
    )
    assert code == 0, capsys.readouterr().err
    assert "added consultant" in capsys.readouterr().out
    engine = make_engine(database)
    with make_sessionmaker(engine)() as session:
        added = session.scalars(
            select(Consultant).where(Consultant.email == "arai@minato.example")
        ).one()
        assert added.languages == ["ja", "pt"] and added.domains == ["debt", "work"]
        assert verify_password(added.password_hash, "a long enough password")
    engine.dispose()


def test_consultant_add_refuses_clearly(
    database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["consultant", "add", "--name", "x", "--email", "x@minato.example", "--languages", "ja"]
    assert main(base) == 2
    assert "--password-stdin" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    assert main([*base, "--agency", "nowhere", "--password-stdin"]) == 2
    assert "no agency with code 'nowhere'" in capsys.readouterr().err


def test_serve_migrates_and_loads_the_site_file_once(
    database: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    settings = Settings(database_url=database, environment="development", site=SAMPLE_CITY)
    _prepare_database(settings)
    assert "database had no agencies: loaded site file" in caplog.text
    assert "demo password" in caplog.text
    assert count(database, Agency) == 13
    caplog.clear()
    _prepare_database(settings)
    assert "loaded site file" not in caplog.text
