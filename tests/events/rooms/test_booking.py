"""Members book meeting rooms: free slots, the rules of each room named field by field, one
booking or event in a room at a time (one hold rule, one constraint), moving and cancelling."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from events.tables import Event, RoomBooking, VenueHold
from incubator.i18n import today_hk
from tests.conftest import api, login, make_client
from tests.events.conftest import event_body
from tests.events.rooms.conftest import DAY, admin, at, book, credits_left, make_room


async def test_a_member_books_a_free_slot_and_pays_in_credits(client, park, room):
    await login(client, park.users["member"])
    harbour = park.startups["harbour-pay"]
    assert await credits_left(client, harbour) == 40  # a private office's monthly credits
    booked = await book(client, room, at(9, 30), at(11), title="Investor call")
    assert booked.status_code == 201, booked.text
    body = booked.json()
    # 09:30-10:00 off-peak (1 an hour), 10:00-11:00 peak (2 an hour): 2.5, rounded up.
    assert body["credits"] == 3 and body["status"] == "confirmed"
    assert body["startup"] == harbour and body["title"] == "Investor call"
    assert await credits_left(client, harbour) == 37
    holds = await VenueHold.select().where(VenueHold.booking == body["id"])
    assert len(holds) == 1 and holds[0]["venue"] == room
    day = await api(client, "GET", f"/api/rooms/{room}/day?date={DAY}")
    states = {s["starts_at"][11:16]: s["state"] for s in day.json()["slots"]}
    assert states["09:30"] == states["10:30"] == "mine" and states["11:00"] == "free"
    mine = await api(client, "GET", "/api/rooms/bookings")
    assert [b["id"] for b in mine.json()] == [body["id"]]


async def test_every_broken_rule_of_a_room_is_named_beside_its_field(client, park, room):
    await login(client, park.users["member"])
    cases = [
        (at(7, 30), at(8, 30), "starts_at", "opens from 08:00 to 20:00"),
        (at(9, 10), at(9, 40), "starts_at", "30-minute slots"),
        (at(9), at(14, 30), "ends_at", "at most 240 minutes"),
        (at(10), at(9), "ends_at", "must be after the start"),
        ("tomorrow", at(9), "starts_at", "YYYY-MM-DD HH:MM"),
        (
            at(9, day=today_hk() - timedelta(days=1)),
            at(10, day=today_hk() - timedelta(days=1)),
            "starts_at",
            "must be in the future",
        ),
        (
            at(9, day=today_hk() + timedelta(days=40)),
            at(10, day=today_hk() + timedelta(days=40)),
            "starts_at",
            "at most 30 days ahead",
        ),
    ]
    for start, end, field, words in cases:
        refused = await book(client, room, start, end)
        assert refused.status_code == 422, (start, refused.text)
        assert words in refused.json()["errors"][field], (start, refused.json())
    nowhere = await book(client, 999_999, at(9), at(10), title="x" * 201)
    assert set(nowhere.json()["errors"]) == {"room", "title"}
    assert await RoomBooking.count() == 0


async def test_only_members_of_startups_with_a_lease_in_force_book(client, park, room):
    await login(client, park.users["other_member"])  # Lantern Chain leases nothing
    refused = await book(client, room, at(9), at(10))
    assert refused.status_code == 403 and "lease in force" in refused.json()["detail"]
    async with make_client(client._transport.app) as manager:
        await login(manager, park.users["manager"])
        assert (await book(manager, room, at(9), at(10))).status_code == 403
    async with make_client(client._transport.app) as member:
        await login(member, park.users["member"])
        wrong = await book(member, room, at(9), at(10), startup=park.startups["lantern-chain"])
        assert wrong.status_code == 422 and "startup" in wrong.json()["errors"]
    assert await RoomBooking.count() == 0


async def test_fifty_concurrent_bookings_of_one_slot_make_one(app, park, room):
    from events.rooms.services import credits

    await credits.grant(  # enough credits that only the room decides
        await admin(park),
        credits.GrantIn(startup=park.startups["harbour-pay"], credits=500, reason="test"),
    )
    async with make_client(app) as member:
        await login(member, park.users["member"])

        async def attempt(n: int) -> int:
            return (await book(member, room, at(14), at(15), title=f"Try {n}")).status_code

        statuses = await asyncio.gather(*(attempt(n) for n in range(50)))
        assert statuses.count(201) == 1 and statuses.count(409) == 49, statuses
        assert await RoomBooking.count() == 1
        assert await credits_left(member, park.startups["harbour-pay"]) == 540 - 2


async def test_a_room_is_held_by_a_booking_or_an_event_never_both(app, park, room):
    async with make_client(app) as member, make_client(app) as manager:
        await login(member, park.users["member"])
        await login(manager, park.users["manager"])
        booked = await book(member, room, at(10), at(11))
        assert booked.status_code == 201
        event = event_body(room, starts_at=at(10, 30), ends_at=at(12), capacity=8)
        clash = await api(manager, "POST", "/api/events", json=event)
        assert clash.status_code == 409 and "booked by a member" in clash.json()["detail"]
        later = await api(
            manager,
            "POST",
            "/api/events",
            json=event_body(room, starts_at=at(13), ends_at=at(15), capacity=8),
        )
        assert later.status_code == 201, later.text
        over_event = await book(member, room, at(14), at(14, 30))
        assert over_event.status_code == 409 and "taken from 13:00 to 15:00" in over_event.text

        # At once: ten bookings and ten events of the same evening hour; one wins.
        async def booking(n: int) -> int:
            return (await book(member, room, at(18), at(19))).status_code

        async def scheduling(n: int) -> int:
            body = event_body(
                room, title_en=f"Talk {n}", starts_at=at(18), ends_at=at(19), capacity=8
            )
            return (await api(manager, "POST", "/api/events", json=body)).status_code

        statuses = await asyncio.gather(*(f(n) for n in range(10) for f in (booking, scheduling)))
        assert statuses.count(201) == 1 and statuses.count(409) == 19, statuses
    evening = await VenueHold.count().where(
        (VenueHold.venue == room)
        & (VenueHold.held_from < (await _instant(at(19))))
        & (VenueHold.held_until > (await _instant(at(18))))
    )
    assert evening == 1


async def _instant(text: str):
    from events.services.times import parse_local

    return parse_local(text)


async def test_the_database_refuses_a_booking_over_an_event_on_its_own(park, room):
    from incubator.db import write_transaction

    start = await _instant(at(10))
    await Event.insert(
        Event(
            **{
                "title_en": "Board meeting",
                "centre": park.centres["entrepreneurship"],
                "venue": room,
                "starts_at": start,
                "ends_at": start + timedelta(hours=1),
                "venue_from": start,
                "venue_until": start + timedelta(hours=1),
                "capacity": 8,
                "status": "published",
            }
        )
    )
    with pytest.raises(Exception) as caught:
        async with write_transaction():
            await RoomBooking.insert(
                RoomBooking(
                    venue=room,
                    startup=park.startups["harbour-pay"],
                    code="raw-1",
                    starts_at=start + timedelta(minutes=30),
                    ends_at=start + timedelta(hours=2),
                )
            )
    assert "overlap" in str(caught.value) or "venue_hold_no_overlap" in str(caught.value)
    assert await RoomBooking.count() == 0


async def test_cancelling_before_the_cut_off_gives_the_credits_back(client, park, room):
    await login(client, park.users["member"])
    harbour = park.startups["harbour-pay"]
    booking = (await book(client, room, at(10), at(12))).json()
    assert await credits_left(client, harbour) == 36
    cancelled = await api(client, "POST", f"/api/rooms/bookings/{booking['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert await credits_left(client, harbour) == 40
    assert await VenueHold.count().where(VenueHold.booking == booking["id"]) == 0
    again = await api(client, "POST", f"/api/rooms/bookings/{booking['id']}/cancel")
    assert again.status_code == 409 and "already cancelled" in again.json()["detail"]
    # The slot is free again for anyone.
    assert (await book(client, room, at(10), at(11))).status_code == 201


async def test_after_the_cut_off_a_cancellation_keeps_the_credits(client, park):
    room = await make_room(park, "Late Room", cancel_hours=96)
    await login(client, park.users["member"])
    harbour = park.startups["harbour-pay"]
    booking = (await book(client, room, at(10), at(11))).json()  # 3 days ahead: inside 96 h
    assert await credits_left(client, harbour) == 38
    moved = await api(
        client,
        "POST",
        f"/api/rooms/bookings/{booking['id']}/move",
        json={"starts_at": at(15), "ends_at": at(16)},
    )
    assert moved.status_code == 409 and "cancel it instead" in moved.json()["detail"]
    cancelled = await api(client, "POST", f"/api/rooms/bookings/{booking['id']}/cancel")
    assert cancelled.status_code == 200
    assert await credits_left(client, harbour) == 38


async def test_moving_a_booking_moves_its_hold_and_its_charge(client, park, room):
    await login(client, park.users["member"])
    harbour = park.startups["harbour-pay"]
    booking = (await book(client, room, at(10), at(12))).json()
    other = (await book(client, room, at(15), at(16))).json()
    onto = await api(
        client,
        "POST",
        f"/api/rooms/bookings/{booking['id']}/move",
        json={"starts_at": at(15, 30), "ends_at": at(16, 30)},
    )
    assert onto.status_code == 409
    moved = await api(
        client,
        "POST",
        f"/api/rooms/bookings/{booking['id']}/move",
        json={"starts_at": at(18), "ends_at": at(19)},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["credits"] == 1 and moved.json()["sequence"] == 1
    assert await credits_left(client, harbour) == 40 - 1 - other["credits"]
    hold = await VenueHold.select().where(VenueHold.booking == booking["id"]).first()
    assert hold["held_from"] == await _instant(at(18))
    # The old time is free again.
    assert (await book(client, room, at(10), at(11))).status_code == 201


async def test_the_venues_week_shows_members_bookings_beside_events(app, park, room):
    async with make_client(app) as member, make_client(app) as manager:
        await login(member, park.users["member"])
        booking = (await book(member, room, at(9), at(10), title="Stand-up")).json()
        await login(manager, park.users["manager"])
        week = await manager.get(f"/events/venues/week?date={DAY}")
        assert f'href="/rooms/bookings/{booking["id"]}"' in week.text
        assert "09:00–10:00 Room booking" in week.text
        # The room's managers see the booking itself (a member of another start-up does not).
        assert (await manager.get(f"/rooms/bookings/{booking['id']}")).status_code == 200
    async with make_client(app) as other:
        await login(other, park.users["other_member"])
        assert (await other.get(f"/rooms/bookings/{booking['id']}")).status_code == 404


async def test_a_venue_with_bookings_keeps_them_through_its_changes(client, park, room):
    from tests.conftest import post_form

    await login(client, park.users["member"])
    await book(client, room, at(12), at(13))
    async with make_client(client._transport.app) as manager:
        await login(manager, park.users["manager"])
        retire = await post_form(manager, f"/events/venues/{room}/retire", {})
        assert retire.status_code == 409 and "room booking holds this venue" in retire.text
        event = event_body(room, starts_at=at(10), ends_at=at(11, 30), capacity=8)
        assert (await api(manager, "POST", "/api/events", json=event)).status_code == 201
        # A tear-down of an hour would run the event into the booking at 12:00.
        wider = await post_form(
            manager,
            f"/events/venues/{room}",
            {
                "name_en": "Harbour Room",
                "capacity": "8",
                "setup_minutes": "0",
                "teardown_minutes": "60",
            },
        )
        assert wider.status_code == 409 and "room booking" in wider.text
