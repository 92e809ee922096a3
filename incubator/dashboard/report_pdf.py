"""The quarterly report as an A4 PDF in the reader's language: for each figure its title, a
bar for each row and the numbers beside it, from the same `Figure`s the pages show.

Each row is laid out in fixed columns (name, bar, one column per value), the name wrapped
within its column and the row as tall as its longest cell, so labels, bars and numbers never
overlap. Text is drawn in the embedded font of `incubator.pdf`."""

from __future__ import annotations

from incubator.dashboard.charts import plotted
from incubator.dashboard.schemas import SERIES, Figure, Row, Scope, Value, value_text
from incubator.i18n import gettext, named, today_hk
from incubator.pdf import Document

BAR_COLOURS = ((11, 95, 165), (245, 166, 35), (74, 157, 91))
MARGIN = 45.0
SIZE = 8.0
LINE = 12.0
NAME_WIDTH = 150.0
BAR_WIDTH = 90.0
GAP = 6.0


class _Report:
    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.pdf = Document()
        self.pdf.add_page()
        self.y = MARGIN
        self.width = self.pdf.w - 2 * MARGIN
        self.header: tuple | None = None  # a table's heading row, repeated on a new page

    def _(self, message: str) -> str:
        return gettext(self.lang, message)

    def room(self, height: float) -> bool:
        return self.y + height <= self.pdf.h - MARGIN

    def new_page(self) -> None:
        self.pdf.add_page()
        self.y = MARGIN

    def lines(self, text: str, width: float) -> list[str]:
        if not text:
            return [""]
        return self.pdf.multi_cell(width, LINE, text, dry_run=True, output="LINES")

    def paragraph(self, text: str, size: float, bold: bool = False) -> None:
        self.pdf.use(size, bold)
        height = size * 1.35
        for line in self.lines(text, self.width):
            if not self.room(height):
                self.new_page()
            self.pdf.text(MARGIN, self.y + size, line)
            self.y += height

    def row(self, cells: list[str], widths: list[float], bold: bool, bar=None) -> None:
        """One table row: the first cell wrapped at the left, the others right-aligned."""
        self.pdf.use(SIZE, bold)
        wrapped = [self.lines(text, width - GAP) for text, width in zip(cells, widths, strict=True)]
        height = max(len(lines) for lines in wrapped) * LINE + 4
        if not self.room(height):
            self.new_page()
            if self.header:
                self.row(*self.header)
            self.pdf.use(SIZE, bold)
        x = MARGIN
        for i, (lines, width) in enumerate(zip(wrapped, widths, strict=True)):
            for n, line in enumerate(lines):
                baseline = self.y + 2 + SIZE + n * LINE
                if i == 0:
                    self.pdf.text(x, baseline, line)
                else:
                    self.pdf.text(x + width - self.pdf.get_string_width(line), baseline, line)
            x += width
        if bar:
            bar(MARGIN + widths[0], self.y + 2 + (LINE - 7) / 2 + 1)
        self.y += height

    def rule(self) -> None:
        self.pdf.set_draw_color(150, 150, 150)
        self.pdf.set_line_width(0.5)
        self.pdf.line(MARGIN, self.y, MARGIN + self.width, self.y)

    def figure(self, figure: Figure) -> None:
        if not self.room(80):
            self.new_page()
        self.y += 8
        self.paragraph(self._(figure.title), 12, bold=True)
        self.y += 2
        stacked = figure.chart != "columns"
        top = max(
            ((sum if stacked else max)(plotted(r, figure.plotted)) for r in figure.rows),
            default=0,
        )
        value_width = (self.width - NAME_WIDTH - BAR_WIDTH) / max(len(figure.series), 1)
        widths = [NAME_WIDTH, BAR_WIDTH, *(value_width for _ in figure.series)]
        self.header = (["", "", *(self._(SERIES[s]) for s in figure.series)], widths, True)
        self.row(*self.header)
        self.rule()
        for r in figure.rows:
            cells = [named(self.lang, r.name_en, r.name_zh), ""]
            cells += [_cell(r.values.get(s)) for s in figure.series]
            self.row(cells, widths, False, bar=self.bar_of(figure, r, top, stacked))
        if not figure.rows:
            self.row([self._("Nothing in this range."), ""], widths[:2], False)
        self.rule()
        total = [self._("Total"), "", *(_cell(figure.total.get(s)) for s in figure.series)]
        self.row(total, widths, True)
        self.header = None
        if figure.note:
            self.paragraph(self._(figure.note), SIZE)

    def bar_of(self, figure: Figure, row: Row, top: float, stacked: bool):
        """A row's bar: its series end to end when stacked, else one thin bar each."""
        thickness = 7 if stacked else 7 / max(len(figure.plotted), 1)

        def draw(x: float, y: float) -> None:
            for i, value in enumerate(plotted(row, figure.plotted)):
                part = (BAR_WIDTH - GAP) * value / top if top else 0
                if part > 0:
                    self.pdf.set_fill_color(*BAR_COLOURS[i % 3])
                    self.pdf.rect(x, y, part, thickness, style="F")
                if stacked:
                    x += part
                else:
                    y += thickness

        return draw


def _cell(value: Value) -> str:
    return value_text(value, blank="-")


def report_pdf(
    figures: list[Figure], lang: str, title: str, scope_name: str, scope: Scope
) -> bytes:
    report = _Report(lang)
    report.pdf.set_title(title)
    report.pdf.set_author("Cyberport community management system")
    report.paragraph(title, 18, bold=True)
    report.paragraph(
        f"{scope_name} · {scope.starts_on.isoformat()} – {scope.ends_on.isoformat()} · "
        + report._("Snapshot figures on {day}").format(day=scope.day.isoformat())
        + " · "
        + report._("Made {day}").format(day=today_hk().isoformat()),
        9,
    )
    for figure in figures:
        report.figure(figure)
    return report.pdf.bytes()
