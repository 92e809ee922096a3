"""The park's figures: the one definition of each number the dashboard, the API, the CSV
downloads and the quarterly report show. Every figure is aggregated in SQL for a `Scope`
(some centres or the whole park, and a range of days) and returned as a `Figure`: labelled
rows of values, the series a chart draws, and the totals."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import msgspec

from centres.services import occupancy as occupancy_figures
from events.academy.services import completion
from incubator import db
from incubator.i18n import HONG_KONG, gettext, today_hk
from incubator.partners.services.conditions import MOU_IN_FORCE
from incubator.startups.services.onsite import ONSITE_STARTUPS
from incubator.startups.tables import STAGE_NAMES, Centre, Stage

# A count, a rate or nothing; declared as a JSON number (an integer is one too).
Value = float | None

# A figure's and a series' names, in English; pages and reports translate them.
TITLES = {
    "startups-by-centre": "Start-ups by centre and hub",
    "startups-by-cluster": "Start-ups by cluster",
    "startups-by-stage": "Start-ups by stage",
    "onsite-offsite": "Onsite and offsite start-ups",
    "occupancy": "Occupancy by centre",
    "leases-ending": "Leases ending per month",
    "events": "Events and attendance per month",
    "academy": "Academy participants and completions per quarter",
    "referrals": "Referrals per partner park",
    "mous-expiring": "MOUs expiring in the next 180 days",
}
SERIES = {
    "startups": "Start-ups",
    "onsite": "Onsite",
    "offsite": "Offsite",
    "units": "Units",
    "occupied_units": "Occupied units",
    "vacant_units": "Vacant units",
    "unit_rate": "Units occupied",
    "area_rate": "Area occupied",
    "ending": "Leases ending",
    "renewed": "Renewed",
    "not_renewed": "Not renewed",
    "events": "Events",
    "registered": "Registered",
    "attended": "Attended",
    "runs": "Runs",
    "participants": "Participants",
    "certificates": "Certificates",
    "completion_rate": "Completion rate",
    "outbound": "Outbound",
    "inbound": "Inbound",
    "landed": "Landed",
    "days_left": "Days left",
    "share": "Share",
}
MOU_WINDOW_DAYS = 180


@dataclass(frozen=True, slots=True)
class Scope:
    """What a figure covers: the centres (None: the whole park) and the days, both included.

    Snapshot figures (start-ups, onsite, occupancy) describe the range's last day, or today
    when the range runs into the future."""

    centres: tuple[int, ...] | None
    starts_on: date
    ends_on: date

    @property
    def day(self) -> date:
        return min(self.ends_on, today_hk())

    @property
    def instants(self) -> tuple[datetime, datetime]:
        """From the first day's Hong Kong midnight to the midnight after the last day."""
        return _midnight(self.starts_on), _midnight(self.ends_on + timedelta(days=1))

    def months(self) -> list[str]:
        """Every month the range touches, as YYYY-MM."""
        months, year, month = [], self.starts_on.year, self.starts_on.month
        while (year, month) <= (self.ends_on.year, self.ends_on.month):
            months.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months


class Row(msgspec.Struct):
    key: str
    name_en: str
    name_zh: str = ""
    values: dict[str, Value] = {}


class Figure(msgspec.Struct):
    key: str
    title: str
    chart: str  # "bars" (one bar a row), "stacked" (a row's series end to end), "columns"
    series: list[str]  # the values of each row, in column order
    plotted: list[str]  # the series the chart draws
    rows: list[Row]
    total: dict[str, Value]
    note: str = ""


def value_text(value: Value, blank: str = "—") -> str:
    """A figure's value as people read it: a rate (a float up to 1) as a percentage, other
    numbers with thousands separators; the page, the chart summaries and the PDF use it."""
    if value is None:
        return blank
    if isinstance(value, float):
        return f"{value:.1%}" if value <= 1 else f"{value:,.1f}"
    return f"{value:,}"


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), HONG_KONG).astimezone(UTC)


def _month_of(column: str, instant: bool) -> str:
    """SQL for the Hong Kong month (YYYY-MM) of a timestamp or date column."""
    if db.is_postgres():
        local = f"({column} AT TIME ZONE 'Asia/Hong_Kong')" if instant else column
        return f"to_char({local}, 'YYYY-MM')"
    # Hong Kong has kept UTC+8 all year since 1979.
    return f"strftime('%Y-%m', {column}, '+8 hours')" if instant else f"strftime('%Y-%m', {column})"


