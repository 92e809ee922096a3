"""Events: venues never double-booked (buffers included), capacity and waitlists under
concurrency, promotion on cancellation, drafts, the calendar, check-in, feeds and export."""

import asyncio
import csv
import io
from dataclasses import replace
from datetime import datetime, timedelta

import icalendar
import pytest

from events.tables import Event, Registration, Venue
from incubator.app import create_app
from incubator.i18n import HONG_KONG, today_hk
from tests.conftest import api, login, make_client, post_form, text_of
from tests.mailbox import Mailbox

DAY = today_hk() + timedelta(days=10)


def at(hour: int, minute: int = 0, days: int = 0) -> str:
    return f"{DAY + timedelta(days=days)}T{hour:02d}:{minute:02d}"


@pytest.fixture
async def venue(park) -> int:
    rows = await Venue.insert(
        Venue(
            centre=park.centres["entrepreneurship"],
            name_en="Innovation Hall",
            name_zh="創新廳",
            location="Cyberport 3, level 1",
            capacity=120,
            setup_minutes=30,
            teardown_minutes=30,
        )
    ).returning(Venue.id)
    return rows[0]["id"]


def event_body(venue: int | None, **extra) -> dict:
    return {
        "title_en": "FinTech Forum",
        "title_zh": "金融科技論壇",
        "centre": "entrepreneurship",
        "clusters": ["fintech"],
        "venue": venue,
        "starts_at": at(14),
        "ends_at": at(16),
        "capacity": 100,
        "status": "published",
        **extra,
    }


async def schedule(client, venue, **extra):
    return await api(client, "POST", "/api/events", json=event_body(venue, **extra))


# ---------------------------------------------------------------- venues


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


# ---------------------------------------------------------------- drafts and the calendar


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


# ---------------------------------------------------------------- registration


async def test_two_hundred_concurrent_registrations_for_fifty_seats(app, client, park):
    await login(client, park.users["manager"])
    event = (
        await schedule(
            client, None, online_url="https://meet.example/x", capacity=50, allow_guests=True
        )
    ).json()["id"]

    async def register(n: int) -> int:
        async with make_client(app) as guest:
            response = await api(
                guest,
                "POST",
                f"/api/events/{event}/registrations",
                json={"name": f"Guest {n}", "email": f"guest{n}@visitor.example"},
            )
            return response.status_code

    statuses = await asyncio.gather(*(register(n) for n in range(200)))
    assert statuses.count(201) == 200, statuses
    rows = await Registration.select(Registration.status).where(Registration.event == event)
    counts = {s: sum(r["status"] == s for r in rows) for s in ("confirmed", "waitlisted")}
    assert counts == {"confirmed": 50, "waitlisted": 150}


async def test_a_cancellation_promotes_the_first_on_the_waitlist_and_tells_them(settings, park):
    with Mailbox() as mailbox:
        app = create_app(
            replace(settings, smtp_host="127.0.0.1", smtp_port=mailbox.port), manage_engine=False
        )
        async with (
            make_client(app) as manager,
            make_client(app) as member,
            make_client(app) as other,
        ):
            await login(manager, park.users["manager"])
            event = (
                await schedule(manager, None, online_url="https://meet.example/x", capacity=1)
            ).json()["id"]
            await login(member, park.users["member"])
            await login(other, park.users["other_member"])
            seat = await api(member, "POST", f"/api/events/{event}/registrations", json={})
            queued = await api(other, "POST", f"/api/events/{event}/registrations", json={})
            assert seat.json()["status"] == "confirmed"
            assert queued.json()["status"] == "waitlisted"
            twice = await api(other, "POST", f"/api/events/{event}/registrations", json={})
            assert twice.status_code == 409 and "already registered" in twice.json()["detail"]
            stranger = await api(
                other, "POST", f"/api/events/registrations/{seat.json()['id']}/cancel", json={}
            )
            assert stranger.status_code == 403
            cancelled = await api(
                member, "POST", f"/api/events/registrations/{seat.json()['id']}/cancel", json={}
            )
            assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
            promoted = (
                await Registration.select().where(Registration.id == queued.json()["id"]).first()
            )
            assert promoted["status"] == "confirmed" and promoted["promoted_at"] is not None
        assert [m["To"] for m in mailbox.messages] == [park.users["other_member"]]
        assert "You have a seat" in mailbox.messages[0]["Subject"]
        assert promoted["code"] in Mailbox.text_of(mailbox.messages[0])


