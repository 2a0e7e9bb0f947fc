from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from handoff.hours import HoursError, Schedule, check_closed_day, normalise_hours, parse_interval

JST_OFFSET = timedelta(hours=9)


def jst(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A Tokyo wall-clock time, as UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC) - JST_OFFSET


OFFICE = Schedule.from_stored(
    normalise_hours({"mon-fri": "08:30-17:15", "sat": "09:00-12:00"}),
    closed_days=["12-29", "12-30", "12-31", "01-01", "01-02", "01-03", "2026-11-23"],
)


def test_day_ranges_expand_and_sort() -> None:
    hours = normalise_hours({"sat": "09:00-12:00", "mon-wed": ["13:00-17:00", "08:30-12:00"]})
    assert hours == {
        "mon": ["08:30-12:00", "13:00-17:00"],
        "tue": ["08:30-12:00", "13:00-17:00"],
        "wed": ["08:30-12:00", "13:00-17:00"],
        "sat": ["09:00-12:00"],
    }


@pytest.mark.parametrize(
    "spec",
    [
        {"mon": "17:00-09:00"},
        {"mon": "25:00-26:00"},
        {"funday": "09:00-10:00"},
        {"fri-mon": "09:00-10:00"},
        {"mon": "9-5"},
        {"mon": ["09:00-12:00", "11:00-13:00"]},
    ],
)
def test_impossible_hours_are_refused(spec: dict[str, str | list[str]]) -> None:
    with pytest.raises(HoursError):
        normalise_hours(spec)


def test_midnight_end_is_allowed() -> None:
    assert parse_interval("18:00-24:00") == (18 * 60, 24 * 60)


@pytest.mark.parametrize("day", ["12-29", "02-29", "2026-05-06"])
def test_closed_days(day: str) -> None:
    assert check_closed_day(day) == day


@pytest.mark.parametrize("day", ["13-01", "2026-02-30", "tomorrow"])
def test_bad_closed_days(day: str) -> None:
    with pytest.raises(HoursError):
        check_closed_day(day)


def test_open_during_office_hours() -> None:
    assert OFFICE.is_open(jst(2026, 11, 24, 10))
    assert not OFFICE.is_open(jst(2026, 11, 24, 17, 15))
    assert not OFFICE.is_open(jst(2026, 11, 24, 8, 29))


def test_next_open_after_hours_is_next_morning() -> None:
    assert OFFICE.next_open(jst(2026, 11, 24, 20)) == jst(2026, 11, 25, 8, 30)


def test_saturday_afternoon_waits_for_monday_and_skips_holidays() -> None:
    # 2026-11-23 (Monday) is 勤労感謝の日 in the closed days.
    assert OFFICE.next_open(jst(2026, 11, 21, 13)) == jst(2026, 11, 24, 8, 30)


def test_year_end_break() -> None:
    assert OFFICE.next_open(jst(2026, 12, 28, 18)) == jst(2027, 1, 4, 8, 30)


def test_no_hours_never_opens() -> None:
    empty = Schedule.from_stored({})
    assert not empty.has_hours
    assert empty.next_open(jst(2026, 11, 24, 10)) is None