def _zh(text: str) -> str:
    return gettext("zh-Hant", text)


def _int(value: Any) -> int:
    return int(value or 0)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _sum(rows: list[Row], series: list[str]) -> dict[str, Value]:
    return {s: sum(_int(r.values.get(s)) for r in rows) for s in series}


def _in_scope(scope: Scope, column: str = "s.id") -> tuple[str, list[Any]]:
    """Active start-ups affiliated with one of the scope's centres (any, for the park)."""
    if scope.centres is None:
        return "", []
    within, ids = db.among("a.centre", scope.centres)
    return (
        f" AND {column} IN (SELECT a.startup FROM startup_affiliation a WHERE 1 = 1{within})",
        ids,
    )


async def _centres(scope: Scope) -> list[dict]:
    query = Centre.select(Centre.id, Centre.slug, Centre.kind, Centre.name_en, Centre.name_zh)
    if scope.centres is not None:
        query = query.where(Centre.id.is_in(list(scope.centres) or [-1]))
    return await query.order_by(Centre.sort_order).order_by(Centre.id)


def _by_month(scope: Scope, found: dict[str, dict], series: list[str]) -> list[Row]:
    """One row per month of the range, zero where nothing happened."""
    rows = []
    for month in scope.months():
        values = found.get(month, {})
        rows.append(Row(month, month, month, {s: _int(values.get(s)) for s in series}))
    return rows


# ----------------------------------------------------------------- the community


async def startups_by_centre(scope: Scope) -> Figure:
    community = await occupancy_figures.community_figures(scope.centres, scope.day)
    rows = []
    for c in await _centres(scope):
        found = community.get(c["id"], {})
        rows.append(
            Row(
                c["slug"],
                c["name_en"],
                c["name_zh"],
                {s: _int(found.get(s)) for s in ("startups", "onsite", "offsite")},
            )
        )
    return Figure(
        "startups-by-centre",
        TITLES["startups-by-centre"],
        "stacked",
        ["startups", "onsite", "offsite"],
        ["onsite", "offsite"],
        rows,
        _sum(rows, ["startups", "onsite", "offsite"]),
        "Active start-ups affiliated with each centre or hub on the day; a start-up "
        "affiliated with two is counted in both.",
    )


async def startups_by_cluster(scope: Scope) -> Figure:
    within, args = _in_scope(scope)
    # Walk the active start-ups (an index) and their clusters; SQLite keeps a CROSS JOIN's order.
    counted = await Centre.raw(
        "SELECT sc.cluster, COUNT(*) AS n FROM startup s CROSS JOIN startup_cluster sc "
        f"WHERE sc.startup = s.id AND s.status = 'active'{within} GROUP BY sc.cluster",
        *args,
    )
    counts = {r["cluster"]: _int(r["n"]) for r in counted}
    clusters = await Centre.raw("SELECT id, slug, name_en, name_zh FROM cluster")
    rows = sorted(
        (
            Row(c["slug"], c["name_en"], c["name_zh"], {"startups": counts.get(c["id"], 0)})
            for c in clusters
        ),
        key=lambda r: (-_int(r.values["startups"]), r.name_en),
    )
    return Figure(
        "startups-by-cluster",
        TITLES["startups-by-cluster"],
        "bars",
        ["startups"],
        ["startups"],
        rows,
        await _active_total(scope),
        "Active start-ups in each cluster; a start-up in two clusters is counted in both, so "
        "the total counts each start-up once.",
    )


async def _active_total(scope: Scope) -> dict[str, Value]:
    within, args = _in_scope(scope)
    found = await Centre.raw(
        f"SELECT COUNT(*) AS n FROM startup s WHERE s.status = 'active'{within}", *args
    )
    return {"startups": _int(found[0]["n"])}


async def startups_by_stage(scope: Scope) -> Figure:
    within, args = _in_scope(scope)
    found = await Centre.raw(
        f"SELECT s.stage, COUNT(*) AS n FROM startup s WHERE s.status = 'active'{within} "
        "GROUP BY s.stage",
        *args,
    )
    counts = {r["stage"]: _int(r["n"]) for r in found}
    rows = [
        Row(
            stage.value,
            STAGE_NAMES[stage.value],
            _zh(STAGE_NAMES[stage.value]),
            {"startups": counts.get(stage.value, 0)},
        )
        for stage in Stage
    ]
    return Figure(
        "startups-by-stage",
        TITLES["startups-by-stage"],
        "bars",
        ["startups"],
        ["startups"],
        rows,
        _sum(rows, ["startups"]),
    )