async def test_guests_register_only_where_the_event_allows_it(client, park):
    await login(client, park.users["manager"])
    closed = (await schedule(client, None, online_url="https://meet.example/x")).json()["id"]
    open_ = (
        await schedule(
            client, None, online_url="https://meet.example/y", allow_guests=True, title_en="Open"
        )
    ).json()["id"]
    async with make_client(client._transport.app) as guest:
        body = {"name": "Visitor", "email": "visitor@elsewhere.example"}
        refused = await api(guest, "POST", f"/api/events/{closed}/registrations", json=body)
        assert refused.status_code == 403
        bad = await api(
            guest, "POST", f"/api/events/{open_}/registrations", json={"name": "", "email": "x"}
        )
        assert bad.status_code == 422 and set(bad.json()["errors"]) == {"name", "email"}
        ok = await api(guest, "POST", f"/api/events/{open_}/registrations", json=body)
        assert ok.status_code == 201 and ok.json()["status"] == "confirmed"
        code = ok.json()["code"]
        page = await guest.get(f"/registrations/{code}")
        assert page.status_code == 200 and "qr.svg" in page.text
        qr = await guest.get(f"/registrations/{code}/qr.svg")
        assert qr.headers["content-type"].startswith("image/svg") and b"<svg" in qr.content
        by_code = await post_form(guest, f"/registrations/{code}/cancel")
        assert by_code.status_code == 303
    assert await Registration.count().where(Registration.status == "cancelled") == 1


async def test_check_in_by_name_or_code_and_attendance_figures(client, park):
    await login(client, park.users["manager"])
    event = (await schedule(client, None, online_url="https://meet.example/x")).json()["id"]
    async with make_client(client._transport.app) as member:
        await login(member, park.users["member"])
        mine = (await api(member, "POST", f"/api/events/{event}/registrations", json={})).json()
        assert (await member.get(f"/events/{event}/check-in")).status_code == 403
    found = text_of((await client.get(f"/events/{event}/check-in?q={mine['code']}")).text)
    assert "Member" in found and mine["code"] in found
    assert "Member" in text_of((await client.get(f"/events/{event}/check-in?q=memb")).text)
    done = await post_form(client, f"/events/{event}/check-in/{mine['id']}", {"q": ""})
    assert done.status_code == 303
    row = await Registration.select().where(Registration.id == mine["id"]).first()
    assert row["checked_in_at"] is not None
    from events.services.registrations import attendance_by_centre

    figures = {r["slug"]: r for r in await attendance_by_centre()}
    assert figures["entrepreneurship"]["checked_in"] == 1
    assert figures["entrepreneurship"]["rate"] == 1.0


# ---------------------------------------------------------------- feeds and export


async def test_centre_feed_parses_with_hong_kong_times_and_cancelled_events(client, park, venue):
    await login(client, park.users["manager"])
    forum = (await schedule(client, venue)).json()["id"]
    talk = (
        await schedule(
            client,
            None,
            title_en="Talk; with, commas",
            title_zh="",
            online_url="https://meet.example/t",
            starts_at=at(10, days=2),
            ends_at=at(11, days=2),
        )
    ).json()["id"]
    await schedule(
        client, None, title_en="Secret draft", online_url="https://x.example", status="draft"
    )
    await client.get(f"/events/{talk}")
    await post_form(client, f"/events/{talk}/status", {"status": "cancelled"})
    async with make_client(client._transport.app) as public:
        response = await public.get("/events/feeds/entrepreneurship.ics")
    assert response.headers["content-type"].startswith("text/calendar")
    parsed = icalendar.Calendar.from_ical(response.content)
    events = {str(e["SUMMARY"]): e for e in parsed.walk("VEVENT")}
    assert set(events) == {"FinTech Forum / 金融科技論壇", "Talk; with, commas"}
    start = events["FinTech Forum / 金融科技論壇"].decoded("DTSTART")
    assert start == datetime.fromisoformat(at(14)).replace(tzinfo=start.tzinfo)
    assert start.utcoffset() == timedelta(hours=8)
    assert str(events["FinTech Forum / 金融科技論壇"]["STATUS"]) == "CONFIRMED"
    assert str(events["Talk; with, commas"]["STATUS"]) == "CANCELLED"
    assert f"event-{forum}@" in str(events["FinTech Forum / 金融科技論壇"]["UID"])
    assert all(len(line.encode()) <= 75 for line in response.content.decode().split("\r\n"))


async def test_private_feed_lists_my_events_and_a_new_link_revokes_the_old(client, park):
    await login(client, park.users["manager"])
    event = (await schedule(client, None, online_url="https://meet.example/x")).json()["id"]
    await schedule(client, None, title_en="Not mine", online_url="https://meet.example/y")
    await login(client, park.users["member"])
    await api(client, "POST", f"/api/events/{event}/registrations", json={})
    await client.get("/events/mine")
    made = await post_form(client, "/events/mine/feed")
    url = text_of(made.text).split("/events/feeds/me/")[1].split(".ics")[0]
    feed = await client.get(f"/events/feeds/me/{url}.ics")
    summaries = [
        str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(feed.content).walk("VEVENT")
    ]
    assert summaries == ["FinTech Forum / 金融科技論壇"]
    await post_form(client, "/events/mine/feed")
    assert (await client.get(f"/events/feeds/me/{url}.ics")).status_code == 404


