from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from classifier.domains import DOMAIN_IDS
from handoff.errors import NoConsultant
from handoff.models import Consultant, Role, Urgency
from handoff.routing import route
from handoff.site import SiteReport
from tests.factories import SATURDAY_NIGHT, TUESDAY_MORNING, make_agency, make_consultant, worry

WEEKEND_ONLY = {"sat": ["10:00-16:00"], "sun": ["10:00-16:00"]}


def chosen(
    session: Session,
    *,
    domains: list[str],
    language: str = "ja",
    urgency: Urgency = Urgency.normal,
    now: datetime = TUESDAY_MORNING,
) -> Consultant:
    return route(
        session=session, domains=domains, language=language, urgency=urgency, now=now
    ).consultant


def test_language_comes_before_domain(session: Session) -> None:
    agency = make_agency(session, domains=["debt"])
    make_consultant(session, agency=agency, languages=["ja"], domains=["debt"])
    speaks_pt = make_consultant(session, agency=agency, languages=["pt", "ja"], domains=["work"])
    found = route(
        session=session,
        domains=["debt"],
        language="pt",
        urgency=Urgency.normal,
        now=TUESDAY_MORNING,
    )
    assert found.consultant == speaks_pt
    assert not found.needs_interpreter
    assert "ポルトガル語で話せる" in found.reason


def test_nobody_speaks_it_best_other_match_with_interpreter(session: Session) -> None:
    agency = make_agency(session)
    make_consultant(session, agency=agency, domains=["school"])
    debt = make_consultant(session, agency=agency, domains=["debt"])
    found = route(
        session=session,
        domains=["debt"],
        language="vi",
        urgency=Urgency.normal,
        now=TUESDAY_MORNING,
    )
    assert found.consultant == debt
    assert found.needs_interpreter
    assert "通訳が必要" in found.reason


def test_more_domains_covered_wins(session: Session) -> None:
    agency = make_agency(session)
    make_consultant(session, agency=agency, domains=["debt"])
    both = make_consultant(session, agency=agency, domains=["debt", "housing"])
    assert chosen(session, domains=["debt", "housing"]) == both


def test_consultant_without_domains_serves_the_agency_domains(session: Session) -> None:
    agency = make_agency(session, domains=["disability"])
    member = make_consultant(session, agency=agency)
    make_consultant(session, agency=make_agency(session), domains=["school"])
    assert chosen(session, domains=["disability"]) == member


def test_no_specialist_fits_general_desk_takes_it(session: Session) -> None:
    make_consultant(session, agency=make_agency(session), domains=["school"])
    desk = make_consultant(session, agency=make_agency(session, general_desk=True))
    found = route(
        session=session,
        domains=["legal_rights"],
        language="ja",
        urgency=Urgency.normal,
        now=TUESDAY_MORNING,
    )
    assert found.consultant == desk
    assert "総合相談窓口" in found.reason
    assert chosen(session, domains=[]) == desk


def test_on_shift_now_beats_off_shift(session: Session) -> None:
    agency = make_agency(session)
    make_consultant(session, agency=agency, domains=["debt"], hours=WEEKEND_ONLY)
    weekday = make_consultant(session, agency=agency, domains=["debt"])
    found = route(
        session=session,
        domains=["debt"],
        language="ja",
        urgency=Urgency.normal,
        now=TUESDAY_MORNING,
    )
    assert found.consultant == weekday
    assert found.on_shift_now
    assert found.contact_from == TUESDAY_MORNING
    assert found.first_response_due == TUESDAY_MORNING + timedelta(hours=4)


def test_nobody_on_shift_soonest_start_and_the_due_time_says_so(session: Session) -> None:
    agency = make_agency(session)
    make_consultant(session, agency=agency, domains=["debt"])  # Monday 08:30
    weekend = make_consultant(session, agency=agency, domains=["debt"], hours=WEEKEND_ONLY)
    found = route(
        session=session, domains=["debt"], language="ja", urgency=Urgency.normal, now=SATURDAY_NIGHT
    )
    assert found.consultant == weekend
    assert not found.on_shift_now
    sunday_ten = datetime(2026, 11, 29, 1, 0, tzinfo=UTC)
    assert found.contact_from == sunday_ten
    assert found.first_response_due == sunday_ten + timedelta(hours=4)
    assert "11/29(日) 10:00" in found.reason


def test_due_time_counts_working_time_across_the_weekend(session: Session) -> None:
    make_consultant(session, agency=make_agency(session, general_desk=True))
    friday_four_pm = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
    found = route(
        session=session, domains=[], language="ja", urgency=Urgency.normal, now=friday_four_pm
    )
    # 75 minutes on Friday, the remaining 165 from Monday 08:30.
    assert found.first_response_due == datetime(2026, 11, 30, 2, 15, tzinfo=UTC)


def test_lowest_relative_load_wins(session: Session) -> None:
    agency = make_agency(session, domains=["disability"])
    busy = make_consultant(session, agency=agency, max_open_tickets=2)
    free = make_consultant(session, agency=agency, max_open_tickets=50)
    picks = [worry(session, domains=["disability"]).consultant for _ in range(4)]
    # A tie at 0 goes to the lower id; then 1/2 open is heavier than 1/50, 2/50 and 3/50.
    assert picks == [busy, free, free, free]
    assert "担当中の相談 3/50件" in worry(session, domains=["disability"]).routing_reason


def test_supervisors_are_spared_ordinary_worries_on_a_tie(session: Session) -> None:
    agency = make_agency(session, general_desk=True)
    make_consultant(session, agency=agency, role=Role.supervisor)
    consultant = make_consultant(session, agency=agency)
    assert chosen(session, domains=[]) == consultant