async def onsite_offsite(scope: Scope) -> Figure:
    within, args = _in_scope(scope)
    # the onsite ones driven from the leases in force (see occupancy.community_figures)
    total, onsite = await asyncio.gather(
        _active_total(scope),
        Centre.raw(
            f"SELECT COUNT(*) AS n FROM ({ONSITE_STARTUPS}) o CROSS JOIN startup s "
            f"WHERE s.id = o.startup AND s.status = 'active'{within}",
            scope.day,
            scope.day,
            *args,
        ),
    )
    total, onsite = _int(total["startups"]), _int(onsite[0]["n"])
    rows = [
        Row("onsite", "Onsite", _zh("Onsite"), {"startups": onsite, "share": _rate(onsite, total)}),
        Row(
            "offsite",
            "Offsite",
            _zh("Offsite"),
            {"startups": total - onsite, "share": _rate(total - onsite, total)},
        ),
    ]
    return Figure(
        "onsite-offsite",
        TITLES["onsite-offsite"],
        "bars",
        ["startups", "share"],
        ["startups"],
        rows,
        {"startups": total, "share": 1.0 if total else None},
        "Onsite: holding a lease in force on the day.",
    )


# ----------------------------------------------------------------- space


async def occupancy(scope: Scope) -> Figure:
    found = await occupancy_figures.occupancy(scope.day, scope.centres)
    series = ["units", "occupied_units", "vacant_units", "unit_rate", "area_rate"]
    rows = [
        Row(c["slug"], c["name_en"], c["name_zh"], {s: c[s] for s in series})
        for c in found["centres"]
    ]
    park = found["park"]
    return Figure(
        "occupancy",
        TITLES["occupancy"],
        "stacked",
        series,
        ["occupied_units", "vacant_units"],
        rows,
        {s: park[s] for s in series},
        "Units available for lease on the day, occupied when a lease is in force.",
    )


async def leases_ending(scope: Scope) -> Figure:
    month = _month_of("l.ends_on", instant=False)
    within, ids = db.among("u.centre", scope.centres)
    found = await Centre.raw(
        f"SELECT {month} AS month, COUNT(*) AS ending, "
        "SUM(CASE WHEN EXISTS (SELECT 1 FROM lease r WHERE r.renewal_of = l.id "
        "AND r.status <> 'draft') THEN 1 ELSE 0 END) AS renewed "
        "FROM lease l JOIN unit u ON u.id = l.unit "
        f"WHERE l.status <> 'draft' AND l.ends_on >= {{}} AND l.ends_on <= {{}}{within} "
        "GROUP BY 1",
        scope.starts_on,
        scope.ends_on,
        *ids,
    )
    by_month = {
        r["month"]: {
            "ending": r["ending"],
            "renewed": r["renewed"],
            "not_renewed": _int(r["ending"]) - _int(r["renewed"]),
        }
        for r in found
    }
    series = ["ending", "renewed", "not_renewed"]
    rows = _by_month(scope, by_month, series)
    return Figure(
        "leases-ending",
        TITLES["leases-ending"],
        "columns",
        series,
        ["renewed", "not_renewed"],
        rows,
        _sum(rows, series),
        "Leases whose last day falls in the month, and how many of them were renewed.",
    )


# ----------------------------------------------------------------- events and academy


async def events(scope: Scope) -> Figure:
    month = _month_of("e.starts_at", instant=True)
    within, ids = db.among("e.centre", scope.centres)
    start, until = scope.instants
    found = await Centre.raw(
        f"SELECT {month} AS month, COUNT(*) AS events, "
        "SUM(COALESCE(r.registered, 0)) AS registered, SUM(COALESCE(r.attended, 0)) AS attended "
        "FROM event e LEFT JOIN (SELECT event, COUNT(*) AS registered, "
        "SUM(CASE WHEN checked_in_at IS NOT NULL THEN 1 ELSE 0 END) AS attended "
        "FROM registration WHERE status = 'confirmed' GROUP BY event) r ON r.event = e.id "
        "WHERE e.kind = 'event' AND e.status = 'published' "
        f"AND e.starts_at >= {{}} AND e.starts_at < {{}}{within} GROUP BY 1",
        start,
        until,
        *ids,
    )
    series = ["events", "registered", "attended"]
    rows = _by_month(scope, {r["month"]: r for r in found}, series)
    return Figure(
        "events",
        TITLES["events"],
        "columns",
        series,
        ["registered", "attended"],
        rows,
        _sum(rows, series),
        "Published events starting in the month (Hong Kong time), their confirmed "
        "registrations and the people checked in.",
    )


