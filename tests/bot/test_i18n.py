from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from handoff.i18n import LOCALES_DIR, language_of, speaker

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = ["ja", "en", "pt_BR"]


def _ids(path: Path) -> set[str]:
    with path.open("rb") as handle:
        return {m.id for m in read_po(handle) if m.id}


def test_the_template_is_not_stale(tmp_path: Path) -> None:
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "N_", "-k", "_", "-k", "ngettext:1,2", "--no-location", "-o", str(fresh), "."],
        cwd=ROOT, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    assert _ids(fresh) == _ids(LOCALES_DIR / "messages.pot"), "run `make extract`"


@pytest.mark.parametrize("locale", CATALOGS)
def test_every_catalog_is_complete_and_nothing_is_fuzzy(locale: str) -> None:
    path = LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    template = _ids(LOCALES_DIR / "messages.pot")
    assert {m.id for m in catalog if m.id} == template
    for message in catalog:
        if not message.id:
            continue
        assert message.string, f"untranslated in {locale}: {message.id!r}"
        assert not message.fuzzy, f"fuzzy in {locale}: {message.id!r}"
        for style in (r"\{(\w+)\}", r"%\((\w+)\)s"):
            placeholders = set(re.findall(style, str(message.id)))
            assert set(re.findall(style, str(message.string))) == placeholders, message.id


def test_residents_are_answered_in_their_language() -> None:
    assert speaker("pt-BR")._("Thank you.") == "Obrigado."
    assert speaker("ja")._("Thank you.") == "ありがとうございます。"
    assert speaker("en")._("Phone: {phone}", phone="110") == "Phone: 110"
    assert language_of("pt") == language_of("pt_BR") == "pt"
    assert language_of("ko") == "ja"


def test_dates_and_times_follow_each_locale_in_tokyo_time() -> None:
    from datetime import UTC, datetime

    moment = datetime(2026, 11, 24, 0, 30, tzinfo=UTC)  # Tuesday 09:30 in Tokyo
    assert speaker("ja").weekday_time(moment) == "11月24日(火) 9:30"
    assert speaker("en").weekday_time(moment) == "Tue, Nov 24, 9:30 AM"
    assert speaker("pt").weekday_time(moment).startswith("ter.")