def test_crisis_goes_to_the_supervisor_on_duty(session: Session) -> None:
    agency = make_agency(session, domains=["mental_health"])
    make_consultant(session, agency=agency, domains=["mental_health", "crisis"])
    make_consultant(session, agency=agency, role=Role.supervisor, hours=WEEKEND_ONLY)
    on_duty = make_consultant(session, agency=agency, role=Role.supervisor)
    found = route(
        session=session,
        domains=["crisis"],
        language="ja",
        urgency=Urgency.crisis,
        now=TUESDAY_MORNING,
    )
    assert found.consultant == on_duty
    assert found.first_response_due == TUESDAY_MORNING + timedelta(minutes=30)
    assert "緊急のため勤務中のスーパーバイザーへ" in found.reason


def test_crisis_at_night_goes_to_the_soonest_supervisor(session: Session) -> None:
    agency = make_agency(session)
    make_consultant(session, agency=agency, role=Role.supervisor)  # Monday
    weekend = make_consultant(session, agency=agency, role=Role.supervisor, hours=WEEKEND_ONLY)
    found = route(
        session=session, domains=[], language="ja", urgency=Urgency.crisis, now=SATURDAY_NIGHT
    )
    assert found.consultant == weekend
    assert "最も早く勤務に入るスーパーバイザー" in found.reason


def test_inactive_consultants_are_never_chosen(session: Session) -> None:
    agency = make_agency(session, general_desk=True)
    make_consultant(session, agency=agency, active=False, languages=["pt"])
    only = make_consultant(session, agency=agency)
    assert chosen(session, domains=[], language="pt") == only


def test_an_empty_deployment_says_so(session: Session) -> None:
    with pytest.raises(NoConsultant):
        chosen(session, domains=["debt"])


def test_consultant_without_hours_is_still_a_named_person(session: Session) -> None:
    lone = make_consultant(session, agency=None, hours={})
    found = route(
        session=session, domains=["debt"], language="en", urgency=Urgency.high, now=SATURDAY_NIGHT
    )
    assert found.consultant == lone
    assert found.first_response_due == SATURDAY_NIGHT + timedelta(hours=2)
    assert "勤務時間の登録がない" in found.reason


def test_routing_is_deterministic(session: Session, city: SiteReport) -> None:
    first = route(
        session=session,
        domains=["debt", "work"],
        language="pt",
        urgency=Urgency.normal,
        now=TUESDAY_MORNING,
    )
    again = route(
        session=session,
        domains=["debt", "work"],
        language="pt",
        urgency=Urgency.normal,
        now=TUESDAY_MORNING,
    )
    assert (first.consultant, first.reason) == (again.consultant, again.reason)


def test_sample_city_routes(session: Session, city: SiteReport) -> None:
    def email(
        domains: list[str],
        language: str = "ja",
        *,
        now: datetime = TUESDAY_MORNING,
        urgency: Urgency = Urgency.normal,
    ) -> str:
        return route(
            session=session, domains=domains, language=language, urgency=urgency, now=now
        ).consultant.email

    assert email(["elderly_care"]) == "suzuki.kazuko@minato.example"
    assert email(["school"]) == "watanabe.daisuke@minato.example"
    assert email(["foreign_residency"], "pt") == "carlos.oliveira@minato.example"
    assert email([]) == "sato.misaki@minato.example"  # 総合相談, the lightest general desk
    assert email(["crisis"], urgency=Urgency.crisis) == "takahashi.kenichi@minato.example"
    sunday_morning = datetime(2026, 11, 29, 1, 0, tzinfo=UTC)
    assert email(["crisis"], urgency=Urgency.crisis, now=sunday_morning) == (
        "nakamura.saori@minato.example"
    )


languages = st.sampled_from(["ja", "en", "pt", "es", "vi", "zh", "tl"])
moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    domains=st.lists(st.sampled_from(DOMAIN_IDS), max_size=6),
    language=languages,
    urgency=st.sampled_from(list(Urgency)),
    now=moments,
    keep=st.integers(min_value=0, max_value=10_000),
    inactive=st.sets(st.integers(min_value=0, max_value=30)),
)
def test_never_nobody(
    session: Session,
    city: SiteReport,
    domains: list[str],
    language: str,
    urgency: Urgency,
    now: datetime,
    keep: int,
    inactive: set[int],
) -> None:
    """Whatever the worry, the language and the hour, and however few consultants are active,
    a hand-off names a person, who is active, with an honest time."""
    with session.begin_nested() as savepoint:
        everyone = list(session.scalars(select(Consultant).order_by(Consultant.id)))
        survivor = everyone[keep % len(everyone)]
        for index in inactive:
            if index < len(everyone) and everyone[index] != survivor:
                everyone[index].active = False
        handed = worry(
            session,
            domains=domains,
            language=language,
            urgency=urgency,
            now=now,
            crisis=urgency == Urgency.crisis,
        )
        assert handed.consultant.active
        assert handed.consultant.display_name and handed.consultant.reading
        assert handed.contact_from >= now
        assert handed.first_response_due > handed.contact_from
        assert handed.needs_interpreter == (language not in handed.consultant.languages)
        assert handed.routing_reason
        assert handed.ticket.number.startswith("T-")
        if urgency == Urgency.crisis:
            assert handed.consultant.role == Role.supervisor or not any(
                c.active and c.role == Role.supervisor for c in everyone
            )
        savepoint.rollback()
