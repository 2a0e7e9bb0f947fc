from __future__ import annotations

import textwrap

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classifier.domains import DOMAIN_IDS
from handoff.auth import verify_password
from handoff.hours import DAYS
from handoff.models import Agency, Consultant, EmergencyContact, Role, Site
from handoff.site import SAMPLE_CITY, SiteFileError, apply_site, load_site_file, parse_site
from tests.factories import DEMO_PASSWORD, TUESDAY_MORNING, sample_spec

REAL_NATIONAL_NUMBERS = {
    "110",
    "119",
    "0120-279-338",
    "0120-279-226",
    "0570-783-556",
    "#8008",
    "189",
    "0570-064-556",
}

MINIMAL = """\
name: テスト町
agencies:
  - code: desk
    general_desk: true
    name: {ja: 総合相談, en: Desk, pt: Balcão}
    languages: [ja]
    domains: [living_costs]
    hours: {mon-fri: "08:30-17:15"}
consultants:
  - email: a@test.example
    name: 相談 一郎
    reading: Sodan Ichiro
    agency: desk
    languages: [ja]
"""


def test_the_sample_city_is_fictional_and_complete() -> None:
    spec = sample_spec()
    assert "架空" in spec.name and "架空" in SAMPLE_CITY.read_text(encoding="utf-8")
    assert len(spec.agencies) >= 10
    covered = {domain for agency in spec.agencies for domain in agency.domains}
    assert covered == set(DOMAIN_IDS)
    desks = [agency for agency in spec.agencies if agency.general_desk]
    assert desks and "総合相談" in desks[0].name.ja
    people = spec.consultants
    assert len(people) >= 8
    assert sum(person.languages == ["ja"] for person in people) >= 3
    assert sum("pt" in person.languages for person in people) >= 2
    assert sum("en" in person.languages for person in people) >= 2
    supervisors = [person for person in people if person.role == "supervisor"]
    assert supervisors
    assert max(len(person.hours or {}) for person in supervisors) >= 6  # more days than 平日
    weekday_office = [a for a in spec.agencies if a.hours.get("mon") == ["08:30-17:15"]]
    assert len(weekday_office) >= 5
    assert any("sat" in agency.hours for agency in spec.agencies)
    assert {"12-29", "12-30", "12-31", "01-01", "01-02", "01-03"} <= set(spec.holidays)
    assert {contact.number for contact in spec.emergency_contacts} == REAL_NATIONAL_NUMBERS


def test_loading_twice_changes_nothing(session: Session) -> None:
    first = load_site_file(session=session, path=SAMPLE_CITY, now=TUESDAY_MORNING)
    ids = dict(session.execute(select(Consultant.email, Consultant.id)).all())
    second = load_site_file(session=session, path=SAMPLE_CITY, now=TUESDAY_MORNING)
    assert (second.agencies_created, second.consultants_created) == (0, 0)
    assert second.agencies_updated == first.agencies_created
    assert dict(session.execute(select(Consultant.email, Consultant.id)).all()) == ids
    assert session.scalar(select(func.count()).select_from(Site)) == 1
    assert session.scalar(select(func.count()).select_from(EmergencyContact)) == 8


def test_edits_update_rows_in_place(session: Session) -> None:
    apply_site(session=session, spec=parse_site(MINIMAL), now=TUESDAY_MORNING)
    original = session.scalars(select(Consultant)).one()
    edited = MINIMAL.replace("相談 一郎", "相談 二郎").replace(
        "    agency: desk\n    languages: [ja]\n",
        "    agency: desk\n    languages: [ja, en]\n    role: supervisor\n",
    )
    report = apply_site(session=session, spec=parse_site(edited), now=TUESDAY_MORNING)
    assert report.consultants_updated == 1
    session.refresh(original)
    assert (original.display_name, original.role, original.languages) == (
        "相談 二郎",
        Role.supervisor,
        ["ja", "en"],
    )


def test_demo_passwords_only_when_allowed(session: Session) -> None:
    load_site_file(session=session, path=SAMPLE_CITY, now=TUESDAY_MORNING)
    assert all(c.password_hash is None for c in session.scalars(select(Consultant)))
    report = load_site_file(
        session=session, path=SAMPLE_CITY, now=TUESDAY_MORNING, allow_dev_password=True
    )
    assert report.dev_passwords_set == len(sample_spec().consultants)
    anyone = session.scalars(select(Consultant)).first()
    assert anyone is not None and verify_password(anyone.password_hash, DEMO_PASSWORD)


def test_stored_hours_are_normalised(session: Session) -> None:
    load_site_file(session=session, path=SAMPLE_CITY, now=TUESDAY_MORNING)
    tabunka = session.scalars(select(Agency).where(Agency.code == "tabunka")).one()
    assert set(tabunka.hours) == {"tue", "wed", "thu", "fri", "sat", "sun"} <= set(DAYS)


def problems_of(text: str) -> list[str]:
    with pytest.raises(SiteFileError) as failure:
        parse_site(textwrap.dedent(text), name="city.yaml")
    return failure.value.problems


def test_errors_name_the_line() -> None:
    broken = MINIMAL.replace("domains: [living_costs]", "domains: [living_costs, astrology]")
    (problem,) = problems_of(broken)
    assert problem.startswith("city.yaml:7: agencies[0].domains[1]: unknown domain 'astrology'")


def test_unknown_agency_of_a_consultant() -> None:
    (problem,) = problems_of(MINIMAL.replace("agency: desk", "agency: nowhere"))
    assert problem == "city.yaml:13: consultants[0].agency: no agency with code 'nowhere'"


def test_bad_hours_and_missing_fields() -> None:
    broken = MINIMAL.replace('"08:30-17:15"', '"17:15-08:30"').replace(
        "    reading: Sodan Ichiro\n", ""
    )
    problems = problems_of(broken)
    assert any(
        p.startswith("city.yaml:8: agencies[0].hours: ") and "ends before" in p for p in problems
    )
    assert any(
        p.startswith("city.yaml:10: consultants[0].reading: Field required") for p in problems
    )


def test_duplicates_and_no_general_desk() -> None:
    doubled = MINIMAL + textwrap.indent(
        "- email: A@test.example\n  name: x\n  reading: x\n  languages: [ja]\n", "  "
    )
    assert problems_of(doubled) == [
        "city.yaml:15: consultants[1].email: duplicate e-mail 'a@test.example'"
    ]
    no_desk = MINIMAL.replace("general_desk: true", "general_desk: false")
    assert problems_of(no_desk)[0].startswith("city.yaml:2: agencies: no agency has general_desk")


def test_yaml_syntax_errors_and_wrong_shapes() -> None:
    (syntax,) = problems_of("name: x\nagencies: [\n")
    assert syntax.startswith("city.yaml:3: not valid YAML")
    assert problems_of("- just\n- a list\n") == [
        "city.yaml:1: a site file is a mapping (name, agencies, ...)"
    ]
    (typo,) = problems_of(MINIMAL + "agencys: []\n")
    assert typo.startswith("city.yaml:15: agencys: Extra inputs are not permitted")


def test_dropped_emergency_contacts_are_removed(session: Session) -> None:
    load_site_file(session=session, path=SAMPLE_CITY, now=TUESDAY_MORNING)
    apply_site(session=session, spec=parse_site(MINIMAL), now=TUESDAY_MORNING)
    assert session.scalar(select(func.count()).select_from(EmergencyContact)) == 0
