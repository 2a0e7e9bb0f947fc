from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from handoff.auth import verify_password
from handoff.consultants import add_consultant, check_domains, check_languages, list_consultants
from handoff.errors import Conflict, InvalidInput
from handoff.models import Role
from handoff.site import SiteReport
from tests.factories import TUESDAY_MORNING

PASSWORD = "a long enough password"


def test_add_consultant(session: Session, city: SiteReport) -> None:
    consultant = add_consultant(
        session=session,
        name="新井 花",
        reading="Arai Hana",
        email="Arai.Hana@Minato.example",
        password=PASSWORD,
        languages=["ja", "pt"],
        domains=["debt"],
        agency_code="shakyo",
        role="supervisor",
        now=TUESDAY_MORNING,
    )
    assert consultant.email == "arai.hana@minato.example"
    assert consultant.role == Role.supervisor
    assert consultant.agency is not None and consultant.agency.code == "shakyo"
    assert verify_password(consultant.password_hash, PASSWORD)
    assert consultant in list_consultants(session=session)
    with pytest.raises(Conflict):
        add_consultant(
            session=session,
            name="x",
            email="arai.hana@minato.example",
            password=PASSWORD,
            languages=["ja"],
            now=TUESDAY_MORNING,
        )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"email": "not-an-address"}, "not an e-mail"),
        ({"agency_code": "nowhere"}, "no agency"),
        ({"languages": []}, "at least one language"),
        ({"languages": ["japanese"]}, "not a language code"),
        ({"domains": ["astrology"]}, "unknown domain"),
        ({"role": "boss"}, "role must be"),
        ({"password": "short"}, "at least 10"),
        ({"name": " "}, "needs a name"),
    ],
)
def test_add_consultant_refuses_bad_input(
    session: Session, changes: dict[str, object], message: str
) -> None:
    arguments: dict[str, object] = {
        "name": "新井 花",
        "email": "arai@minato.example",
        "password": PASSWORD,
        "languages": ["ja"],
        "now": TUESDAY_MORNING,
    }
    arguments.update(changes)
    with pytest.raises(InvalidInput, match=message):
        add_consultant(session=session, **arguments)  # type: ignore[arg-type]


def test_cleaning_lists() -> None:
    assert check_languages([" JA", "pt", "ja", ""]) == ["ja", "pt"]
    assert check_domains(["debt", " debt", "work"]) == ["debt", "work"]
