"""The meeting rooms' pages: members book from the grid and their forms name each broken rule;
managers set a room's terms; every page reads in both languages."""

from __future__ import annotations

from datetime import timedelta

from events.rooms.tables import BookableRoom
from events.tables import RoomBooking, Venue
from tests.conftest import login, make_client, post_form, text_of
from tests.events.rooms.conftest import DAY, at, book


async def test_a_member_books_from_the_day_grid_and_sees_the_booking(client, park, room):
    await login(client, park.users["member"])
    grid = await client.get(f"/rooms?date={DAY}")
    assert grid.status_code == 200
    assert f'href="/rooms/{room}/book?start={DAY}T10:00"' in grid.text
    assert "40 left of 40" in text_of(grid.text)
    form = await client.get(f"/rooms/{room}/book?start={DAY}T10:00")
    assert (
        form.status_code == 200
        and "10:30 · 1 credit" in form.text
        and "14:00 · 8 credits" in form.text
    )
    done = await post_form(
        client,
        "/rooms/bookings",
        {"room": str(room), "starts_at": at(10), "ends_at": at(11), "title": "Pitch rehearsal"},
    )
    assert done.status_code == 303, done.text
    page = await client.get(done.headers["location"])
    words = text_of(page.text)
    assert "Booked." in words and "Pitch rehearsal" in words and "Harbour Pay" in words
    assert f"{DAY} 10:00–11:00" in words
    mine = await client.get("/rooms/bookings")
    assert "Harbour Room" in mine.text and "38 left of 40" in text_of(mine.text)
    week = await client.get(f"/rooms/{room}?date={DAY}")
    assert week.status_code == 200 and "Yours" in week.text
    cancel = await post_form(client, page.url.path + "/cancel", {})
    assert cancel.status_code == 303 and "done=cancelled" in cancel.headers["location"]
    assert "The credits are back" in (await client.get(cancel.headers["location"])).text


async def test_a_taken_slot_is_refused_on_the_form_with_the_reason(client, park, room):
    await login(client, park.users["member"])
    await book(client, room, at(10), at(11))
    again = await post_form(
        client,
        "/rooms/bookings",
        {"room": str(room), "starts_at": at(10, 30), "ends_at": at(11, 30)},
    )
    assert again.status_code == 409 and "is taken from 10:00 to 11:00" in text_of(again.text)
    assert await RoomBooking.count() == 1


async def test_managers_set_a_rooms_terms_with_each_rule_named(client, park):
    venue = (
        await Venue.insert(
            Venue(centre=park.centres["entrepreneurship"], name_en="Board Room", capacity=10)
        ).returning(Venue.id)
    )[0]["id"]
    await login(client, park.users["manager"])
    listing = await client.get("/rooms/manage")
    assert "Board Room" in listing.text and f"/rooms/manage/{venue}" in listing.text
    form = await client.get(f"/rooms/manage/{venue}")
    assert form.status_code == 200 and 'value="08:00"' in form.text
    bad = await post_form(
        client,
        f"/rooms/manage/{venue}",
        {
            "is_bookable": "1",
            "opens_at": "9am",
            "closes_at": "20:00",
            "slot_minutes": "45",
            "longest_minutes": "x",
            "ahead_days": "400",
            "peak_from": "10:00",
            "peak_until": "17:00",
            "peak_credits": "2",
            "offpeak_credits": "1",
            "cancel_hours": "2",
        },
    )
    words = text_of(bad.text)
    assert bad.status_code == 422
    for rule in (
        "HH:MM",
        "15, 30 or 60 minutes",
        "whole number",
        "between 1 and 365",
        "at least one day",
    ):
        assert rule in words, rule
    assert await BookableRoom.count() == 0
    good = await post_form(
        client,
        f"/rooms/manage/{venue}",
        {
            "is_bookable": "1",
            "weekdays": ["1", "2", "3"],
            "opens_at": "09:00",
            "closes_at": "18:00",
            "slot_minutes": "60",
            "longest_minutes": "120",
            "ahead_days": "14",
            "peak_from": "10:00",
            "peak_until": "16:00",
            "peak_credits": "3",
            "offpeak_credits": "1",
            "cancel_hours": "4",
            "uses_check_in": "1",
        },
    )
    assert good.status_code == 303, text_of(good.text)
    terms = await BookableRoom.select().first()
    assert terms["weekdays"] == "123" and terms["opens_at"] == 9 * 60 and terms["uses_check_in"]
    async with make_client(client._transport.app) as other:
        await login(other, park.users["other_manager"])
        assert (
            await post_form(other, f"/rooms/manage/{venue}", {"opens_at": "08:00"})
        ).status_code == 403


