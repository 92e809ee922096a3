"""Occupancy: occupied and vacant units and area, rates and leases ending soon, for each
building, each centre or hub, and the park. A unit is occupied on a day when a lease on it
is in force that day (the definition that also makes its start-up onsite)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import msgspec

from centres.schemas import CentreCommunity, VacantUnit
from centres.schemas import Occupancy as OccupancyFigures
from centres.services.ordered import by_building
from centres.tables import NOT_LET, Building, CentreOnsite, SpaceDay, Unit
from centres.tallies import ENDING_WINDOWS
from incubator.db import among, in_order, is_postgres
from incubator.db.tallies import rows_for_day
from incubator.i18n import today_hk
from incubator.startups.services.figures import active_by_centre
from incubator.startups.services.onsite import IN_FORCE, ONSITE_IDS
from incubator.startups.tables import NOT_ACTIVE_SQL, Centre

# A unit that counts in occupancy and vacancy: in the inventory, and of a kind that is let.
_LETTABLE = f"u.status = 'available' AND u.kind NOT IN ({NOT_LET})"


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


_IN_FORCE_ON_UNIT = f"LEFT JOIN lease l ON l.unit = u.id AND {IN_FORCE}"
_LEASE_IN_FORCE = f"SELECT 1 FROM lease l WHERE l.unit = u.id AND {IN_FORCE}"


async def occupancy(
    day: date | None = None, centres: Sequence[int] | None = None
) -> OccupancyFigures:
    """Figures for the park (or some centres' units), by building and by centre: the units
    available for lease counted off their index, and those occupied today as the database
    keeps them (`centres.tallies`), on another day counted from the leases in force."""
    today = today_hk()
    day = day or today
    within, ids = among("u.centre", centres)
    if day == today:
        units, kept = await asyncio.gather(
            Unit.raw(
                "SELECT u.building, u.centre, COUNT(*) AS units, SUM(u.area_sqft) AS area_sqft "
                f"FROM unit u WHERE {_LETTABLE}{within} GROUP BY u.building, u.centre",
                *ids,
            ),
            rows_for_day(SpaceDay, ("building", "centre"), today, _count_space),
        )
        occupied = {(r["building"], r["centre"]): r for r in kept}
        rows = [r | _occupied(occupied.get((r["building"], r["centre"]), {})) for r in units]
    else:
        rows = await _space_counted(day, within, ids)
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


def _occupied(row: dict) -> dict:
    return {
        "occupied_units": row.get("occupied_units", 0),
        "occupied_sqft": row.get("occupied_sqft", 0),
        **{f"ending_{d}": row.get(f"ending_{d}", 0) for d in ENDING_WINDOWS},
    }


async def _space_counted(day: date, within: str, ids: list[int]) -> list[dict]:
    """Units, occupied units and leases ending by building and centre on `day`, counted."""
    ending = ", ".join(
        f"SUM(CASE WHEN l.id IS NOT NULL AND l.ends_on <= {{}} THEN 1 ELSE 0 END) AS ending_{d}"
        for d in ENDING_WINDOWS
    )
    return await Unit.raw(
        "SELECT u.building, u.centre, COUNT(*) AS units, COUNT(l.id) AS occupied_units, "
        "SUM(u.area_sqft) AS area_sqft, "
        "SUM(CASE WHEN l.id IS NOT NULL THEN u.area_sqft ELSE 0 END) AS occupied_sqft, "
        f"{ending} FROM unit u {_IN_FORCE_ON_UNIT} "
        f"WHERE {_LETTABLE}{within} GROUP BY u.building, u.centre",
        *[day + timedelta(days=d) for d in ENDING_WINDOWS],
        day,
        day,
        *ids,
    )


async def _count_space(day: date, kept: set[tuple]) -> list[dict]:
    """Every building and centre's row for `day`: those with units available counted, the
    others (kept, or with units not available) at nought."""
    counted = {(r["building"], r["centre"]): r for r in await _space_counted(day, "", [])}
    places = await Unit.raw("SELECT DISTINCT building, centre FROM unit")
    keys = kept | set(counted) | {(p["building"], p["centre"]) for p in places}
    limits = {f"day_{d}": day + timedelta(days=d) for d in ENDING_WINDOWS}
    return [
        {"building": b, "centre": c, "day": day, **limits}
        | {k: int(v or 0) for k, v in _occupied(counted.get((b, c), {})).items()}
        for b, c in sorted(keys)
    ]


async def vacant_rows(
    centres: Sequence[int] | None, limit: int = 50, page: int = 1
) -> list[VacantUnit]:
    """Units of these centres (None: every centre) with no lease in force today, by
    building, floor and number, `limit` a page; public (no tenant in it). How many there
    are is the occupancy's `vacant_units` (a unit holds one lease at a time: the overlap
    rule), kept for today, rather than a count of every unit."""
    day = today_hk()
    within, ids = among("u.centre", centres)
    offset = (max(page, 1) - 1) * limit
    columns = (
        "SELECT u.id, u.code, u.floor, u.kind, u.area_sqft, u.list_rent_cents, "
        "b.slug AS building_slug, b.name_en AS building_en, b.name_zh AS building_zh, "
        "c.name_en AS centre_en, c.name_zh AS centre_zh "
        "FROM unit u JOIN building b ON b.id = u.building JOIN centre c ON c.id = u.centre"
    )
    if not is_postgres():
        rows = await Unit.raw(
            f"{columns} {_IN_FORCE_ON_UNIT} WHERE {_LETTABLE} AND l.id IS NULL"
            f"{within} ORDER BY b.sort_order, u.floor, u.code LIMIT {{}} OFFSET {{}}",
            *[day, day, *ids, limit, offset],
        )
        return msgspec.convert(rows, list[VacantUnit])
    # PostgreSQL: building by building off the units' (building, floor, code) index.
    vacant = f" WHERE {_LETTABLE} AND NOT EXISTS ({_LEASE_IN_FORCE}){within}"
    chosen = await Unit.raw(
        by_building("u.id", "FROM unit u", vacant, ["u.floor", "u.code", "u.id"]),
        *[day, day, *ids, offset + limit, limit, offset],
    )
    order = [row["id"] for row in chosen]
    picked, id_args = among("u.id", order)
    rows = await Unit.raw(f"{columns} WHERE 1 = 1{picked}", *id_args)
    return msgspec.convert(in_order(rows, order), list[VacantUnit])


async def community_figures(
    centres: Sequence[int] | None = None, day: date | None = None
) -> dict[int, CentreCommunity]:
    """Each centre's or hub's community figures (by centre id): affiliated active start-ups
    and how many of them are onsite; centres without start-ups are absent. The active ones
    as the database keeps them (`active_by_centre`); the onsite ones today as well
    (`onsite_today`), on another day counted from the leases in force."""
    today = today_hk()
    day = day or today
    totals, here = await asyncio.gather(
        active_by_centre(centres),
        onsite_today(centres) if day == today else onsite_by_centre(day, centres),
    )
    return _community(totals, here)


# Each centre's onsite start-ups, counted: the affiliations of start-ups with a lease in force,
# less those of start-ups not active (few). Joining each onsite start-up to its row to test
# its status took twice as long on PostgreSQL (108 against 49 ms at 100,000).
_ONSITE_BY_CENTRE = (
    "SELECT a.centre, COUNT(*) AS n FROM startup_affiliation a "
    "WHERE a.startup IN ({onsite}) AND a.startup NOT IN "
    "(SELECT s.id FROM startup s WHERE s.status IN ({others})){within} GROUP BY a.centre"
)


async def onsite_by_centre(day: date, centres: Sequence[int] | None = None) -> dict[int, int]:
    """Each centre's onsite start-ups on `day`, counted from the leases in force."""
    within, ids = among("a.centre", centres)
    sql = _ONSITE_BY_CENTRE.format(onsite=ONSITE_IDS, others=NOT_ACTIVE_SQL, within=within)
    return {r["centre"]: int(r["n"]) for r in await Centre.raw(sql, day, day, *ids)}


async def onsite_today(centres: Sequence[int] | None = None) -> dict[int, int]:
    """Each centre's onsite start-ups today, as the database keeps them (`centres.tallies`;
    counted afresh first when the rows hold another day: `db.tallies.rows_for_day`)."""
    rows = await rows_for_day(CentreOnsite, ("centre",), today_hk(), _count_onsite)
    return {
        r["centre"]: int(r["onsite"])
        for r in rows
        if r["onsite"] and (centres is None or r["centre"] in centres)
    }


async def _count_onsite(day: date, _kept: set[tuple]) -> list[dict]:
    counted = await onsite_by_centre(day)
    ids = [r["id"] for r in await Centre.select(Centre.id)]
    return [{"centre": i, "day": day, "onsite": counted.get(i, 0)} for i in ids]


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
