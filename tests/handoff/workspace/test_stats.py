"""Statistics: the figures, the supervisors-only page with its SVG charts, and the CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from handoff import tickets
from handoff.workspace.stats import MAX_DAYS, Period, percentile, period_for, statistics
from tests.factories import TUESDAY_MORNING, worry
from tests.handoff.workspace.conftest import TAKAHASHI, YAMAMOTO, Desk

TOKYO = "Asia/Tokyo"
LINK = "みなと小学校 11月号"


def test_percentiles_interpolate_between_ranks() -> None:
    values = [float(v) for v in range(1, 11)]
    assert percentile(values, 0.5) == pytest.approx(5.5)
    assert percentile(values, 0.9) == pytest.approx(9.1)
    assert percentile([7.0], 0.9) == 7.0
    assert percentile([], 0.5) is None
    assert percentile([3.0, 1.0, 2.0], 1.0) == 3.0


def test_the_period_is_whole_local_days() -> None:
    period = period_for("2026-11-01", "2026-11-30", now=TUESDAY_MORNING, timezone=TOKYO)
    assert period.start.isoformat() == "2026-11-01T00:00:00+09:00"
    assert period.end.isoformat() == "2026-12-01T00:00:00+09:00"
    default = period_for(None, "nonsense", now=TUESDAY_MORNING, timezone=TOKYO)
    assert (default.first_day, default.last_day) == (date(2026, 10, 26), date(2026, 11, 24))
    swapped = period_for("2026-11-30", "2026-11-01", now=TUESDAY_MORNING, timezone=TOKYO)
    assert swapped.first_day == date(2026, 11, 1)
    huge = Period.of(date(1900, 1, 1), date(2026, 1, 1), timezone=TOKYO)
    assert (huge.last_day - huge.first_day).days == MAX_DAYS


def four_consultations(desk: Desk) -> None:
    """Four tickets in the last 30 days, answered after 30 min, 2 h and 5 h, and one older."""
    start = TUESDAY_MORNING - timedelta(days=3)
    answered = [
        (worry(desk.session, now=start), timedelta(minutes=30)),
        (
            worry(desk.session, text="父の介護が大変です。", domains=["elderly_care"], now=start),
            timedelta(hours=2),
        ),
        (
            worry(
                desk.session,
                text="Perdi o emprego.",
                domains=["work"],
                language="pt",
                channel="web",
                source_label=LINK,
                now=start,
            ),
            timedelta(hours=5),
        ),
    ]
    for handed, after in answered:
        tickets.reply(
            session=desk.session,
            ticket_id=handed.ticket.id,
            consultant=handed.consultant,
            text="お話を聞かせてください。",
            now=start + after,
        )
    worry(desk.session, text="借金で死にたい", domains=["debt", "crisis"], now=start)
    worry(desk.session, now=TUESDAY_MORNING - timedelta(days=40))  # before the period


def test_the_figures_of_a_period(desk: Desk) -> None:
    four_consultations(desk)
    period = period_for(None, None, now=TUESDAY_MORNING, timezone=TOKYO)
    figures = statistics(session=desk.session, period=period)
    assert figures.total == 4
    counts = {tally.key: tally.count for tally in figures.by_domain}
    assert counts == {"work": 2, "housing": 1, "elderly_care": 1, "debt": 1, "crisis": 1}
    assert figures.by_domain[0].key == "work"
    assert figures.several_domains == 1  # work + housing; debt + crisis is one life domain
    assert figures.several_domains_share == pytest.approx(0.25)
    assert [(t.key, t.count) for t in figures.by_language] == [("ja", 3), ("pt", 1)]
    assert [(t.key, t.count) for t in figures.by_channel] == [("line", 3), ("web", 1)]
    assert [(t.key, t.count) for t in figures.by_link] == [("", 3), (LINK, 1)]
    assert figures.replied == 3
    assert figures.median_first_reply == timedelta(hours=2)
    assert figures.p90_first_reply == timedelta(minutes=264)  # 120 + 0.8 x 180
    assert [(t.key, t.count) for t in figures.first_reply_times] == [
        ("under_1h", 1),
        ("1h_4h", 1),
        ("4h_24h", 1),
        ("1d_3d", 0),
        ("over_3d", 0),
    ]
    assert sum(entry.open for entry in figures.load) == 5  # every open ticket, whenever opened
    busiest = figures.load[0]
    assert busiest.open / busiest.maximum >= max(e.open / e.maximum for e in figures.load)


def test_an_empty_period_has_no_percentiles(desk: Desk) -> None:
    period = period_for(None, None, now=TUESDAY_MORNING, timezone=TOKYO)
    figures = statistics(session=desk.session, period=period)
    assert figures.total == 0 and figures.several_domains_share == 0.0
    assert figures.median_first_reply is None and figures.p90_first_reply is None


def test_only_supervisors_see_statistics(desk: Desk) -> None:
    browser = desk.signed_in(YAMAMOTO)
    assert browser.get("/workspace/stats").status_code == 403
    assert browser.get("/workspace/stats.csv").status_code == 403
    assert 'href="/workspace/stats"' not in browser.get("/workspace/queue").text


def test_the_page_draws_its_charts_on_the_server(desk: Desk) -> None:
    four_consultations(desk)
    worry(desk.session, channel="web", source_label="<script>alert(1)</script>")
    page = desk.signed_in(TAKAHASHI).get("/workspace/stats")
    assert page.status_code == 200
    assert page.text.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 7
    assert page.text.count('role="img"') == 7
    assert "<script>alert" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "住まい" in page.text and "ポルトガル語" in page.text
    assert "<script src=" in page.text  # the workspace's own script, and nothing from elsewhere
    assert "http://" not in page.text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "2時間0分" in page.text  # the median
    assert 'href="/workspace/stats.csv?from=2026-10-26&amp;to=2026-11-24"' in page.text


def test_the_csv_has_the_same_figures(desk: Desk) -> None:
    four_consultations(desk)
    worry(desk.session, channel="web", source_label='=HYPERLINK("http://evil.example")')
    response = desk.signed_in(TAKAHASHI).get("/workspace/stats.csv?from=2026-10-26&to=2026-11-24")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        'attachment; filename="tsunagu-statistics-2026-10-26-2026-11-24.csv"'
    )
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows[0]) == 5
    labelled = {(row[1], row[2]): row[3] for row in rows[1:]}
    assert labelled[("housing", "住まい")] == "2"
    assert labelled[("pt", "ポルトガル語")] == "1"
    assert labelled[("line", "LINE")] == "3"
    first = {}
    for row in rows[1:]:
        first.setdefault(row[1], row[3])
    assert first["from"] == "2026-10-26" and first["to"] == "2026-11-24"
    assert first["tickets"] == "5"
    assert first["median_minutes"] == "120.0" and first["p90_minutes"] == "264.0"
    assert any(row[1] == '\'=HYPERLINK("http://evil.example")' for row in rows)
    loads = [row for row in rows if row[1].isdigit()]
    assert sum(int(row[3]) for row in loads) == 6
    assert all(int(row[4]) > 0 for row in loads)
