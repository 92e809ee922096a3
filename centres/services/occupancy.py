"""Occupancy: occupied and vacant units and area, rates and leases ending soon, for each
building, each centre or hub, and the park. A unit is occupied on a day when a lease on it
is in force that day (the definition that also makes its start-up onsite)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import msgspec

from centres.schemas import CentreCommunity, VacantPage, VacantUnit
from centres.schemas import Occupancy as OccupancyFigures
from centres.tables import Building, Unit
from incubator.db import among, is_postgres
from incubator.i18n import today_hk
from incubator.startups.services.figures import active_by_centre
from incubator.startups.services.onsite import IN_FORCE, ONSITE_STARTUPS, onsite_condition
from incubator.startups.tables import Centre

ENDING_WINDOWS = (30, 90, 180)


def _empty() -> dict[str, Any]:
    return {
        "units": 0,
        "occupied_units": 0,
        "vacant_units": 0,
        "area_sqft": 0,
        "occupied_sqft": 0,
        "vacant_sqft": 0,
        "unit_rate": 0.0,
        "area_rate": 0.0,
        "ending": {str(days): 0 for days in ENDING_WINDOWS},
    }


def _add(total: dict, row: dict) -> None:
    total["units"] += int(row["units"])
    total["occupied_units"] += int(row["occupied_units"])
    total["area_sqft"] += int(row["area_sqft"] or 0)
    total["occupied_sqft"] += int(row["occupied_sqft"] or 0)
    for days in ENDING_WINDOWS:
        total["ending"][str(days)] += int(row[f"ending_{days}"] or 0)


def _finish(total: dict) -> dict:
    total["vacant_units"] = total["units"] - total["occupied_units"]
    total["vacant_sqft"] = total["area_sqft"] - total["occupied_sqft"]
    total["unit_rate"] = (
        round(total["occupied_units"] / total["units"], 4) if total["units"] else 0.0
    )
    total["area_rate"] = (
        round(total["occupied_sqft"] / total["area_sqft"], 4) if total["area_sqft"] else 0.0
    )
    return total


async def occupancy(
    day: date | None = None, centres: Sequence[int] | None = None
) -> OccupancyFigures:
    """Figures for the park (or some centres' units), by building and by centre."""
    day = day or today_hk()
    ending = ", ".join(
        f"SUM(CASE WHEN l.id IS NOT NULL AND l.ends_on <= {{}} THEN 1 ELSE 0 END) AS ending_{d}"
        for d in ENDING_WINDOWS
    )
    args: list[Any] = [day + timedelta(days=d) for d in ENDING_WINDOWS] + [day, day]
    within, ids = among("u.centre", centres)
    where = "u.status = 'available'" + within
    args += ids
    rows = await Unit.raw(
        "SELECT u.building, u.centre, COUNT(*) AS units, COUNT(l.id) AS occupied_units, "
        "SUM(u.area_sqft) AS area_sqft, "
        "SUM(CASE WHEN l.id IS NOT NULL THEN u.area_sqft ELSE 0 END) AS occupied_sqft, "
        f"{ending} FROM unit u LEFT JOIN lease l ON l.unit = u.id AND {IN_FORCE} "
        f"WHERE {where} GROUP BY u.building, u.centre",
        *args,
    )
    buildings = await Building.select().order_by(Building.sort_order).order_by(Building.id)
    centres = await Centre.select(
        Centre.id, Centre.slug, Centre.kind, Centre.name_en, Centre.name_zh
    ).order_by(Centre.sort_order)
    park = _empty()
    by_building = {b["id"]: b | _empty() for b in buildings}
    by_centre = {c["id"]: c | _empty() for c in centres}
    for row in rows:
        _add(park, row)
        _add(by_building[row["building"]], row)
        _add(by_centre[row["centre"]], row)
    return msgspec.convert(
        {
            "day": day,
            "park": _finish(park),
            "buildings": [
                _finish(b) for b in by_building.values() if b["units"] or centres is None
            ],
            "centres": [_finish(c) for c in by_centre.values() if c["units"]],
        },
        OccupancyFigures,
    )


async def vacant_units(
    centre_id: int | None, day: date | None = None, limit: int = 50, page: int = 1
) -> VacantPage:
    """Units with no lease in force on the day, by building, floor and number, `limit` a
    page; public (no tenant in it)."""
    day = day or today_hk()
    args: list[Any] = [day, day]
    where = "u.status = 'available' AND l.id IS NULL"
    if centre_id is not None:
        where += " AND u.centre = {}"
        args.append(centre_id)
    base = (
        f"FROM unit u JOIN building b ON b.id = u.building "
        f"LEFT JOIN lease l ON l.unit = u.id AND {IN_FORCE} WHERE {where}"
    )
    rows = await Unit.raw(
        "SELECT u.id, u.code, u.floor, u.kind, u.area_sqft, u.list_rent_cents, "
        f"b.slug AS building_slug, b.name_en AS building_en, b.name_zh AS building_zh {base} "
        "ORDER BY b.sort_order, u.floor, u.code LIMIT {} OFFSET {}",
        *args,
        limit,
        (max(page, 1) - 1) * limit,
    )
    total = (await Unit.raw(f"SELECT COUNT(*) AS n {base}", *args))[0]["n"]
    return VacantPage(rows=msgspec.convert(rows, list[VacantUnit]), total=int(total))


async def community_figures(
    centres: Sequence[int] | None = None, day: date | None = None
) -> dict[int, CentreCommunity]:
    """Each centre's or hub's community figures (by centre id): affiliated active start-ups
    and how many of them are onsite; centres without start-ups are absent. On SQLite two
    queries at once: the active start-ups as the home page counts them (`active_by_centre`,
    off the affiliations' index: 15 ms against 73 for joining each to its start-up at
    100,000), and the onsite ones, driven from the leases in force."""
    day = day or today_hk()
    within, ids = among("a.centre", centres)
    if is_postgres():
        # One pass: PostgreSQL hashes the onsite start-ups once, cheaper for it than the two
        # queries below (70 ms against 93 for the whole park at 100,000 start-ups).
        condition, args = onsite_condition(day)
        rows = await Centre.raw(
            "SELECT a.centre, COUNT(*) AS n, "
            f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END) AS onsite "
            "FROM startup_affiliation a JOIN startup s ON s.id = a.startup "
            f"WHERE s.status = 'active'{within} GROUP BY a.centre",
            *args,
            *ids,
        )
        totals = [{"id": r["centre"], "n": r["n"]} for r in rows]
        here = {r["centre"]: int(r["onsite"] or 0) for r in rows}
        return _community(totals, here)
    # SQLite keeps a CROSS JOIN's order: the onsite start-ups first, then their affiliations.
    totals, onsite = await asyncio.gather(
        active_by_centre(centres),
        Centre.raw(
            f"SELECT a.centre, COUNT(*) AS n FROM ({ONSITE_STARTUPS}) o CROSS JOIN startup s "
            "CROSS JOIN startup_affiliation a WHERE s.id = o.startup AND a.startup = s.id "
            f"AND s.status = 'active'{within} GROUP BY a.centre",
            day,
            day,
            *ids,
        ),
    )
    return _community(totals, {r["centre"]: int(r["n"]) for r in onsite})


def _community(totals: list[dict], here: dict[int, int]) -> dict[int, CentreCommunity]:
    figures = {}
    for row in totals:
        if startups := int(row["n"]):
            onsite_here = here.get(row["id"], 0)
            figures[row["id"]] = CentreCommunity(startups, onsite_here, startups - onsite_here)
    return figures


async def centre_figures(centre_id: int, day: date | None = None) -> CentreCommunity:
    """One centre's or hub's community figures."""
    return (await community_figures([centre_id], day)).get(centre_id, CentreCommunity())