async def test_the_rooms_pages_read_in_chinese(client, park, room):
    await login(client, park.users["member"])
    await client.get("/lang/zh-Hant?next=/rooms")
    booking = (await book(client, room, at(10), at(11))).json()
    for path in (
        "/rooms",
        f"/rooms/{room}",
        "/rooms/bookings",
        f"/rooms/bookings/{booking['id']}",
        f"/rooms/{room}/book?start={at(14)}",
        f"/rooms/{room}/check-in",
    ):
        page = await client.get(path)
        assert page.status_code == 200, path
        assert 'lang="zh-Hant' in page.text, path
        assert "會議室" in page.text, path


async def test_the_day_grid_shows_one_centres_rooms_when_asked(client, park, room, monkeypatch):
    from events.rooms.schemas import RoomTermsIn
    from events.rooms.services import rooms
    from tests.events.rooms.conftest import admin

    other = (
        await Venue.insert(
            Venue(centre=park.centres["technology"], name_en="Tech Huddle", capacity=4)
        ).returning(Venue.id)
    )[0]["id"]
    await rooms.set_terms(await admin(park), other, RoomTermsIn())
    await login(client, park.users["member"])
    both = await client.get(f"/rooms?date={DAY}")
    assert "Harbour Room" in both.text and "Tech Huddle" in both.text
    one = await client.get(f"/rooms?date={DAY}&centre=technology")
    assert "Tech Huddle" in one.text and "Harbour Room" not in one.text
    following = DAY + timedelta(days=1)
    assert f"date={following}&amp;centre=technology" in one.text  # the day links keep it
    # A park of many rooms starts from the member's own centre (Harbour Pay leases there).
    from events.rooms import pages

    monkeypatch.setattr(pages, "ALL_AT_ONCE", 1)
    narrowed = await client.get(f"/rooms?date={DAY}")
    assert "Harbour Room" in narrowed.text and "Tech Huddle" not in narrowed.text
    assert "these are one centre" in narrowed.text
    every = await client.get(f"/rooms?date={DAY}&centre=all")
    assert "Harbour Room" in every.text and "Tech Huddle" in every.text
    wrong = await client.get("/rooms?centre=atlantis")
    assert wrong.status_code == 400 and "no centre or hub called atlantis" in text_of(wrong.text)


async def test_staff_see_the_rooms_free_times_without_booking_them(client, park, room):
    await login(client, park.users["manager"])
    grid = await client.get(f"/rooms?date={DAY}")
    assert grid.status_code == 200 and f"/rooms/{room}/book?" not in grid.text
    form = await client.get(f"/rooms/{room}/book?start={at(10)}")
    assert "Rooms are booked by members of start-ups with a lease in force" in text_of(form.text)
    assert ">Book</button>" not in form.text


async def test_the_venues_week_shows_one_centres_venues_in_a_big_park(
    client, park, room, monkeypatch
):
    from events.services import venues

    await Venue.insert(
        Venue(centre=park.centres["technology"], name_en="Tech Theatre", capacity=50)
    )
    await login(client, park.users["manager"])  # the Entrepreneurship Centre's
    both = await client.get(f"/events/venues/week?date={DAY}")
    assert "Harbour Room" in both.text and "Tech Theatre" in both.text
    monkeypatch.setattr(venues, "ALL_AT_ONCE", 1)
    own = await client.get(f"/events/venues/week?date={DAY}")
    assert "Harbour Room" in own.text and "Tech Theatre" not in own.text
    assert "these are one centre" in own.text
    other = await client.get(f"/events/venues/week?date={DAY}&centre=technology")
    assert "Tech Theatre" in other.text and "Harbour Room" not in other.text
    every = await client.get(f"/events/venues/week?date={DAY}&centre=all")
    assert "Harbour Room" in every.text and "Tech Theatre" in every.text
    wrong = await client.get("/events/venues/week?centre=atlantis")
    assert wrong.status_code == 400
