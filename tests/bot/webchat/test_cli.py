"""`tsunagu link`: make a school link and print its URL; list links; turn one off."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bot.__main__ import main
from handoff.db import make_engine, make_sessionmaker
from handoff.models import SchoolLink


@pytest.fixture
def database(fresh_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("TSUNAGU_DATABASE_URL", fresh_url)
    monkeypatch.setenv("TSUNAGU_ENVIRONMENT", "test")
    monkeypatch.setenv("TSUNAGU_PUBLIC_BASE_URL", "https://soudan.example.jp/")
    return fresh_url


def stored_links(url: str) -> list[SchoolLink]:
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            return list(session.scalars(select(SchoolLink)))
    finally:
        engine.dispose()


def test_link_create_prints_the_url(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["link", "create", "--label", "さくら小学校 学校メール", "--lang", "pt"])
    assert code == 0
    printed = capsys.readouterr().out.strip()
    found = re.fullmatch(r"https://soudan\.example\.jp/c/([A-Za-z0-9]{10})", printed)
    assert found is not None, printed
    [link] = stored_links(database)
    assert (link.code, link.label, link.language, link.active) == (
        found[1],
        "さくら小学校 学校メール",
        "pt",
        True,
    )


def test_link_create_refuses_an_unknown_language(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["link", "create", "--label", "x", "--lang", "fr"]) == 2
    assert "not a chat language" in capsys.readouterr().err
    assert stored_links(database) == []


def test_link_list_and_deactivate(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    main(["link", "create", "--label", "ひまわり小学校", "--lang", "pt-BR"])
    url = capsys.readouterr().out.strip()
    code = url.rsplit("/", 1)[1]
    assert main(["link", "list"]) == 0
    assert capsys.readouterr().out.strip() == f"{url}\tpt\tactive\tひまわり小学校"
    assert main(["link", "deactivate", code]) == 0
    assert stored_links(database)[0].active is False
    capsys.readouterr()
    assert main(["link", "deactivate", "nonexistent"]) == 2
    assert "no link" in capsys.readouterr().err
