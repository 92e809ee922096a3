"""Scheduling events in venues: one event a venue at a time, buffers, drafts, duplicates, venue changes, calendar views."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from events.tables import Event, Venue
from incubator.i18n import HONG_KONG
from tests.conftest import api, login, make_client, post_form, text_of
from tests.events.conftest import DAY, at, event_body, schedule, venue_form


async def test_a_venue_holds_one_event_at_a_time_buffers_included(client, park, venue):
    await login(client, park.users["manager"])
    first = await schedule(client, venue)
    assert first.status_code == 201, first.text
    # 16:45 with its 30-minute set-up starts inside the 30-minute tear-down of the forum, which ends at 16:00.
    clash = await schedule(client, venue, title_en="Demo Day", starts_at=at(16, 45), ends_at=at(18))
    assert clash.status_code == 409
    detail = clash.json()["detail"]
    assert "FinTech Forum" in detail and f"{DAY} 14:00" in detail and "16:00" in detail
    assert "16:30" in detail  # held until the end of tear-down
    # From 17:00, with its own 30-minute set-up, the hall is free.
    free = await schedule(client, venue, title_en="Demo Day", starts_at=at(17), ends_at=at(18))
    assert free.status_code == 201, free.text
    assert await Event.count() == 2
    # Moving the demo day onto the forum is refused too.
    demo = free.json()["id"]
    form = await post_form(
        client,
        f"/events/{demo}/edit",
        event_body(str(venue), title_en="Demo Day", starts_at=at(15), ends_at=at(16))
        | {"clusters": "fintech"},
    )
    assert form.status_code == 409 and "FinTech Forum" in text_of(form.text)
    assert (await Event.select(Event.starts_at).where(Event.id == demo).first())[
        "starts_at"
    ].astimezone(HONG_KONG).hour == 17


async def test_thirty_concurrent_bookings_of_one_venue_and_time_make_one_event(app, park, venue):
    async with make_client(app) as manager:
        await login(manager, park.users["manager"])

        async def book(n: int) -> int:
            body = event_body(venue, title_en=f"Booking {n}", starts_at=at(9, n % 3 * 10))
            return (await api(manager, "POST", "/api/events", json=body)).status_code

        statuses = await asyncio.gather(*(book(n) for n in range(30)))
    assert statuses.count(201) == 1 and statuses.count(409) == 29, statuses
    assert await Event.count() == 1


async def test_a_cancelled_event_releases_its_venue(client, park, venue):
    await login(client, park.users["manager"])
    forum = (await schedule(client, venue)).json()["id"]
    await client.get(f"/events/{forum}")
    cancelled = await post_form(client, f"/events/{forum}/status", {"status": "cancelled"})
    assert cancelled.status_code == 303
    again = await schedule(client, venue, title_en="Replacement")
    assert again.status_code == 201, again.text


async def test_the_database_refuses_a_double_booking_on_its_own(park, venue):
    from incubator.db import utcnow, write_transaction

    start = utcnow() + timedelta(days=3)
    values = {
        "title_en": "A",
        "centre": park.centres["entrepreneurship"],
        "venue": venue,
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "venue_from": start - timedelta(minutes=30),
        "venue_until": start + timedelta(hours=2, minutes=30),
        "capacity": 10,
        "status": "published",
    }
    await Event.insert(Event(**values))
    with pytest.raises(Exception) as caught:
        async with write_transaction():
            await Event.insert(Event(**values | {"title_en": "B"}))
    assert "overlap" in str(caught.value) or "event_venue_no_overlap" in str(caught.value)
    assert await Event.count() == 1


async def test_event_rules_name_each_field(client, park, venue):
    await login(client, park.users["manager"])
    bad = await schedule(
        client,
        venue,
        title_en="",
        capacity=500,
        ends_at=at(13),
        clusters=["nowhere"],
        online_url="ftp://x",
    )
    assert bad.status_code == 422
    errors = bad.json()["errors"]
    assert set(errors) >= {"title_en", "ends_at", "clusters", "online_url"}
    over = await schedule(client, venue, capacity=500)
    assert "venue's capacity of 120" in over.json()["errors"]["capacity"]
    nowhere = await schedule(client, None)
    assert "choose a venue, give an online link" in nowhere.json()["errors"]["venue"]
    await login(client, park.users["other_manager"])
    foreign = await schedule(client, venue, centre="technology")
    assert "venue of a centre or hub you manage" in foreign.json()["errors"]["venue"]
    assert await Event.count() == 0


async def test_drafts_are_seen_only_by_those_who_run_them(client, park, venue):
    await login(client, park.users["manager"])
    draft = (await schedule(client, venue, status="draft")).json()["id"]
    assert (await api(client, "GET", f"/api/events/{draft}")).status_code == 200
    for who in ("other_manager", "member"):
        await login(client, park.users[who])
        assert (await api(client, "GET", f"/api/events/{draft}")).status_code == 404
        assert (await client.get("/api/events")).json()["total"] == 0
    await login(client, park.users["manager"])
    await client.get(f"/events/{draft}")
    await post_form(client, f"/events/{draft}/status", {"status": "published"})
    async with make_client(client._transport.app) as public:
        assert (await public.get(f"/api/events/{draft}")).json()["status"] == "published"


async def test_calendar_month_week_and_list_views_filter_by_centre_hub_and_cluster(
    client, park, venue
):
    await login(client, park.users["admin"])
    await schedule(client, venue)
    await schedule(
        client,
        None,
        title_en="Web3 Builders Night",
        centre="web3hub",
        clusters=["web3"],
        online_url="https://meet.example/web3",
        starts_at=at(19),  # the same day: a day after DAY is in the next week when DAY is a Sunday
        ends_at=at(21),
    )
    for view in ("month", "week", "list"):
        page = await client.get(f"/events?view={view}&date={DAY}")
        text = text_of(page.text)
        assert page.status_code == 200 and "FinTech Forum" in text and "Web3 Builders Night" in text
    hub = text_of((await client.get(f"/events?view=list&date={DAY}&hub=web3hub")).text)
    assert "Web3 Builders Night" in hub and "FinTech Forum" not in hub
    cluster = (await client.get(f"/api/events?cluster=fintech&start={DAY}T00:00")).json()
    assert [e["title_en"] for e in cluster["items"]] == ["FinTech Forum"]
    assert (await client.get("/events?view=year")).status_code == 400


async def test_a_busy_day_in_the_month_grid_shows_four_events_and_links_to_the_rest(client, park):
    await login(client, park.users["admin"])
    for hour in range(9, 15):
        made = await schedule(
            client,
            None,
            title_en=f"Clinic at {hour}",
            online_url="https://meet.example/clinic",
            starts_at=at(hour),
            ends_at=at(hour, 45),
        )
        assert made.status_code == 201, made.text
    page = await client.get(f"/events?view=month&date={DAY}&cluster=fintech")
    text = text_of(page.text)
    assert [h for h in range(9, 15) if f"Clinic at {h}" in text] == [9, 10, 11, 12]
    assert "2 more" in text
    assert f'href="?cluster=fintech&view=list&date={DAY}"' in page.text
    listed = text_of((await client.get(f"/events?cluster=fintech&view=list&date={DAY}")).text)
    assert all(f"Clinic at {h}" in listed for h in range(9, 15))


async def test_duplicate_makes_a_draft_a_week_later(client, park, venue):
    await login(client, park.users["manager"])
    forum = (await schedule(client, venue)).json()["id"]
    await client.get(f"/events/{forum}")
    response = await post_form(client, f"/events/{forum}/duplicate")
    assert response.status_code == 303
    copy = await Event.select().where(Event.id != forum).first()
    original = await Event.select().where(Event.id == forum).first()
    assert copy["status"] == "draft" and copy["venue"] == venue
    assert copy["starts_at"] - original["starts_at"] == timedelta(days=7)


async def test_events_api_is_in_the_openapi_document(client):
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    assert {"/api/events", "/api/events/{event_id}", "/api/events/{event_id}/registrations"} <= set(
        paths
    )


async def test_venue_changes_keep_upcoming_events_whole(client, park, venue):
    await login(client, park.users["manager"])
    forum = (await schedule(client, venue, capacity=100)).json()["id"]
    await schedule(client, venue, title_en="Demo Day", starts_at=at(17), ends_at=at(18))
    await client.get(f"/events/venues/{venue}")
    small = await post_form(client, f"/events/venues/{venue}", venue_form(capacity="80"))
    assert small.status_code == 422 and "FinTech Forum" in text_of(small.text)
    # The forum ends at 16:00 and the demo day starts at 17:00: 40 + 30 minutes clash.
    wide = await post_form(client, f"/events/venues/{venue}", venue_form(teardown_minutes="40"))
    assert wide.status_code == 409 and "would overlap" in text_of(wide.text)
    assert (await Venue.select(Venue.teardown_minutes).first())["teardown_minutes"] == 30
    ok = await post_form(
        client, f"/events/venues/{venue}", venue_form(setup_minutes="10", teardown_minutes="45")
    )
    assert ok.status_code == 303
    held = await Event.select(Event.venue_until, Event.ends_at).where(Event.id == forum).first()
    assert held["venue_until"] - held["ends_at"] == timedelta(minutes=45)
    retire = await post_form(client, f"/events/venues/{venue}/retire")
    assert retire.status_code == 409 and "FinTech Forum" in text_of(retire.text)
    await login(client, park.users["other_manager"])
    assert (
        await post_form(client, f"/events/venues/{venue}", venue_form(name_en="Mine now"))
    ).status_code == 403


async def test_a_venue_without_upcoming_events_retires_and_cannot_be_booked(client, park, venue):
    await login(client, park.users["manager"])
    await client.get("/events/venues")
    assert (await post_form(client, f"/events/venues/{venue}/retire")).status_code == 303
    refused = await schedule(client, venue)
    assert refused.status_code == 422 and "venue" in refused.json()["errors"]


async def test_the_event_form_names_unreadable_values_and_broken_rules_at_once(client, park, venue):
    """The form is read into the API's command: a capacity that is not a number is named
    beside its field together with the rules the other values break, and nothing is kept."""
    await login(client, park.users["manager"])
    form = {k: ("1" if v is True else v) for k, v in event_body(venue).items() if v is not False}
    form |= {"title_en": "", "capacity": "fifty", "online_url": "ftp://x", "venue": str(venue)}
    response = await post_form(client, "/events/new", form)
    assert response.status_code == 422
    text = text_of(response.text)
    assert "must be a whole number" in text  # capacity, as read
    assert "is required" in text  # the title, a rule of the service
    assert "must be a web address" in text
    assert await Event.count() == 0


async def test_the_month_view_names_its_month_and_goes_back_to_today(client, park):
    from tests.scene import event_with_a_registration

    event, _code = await event_with_a_registration(park)
    from events.tables import Event

    await Event.update({Event.capacity: 2}).where(Event.id == event)  # one registered: 1 left
    page = text_of((await client.get("/events?view=month&date=2027-03-10")).text)
    assert "Earlier March 2027 Later Today" in page
    client.cookies.set("lang", "zh-Hant")
    chinese = text_of((await client.get("/events?view=month&date=2027-03-10")).text)
    assert "較早 2027年3月 較後 今日" in chinese
    client.cookies.set("lang", "en")
    listed = text_of((await client.get("/events")).text)
    assert "1 seat left" in listed and "1 seats" not in listed


async def test_a_week_of_each_venues_holds_shows_busy_and_free_days(client, park):
    from datetime import datetime, timedelta

    from events.tables import Event
    from tests.scene import event_with_a_registration

    event, _code = await event_with_a_registration(park)
    row = await Event.select(Event.venue_from).where(Event.id == event).first()
    held_on = row["venue_from"].astimezone(HONG_KONG).date()
    ten = datetime(held_on.year, held_on.month, held_on.day, 10, tzinfo=HONG_KONG)
    await Event.update(  # held 10:00 to 12:30 that day, whatever the hour the test runs
        {Event.venue_from: ten, Event.venue_until: ten + timedelta(hours=2, minutes=30)}
    ).where(Event.id == event)
    first = held_on - timedelta(days=held_on.weekday())
    await login(client, park.users["member"])
    assert (await client.get("/events/venues/week")).status_code == 403
    await login(client, park.users["manager"])
    page = await client.get(f"/events/venues/week?date={first}")
    assert page.status_code == 200
    row_text = text_of(page.text).split("Hall", 1)[1]
    assert "10:00–12:30 Demo Day" in row_text and row_text.count("Free") == 6  # one busy day
    later = text_of(
        (await client.get(f"/events/venues/week?date={first + timedelta(days=7)}")).text
    )
    assert "Demo Day" not in later
    bad = await client.get("/events/venues/week?date=tomorrow")
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.text


async def test_a_venue_says_where_it_is_in_both_languages(client, park, venue):
    await login(client, park.users["manager"])
    await client.get("/events/venues")
    changed = await post_form(
        client,
        f"/events/venues/{venue}",
        venue_form(location="Cyberport 3, level 2", location_zh="數碼港3座2樓"),
    )
    assert changed.status_code == 303
    event = (await schedule(client, venue)).json()["id"]
    english = text_of((await client.get(f"/events/{event}")).text)
    assert "Cyberport 3, level 2" in english
    client.cookies.set("lang", "zh-Hant")
    chinese = text_of((await client.get(f"/events/{event}")).text)
    assert "數碼港3座2樓" in chinese and "Cyberport 3, level 2" not in chinese
