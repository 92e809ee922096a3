"""Figures of the community and its space: start-ups by centre, cluster and stage, onsite and
offsite, occupancy, leases ending."""

from __future__ import annotations

import asyncio

from centres.schemas import CentreCommunity
from centres.services import occupancy as occupancy_figures
from incubator import db
from incubator.dashboard.schemas import (
    TITLES,
    Figure,
    Row,
    Scope,
    Value,
)
from incubator.dashboard.services.aggregates import (
    centres_in,
    in_scope,
    month_rows,
    rate,
    totals,
    whole,
    zh,
)
from incubator.i18n import today_hk
from incubator.startups.services.figures import centre_counts
from incubator.startups.services.onsite import ONSITE_STARTUPS, count_onsite
from incubator.startups.tables import NOT_ACTIVE_SQL, STAGE_NAMES, Centre, Stage


async def startups_by_centre(scope: Scope) -> Figure:
    community = await occupancy_figures.community_figures(scope.centres, scope.day)
    rows = []
    for c in await centres_in(scope):
        found = community.get(c.id, CentreCommunity())
        rows.append(
            Row(
                c.slug,
                c.name_en,
                c.name_zh,
                {s: whole(getattr(found, s)) for s in ("startups", "onsite", "offsite")},
            )
        )
    return Figure(
        "startups-by-centre",
        TITLES["startups-by-centre"],
        "stacked",
        ["startups", "onsite", "offsite"],
        ["onsite", "offsite"],
        rows,
        totals(rows, ["startups", "onsite", "offsite"]),
        "Active start-ups affiliated with each centre or hub on the day; a start-up "
        "affiliated with two is counted in both.",
    )


