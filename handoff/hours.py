"""Weekly opening hours and closed days: who is on shift now, and when the next shift starts."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_TIMEZONE = "Asia/Tokyo"
_INTERVAL = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")
_RECURRING_DAY = re.compile(r"^\d{2}-\d{2}$")


class HoursError(ValueError):
    """An opening-hours or closed-day entry that cannot be read."""


def parse_interval(text: str) -> tuple[int, int]:
    """'08:30-17:15' -> (510, 1035): minutes since midnight; the end may be 24:00."""
    match = _INTERVAL.match(text.strip())
    if not match:
        raise HoursError(f"{text!r} is not a time range like 08:30-17:15")
    start_h, start_m, end_h, end_m = (int(part) for part in match.groups())
    if start_h > 23 or end_h > 24 or start_m > 59 or end_m > 59 or (end_h == 24 and end_m):
        raise HoursError(f"{text!r} has an impossible time")
    start, end = start_h * 60 + start_m, end_h * 60 + end_m
    if end <= start:
        raise HoursError(f"{text!r} ends before it starts (split a night shift over two days)")
    return start, end


def _expand_days(key: str) -> list[str]:
    days: list[str] = []
    for part in key.lower().replace(" ", "").split(","):
        if "-" in part:
            first, _, last = part.partition("-")
            if first not in DAYS or last not in DAYS or DAYS.index(last) < DAYS.index(first):
                raise HoursError(f"{key!r} is not a day range like mon-fri")
            days.extend(DAYS[DAYS.index(first) : DAYS.index(last) + 1])
        elif part in DAYS:
            days.append(part)
        else:
            raise HoursError(f"{part!r} is not a day (use {', '.join(DAYS)})")
    return days


def normalise_hours(spec: Mapping[str, str | list[str]]) -> dict[str, list[str]]:
    """{'mon-fri': '08:30-17:15', 'sat': ['09:00-12:00']} -> one sorted list of ranges per day."""
    weekly: dict[str, list[tuple[int, int]]] = {}
    for key, value in spec.items():
        ranges = [value] if isinstance(value, str) else list(value)
        for day in _expand_days(key):
            weekly.setdefault(day, []).extend(parse_interval(text) for text in ranges)
    normalised: dict[str, list[str]] = {}
    for day in DAYS:
        intervals = sorted(weekly.get(day, []))
        for (_, previous_end), (start, _) in pairwise(intervals):
            if start < previous_end:
                raise HoursError(f"overlapping hours on {day}")
        if intervals:
            normalised[day] = [_format(start, end) for start, end in intervals]
    return normalised


def check_closed_day(text: str) -> str:
    """A closed day is 'MM-DD' (every year, e.g. 12-29) or 'YYYY-MM-DD' (once)."""
    try:
        if _RECURRING_DAY.match(text):
            date.fromisoformat(f"2000-{text}")  # a leap year, so 02-29 is allowed
        else:
            date.fromisoformat(text)
    except ValueError:
        raise HoursError(f"{text!r} is not a day like 12-29 or 2026-05-06") from None
    return text


def _format(start: int, end: int) -> str:
    return f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"


@dataclass(frozen=True, slots=True)
class Schedule:
    """Weekly hours in local time, minus closed days."""

    weekly: Mapping[str, tuple[tuple[int, int], ...]]
    closed: frozenset[str]
    timezone: ZoneInfo

    @classmethod
    def from_stored(
        cls,
        hours: Mapping[str, list[str]] | None,
        *,
        closed_days: Iterable[str] = (),
        timezone: str = DEFAULT_TIMEZONE,
    ) -> Schedule:
        """Build from the normalised form kept in the database."""
        weekly = {
            day: tuple(parse_interval(text) for text in ranges)
            for day, ranges in (hours or {}).items()
        }
        return cls(weekly=weekly, closed=frozenset(closed_days), timezone=ZoneInfo(timezone))

    @property
    def has_hours(self) -> bool:
        """False when the schedule never opens."""
        return any(self.weekly.values())

    def is_closed_on(self, day: date) -> bool:
        """True on a closed day (a holiday, the year-end break, ...)."""
        return day.isoformat() in self.closed or day.strftime("%m-%d") in self.closed

    def shifts_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The open intervals of a local calendar day, as aware datetimes."""
        if self.is_closed_on(day):
            return []
        midnight = datetime.combine(day, time(0), tzinfo=self.timezone)
        return [
            (midnight + timedelta(minutes=start), midnight + timedelta(minutes=end))
            for start, end in self.weekly.get(DAYS[day.weekday()], ())
        ]

    def is_open(self, at: datetime) -> bool:
        """True when `at` falls inside a shift."""
        return self.next_open(at, horizon_days=1) == at

    def next_open(self, at: datetime, *, horizon_days: int = 400) -> datetime | None:
        """`at` itself when open, else the start of the next shift (None if none in sight)."""
        local = at.astimezone(self.timezone)
        for offset in range(-1, horizon_days + 1):
            for start, end in self.shifts_on(local.date() + timedelta(days=offset)):
                if start <= local < end:
                    return at
                if start > local:
                    return start.astimezone(at.tzinfo)
        return None


def local_time(at: datetime, timezone: str = DEFAULT_TIMEZONE) -> datetime:
    """`at` in the site's timezone."""
    return at.astimezone(ZoneInfo(timezone))


__all__ = [
    "DAYS",
    "DEFAULT_TIMEZONE",
    "HoursError",
    "Schedule",
    "check_closed_day",
    "local_time",
    "normalise_hours",
    "parse_interval",
]
