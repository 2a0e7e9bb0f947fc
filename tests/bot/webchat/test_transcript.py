"""How stored messages and notices read for the resident."""

from __future__ import annotations

import pytest

from bot.webchat.transcript import Cursor, notice_of, person_name, signature
from handoff.i18n import Speaker
from handoff.models import Consultant

PERSON = {"id": 7, "name": "オリヴェイラ カルロス", "reading": "Carlos Oliveira"}


@pytest.mark.parametrize(
    ("text", "cursor"),
    [("0", Cursor()), ("12", Cursor(12, 0)), ("12.3", Cursor(12, 3))],
)
def test_cursors_read_back(text: str, cursor: Cursor) -> None:
    assert Cursor.parse(text) == cursor
    assert Cursor.parse(str(cursor)) == cursor


@pytest.mark.parametrize("text", [None, "", "-1", "1.2.3", "x", "1" * 11])
def test_odd_cursors_are_refused(text: str | None) -> None:
    assert Cursor.parse(text) is None


def test_cursors_combine_to_the_furthest() -> None:
    assert Cursor(5, 1) | Cursor(3, 4) == Cursor(5, 4)


def test_names_follow_the_residents_language() -> None:
    assert person_name(PERSON, "ja") == "オリヴェイラ カルロス"
    assert person_name(PERSON, "pt") == "Carlos Oliveira"
    assert person_name({"name": "佐藤 美咲", "reading": ""}, "en") == "佐藤 美咲"
    consultant = Consultant(display_name="佐藤 美咲", reading="Sato Misaki")
    assert signature(consultant, Speaker("en")) == "From Sato Misaki, your consultant"
    assert "佐藤 美咲" in signature(consultant, Speaker("ja"))
    assert signature(None, Speaker("en")) == "From the city's consultation desk"


def test_a_transfer_notice_names_the_new_person_and_agency() -> None:
    payload = {
        "kind": "transferred",
        "ticket_number": "T-2026-000001",
        "consultant": {
            **PERSON,
            "agency": {"ja": "多文化共生相談センター", "en": "Multicultural Center"},
        },
    }
    text = notice_of(payload, Speaker("en"))
    assert text == (
        "Your consultation T-2026-000001 has been passed to Carlos Oliveira "
        "(Multicultural Center), who will answer you here."
    )
    without_agency = notice_of({**payload, "consultant": PERSON}, Speaker("en"))
    assert without_agency is not None and "(" not in without_agency


def test_other_outbox_rows_are_not_notices() -> None:
    assert notice_of({"kind": "consultant_reply", "text": "x"}, Speaker("pt")) is None
    assert notice_of({}, Speaker("pt")) is None
