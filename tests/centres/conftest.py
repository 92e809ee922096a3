"""Fixtures and helpers shared by the tests of centres."""

from __future__ import annotations

from datetime import timedelta

import httpx

from incubator.i18n import today_hk

TODAY = today_hk()


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def lease_body(park, unit="3F-02", startup="bamboo-home", starts=0, ends=364, **extra) -> dict:
    return {
        "unit": park.units[unit],
        "startup": park.startups[startup],
        "starts_on": day(starts),
        "ends_on": day(ends),
        "monthly_rent_cents": 21_000_00,
        "deposit_cents": 42_000_00,
        **extra,
    }


async def onsite_in_directory(client: httpx.AsyncClient) -> list[str]:
    body = (await client.get("/api/startups?onsite=true&sort=name")).json()
    return [item["slug"] for item in body["items"]]


async def lease_in_sql(unit: int, startup: int, days: tuple[int, int] = (-10, 10)) -> int:
    """A lease in force from `days[0]` to `days[1]` days from today, written in SQL (as any
    writer may), for the tests of what the database keeps."""
    from centres.tables import Lease

    rows = await Lease.insert(
        Lease(
            unit=unit,
            startup=startup,
            starts_on=TODAY + timedelta(days=days[0]),
            ends_on=TODAY + timedelta(days=days[1]),
            contract_ends_on=TODAY + timedelta(days=days[1]),
            monthly_rent_cents=1_000_00,
            status="active",
        )
    ).returning(Lease.id)
    return rows[0]["id"]
