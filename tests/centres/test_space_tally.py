"""Each building's occupied units of a centre as the database keeps them for a day
(`centres.tallies`, `space_day`) agree with a count from the leases in force after every kind
of change to leases and units, after the date moves on, and while leases are written and the
day is counted afresh at once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from centres.services.occupancy import _space_counted, occupancy
from centres.tables import Building, Lease, SpaceDay, Unit
from incubator.db import write_transaction
from incubator.i18n import today_hk
from tests.centres.conftest import lease_in_sql

FIGURES = ("occupied_units", "occupied_sqft", "ending_30", "ending_90", "ending_180")


async def kept() -> dict[tuple, tuple]:
    """The rows as they are (no recount), all of them for today, less those at nought."""
    rows = await SpaceDay.select()
    assert {str(r["day"]) for r in rows} == {str(today_hk())}, rows
    found = {(r["building"], r["centre"]): tuple(r[f] for f in FIGURES) for r in rows}
    return {key: figures for key, figures in found.items() if any(figures)}


async def agree() -> dict[tuple, tuple]:
    counted = {
        (r["building"], r["centre"]): tuple(int(r[f] or 0) for f in FIGURES)
        for r in await _space_counted(today_hk(), "", [])
    }
    counted = {key: figures for key, figures in counted.items() if any(figures)}
    assert await kept() == counted
    return counted


async def test_the_space_rows_follow_leases_and_units(park):
    building = (await Building.select(Building.id).first())["id"]
    here = (building, park.centres["entrepreneurship"])
    figures = await occupancy()
    assert figures.park.occupied_units == 1  # Harbour Pay's 800 sq ft, ending in 100 days
    assert await agree() == {here: (1, 800, 0, 0, 1)}

    # A lease of 3F-02 (600 sq ft) ending in 20 days; then in 60; then a draft; then back.
    second = await lease_in_sql(park.units["3F-02"], park.startups["bamboo-home"], (-5, 20))
    assert await agree() == {here: (2, 1400, 1, 1, 2)}
    await Lease.update({Lease.ends_on: today_hk() + timedelta(days=60)}).where(Lease.id == second)
    assert await agree() == {here: (2, 1400, 0, 1, 2)}
    await Lease.update({Lease.status: "draft"}).where(Lease.id == second)
    assert await agree() == {here: (1, 800, 0, 0, 1)}
    await Lease.update({Lease.status: "active"}).where(Lease.id == second)

    # The unit retired and back; larger; moved to the Technology Centre (a new place).
    unit = park.units["3F-02"]
    await Unit.update({Unit.status: "retired"}).where(Unit.id == unit)
    assert await agree() == {here: (1, 800, 0, 0, 1)}
    await Unit.update({Unit.status: "available"}).where(Unit.id == unit)
    await Unit.update({Unit.area_sqft: 650}).where(Unit.id == unit)
    assert await agree() == {here: (2, 1450, 0, 1, 2)}
    await Unit.update({Unit.centre: park.centres["technology"]}).where(Unit.id == unit)
    there = (building, park.centres["technology"])
    assert await agree() == {here: (1, 800, 0, 0, 1), there: (1, 650, 0, 1, 1)}

    # A lease gone; a new building's unit has a row with no day: the next read counts.
    await Lease.delete().where(Lease.id == second)
    new = await Building.insert(Building(slug="cyberport-9", name_en="Cyberport 9")).returning(
        Building.id
    )
    await Unit.insert(
        Unit(building=new[0]["id"], centre=park.centres["web3hub"], code="1F-01", area_sqft=99)
    )
    figures = await occupancy()
    assert figures.park.units == 5 and figures.park.occupied_units == 1
    assert await agree() == {here: (1, 800, 0, 0, 1)}


async def test_another_day_is_counted_from_the_leases_and_a_new_day_afresh(park):
    await occupancy()
    tomorrow = today_hk() + timedelta(days=1)
    later = await lease_in_sql(park.units["3F-02"], park.startups["bamboo-home"], (1, 20))
    assert (await occupancy()).park.occupied_units == 1
    assert (await occupancy(day=tomorrow)).park.occupied_units == 2  # counted, not kept
    await SpaceDay.update(
        {SpaceDay.day: today_hk() - timedelta(days=1), SpaceDay.occupied_units: 99}, force=True
    )
    assert (await occupancy()).park.occupied_units == 1
    await agree()
    await Lease.delete().where(Lease.id == later)
    assert await agree()


async def test_leases_written_while_the_new_day_is_counted_are_all_counted(park):
    building = (await Building.select(Building.id).first())["id"]
    centre = park.centres["technology"]
    units = [
        (
            await Unit.insert(
                Unit(building=building, centre=centre, code=f"9F-{n:02d}", area_sqft=100)
            ).returning(Unit.id)
        )[0]["id"]
        for n in range(12)
    ]
    await occupancy()
    await SpaceDay.update({SpaceDay.day: today_hk() - timedelta(days=1)}, force=True)

    async def take(n: int) -> None:
        async with write_transaction():
            await lease_in_sql(units[n], park.startups["lantern-chain"])

    await asyncio.gather(*(take(n) for n in range(12)), *(occupancy() for _ in range(6)))
    assert (await occupancy()).park.occupied_units == 13
    assert (await agree())[(building, centre)] == (12, 1200, 12, 12, 12)
