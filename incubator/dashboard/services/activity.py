"""Figures of what happens in the park: events, the academy, referrals, MOUs expiring."""

from __future__ import annotations

from datetime import timedelta

from events.academy.services import completion
from incubator import db
from incubator.dashboard.schemas import TITLES, Figure, Row, Scope
from incubator.dashboard.services.aggregates import (
    MOU_WINDOW_DAYS,
    in_scope,
    month_rows,
    totals,
    whole,
)
from incubator.i18n import today_hk
from incubator.partners.services.conditions import MOU_IN_FORCE
from incubator.startups.tables import Centre


async def events(scope: Scope) -> Figure:
    month = db.hk_month("e.starts_at", instant=True)
    within, ids = db.among("e.centre", scope.centres)
    start, until = scope.instants
    found = await Centre.raw(
        f"SELECT {month} AS month, COUNT(*) AS events, "
        "SUM(COALESCE(t.confirmed, 0)) AS registered, "
        "SUM(COALESCE(t.confirmed_checked_in, 0)) AS attended "
        "FROM event e LEFT JOIN event_tally t ON t.event = e.id "
        "WHERE e.kind = 'event' AND e.status = 'published' "
        f"AND e.starts_at >= {{}} AND e.starts_at < {{}}{within} GROUP BY 1",
        start,
        until,
        *ids,
    )
    series = ["events", "registered", "attended"]
    rows = month_rows(scope, {r["month"]: r for r in found}, series)
    return Figure(
        "events",
        TITLES["events"],
        "columns",
        series,
        ["registered", "attended"],
        rows,
        totals(rows, series),
        "Published events starting in the month (Hong Kong time), their confirmed "
        "registrations and the people checked in.",
    )


async def academy(scope: Scope) -> Figure:
    found = await completion.figures(centres=scope.centres, between=scope.instants)
    series = ["runs", "participants", "certificates", "completion_rate"]
    rows = [
        Row(q.key[0], q.key[0], q.key[0], {s: getattr(q, s) for s in series})
        for q in found.quarters
    ]
    total = found.total
    return Figure(
        "academy",
        TITLES["academy"],
        "columns",
        series,
        ["participants", "certificates"],
        rows,
        {s: getattr(total, s) for s in series},
        "Course runs starting in the range, by quarter; completion rate: certificates over "
        "participants of runs that have ended.",
    )


async def referrals(scope: Scope) -> Figure:
    within, args = in_scope(scope, "r.startup")
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
        Row(str(r["id"]), r["name"], r["name_zh"], {s: whole(r[s]) for s in series}) for r in found
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
        totals(rows, series),
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