async def academy(scope: Scope) -> Figure:
    found = await completion.figures(centres=scope.centres, between=scope.instants)
    series = ["runs", "participants", "certificates", "completion_rate"]
    rows = [
        Row(q["key"][0], q["key"][0], q["key"][0], {s: q[s] for s in series})
        for q in found["quarters"]
    ]
    total = found["total"]
    return Figure(
        "academy",
        TITLES["academy"],
        "columns",
        series,
        ["participants", "certificates"],
        rows,
        {s: total[s] for s in series},
        "Course runs starting in the range, by quarter; completion rate: certificates over "
        "participants of runs that have ended.",
    )


# ----------------------------------------------------------------- partners


async def referrals(scope: Scope) -> Figure:
    within, args = _in_scope(scope, "r.startup")
    start, until = scope.instants
    found = await Centre.raw(
        "SELECT p.id, p.name, p.name_zh, "
        "SUM(CASE WHEN r.direction = 'outbound' THEN 1 ELSE 0 END) AS outbound, "
        "SUM(CASE WHEN r.direction = 'inbound' THEN 1 ELSE 0 END) AS inbound, "
        "SUM(CASE WHEN r.status = 'landed' THEN 1 ELSE 0 END) AS landed "
        "FROM referral r JOIN partner_park p ON p.id = r.partner "
        f"WHERE r.created_at >= {{}} AND r.created_at < {{}}{within} "
        "GROUP BY p.id, p.name, p.name_zh ORDER BY COUNT(*) DESC, p.name",
        start,
        until,
        *args,
    )
    series = ["outbound", "inbound", "landed"]
    rows = [
        Row(str(r["id"]), r["name"], r["name_zh"], {s: _int(r[s]) for s in series}) for r in found
    ]
    note = (
        "Referrals made in the range, by direction, and how many have landed."
        if scope.centres is None
        else "Referrals of the centres' own start-ups made in the range, by direction, and "
        "how many have landed."
    )
    return Figure(
        "referrals",
        TITLES["referrals"],
        "stacked",
        series,
        ["outbound", "inbound"],
        rows,
        _sum(rows, series),
        note,
    )


async def mous_expiring(scope: Scope) -> Figure:
    day = today_hk()
    found = await Centre.raw(
        "SELECT m.id, m.title, m.expires_on, p.name, p.name_zh FROM mou m "
        f"JOIN partner_park p ON p.id = m.partner WHERE {MOU_IN_FORCE} AND m.expires_on <= {{}} "
        "ORDER BY m.expires_on, m.id",
        day,
        day,
        day + timedelta(days=MOU_WINDOW_DAYS),
    )
    rows = [
        Row(
            str(r["id"]),
            f"{r['name']}: {r['title']}",
            f"{r['name_zh'] or r['name']}：{r['title']}",
            {"days_left": (r["expires_on"] - day).days},
        )
        for r in found
    ]
    return Figure(
        "mous-expiring",
        TITLES["mous-expiring"],
        "bars",
        ["days_left"],
        ["days_left"],
        rows,
        {"days_left": None},
        "MOUs in force today that expire within 180 days, soonest first; MOUs belong to "
        "the whole park, so every scope shows them all.",
    )


FIGURES: dict[str, Callable[[Scope], Awaitable[Figure]]] = {
    "startups-by-centre": startups_by_centre,
    "startups-by-cluster": startups_by_cluster,
    "startups-by-stage": startups_by_stage,
    "onsite-offsite": onsite_offsite,
    "occupancy": occupancy,
    "leases-ending": leases_ending,
    "events": events,
    "academy": academy,
    "referrals": referrals,
    "mous-expiring": mous_expiring,
}


async def all_figures(scope: Scope) -> list[Figure]:
    """Every figure, computed at once: each query on a connection of its own (PostgreSQL's
    pool, or SQLite's reused connections, each with its own thread), so the page waits for
    the slowest figure rather than for their sum."""
    return list(await asyncio.gather(*(compute(scope) for compute in FIGURES.values())))
