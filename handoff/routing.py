"""Choosing the named consultant for a worry: deterministic, and explained in words.

Order of preference for an ordinary worry:
1. speaks the resident's language (otherwise the best other match, with an interpreter);
2. covers the most of the worry's domains (no specialist fits: the general desk, 総合相談);
3. on shift now, otherwise the soonest shift start;
4. lowest load relative to the consultant's maximum; then the lowest id, so ties are stable.
A crisis goes to the supervisor on duty (otherwise the soonest on shift), whatever the domains.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from handoff.errors import NoConsultant
from handoff.hours import DEFAULT_TIMEZONE, Schedule
from handoff.models import OPEN_STATUSES, Agency, Consultant, Site, Ticket, Urgency
from handoff.summary import domain_words, language_name

RESPONSE_WINDOW: dict[Urgency, timedelta] = {
    Urgency.crisis: timedelta(minutes=30),
    Urgency.high: timedelta(hours=2),
    Urgency.normal: timedelta(hours=4),
}
_WEEKDAYS_JA = "月火水木金土日"


@dataclass(frozen=True, slots=True)
class SiteCalendar:
    """The site's timezone and holidays, the ground every schedule stands on."""

    timezone: str
    holidays: tuple[str, ...]

    @classmethod
    def load(cls, session: Session) -> SiteCalendar:
        """The calendar of the loaded site file (Asia/Tokyo, no holidays when none)."""
        site = session.scalar(select(Site).order_by(Site.id).limit(1))
        if site is None:
            return cls(timezone=DEFAULT_TIMEZONE, holidays=())
        return cls(timezone=site.timezone, holidays=tuple(site.holidays))

    def schedule_for(self, consultant: Consultant) -> Schedule:
        """The consultant's own hours (else their agency's), minus holidays and closed days."""
        agency = consultant.agency
        hours = consultant.hours
        if hours is None and agency is not None:
            hours = agency.hours
        closed = [*self.holidays, *(agency.closed_days if agency else [])]
        return Schedule.from_stored(hours or {}, closed_days=closed, timezone=self.timezone)


@dataclass(frozen=True, slots=True, kw_only=True)
class Timing:
    """When a consultant can first act on a ticket."""

    on_shift_now: bool
    contact_from: datetime
    first_response_due: datetime
    hours_known: bool


def timing_for(
    consultant: Consultant, *, calendar: SiteCalendar, urgency: Urgency, now: datetime
) -> Timing:
    """Contact from now (on shift) or from the next shift start; due after the response window.

    The window counts working time, so a worry sent on Friday evening is due on Monday morning,
    and says so, rather than pretending somebody reads it overnight.
    """
    schedule = calendar.schedule_for(consultant)
    window = RESPONSE_WINDOW[urgency]
    start = schedule.next_open(now) if schedule.has_hours else None
    if start is None:
        return Timing(
            on_shift_now=False,
            contact_from=now,
            first_response_due=now + window,
            hours_known=False,
        )
    due = add_working_time(schedule, start, window) or start + window
    return Timing(
        on_shift_now=start == now,
        contact_from=start,
        first_response_due=due,
        hours_known=True,
    )


