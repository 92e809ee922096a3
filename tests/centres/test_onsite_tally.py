"""Each centre's onsite start-ups as the database keeps them for a day (`centres.tallies`)
agree with a count from the leases in force after every kind of change, after the date
moves on, and while leases are written and the day is counted afresh at once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from centres.services.occupancy import onsite_by_centre, onsite_today
from centres.tables import CentreOnsite, Lease, Unit
from incubator.db import write_transaction
from incubator.i18n import today_hk
from incubator.startups.tables import Centre, Startup, StartupAffiliation
from tests.centres.conftest import lease_in_sql


async def kept() -> dict[int, int]:
    """The rows as they are (no recount), all of them for today."""
    rows = await CentreOnsite.select()
    assert {str(r["day"]) for r in rows} == {str(today_hk())}, rows
    return {r["centre"]: r["onsite"] for r in rows if r["onsite"]}


async def agree() -> dict[int, int]:
    counted = await onsite_by_centre(today_hk())
    assert await kept() == counted
    return counted


async def test_the_onsite_rows_follow_leases_affiliations_and_statuses(park):
    entrepreneurship, technology = park.centres["entrepreneurship"], park.centres["technology"]
    harbour = park.startups["harbour-pay"]
    assert await onsite_today() == {entrepreneurship: 1}  # counted for today, once
    assert await agree() == {entrepreneurship: 1}

    # A second lease in force: still one start-up onsite.
    second = await lease_in_sql(park.units["3F-02"], harbour)
    assert await agree() == {entrepreneurship: 1}
    # Both leases back to draft in one statement, each counted against the other.
    await Lease.update({Lease.status: "draft"}).where(Lease.startup == harbour)
    assert await agree() == {}
    await Lease.update({Lease.status: "active"}).where(Lease.id == second)
    assert await agree() == {entrepreneurship: 1}

    # Affiliated with a second centre, then not; archived, then active again.
    await StartupAffiliation.insert(StartupAffiliation(startup=harbour, centre=technology))
    assert await agree() == {entrepreneurship: 1, technology: 1}
    await Startup.update({Startup.status: "archived"}).where(Startup.id == harbour)
    assert await agree() == {}
    await Startup.update({Startup.status: "active"}).where(Startup.id == harbour)
    assert await agree() == {entrepreneurship: 1, technology: 1}
    await StartupAffiliation.delete().where(
        (StartupAffiliation.startup == harbour) & (StartupAffiliation.centre == technology)
    )
    assert await agree() == {entrepreneurship: 1}

    # Another start-up's lease starting tomorrow counts from tomorrow, not today.
    bamboo = park.startups["bamboo-home"]
    later = await lease_in_sql(park.units["5F-D01"], bamboo, (1, 30))
    assert await agree() == {entrepreneurship: 1}
    await Lease.update({Lease.starts_on: today_hk()}).where(Lease.id == later)
    assert await agree() == {entrepreneurship: 2}
    await Lease.delete().where(Lease.id == later)
    assert await agree() == {entrepreneurship: 1}

    # A new centre has a row with no day: the next read counts every centre afresh.
    await Centre.insert(Centre(slug="new-hub", kind="hub", name_en="New Hub", name_zh=""))
    assert await onsite_today() == {entrepreneurship: 1}
    assert await agree() == {entrepreneurship: 1}


async def test_a_new_day_is_counted_afresh_whatever_the_rows_held(park):
    await onsite_today()
    yesterday = today_hk() - timedelta(days=1)
    await CentreOnsite.update({CentreOnsite.day: yesterday, CentreOnsite.onsite: 999}, force=True)
    assert await onsite_today() == {park.centres["entrepreneurship"]: 1}
    assert await agree() == {park.centres["entrepreneurship"]: 1}
    # What the triggers did for yesterday's rows is replaced, not added to.
    assert (await CentreOnsite.select(CentreOnsite.onsite)).count({"onsite": 999}) == 0


async def test_leases_written_while_the_new_day_is_counted_are_all_counted(park):
    """Twelve start-ups take a lease each while six requests find yesterday's rows and count
    today afresh: whatever the order, the rows end as the leases say."""
    from incubator.startups.services import profiles

    centre = park.centres["technology"]
    building = (await Unit.select(Unit.building).first())["building"]
    startups, units = [], []
    for n in range(12):
        async with write_transaction():
            startup = await profiles.insert_startup(f"Tenant {n}", f"tenant-{n}")
            await StartupAffiliation.insert(StartupAffiliation(startup=startup, centre=centre))
        unit = await Unit.insert(
            Unit(building=building, centre=centre, code=f"9F-{n:02d}", floor=9, area_sqft=100)
        ).returning(Unit.id)
        startups.append(startup)
        units.append(unit[0]["id"])
    await onsite_today()
    await CentreOnsite.update({CentreOnsite.day: today_hk() - timedelta(days=1)}, force=True)

    async def take(n: int) -> None:
        async with write_transaction():
            await lease_in_sql(units[n], startups[n])

    await asyncio.gather(*(take(n) for n in range(12)), *(onsite_today() for _ in range(6)))
    assert await onsite_today() == {park.centres["entrepreneurship"]: 1, centre: 12}
    assert await agree() == {park.centres["entrepreneurship"]: 1, centre: 12}
