"""Horizontal bar charts as inline SVG, drawn on the server: no script, no external asset.

Every label goes through markupsafe's escaping; the chart names itself for screen readers
(role="img" with a title and description) and each row carries its exact figure in a <title>.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

WIDTH = 600
LABEL_WIDTH = 210
VALUE_WIDTH = 80
ROW_HEIGHT = 28
BAR_HEIGHT = 18
PADDING = 6
FONT_SIZE = 13
BAR_COLOUR = "#2f6f8f"
TRACK_COLOUR = "#dfe7ec"
TEXT_COLOUR = "#1d2529"


@dataclass(frozen=True, slots=True)
class Bar:
    """One row: its label, its value, how the value is written, and an optional capacity
    drawn behind the bar (a consultant's maximum load)."""

    label: str
    value: float
    shown: str
    capacity: float | None = None


def _text_width(text: str) -> float:
    # Wide (CJK) characters take about a full em; Latin about half.
    return sum(
        FONT_SIZE if unicodedata.east_asian_width(char) in "WF" else FONT_SIZE * 0.58
        for char in text
    )


def fit(text: str, width: float) -> str:
    """`text`, shortened with an ellipsis to fit `width` pixels."""
    if _text_width(text) <= width:
        return text
    kept = ""
    for char in text:
        if _text_width(kept + char + "…") > width:
            break
        kept += char
    return kept + "…"


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def bar_chart(bars: Sequence[Bar], *, chart_id: str, title: str, description: str) -> Markup:
    """An accessible horizontal bar chart of `bars`, scaled to the largest value or capacity."""
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    largest = max([1.0, *(b.value for b in bars), *(b.capacity or 0.0 for b in bars)])
    height = PADDING * 2 + ROW_HEIGHT * max(1, len(bars))
    parts = [
        Markup(
            '<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{id}" '
            'viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
            'aria-labelledby="{id}-title {id}-desc" font-size="{fs}" fill="{ink}">'
            '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        ).format(
            id=chart_id,
            w=WIDTH,
            h=height,
            fs=FONT_SIZE,
            ink=TEXT_COLOUR,
            title=title,
            desc=description,
        )
    ]
    for index, bar in enumerate(bars):
        top = PADDING + index * ROW_HEIGHT
        bar_top = top + (ROW_HEIGHT - BAR_HEIGHT) / 2
        text_y = top + ROW_HEIGHT / 2 + FONT_SIZE * 0.35
        length = plot * max(0.0, bar.value) / largest
        parts.append(
            Markup('<g class="chart-row"><title>{label}: {shown}</title>').format(
                label=bar.label, shown=bar.shown
            )
        )
        parts.append(
            Markup(
                '<text x="{x}" y="{y}" text-anchor="end" class="chart-label">{text}</text>'
            ).format(x=LABEL_WIDTH - 8, y=_number(text_y), text=fit(bar.label, LABEL_WIDTH - 12))
        )
        if bar.capacity is not None:
            parts.append(
                Markup(
                    '<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="2" '
                    'fill="{fill}" class="chart-track"/>'
                ).format(
                    x=LABEL_WIDTH,
                    y=_number(bar_top),
                    w=_number(plot * bar.capacity / largest),
                    h=BAR_HEIGHT,
                    fill=TRACK_COLOUR,
                )
            )
        parts.append(
            Markup(
                '<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="2" '
                'fill="{fill}" class="chart-bar"/>'
            ).format(
                x=LABEL_WIDTH, y=_number(bar_top), w=_number(length), h=BAR_HEIGHT, fill=BAR_COLOUR
            )
        )
        value_x = LABEL_WIDTH + max(length, plot * (bar.capacity or 0.0) / largest) + 6
        parts.append(
            Markup('<text x="{x}" y="{y}" class="chart-value">{shown}</text></g>').format(
                x=_number(value_x), y=_number(text_y), shown=bar.shown
            )
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)