async def test_attendee_export_for_the_events_managers_with_formulas_neutralised(client, park):
    await login(client, park.users["manager"])
    event = (
        await schedule(client, None, online_url="https://meet.example/x", allow_guests=True)
    ).json()["id"]
    async with make_client(client._transport.app) as guest:
        await api(
            guest,
            "POST",
            f"/api/events/{event}/registrations",
            json={"name": "=cmd|' /C calc'!A0", "email": "evil@visitor.example"},
        )
    response = await client.get(f"/events/{event}/attendees.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["name"].startswith("'=") and record["status"] == "confirmed"
    await login(client, park.users["other_manager"])
    assert (await client.get(f"/events/{event}/attendees.csv")).status_code == 403


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


async def test_members_register_a_teammate_from_their_team_list(client, park):
    from incubator.startups.tables import TeamMember

    rows = await TeamMember.insert(
        TeamMember(
            startup=park.startups["harbour-pay"], name="Ada Chan", email="ada@harbour.example"
        ),
        TeamMember(
            startup=park.startups["lantern-chain"], name="Not Mine", email="x@lantern.example"
        ),
    ).returning(TeamMember.id)
    await login(client, park.users["manager"])
    event = (await schedule(client, None, online_url="https://meet.example/x")).json()["id"]
    await login(client, park.users["member"])
    ok = await api(
        client, "POST", f"/api/events/{event}/registrations", json={"teammate": rows[0]["id"]}
    )
    assert ok.status_code == 201 and ok.json()["name"] == "Ada Chan"
    other = await api(
        client, "POST", f"/api/events/{event}/registrations", json={"teammate": rows[1]["id"]}
    )
    assert other.status_code == 422 and "your start-up's team" in other.json()["errors"]["teammate"]
    mine = text_of((await client.get("/events/mine")).text)
    assert "Ada Chan" in mine  # who registered her sees the registration


async def test_more_capacity_promotes_the_waitlist_and_less_than_confirmed_is_refused(client, park):
    await login(client, park.users["manager"])
    body = event_body(None, online_url="https://meet.example/x", capacity=1, allow_guests=True)
    event = (await api(client, "POST", "/api/events", json=body)).json()["id"]
    async with make_client(client._transport.app) as guest:
        for n in range(3):
            await api(
                guest,
                "POST",
                f"/api/events/{event}/registrations",
                json={"name": f"G{n}", "email": f"g{n}@visitor.example"},
            )
    await client.get(f"/events/{event}/edit")
    form = body | {"clusters": "fintech", "venue": "", "capacity": "2", "allow_guests": "1"}
    grown = await post_form(client, f"/events/{event}/edit", form)
    assert grown.status_code == 303
    statuses = [
        r["status"]
        for r in await Registration.select(Registration.status)
        .where(Registration.event == event)
        .order_by(Registration.id)
    ]
    assert statuses == ["confirmed", "confirmed", "waitlisted"]
    shrunk = await post_form(client, f"/events/{event}/edit", form | {"capacity": "1"})
    assert shrunk.status_code == 422 and "the 2 seats already confirmed" in text_of(shrunk.text)


async def test_registration_waits_for_its_window(client, park):
    await login(client, park.users["manager"])
    event = (
        await schedule(
            client,
            None,
            online_url="https://meet.example/x",
            registration_opens_at=at(9),
        )
    ).json()["id"]
    await login(client, park.users["member"])
    early = await api(client, "POST", f"/api/events/{event}/registrations", json={})
    assert early.status_code == 409 and "registration opens" in early.json()["detail"]
    page = text_of((await client.get(f"/events/{event}")).text)
    assert "Registration is closed" in page and "registration opens" in page


async def test_attendance_page_for_managers(client, park):
    await login(client, park.users["manager"])
    await schedule(client, None, online_url="https://meet.example/x")
    page = await client.get("/events/attendance")
    assert page.status_code == 200 and "Entrepreneurship Centre" in text_of(page.text)
    await login(client, park.users["member"])
    assert (await client.get("/events/attendance")).status_code == 403


async def test_cancelling_an_event_tells_everyone_registered(settings, park):
    with Mailbox() as mailbox:
        app = create_app(
            replace(settings, smtp_host="127.0.0.1", smtp_port=mailbox.port), manage_engine=False
        )
        async with make_client(app) as manager, make_client(app) as member:
            await login(manager, park.users["manager"])
            event = (
                await schedule(manager, None, online_url="https://meet.example/x", capacity=1)
            ).json()["id"]
            await login(member, park.users["member"])
            await api(member, "POST", f"/api/events/{event}/registrations", json={})
            await manager.get(f"/events/{event}")
            await post_form(manager, f"/events/{event}/status", {"status": "cancelled"})
        assert [m["To"] for m in mailbox.messages] == [park.users["member"]]
        assert mailbox.messages[0]["Subject"] == "Cancelled: FinTech Forum"


def venue_form(**extra) -> dict:
    return {
        "name_en": "Innovation Hall",
        "capacity": "120",
        "setup_minutes": "30",
        "teardown_minutes": "30",
    } | extra


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
