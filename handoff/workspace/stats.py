"""Statistics for supervisors and the city's reports: what residents ask about, how often a
worry spans several domains (the 複合課題 of 重層的支援体制整備事業), through which door they
came, how soon a person answered, and how loaded each consultant is now.

Counts run in SQL; the two percentiles are computed here so SQLite and PostgreSQL agree.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from classifier.domains import CRISIS
from handoff.models import Consultant, Ticket, TicketDomain
from handoff.routing import active_consultants, open_loads

DEFAULT_DAYS = 30
MAX_DAYS = 3700  # about ten years: a report, not a scan of everything ever
# Time-to-first-reply histogram: upper bounds of each bucket (the last one is open).
REPLY_BUCKETS: tuple[tuple[str, timedelta | None], ...] = (
    ("under_1h", timedelta(hours=1)),
    ("1h_4h", timedelta(hours=4)),
    ("4h_24h", timedelta(hours=24)),
    ("1d_3d", timedelta(days=3)),
    ("over_3d", None),
)


@dataclass(frozen=True, slots=True)
class Period:
    """Whole local days, first to last inclusive, and the UTC instants that bound them."""

    first_day: date
    last_day: date
    start: datetime
    end: datetime

    @classmethod
    def of(cls, first_day: date, last_day: date, *, timezone: str) -> Period:
        """The period of these local days in the site's timezone."""
        zone = ZoneInfo(timezone)
        if last_day < first_day:
            first_day, last_day = last_day, first_day
        if (last_day - first_day).days > MAX_DAYS:
            first_day = last_day - timedelta(days=MAX_DAYS)
        start = datetime.combine(first_day, time(0), zone)
        end = datetime.combine(last_day + timedelta(days=1), time(0), zone)
        return cls(first_day=first_day, last_day=last_day, start=start, end=end)


def period_for(first: str | None, last: str | None, *, now: datetime, timezone: str) -> Period:
    """The period asked for (ISO dates); the last 30 days up to today when unreadable."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    last_day = _day(last) or today
    first_day = _day(first) or last_day - timedelta(days=DEFAULT_DAYS - 1)
    return Period.of(first_day, last_day, timezone=timezone)


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Tally:
    """How many tickets have `key` (a domain id, language, channel, link label or bucket)."""

    key: str
    count: int


@dataclass(frozen=True, slots=True)
class Load:
    """A consultant's open tickets now, against the most they take."""

    consultant: Consultant
    open: int
    maximum: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Statistics:
    """Everything on the statistics page and in its CSV."""

    period: Period
    total: int
    by_domain: list[Tally]
    several_domains: int
    by_language: list[Tally]
    by_channel: list[Tally]
    by_link: list[Tally]  # key "" counts tickets that came without a school-mail link
    replied: int
    median_first_reply: timedelta | None
    p90_first_reply: timedelta | None
    first_reply_times: list[Tally]
    load: list[Load]

    @property
    def several_domains_share(self) -> float:
        """The share (0 to 1) of tickets with two or more domains."""
        return self.several_domains / self.total if self.total else 0.0


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The `fraction` quantile with linear interpolation between ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    lower, upper = math.floor(position), math.ceil(position)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def _tallies(
    session: Session, column: InstrumentedAttribute[Any], where: ColumnElement[bool]
) -> list[Tally]:
    rows = session.execute(
        select(column, func.count()).where(where).group_by(column).order_by(func.count().desc())
    ).all()
    tallies = [Tally(key=str(key) if key is not None else "", count=count) for key, count in rows]
    return sorted(tallies, key=lambda tally: (-tally.count, tally.key))


def statistics(*, session: Session, period: Period) -> Statistics:
    """The statistics of tickets opened within `period`, and everyone's load now."""
    in_period = and_(Ticket.created_at >= period.start, Ticket.created_at < period.end)
    total = session.scalar(select(func.count()).select_from(Ticket).where(in_period)) or 0
    domain_rows = session.execute(
        select(TicketDomain.domain, func.count(func.distinct(TicketDomain.ticket_id)))
        .join(Ticket, Ticket.id == TicketDomain.ticket_id)
        .where(in_period)
        .group_by(TicketDomain.domain)
    ).all()
    by_domain = sorted(
        (Tally(key=domain, count=count) for domain, count in domain_rows),
        key=lambda tally: (-tally.count, tally.key),
    )
    # Several life domains at once; the crisis flag is urgency, not a domain of life.
    several = (
        select(TicketDomain.ticket_id)
        .join(Ticket, Ticket.id == TicketDomain.ticket_id)
        .where(in_period, TicketDomain.domain != CRISIS)
        .group_by(TicketDomain.ticket_id)
        .having(func.count() >= 2)
        .subquery()
    )
    several_domains = session.scalar(select(func.count()).select_from(several)) or 0
    reply_rows = session.execute(
        select(Ticket.created_at, Ticket.first_response_at).where(
            in_period, Ticket.first_response_at.is_not(None)
        )
    ).all()
    waits = [max(timedelta(0), answered - created) for created, answered in reply_rows if answered]
    minutes = [wait.total_seconds() / 60 for wait in waits]
    loads = open_loads(session)
    load = [
        Load(consultant=c, open=loads.get(c.id, 0), maximum=c.max_open_tickets)
        for c in active_consultants(session)
    ]
    load.sort(
        key=lambda entry: (-entry.open / max(1, entry.maximum), -entry.open, entry.consultant.id)
    )
    return Statistics(
        period=period,
        total=total,
        by_domain=by_domain,
        several_domains=several_domains,
        by_language=_tallies(session, Ticket.language, in_period),
        by_channel=_tallies(session, Ticket.channel, in_period),
        by_link=_tallies(session, Ticket.source_label, in_period),
        replied=len(waits),
        median_first_reply=timedelta(minutes=median(minutes)) if minutes else None,
        p90_first_reply=_minutes(percentile(minutes, 0.9)),
        first_reply_times=_buckets(waits),
        load=load,
    )


def _minutes(value: float | None) -> timedelta | None:
    return None if value is None else timedelta(minutes=value)


def _buckets(waits: Sequence[timedelta]) -> list[Tally]:
    counts = dict.fromkeys((key for key, _ in REPLY_BUCKETS), 0)
    for wait in waits:
        for key, bound in REPLY_BUCKETS:
            if bound is None or wait < bound:
                counts[key] += 1
                break
    return [Tally(key=key, count=count) for key, count in counts.items()]