def add_working_time(schedule: Schedule, start: datetime, span: timedelta) -> datetime | None:
    """The moment `span` of open time has passed, counting from `start`."""
    remaining = span
    cursor: datetime | None = start
    for _ in range(400):
        cursor = schedule.next_open(cursor) if cursor is not None else None
        if cursor is None:
            return None
        local = cursor.astimezone(schedule.timezone)
        shift_end = next(
            end for begin, end in schedule.shifts_on(local.date()) if begin <= local < end
        )
        available = shift_end - local
        if remaining <= available:
            return cursor + remaining
        remaining -= available
        cursor = shift_end.astimezone(start.tzinfo)
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class Candidate:
    """One active consultant, seen from one worry."""

    consultant: Consultant
    speaks: bool
    coverage: int
    general_desk: bool
    timing: Timing
    load: int

    @property
    def load_ratio(self) -> float:
        """Open tickets relative to the consultant's maximum."""
        return self.load / max(1, self.consultant.max_open_tickets)

    def _shift_key(self) -> tuple[int, datetime]:
        if self.timing.on_shift_now:
            return (0, self.timing.contact_from)
        if self.timing.hours_known:
            return (1, self.timing.contact_from)
        return (2, self.timing.contact_from)

    def ordinary_key(self) -> tuple[object, ...]:
        """Sort key for an ordinary worry; smaller is better."""
        if self.coverage:
            fit = (-self.coverage, 1 if self.general_desk else 0)
        else:
            fit = (0, 0 if self.general_desk else 1)
        return (
            0 if self.speaks else 1,
            *fit,
            *self._shift_key(),
            self.load_ratio,
            1 if self.consultant.is_supervisor else 0,  # keep supervisors free for crises
            self.consultant.id,
        )

    def crisis_key(self) -> tuple[object, ...]:
        """Sort key for a crisis: the supervisor on duty, then the soonest one."""
        return (
            0 if self.consultant.is_supervisor else 1,
            *self._shift_key(),
            0 if self.speaks else 1,
            self.load_ratio,
            self.consultant.id,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Route:
    """The chosen consultant, when they can act, and why they were chosen."""

    consultant: Consultant
    agency: Agency | None
    needs_interpreter: bool
    on_shift_now: bool
    contact_from: datetime
    first_response_due: datetime
    reason: str


def open_loads(session: Session) -> dict[int, int]:
    """Open tickets per consultant id."""
    rows = session.execute(
        select(Ticket.consultant_id, func.count())
        .where(Ticket.status.in_(OPEN_STATUSES))
        .group_by(Ticket.consultant_id)
    )
    return {consultant_id: count for consultant_id, count in rows}  # noqa: C416


def active_consultants(session: Session) -> list[Consultant]:
    """Every active consultant, with their agency loaded."""
    return list(
        session.scalars(
            select(Consultant)
            .where(Consultant.active.is_(True))
            .options(selectinload(Consultant.agency))
            .order_by(Consultant.id)
        )
    )


def route(
    *,
    session: Session,
    domains: Sequence[str],
    language: str,
    urgency: Urgency,
    now: datetime,
    exclude: Collection[int] = (),
    escalation: bool = False,
) -> Route:
    """The consultant for this worry. Raises NoConsultant only when nobody at all is active.

    `escalation` routes like a crisis (supervisors first) for a ticket nobody claimed in time;
    `exclude` names consultants to pass over unless that would leave no supervisor or nobody.
    """
    everyone = active_consultants(session)
    if not everyone:
        raise NoConsultant("no active consultant: load a site file or add a consultant")
    consultants = [c for c in everyone if c.id not in exclude]
    supervisors_left = any(c.is_supervisor for c in consultants)
    if not consultants or (escalation and not supervisors_left):
        consultants = everyone
    calendar = SiteCalendar.load(session)
    loads = open_loads(session)
    wanted = [domain for domain in domains if domain != "crisis"]
    candidates = [
        _candidate(
            c,
            wanted=wanted,
            language=language,
            urgency=urgency,
            now=now,
            calendar=calendar,
            load=loads.get(c.id, 0),
        )
        for c in consultants
    ]
    crisis = urgency == Urgency.crisis or escalation
    best = min(candidates, key=Candidate.crisis_key if crisis else Candidate.ordinary_key)
    reason = _explain(
        best,
        wanted=wanted,
        language=language,
        crisis=crisis,
        escalation=escalation,
        anyone_speaks=any(c.speaks for c in candidates),
        calendar=calendar,
    )
    return Route(
        consultant=best.consultant,
        agency=best.consultant.agency,
        needs_interpreter=not best.speaks,
        on_shift_now=best.timing.on_shift_now,
        contact_from=best.timing.contact_from,
        first_response_due=best.timing.first_response_due,
        reason=reason,
    )


def _candidate(
    consultant: Consultant,
    *,
    wanted: Sequence[str],
    language: str,
    urgency: Urgency,
    now: datetime,
    calendar: SiteCalendar,
    load: int,
) -> Candidate:
    agency = consultant.agency
    serves = set(consultant.domains) or set(agency.domains if agency else ())
    return Candidate(
        consultant=consultant,
        speaks=language in consultant.languages,
        coverage=len(serves.intersection(wanted)),
        general_desk=bool(agency and agency.general_desk),
        timing=timing_for(consultant, calendar=calendar, urgency=urgency, now=now),
        load=load,
    )


def _when(at: datetime, calendar: SiteCalendar) -> str:
    local = at.astimezone(ZoneInfo(calendar.timezone))
    return f"{local:%m/%d}({_WEEKDAYS_JA[local.weekday()]}) {local:%H:%M}"


def _explain(
    best: Candidate,
    *,
    wanted: Sequence[str],
    language: str,
    crisis: bool,
    escalation: bool,
    anyone_speaks: bool,
    calendar: SiteCalendar,
) -> str:
    consultant = best.consultant
    agency = consultant.agency
    parts: list[str] = []
    if crisis:
        who = "スーパーバイザー" if consultant.is_supervisor else "相談員（スーパーバイザー不在）"
        duty = "勤務中の" if best.timing.on_shift_now else "最も早く勤務に入る"
        why = "初回対応期限を過ぎたため" if escalation else "緊急のため"
        parts.append(f"{why}{duty}{who}へ。")
    lang = language_name(language)
    if best.speaks:
        parts.append(f"{lang}で話せる相談員。")
    elif anyone_speaks:
        parts.append(f"{lang}を話せる相談員は選べなかったため、通訳が必要。")
    else:
        parts.append(f"{lang}を話せる相談員がいないため、通訳が必要。")
    if not crisis:
        if best.coverage:
            covered = [
                d
                for d in wanted
                if d in (set(consultant.domains) or set(agency.domains if agency else ()))
            ]
            parts.append(
                f"分野「{domain_words(covered)}」を担当（{len(wanted)}分野中{best.coverage}分野）。"
            )
        elif best.general_desk:
            parts.append(
                "専門の担当が合わないため総合相談窓口へ。"
                if wanted
                else "分野未分類のため総合相談窓口へ。"
            )
        else:
            parts.append("担当分野の合う相談員・総合相談窓口がないため、対応できる相談員へ。")
    if best.timing.on_shift_now:
        parts.append("いま勤務中。")
    elif best.timing.hours_known:
        parts.append(
            f"いまは勤務時間外。最も早い勤務開始は{_when(best.timing.contact_from, calendar)}。"
        )
    else:
        parts.append("勤務時間の登録がないため、連絡の目安は受付からの時間で計算。")
    parts.append(f"担当中の相談 {best.load}/{consultant.max_open_tickets}件。")
    if agency is not None:
        parts.append(f"所属: {agency.name_ja}。")
    return "".join(parts)


__all__ = [
    "RESPONSE_WINDOW",
    "Route",
    "SiteCalendar",
    "Timing",
    "active_consultants",
    "add_working_time",
    "open_loads",
    "route",
    "timing_for",
]