async def startups_by_cluster(scope: Scope) -> Figure:
    within, args = in_scope(scope)
    if (one := _one_centre(scope)) is not None:
        kept = await centre_counts(one, "cluster")
        counted = [{"cluster": int(value), "n": n} for value, n in kept.items()]
    elif scope.centres is None:
        # The whole park: each cluster's links (counted off their index) less those of
        # start-ups not active (few), as the home page counts centres: 84 -> 20 ms on SQLite.
        join = "JOIN" if db.is_postgres() else "CROSS JOIN"
        counted = await Centre.raw(
            "SELECT t.cluster, t.n - COALESCE(x.n, 0) AS n FROM (SELECT cluster, COUNT(*) AS n "
            "FROM startup_cluster GROUP BY cluster) t LEFT JOIN (SELECT sc.cluster, COUNT(*) "
            f"AS n FROM startup s {join} startup_cluster sc ON sc.startup = s.id "
            f"WHERE s.status IN ({NOT_ACTIVE_SQL}) GROUP BY sc.cluster) x "
            "ON x.cluster = t.cluster"
        )
    else:
        # Walk the active start-ups (an index) and their clusters; SQLite keeps a CROSS
        # JOIN's order.
        counted = await Centre.raw(
            "SELECT sc.cluster, COUNT(*) AS n FROM startup s CROSS JOIN startup_cluster sc "
            f"WHERE sc.startup = s.id AND s.status = 'active'{within} GROUP BY sc.cluster",
            *args,
        )
    counts = {r["cluster"]: whole(r["n"]) for r in counted}
    clusters = await Centre.raw("SELECT id, slug, name_en, name_zh FROM cluster")
    rows = sorted(
        (
            Row(c["slug"], c["name_en"], c["name_zh"], {"startups": counts.get(c["id"], 0)})
            for c in clusters
        ),
        key=lambda r: (-whole(r.values["startups"]), r.name_en),
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


def _one_centre(scope: Scope) -> int | None:
    """The scope's one centre, whose start-ups the database counts as they change
    (`centre_startups`); None for the park or several centres (a start-up in two of them
    must count once), which are counted from the rows."""
    return scope.centres[0] if scope.centres is not None and len(scope.centres) == 1 else None


async def _active_total(scope: Scope) -> dict[str, Value]:
    if (one := _one_centre(scope)) is not None:
        return {"startups": (await centre_counts(one, "all")).get("", 0)}
    within, args = in_scope(scope)
    found = await Centre.raw(
        f"SELECT COUNT(*) AS n FROM startup s WHERE s.status = 'active'{within}", *args
    )
    return {"startups": whole(found[0]["n"])}


async def startups_by_stage(scope: Scope) -> Figure:
    if (one := _one_centre(scope)) is not None:
        counts = await centre_counts(one, "stage")
    else:
        within, args = in_scope(scope)
        found = await Centre.raw(
            f"SELECT s.stage, COUNT(*) AS n FROM startup s WHERE s.status = 'active'{within} "
            "GROUP BY s.stage",
            *args,
        )
        counts = {r["stage"]: whole(r["n"]) for r in found}
    rows = [
        Row(
            stage.value,
            STAGE_NAMES[stage.value],
            zh(STAGE_NAMES[stage.value]),
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
        totals(rows, ["startups"]),
    )


async def onsite_offsite(scope: Scope) -> Figure:
    total, onsite = await asyncio.gather(_active_total(scope), _onsite_count(scope))
    total = whole(total["startups"])
    rows = [
        Row("onsite", "Onsite", zh("Onsite"), {"startups": onsite, "share": rate(onsite, total)}),
        Row(
            "offsite",
            "Offsite",
            zh("Offsite"),
            {"startups": total - onsite, "share": rate(total - onsite, total)},
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


async def _onsite_count(scope: Scope) -> int:
    """The scope's active start-ups onsite on its day: for the whole park as the home page
    counts them; for one centre today as the database keeps it; otherwise driven from the
    leases in force (see occupancy.community_figures)."""
    if scope.centres is None:
        return await count_onsite(scope.day)
    if (one := _one_centre(scope)) is not None and scope.day == today_hk():
        return (await occupancy_figures.onsite_today([one])).get(one, 0)
    within, args = in_scope(scope)
    found = await Centre.raw(
        f"SELECT COUNT(*) AS n FROM ({ONSITE_STARTUPS}) o CROSS JOIN startup s "
        f"WHERE s.id = o.startup AND s.status = 'active'{within}",
        scope.day,
        scope.day,
        *args,
    )
    return whole(found[0]["n"])


async def occupancy(scope: Scope) -> Figure:
    found = await occupancy_figures.occupancy(scope.day, scope.centres)
    series = ["units", "occupied_units", "vacant_units", "unit_rate", "area_rate"]
    rows = [
        Row(c.slug, c.name_en, c.name_zh, {s: getattr(c, s) for s in series}) for c in found.centres
    ]
    park = found.park
    return Figure(
        "occupancy",
        TITLES["occupancy"],
        "stacked",
        series,
        ["occupied_units", "vacant_units"],
        rows,
        {s: getattr(park, s) for s in series},
        "Units available for lease on the day, occupied when a lease is in force.",
    )


async def leases_ending(scope: Scope) -> Figure:
    month = db.hk_month("l.ends_on", instant=False)
    within, ids = db.among("u.centre", scope.centres)
    found = await Centre.raw(
        f"SELECT {month} AS month, COUNT(*) AS ending, "
        "SUM(CASE WHEN EXISTS (SELECT 1 FROM lease r WHERE r.renewal_of = l.id "
        "AND r.status <> 'draft') THEN 1 ELSE 0 END) AS renewed "
        f"FROM lease l{' JOIN unit u ON u.id = l.unit' if within else ''} "
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
            "not_renewed": whole(r["ending"]) - whole(r["renewed"]),
        }
        for r in found
    }
    series = ["ending", "renewed", "not_renewed"]
    rows = month_rows(scope, by_month, series)
    return Figure(
        "leases-ending",
        TITLES["leases-ending"],
        "columns",
        series,
        ["renewed", "not_renewed"],
        rows,
        totals(rows, series),
        "Leases whose last day falls in the month, and how many of them were renewed.",
    )
