"""The dashboard and report pages, each figure's CSV, the quarterly report's PDF, and the
JSON API: all of them show what `figures` computes, for the scope `scope.choose` allows."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import anyio
import msgspec
from litestar import Controller, Request, Response, get
from litestar.params import FromPath, QueryParameter

from incubator.dashboard import schemas
from incubator.dashboard.charts import svg
from incubator.dashboard.policy import (
    Choice,
    choose,
    default_range,
    months_back,
    parse_quarter,
    parse_range,
)
from incubator.dashboard.report_pdf import report_pdf
from incubator.dashboard.services import figures as F
from incubator.downloads.csv_files import csv_response
from incubator.errors import BadParameter, NotFound
from incubator.i18n import gettext, named, today_hk
from incubator.web import errors_for_form, language_of, page, signed_in, viewer_of

FromDay = Annotated[str, QueryParameter(name="from", description="first day, YYYY-MM-DD")]
ToDay = Annotated[str, QueryParameter(name="to", description="last day, YYYY-MM-DD")]
CentreSlug = Annotated[
    str, QueryParameter(description="a centre or hub's slug; blank: all the viewer may see")
]
Quarter = Annotated[str, QueryParameter(description="e.g. 2026-Q3; blank: the last quarter ended")]

PRESETS = (("3", "Last 3 months"), ("12", "Last 12 months"), ("ytd", "This year"))


class Panel(msgspec.Struct):
    """A figure as a page shows it: translated names, its chart and its download link."""

    figure: schemas.Figure
    title: str
    note: str
    series: dict[str, str]
    chart: Any
    csv: str


def _label(lang: str):
    def label(row: schemas.Row) -> str:
        return named(lang, row.name_en, row.name_zh)

    return label


def panels(figures: list[schemas.Figure], lang: str, query: str) -> list[Panel]:
    label = _label(lang)
    result = []
    for figure in figures:
        title = gettext(lang, figure.title)
        summary = ", ".join(
            f"{label(r)}: "
            + " / ".join(
                f"{schemas.value_text(r.values.get(s))} {gettext(lang, schemas.SERIES[s])}"
                for s in figure.plotted
            )
            for r in figure.rows[:24]
        )
        result.append(
            Panel(
                figure=figure,
                title=title,
                note=gettext(lang, figure.note) if figure.note else "",
                series={s: gettext(lang, schemas.SERIES[s]) for s in figure.series},
                chart=svg(figure, label, title, summary),
                csv=f"/dashboard/csv/{figure.key}?{query}",
            )
        )
    return result


def _query(choice: Choice) -> str:
    from urllib.parse import urlencode

    scope = choice.scope
    params = {"from": scope.starts_on.isoformat(), "to": scope.ends_on.isoformat()}
    if choice.centre:
        params["centre"] = choice.centre
    return urlencode(params)


def presets(today: date) -> list[dict[str, str]]:
    """Ranges offered as links: the last 3 and 12 months, and this year so far."""
    result = []
    for key, name in PRESETS:
        first = date(today.year, 1, 1) if key == "ytd" else months_back(today, int(key))
        result.append({"name": name, "from": first.isoformat(), "to": today.isoformat()})
    return result


async def one_figure(
    request: Request, key: str, first: str, last: str, centre: str
) -> tuple[Choice, schemas.Figure]:
    """One figure by its key, for the scope and range asked (the CSV and the API)."""
    if key not in F.FIGURES:
        raise NotFound(f"no figure is called {key[:60]!r}")
    choice = await choose(viewer_of(request), centre, *parse_range(first, last))
    return choice, await F.FIGURES[key](choice.scope)


class DashboardPages(Controller):
    path = "/dashboard"
    include_in_schema = False

    @get("/")
    async def dashboard(
        self, request: Request, first: FromDay = "", last: ToDay = "", centre: CentreSlug = ""
    ) -> Response:
        viewer = signed_in(request)
        try:
            start, end = parse_range(first, last)
            choice = await choose(viewer, centre, start, end)
        except BadParameter as exc:
            errors = errors_for_form(exc)
            fallback = await choose(viewer, "", *default_range())
            return page(
                "dashboard/index.html",
                400,
                choice=fallback,
                values={"from": first, "to": last, "centre": centre},
                errors=errors,
                panels=[],
                presets=presets(today_hk()),
                query="",
                value_text=schemas.value_text,
            )
        query = _query(choice)
        found = await F.all_figures(choice.scope)
        return page(
            "dashboard/index.html",
            choice=choice,
            values={"from": start.isoformat(), "to": end.isoformat(), "centre": choice.centre},
            errors={},
            panels=panels(found, language_of(request), query),
            presets=presets(today_hk()),
            query=query,
            value_text=schemas.value_text,
        )

    @get("/csv/{key:str}")
    async def csv(
        self,
        request: Request,
        key: FromPath[str],
        first: FromDay = "",
        last: ToDay = "",
        centre: CentreSlug = "",
    ) -> Response:
        choice, figure = await one_figure(request, key, first, last, centre)
        scope = choice.scope
        lang = language_of(request)
        # For people: each column named in the reader's language, names in both (the JSON
        # of /api/dashboard keeps the stable keys).
        series = [gettext(lang, schemas.SERIES[s]) for s in figure.series]
        return csv_response(
            f"{key}_{choice.centre or 'all'}_{scope.starts_on}_{scope.ends_on}.csv",
            [gettext(lang, "Name (English)"), gettext(lang, "Name (Chinese)"), *series],
            [[r.name_en, r.name_zh, *(r.values.get(s) for s in figure.series)] for r in figure.rows]
            + [["Total", "總計", *(figure.total.get(s) for s in figure.series)]],
        )


class ReportPages(Controller):
    path = "/reports"
    include_in_schema = False

    @get("/quarterly")
    async def quarterly(
        self, request: Request, quarter: Quarter = "", centre: CentreSlug = ""
    ) -> Response:
        viewer = signed_in(request)
        label, start, end = parse_quarter(quarter)
        choice = await choose(viewer, centre, start, end)
        query = _query(choice)
        return page(
            "dashboard/quarterly.html",
            choice=choice,
            quarter=label,
            quarters=sorted({label, *recent_quarters(today_hk())}, reverse=True),
            panels=panels(await F.all_figures(choice.scope), language_of(request), query),
            pdf=f"/reports/quarterly.pdf?quarter={label}"
            + (f"&centre={choice.centre}" if choice.centre else ""),
            scope_name=_scope_name(choice, language_of(request)),
            value_text=schemas.value_text,
        )

    @get("/quarterly.pdf")
    async def quarterly_pdf(
        self, request: Request, quarter: Quarter = "", centre: CentreSlug = ""
    ) -> Response:
        label, start, end = parse_quarter(quarter)
        choice = await choose(viewer_of(request), centre, start, end)
        lang = language_of(request)
        content = await anyio.to_thread.run_sync(
            report_pdf,
            await F.all_figures(choice.scope),
            lang,
            f"{gettext(lang, 'Quarterly report')} {label}",
            _scope_name(choice, lang),
            choice.scope,
        )
        return Response(
            content=content,
            media_type="application/pdf",
            headers={
                "Content-Disposition": (
                    f'attachment; filename="report_{choice.centre or "park"}_{label}.pdf"'
                ),
                "Cache-Control": "no-store",
            },
        )


def recent_quarters(today: date, count: int = 8) -> list[str]:
    year, quarter = today.year, (today.month - 1) // 3 + 1
    result = []
    for _ in range(count):
        result.append(f"{year}-Q{quarter}")
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return result


def _scope_name(choice: Choice, lang: str) -> str:
    if choice.whole_park:
        return gettext(lang, "The whole park")
    return ", ".join(named(lang, c.name_en, c.name_zh) for c in choice.chosen)


class Dashboard(msgspec.Struct):
    centres: list[str] | None  # slugs; None is the whole park
    starts_on: date
    ends_on: date
    day: date  # the day snapshot figures describe
    figures: list[schemas.Figure]


class DashboardApi(Controller):
    path = "/api/dashboard"
    tags = ["dashboard"]

    @get("/", summary="Every figure of the dashboard for a scope and range (staff)")
    async def everything(
        self, request: Request, first: FromDay = "", last: ToDay = "", centre: CentreSlug = ""
    ) -> Dashboard:
        choice = await choose(viewer_of(request), centre, *parse_range(first, last))
        return _dashboard(choice, await F.all_figures(choice.scope))

    @get(
        "/{key:str}",
        summary="One figure of the dashboard (staff)",
        description="key: " + ", ".join(F.FIGURES),
    )
    async def one(
        self,
        request: Request,
        key: FromPath[str],
        first: FromDay = "",
        last: ToDay = "",
        centre: CentreSlug = "",
    ) -> Dashboard:
        choice, figure = await one_figure(request, key, first, last, centre)
        return _dashboard(choice, [figure])


def _dashboard(choice: Choice, figures: list[schemas.Figure]) -> Dashboard:
    scope = choice.scope
    slugs = None if scope.centres is None else [c.slug for c in choice.chosen]
    return Dashboard(slugs, scope.starts_on, scope.ends_on, scope.day, figures)
