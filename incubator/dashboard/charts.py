"""Charts drawn on the server as SVG: horizontal bars (one series, or several end to end)
and grouped columns for months and quarters. No script and nothing fetched; the colours come
from the stylesheet (classes s0, s1, s2) so print and screen can differ."""

from __future__ import annotations

import math
from collections.abc import Callable

from markupsafe import Markup

from incubator.dashboard.schemas import Figure, Row

WIDTH = 640
LABEL_WIDTH = 190
VALUE_WIDTH = 70
ROW_HEIGHT = 26
COLUMN_HEIGHT = 220
BAR = Markup('<rect class="s{}" x="{:.1f}" y="{}" width="{:.1f}" height="16"/>')
COLUMN_LABEL = Markup('<text class="axis" x="{:.1f}" y="{}" text-anchor="middle">{}</text>')


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _nice_top(value: float) -> float:
    """The top of the axis: four gridline steps of 1, 2 or 5 × 10ⁿ (at least 1) that reach
    the value, so the gridlines read 0, 5, 10, 15, 20 rather than 0, 1.2, 2.5."""
    need = max(value, 1) / 4
    power = 10 ** math.floor(math.log10(need)) if need >= 1 else 1
    for step in (1, 2, 5, 10):
        if step * power >= need:
            return 4 * step * power
    return 40 * power


def plotted(row: Row, series: list[str]) -> list[float]:
    """A row's values of `series` as drawn: numbers, none below zero (the PDF's too)."""
    return [max(float(row.values.get(s) or 0), 0.0) for s in series]


def svg(figure: Figure, label: Callable[[Row], str], title: str, summary: str) -> Markup:
    """The figure's chart; `label` names a row in the reader's language."""
    if figure.chart == "columns":
        body, height = _columns(figure, label)
    else:
        body, height = _bars(figure, label)
    return Markup(
        '<svg class="chart-svg" viewBox="0 0 {w} {h}" width="100%" role="img" '
        'aria-labelledby="chart-{key}-t chart-{key}-d" xmlns="http://www.w3.org/2000/svg">'
        '<title id="chart-{key}-t">{title}</title><desc id="chart-{key}-d">{summary}</desc>'
        "{body}</svg>"
    ).format(w=WIDTH, h=height, key=figure.key, title=title, summary=summary, body=body)


def _bars(figure: Figure, label: Callable[[Row], str]) -> tuple[Markup, int]:
    rows = figure.rows
    top = max((sum(plotted(r, figure.plotted)) for r in rows), default=0) or 1
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    parts = []
    for i, row in enumerate(rows):
        y = 4 + i * ROW_HEIGHT
        name = label(row)
        parts.append(
            Markup(
                '<text class="axis" x="{}" y="{}" text-anchor="end"><title>{}</title>{}</text>'
            ).format(LABEL_WIDTH - 8, y + 15, name, _short(name))
        )
        x = float(LABEL_WIDTH)
        values = plotted(row, figure.plotted)
        for s, value in enumerate(values):
            width = span * value / top
            if width > 0:
                parts.append(BAR.format(s, x, y + 3, width))
            x += width
        parts.append(
            Markup('<text class="value" x="{:.1f}" y="{}">{}</text>').format(
                x + 6, y + 15, _number(sum(values))
            )
        )
    return Markup("").join(parts), max(len(rows), 1) * ROW_HEIGHT + 8


def _columns(figure: Figure, label: Callable[[Row], str]) -> tuple[Markup, int]:
    rows, series = figure.rows, figure.plotted
    top = _nice_top(max((max(plotted(r, series), default=0) for r in rows), default=0))
    left, bottom, plot_top = 48, COLUMN_HEIGHT - 28, 10
    span = bottom - plot_top
    parts = []
    for tick in range(5):
        value = top * tick / 4
        y = bottom - span * tick / 4
        parts.append(
            Markup(
                '<line class="grid" x1="{l}" x2="{r}" y1="{y:.1f}" y2="{y:.1f}"/>'
                '<text class="axis" x="{t}" y="{ty:.1f}" text-anchor="end">{v}</text>'
            ).format(l=left, r=WIDTH - 4, y=y, t=left - 6, ty=y + 4, v=_number(value))
        )
    slot = (WIDTH - left - 8) / max(len(rows), 1)
    bar = max(min(slot * 0.8 / max(len(series), 1), 28), 1)
    every = math.ceil(len(rows) / 6) or 1  # at most six labels under the columns
    for i, row in enumerate(rows):
        x0 = left + i * slot + (slot - bar * len(series)) / 2
        for s, value in enumerate(plotted(row, series)):
            height = span * value / top
            parts.append(
                Markup(
                    '<rect class="s{}" x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}">'
                    "<title>{}: {}</title></rect>"
                ).format(s, x0 + s * bar, bottom - height, bar, height, label(row), _number(value))
            )
        if i % every == 0:
            parts.append(COLUMN_LABEL.format(left + (i + 0.5) * slot, bottom + 16, label(row)))
    return Markup("").join(parts), COLUMN_HEIGHT
