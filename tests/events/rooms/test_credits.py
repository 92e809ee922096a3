"""Room credits: the monthly allowance by lease, grants with a reason, a balance never below
zero under concurrent bookings, and months of Hong Kong time whose leftovers lapse."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest

from events.rooms.schemas import GrantIn
from events.rooms.services import credits
from events.rooms.tables import CreditMonth
from events.tables import RoomBooking
from incubator.i18n import today_hk
from tests.conftest import api, login, make_client, post_form
from tests.events.rooms.conftest import admin, at, book, credits_left, make_room


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


async def test_concurrent_bookings_never_spend_more_credits_than_there_are(app, park, room):
    other = await make_room(park, "Lion Rock Room")
    third = await make_room(park, "Peak Room")
    harbour = park.startups["harbour-pay"]
    async with make_client(app) as member:
        await login(member, park.users["member"])
        # 08:00-12:00 costs 6 (two hours off-peak, two at peak), 12:00-16:00 costs 8.
        for start, end in ((8, 12), (12, 16)):
            assert (await book(member, other, at(start), at(end))).status_code == 201
        assert await credits_left(member, harbour) == 40 - 6 - 8
        # Every hour of the day in two rooms at once: 38 credits asked of the 26 left.

        async def attempt(where: int, hour: int) -> int:
            return (await book(member, where, at(hour), at(hour + 1))).status_code

        statuses = await asyncio.gather(
            *(attempt(where, h) for h in range(8, 20) for where in (room, third))
        )
        assert statuses.count(201) >= 1 and statuses.count(409) >= 1, statuses
        assert await credits_left(member, harbour) >= 0
    month = credits.month_of(datetime.fromisoformat(at(10)).replace(tzinfo=UTC))
    row = await CreditMonth.select().where(CreditMonth.startup == harbour).first()
    spent = sum(r["credits"] for r in await RoomBooking.select(RoomBooking.credits))
    assert row["month"] == month and row["spent"] == spent <= row["allowance"] == 40


async def test_the_database_refuses_a_negative_balance_on_its_own(park, room):
    from incubator.db import write_transaction

    harbour = park.startups["harbour-pay"]
    month = credits.month_of(today_hk())
    async with write_transaction():
        await credits.open_month(harbour, month)
    with pytest.raises(Exception) as caught:
        async with write_transaction():
            await CreditMonth.update({CreditMonth.spent: 41}).where(CreditMonth.startup == harbour)
    assert "never_negative" in str(caught.value) or "check" in str(caught.value).lower()
    assert (await CreditMonth.select(CreditMonth.spent).first())["spent"] == 0


async def test_a_month_is_a_month_of_hong_kong_time_and_its_leftovers_lapse(client, park):
    room = await make_room(park, "Night Room", opens_at="00:00", closes_at="24:00", ahead_days=120)
    harbour = park.startups["harbour-pay"]
    first = _next_month(today_hk())  # next month: a month of its own
    last_day = _next_month(first) - timedelta(days=1)
    following = _next_month(first)
    # 23:30 on its last day in Hong Kong is 15:30 UTC; 00:00 the next day is 16:00 UTC, the
    # same UTC day, but another month.
    assert (
        credits.month_of(datetime(last_day.year, last_day.month, last_day.day, 15, 30, tzinfo=UTC))
        == first
    )
    assert (
        credits.month_of(datetime(last_day.year, last_day.month, last_day.day, 16, 0, tzinfo=UTC))
        == following
    )
    await login(client, park.users["member"])
    late = await book(client, room, at(23, 30, day=last_day), f"{following}T00:00")
    assert late.status_code == 201, late.text
    early = await book(client, room, f"{following}T00:00", f"{following}T00:30")
    assert early.status_code == 201, early.text
    month_rows = {
        r["month"]: r for r in await CreditMonth.select().where(CreditMonth.startup == harbour)
    }
    assert month_rows[first]["spent"] == 1 and month_rows[following]["spent"] == 1
    # Credits granted this month are this month's: next month starts from its allowance.
    await credits.grant(
        await admin(park), GrantIn(startup=harbour, credits=15, reason="Pitch week")
    )
    this_month = credits.month_of(today_hk())
    assert await credits_left(client, harbour, this_month.strftime("%Y-%m")) == 55
    assert await credits_left(client, harbour, first.strftime("%Y-%m")) == 39


async def test_the_allowance_follows_the_lease_and_its_unit_kind(client, park):
    harbour = park.startups["harbour-pay"]
    month = credits.month_of(today_hk())
    assert (await credits.balance(harbour, month)).allowance == 40
    await login(client, park.users["manager"])
    page = await client.get(f"/rooms/credits/startups/{harbour}")
    assert page.status_code == 200 and "3F-01" in page.text
    own = await post_form(
        client,
        f"/rooms/credits/leases/{park.leases['harbour-pay']}",
        {"monthly_credits": "25", "startup": str(harbour)},
    )
    assert own.status_code == 303
    assert (await credits.balance(harbour, month)).allowance == 25
    bad = await post_form(
        client, f"/rooms/credits/leases/{park.leases['harbour-pay']}", {"monthly_credits": "-3"}
    )
    assert bad.status_code == 422
    # An administrator changes a kind's default; a lease without its own figure follows it.
    await post_form(
        client, f"/rooms/credits/leases/{park.leases['harbour-pay']}", {"monthly_credits": ""}
    )
    async with make_client(client._transport.app) as root:
        await login(root, park.users["admin"])
        done = await post_form(
            root,
            "/rooms/credits/defaults",
            {"private_office": "60", "coworking_desk": "5", "lab": "30"},
        )
        assert done.status_code == 303
    assert (await credits.balance(harbour, month)).allowance == 60
    assert (await credits.balance(park.startups["lantern-chain"], month)).allowance == 0


async def test_managers_grant_credits_to_their_startups_with_a_reason(client, park):
    harbour = park.startups["harbour-pay"]
    await login(client, park.users["other_manager"])  # the Technology Centre's
    refused = await api(
        client,
        "POST",
        "/api/rooms/credits/grants",
        json={"startup": harbour, "credits": 5, "reason": "x"},
    )
    assert refused.status_code == 403
    async with make_client(client._transport.app) as manager:
        await login(manager, park.users["manager"])
        blank = await api(
            manager,
            "POST",
            "/api/rooms/credits/grants",
            json={"startup": harbour, "credits": 0, "reason": " "},
        )
        assert blank.status_code == 422 and set(blank.json()["errors"]) == {"credits", "reason"}
        form = await post_form(
            manager, f"/rooms/credits/startups/{harbour}/grant", {"credits": "ten", "reason": ""}
        )
        assert form.status_code == 422 and "whole number" in form.text and "say why" in form.text
        given = await api(
            manager,
            "POST",
            "/api/rooms/credits/grants",
            json={"startup": harbour, "credits": 12, "reason": "Demo day rehearsals"},
        )
        assert given.status_code == 201 and given.json()["balance"] == 52
        page = await manager.get(f"/rooms/credits/startups/{harbour}")
        assert "Demo day rehearsals" in page.text and "+12" in page.text
        usage = await api(manager, "GET", "/api/rooms/credits/usage")
        assert [(r["startup"], r["granted"]) for r in usage.json()] == [(harbour, 12)]
    async with make_client(client._transport.app) as member:
        await login(member, park.users["member"])
        assert (await api(member, "GET", "/api/rooms/credits/usage")).status_code == 403
        assert (
            await api(member, "GET", f"/api/rooms/credits/{park.startups['lantern-chain']}")
        ).status_code == 403


async def test_credits_used_download_as_csv_with_formulas_neutralised(client, park):
    harbour = park.startups["harbour-pay"]
    await credits.grant(await admin(park), GrantIn(startup=harbour, credits=5, reason="x"))
    from incubator.startups.tables import Startup

    await Startup.update({Startup.name_en: "=HYPERLINK(1)"}).where(Startup.id == harbour)
    await login(client, park.users["manager"])
    answer = await client.get("/rooms/credits.csv")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    lines = answer.text.strip().splitlines()
    assert lines[0].lstrip("\ufeff") == "Start-up,Month,Allowance,Granted,Used,Left"
    assert lines[1].startswith("'=HYPERLINK(1)") and lines[1].endswith(",40,5,0,45")
    async with make_client(client._transport.app) as member:
        await login(member, park.users["member"])
        assert (await member.get("/rooms/credits.csv")).status_code == 403


async def test_moves_across_months_at_once_both_go_through(app, park):
    room = await make_room(park, "Month Room", ahead_days=120)
    other = await make_room(park, "Other Month Room", ahead_days=120)
    first = _next_month(today_hk())
    second = _next_month(first)
    async with make_client(app) as member:
        await login(member, park.users["member"])
        one = (await book(member, room, at(9, day=first), at(10, day=first))).json()
        two = (await book(member, other, at(9, day=second), at(10, day=second))).json()
        # Crosswise, at once, a few times over, each in its own room (so the rooms' locks do
        # not already put them in a row): each takes both months' credits.
        for hour in (11, 13, 15):

            async def move(booking: dict, day: date, hour: int = hour) -> int:
                body = {"starts_at": at(hour, day=day), "ends_at": at(hour + 1, day=day)}
                answer = await api(
                    member, "POST", f"/api/rooms/bookings/{booking['id']}/move", json=body
                )
                return answer.status_code

            statuses = await asyncio.gather(move(one, second), move(two, first))
            assert statuses == [200, 200]
            one, two = two, one  # each booking is now in the other month
    rows = {r["month"]: r["spent"] for r in await CreditMonth.select()}
    assert rows[first] == rows[second] == 2  # one peak hour each, whatever moved
