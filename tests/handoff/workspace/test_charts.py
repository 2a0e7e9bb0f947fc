"""Server-drawn SVG bar charts: escaped labels, names for screen readers, honest scales."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from handoff.workspace.charts import LABEL_WIDTH, VALUE_WIDTH, WIDTH, Bar, bar_chart, fit

SVG = "{http://www.w3.org/2000/svg}"


def test_a_chart_is_well_formed_svg_with_a_title_and_description() -> None:
    chart = bar_chart(
        [Bar("住まい", 3, "3 (60%)"), Bar("借金", 1, "1 (20%)")],
        chart_id="c1",
        title="分野別",
        description="期間中の件数",
    )
    root = ET.fromstring(str(chart))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "分野別"
    assert root.find(f"{SVG}desc").text == "期間中の件数"
    rows = root.findall(f"{SVG}g")
    assert [row.find(f"{SVG}title").text for row in rows] == ["住まい: 3 (60%)", "借金: 1 (20%)"]
    widths = [float(row.find(f"{SVG}rect").get("width")) for row in rows]
    assert widths[0] == pytest.approx(3 * widths[1], abs=0.2)


def test_labels_and_titles_are_escaped() -> None:
    chart = str(
        bar_chart(
            [Bar('<script>alert("x")</script>', 1, "1&2")],
            chart_id="c2",
            title="<b>t</b>",
            description='"d"',
        )
    )
    assert "<script>" not in chart and "<b>" not in chart
    assert "&lt;script&gt;" in chart and "1&amp;2" in chart
    ET.fromstring(chart)


def test_a_capacity_is_drawn_behind_the_bar() -> None:
    chart = str(
        bar_chart(
            [Bar("山本", 5, "5 / 20", capacity=20)], chart_id="c3", title="t", description="d"
        )
    )
    track, bar = re.findall(r'<rect x="\d+" y="[\d.]+" width="([\d.]+)"', chart)
    assert float(track) == WIDTH - LABEL_WIDTH - VALUE_WIDTH
    assert float(bar) == float(track) / 4


def test_long_labels_are_shortened_to_fit() -> None:
    label = "みなと市 くらし・しごと自立相談支援センター"
    assert fit(label, 1000) == label
    short = fit(label, 100)
    assert short.endswith("…") and len(short) < len(label)
    assert fit("abc", 1) == "…"
