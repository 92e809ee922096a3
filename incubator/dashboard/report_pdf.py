"""The quarterly report as an A4 PDF: for each figure its title, a bar for each row and the
numbers beside it, from the same `Figure`s the pages show. Chinese names use the standard
CJK font readers supply (as the academy's certificates do), so nothing is embedded."""

from __future__ import annotations

from datetime import date
from typing import BinaryIO

from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from events.academy.certificate_pdf import cjk_font
from incubator.dashboard.schemas import SERIES, Figure, Scope, Value, value_text

BAR_COLOURS = (colors.HexColor("#0b5fa5"), colors.HexColor("#f5a623"), colors.HexColor("#4a9d5b"))


def _cell(value: Value) -> str:
    return value_text(value, blank="-")


def _bar(figure: Figure, values: dict, top: float, width: float) -> Drawing:
    drawing = Drawing(width, 9)
    x = 0.0
    for i, series in enumerate(figure.plotted):
        part = width * max(float(values.get(series) or 0), 0) / top if top else 0
        if part > 0:
            drawing.add(
                Rect(x, 1, part, 7, fillColor=BAR_COLOURS[i % 3], strokeColor=None, strokeWidth=0)
            )
        x += part
    return drawing


def _figure_table(figure: Figure, font: str) -> Table:
    stacked = figure.chart != "columns"
    top = max(
        (
            (sum if stacked else max)(float(r.values.get(s) or 0) for s in figure.plotted)
            for r in figure.rows
        ),
        default=0,
    )
    header = ["", "", *(SERIES[s] for s in figure.series)]
    body = [
        [
            f"{r.name_en}" + (f" {r.name_zh}" if r.name_zh and r.name_zh != r.name_en else ""),
            _bar(figure, r.values, top, 45 * mm),
            *(_cell(r.values.get(s)) for s in figure.series),
        ]
        for r in figure.rows
    ] or [["(nothing in this range)", "", *("" for _ in figure.series)]]
    total = ["Total", "", *(_cell(figure.total.get(s)) for s in figure.series)]
    table = Table([header, *body, total], repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 8),
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
                ("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 8),
                ("ALIGN", (2, 0), (-1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.grey),
                ("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def report_pdf(
    figures: list[Figure], title: str, scope_name: str, scope: Scope, out: BinaryIO
) -> None:
    font = cjk_font()
    styles = getSampleStyleSheet()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        title=title,
        author="Cyberport community management system",
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
    )
    story = [
        Paragraph(title, styles["Title"]),
        Paragraph(
            f"{scope_name} &middot; {scope.starts_on:%d %b %Y} to {scope.ends_on:%d %b %Y} "
            f"&middot; figures on {scope.day:%d %b %Y} where a figure is a snapshot "
            f"&middot; made {date.today():%d %b %Y}",
            styles["Normal"],
        ),
        Spacer(1, 6 * mm),
    ]
    for figure in figures:
        story.append(Paragraph(figure.title, styles["Heading2"]))
        story.append(_figure_table(figure, font))
        if figure.note:
            story.append(Paragraph(figure.note, styles["Italic"]))
        story.append(Spacer(1, 4 * mm))
    doc.build(story)
