"""Statistics for supervisors: charts drawn on the server, and the same figures as CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from handoff.summary import domain_words, language_name
from handoff.workspace.charts import Bar
from handoff.workspace.deps import Desk, DeskDep
from handoff.workspace.stats import Statistics, Tally, period_for, statistics
from handoff.workspace.web import PAGE_HEADERS, PageError, WorkspaceRoute, labels

router = APIRouter(route_class=WorkspaceRoute)

Day = Annotated[str | None, Query(max_length=10, alias="from")]
LastDay = Annotated[str | None, Query(max_length=10, alias="to")]
# A cell starting like a formula is written as text, so a spreadsheet never runs it.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _supervisor(desk: Desk) -> None:
    if not desk.viewer.is_supervisor:
        raise PageError(403, "supervisors")


def _figures(desk: Desk, first: str | None, last: str | None) -> Statistics:
    _supervisor(desk)
    period = period_for(first, last, now=desk.now, timezone=desk.zone)
    return statistics(session=desk.session, period=period)


def _share(count: int, total: int) -> str:
    return f"{count} ({100 * count / total:.0f}%)" if total else str(count)


def _label_of(kind: str, key: str, lang: str, words: Any) -> str:
    if kind == "domain":
        return domain_words([key], lang)
    if kind == "language":
        return language_name(key, lang)
    if kind == "channel":
        return str(words.channel_names.get(key, key))
    if kind == "link":
        return key or str(words.no_link)
    if kind == "bucket":
        return str(words.reply_buckets[key])
    return key


def _bars(kind: str, tallies: list[Tally], total: int, lang: str, words: Any) -> list[Bar]:
    return [
        Bar(
            label=_label_of(kind, tally.key, lang, words),
            value=tally.count,
            shown=_share(tally.count, total),
        )
        for tally in tallies
    ]


def _minutes(span: timedelta | None) -> str:
    return "" if span is None else f"{span.total_seconds() / 60:.1f}"


@router.get("/stats")
def stats_page(desk: DeskDep, first: Day = None, last: LastDay = None) -> Response:
    """Charts of the period (the last 30 days unless chosen)."""
    figures = _figures(desk, first, last)
    words = labels(desk.lang)
    total = figures.total
    several = figures.several_domains
    bars = {
        "domain": _bars("domain", figures.by_domain, total, desk.lang, words),
        "several": [
            Bar(
                label=str(words.one_domain),
                value=total - several,
                shown=_share(total - several, total),
            ),
            Bar(label=str(words.several_domains), value=several, shown=_share(several, total)),
        ],
        "language": _bars("language", figures.by_language, total, desk.lang, words),
        "channel": _bars("channel", figures.by_channel, total, desk.lang, words),
        "link": _bars("link", figures.by_link, total, desk.lang, words),
        "reply": _bars("bucket", figures.first_reply_times, figures.replied, desk.lang, words),
        "load": [
            Bar(
                label=entry.consultant.display_name,
                value=entry.open,
                shown=f"{entry.open} / {entry.maximum}",
                capacity=entry.maximum,
            )
            for entry in figures.load
        ],
    }
    return desk.page("stats.html", figures=figures, bars=bars)


def _cell(value: object) -> str:
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


@router.get("/stats.csv")
def stats_csv(desk: DeskDep, first: Day = None, last: LastDay = None) -> Response:
    """The same figures for the city's reports: UTF-8 with a byte-order mark (so spreadsheet
    software reads the Japanese), one figure a row: section, code, label, value, maximum."""
    figures = _figures(desk, first, last)
    words = labels(desk.lang)
    names = words.csv_keys

    def own(section: str, key: str, value: object) -> tuple[object, ...]:
        return (section, key, names[key], value, "")

    rows: list[tuple[object, ...]] = [
        own("period", "from", figures.period.first_day.isoformat()),
        own("period", "to", figures.period.last_day.isoformat()),
        own("total", "tickets", figures.total),
    ]
    for kind, tallies in (
        ("domain", figures.by_domain),
        ("language", figures.by_language),
        ("channel", figures.by_channel),
        ("link", figures.by_link),
    ):
        rows += [
            (kind, tally.key, _label_of(kind, tally.key, desk.lang, words), tally.count, "")
            for tally in tallies
        ]
    rows += [
        own("several_domains", "tickets", figures.several_domains),
        own("several_domains", "percent", f"{100 * figures.several_domains_share:.1f}"),
        own("first_reply", "replied", figures.replied),
        own("first_reply", "median_minutes", _minutes(figures.median_first_reply)),
        own("first_reply", "p90_minutes", _minutes(figures.p90_first_reply)),
    ]
    rows += [
        ("first_reply_time", t.key, _label_of("bucket", t.key, desk.lang, words), t.count, "")
        for t in figures.first_reply_times
    ]
    rows += [
        ("open_load", str(e.consultant.id), e.consultant.display_name, e.open, e.maximum)
        for e in figures.load
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([str(header) for header in words.csv_headers])
    for section, *rest in rows:
        writer.writerow([_cell(words.csv_sections[section]), *(_cell(value) for value in rest)])
    name = f"tsunagu-statistics-{figures.period.first_day}-{figures.period.last_day}.csv"
    return Response(
        ("\ufeff" + buffer.getvalue()).encode(),
        media_type="text/csv; charset=utf-8",
        headers={**PAGE_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'},
    )
