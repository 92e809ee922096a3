"""Registration: seats up to capacity under concurrency, the waitlist, guests, windows, check-in, attendee exports, cancellations."""

from __future__ import annotations

import asyncio
import csv
import io
from dataclasses import replace

from events.tables import Registration
from incubator.app import create_app
from tests.conftest import api, login, make_client, post_form, text_of
from tests.events.conftest import at, event_body, schedule
from tests.mailbox import Mailbox


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
    listed = text_of((await client.get(f"/events/{event}/check-in?q=memb")).text)
    assert "Member" in listed and "Check-in opens on" in listed  # ten days away: read only
    early = await post_form(client, f"/events/{event}/check-in/{mine['id']}", {"q": ""})
    assert early.status_code == 409 and "the day of the event" in text_of(early.text)
    # On the event's day, in Hong Kong, people are checked in.
    from datetime import timedelta

    from events.tables import Event
    from incubator.db import utcnow

    begun = utcnow() - timedelta(minutes=1)  # under way: its day is today at any hour
    await Event.update({Event.starts_at: begun, Event.ends_at: begun + timedelta(hours=1)}).where(
        Event.id == event
    )
    done = await post_form(client, f"/events/{event}/check-in/{mine['id']}", {"q": ""})
    assert done.status_code == 303
    row = await Registration.select().where(Registration.id == mine["id"]).first()
    assert row["checked_in_at"] is not None
    from events.services.registrations import attendance_by_centre

    figures = {r.slug: r for r in await attendance_by_centre()}
    assert figures["entrepreneurship"].checked_in == 1
    assert figures["entrepreneurship"].rate == 1.0


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
    assert record["Name"].startswith("'=") and record["Status"] == "Confirmed"
    assert "Checked in (Hong Kong time)" in rows[0]
    await login(client, park.users["other_manager"])
    assert (await client.get(f"/events/{event}/attendees.csv")).status_code == 403


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


async def test_my_events_tells_upcoming_attended_missed_and_cancelled_apart(client, park):
    from datetime import timedelta

    from events.tables import Event, Registration
    from incubator.auth.tables import User
    from incubator.db import utcnow
    from tests.conftest import text_of

    member = await User.select(User.id).where(User.email == park.users["member"]).first()
    centre, now = park.centres["entrepreneurship"], utcnow()

    async def registered(title: str, days: int, **values) -> None:
        start = now + timedelta(days=days)
        event = await Event.insert(
            Event(
                title_en=title,
                centre=centre,
                starts_at=start,
                capacity=10,
                ends_at=start + timedelta(hours=2),
                status=values.pop("event", "published"),
            )
        ).returning(Event.id)
        await Registration.insert(
            Registration(
                event=event[0]["id"],
                name="Member",
                user=member["id"],
                code=f"CODE-{title[:4].upper()}",
                **{"status": "confirmed"} | values,
            )
        )

    await registered("Soon Summit", 3)
    await registered("Went Workshop", -3, checked_in_at=now - timedelta(days=3))
    await registered("Skipped Seminar", -5)
    await registered("Dropped Demo", 4, status="cancelled", cancelled_at=now)
    await registered("Called Off Clinic", 6, event="cancelled")
    await login(client, park.users["member"])
    page = text_of((await client.get("/events/mine")).text)
    upcoming, rest = page.split("Upcoming", 1)[1].split("Past", 1)
    past, cancelled = rest.split("Cancelled", 1)
    assert "Soon Summit" in upcoming and "Confirmed" in upcoming
    assert "Went Workshop Member Attended" in past
    assert "Skipped Seminar Member Missed" in past
    assert (
        "Dropped Demo" in cancelled and "Called Off Clinic (the event was cancelled)" in cancelled
    )
