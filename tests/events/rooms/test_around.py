"""Around a booking: the confirmation email with its calendar invitation (real SMTP on
loopback), the member's private calendar feed, the reminder an hour before (once), check-in
at the room, and no-shows releasing the room."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from email.header import decode_header, make_header

import icalendar

from events.rooms.services import bookings
from events.tables import RoomBooking, VenueHold
from incubator.app import create_app
from incubator.db import utcnow
from incubator.reminders.services import delivery, engine
from incubator.reminders.tables import ReminderLedger
from tests.conftest import api, login, make_client, post_form
from tests.events.rooms.conftest import at, book, make_room
from tests.mailbox import Mailbox


def _invite(message) -> icalendar.Calendar:
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return icalendar.Calendar.from_ical(parts[0].get_payload(decode=True))


async def test_booking_moving_and_cancelling_send_calendar_invitations(settings, park, room):
    with Mailbox() as mailbox:
        app = create_app(
            replace(settings, smtp_host="127.0.0.1", smtp_port=mailbox.port), manage_engine=False
        )
        async with make_client(app) as member:
            await login(member, park.users["member"])
            booking = (await book(member, room, at(10), at(11), title="Board call")).json()
            await api(
                member,
                "POST",
                f"/api/rooms/bookings/{booking['id']}/move",
                json={"starts_at": at(11), "ends_at": at(12)},
            )
            await api(member, "POST", f"/api/rooms/bookings/{booking['id']}/cancel")
    assert [m["To"] for m in mailbox.messages] == [park.users["member"]] * 3
    subjects = [str(make_header(decode_header(m["Subject"]))) for m in mailbox.messages]
    assert subjects[0].startswith("Booked: Harbour Room") and "10:00" in subjects[0]
    assert subjects[1].startswith("Moved:") and subjects[2].startswith("Cancelled:")
    invites = [_invite(m) for m in mailbox.messages]
    assert [str(i["method"]) for i in invites] == ["REQUEST", "REQUEST", "CANCEL"]
    items = [next(iter(i.walk("VEVENT"))) for i in invites]
    assert len({str(e["uid"]) for e in items}) == 1  # one booking: calendars update it
    assert [int(e["sequence"]) for e in items] == [0, 1, 2]
    assert items[1]["dtstart"].dt.hour == 11 and str(items[0]["summary"]).startswith("Board call")
    assert "mailto:" + park.users["member"] in str(items[0]["attendee"]).lower()


async def test_the_booking_is_in_the_members_private_calendar_feed(client, park, room):
    await login(client, park.users["member"])
    booking = (await book(client, room, at(15), at(16), title="Design review")).json()
    page = await post_form(client, "/events/mine/feed", {})
    url = page.text.split("/events/feeds/me/")[1].split(".ics")[0]
    feed = await client.get(f"/events/feeds/me/{url}.ics")
    calendar = icalendar.Calendar.from_ical(feed.content)
    [item] = [e for e in calendar.walk("VEVENT") if "Design review" in str(e["summary"])]
    assert item["dtstart"].dt.hour == 15 and str(item["status"]) == "CONFIRMED"
    assert str(item["url"]).endswith(f"/rooms/bookings/{booking['id']}")
    await api(client, "POST", f"/api/rooms/bookings/{booking['id']}/cancel")
    calendar = icalendar.Calendar.from_ical(
        (await client.get(f"/events/feeds/me/{url}.ics")).content
    )
    [item] = [e for e in calendar.walk("VEVENT") if "Design review" in str(e["summary"])]
    assert str(item["status"]) == "CANCELLED"


async def test_a_reminder_an_hour_before_arrives_once(settings, park, room):
    with Mailbox() as mailbox:
        configured = replace(settings, smtp_host="127.0.0.1", smtp_port=mailbox.port)
        app = create_app(configured, manage_engine=False)
        async with make_client(app) as member:
            await login(member, park.users["member"])
            booking = (await book(member, room, at(14), at(15))).json()
        starts = (await RoomBooking.select(RoomBooking.starts_at).first())["starts_at"]
        before = starts - timedelta(hours=1, minutes=2)
        assert (await engine.sweep(configured, before))["room_booking_soon"] == 0
        due = starts - timedelta(minutes=59)
        assert (await engine.sweep(configured, due))["room_booking_soon"] == 2  # email, inbox
        assert (await engine.sweep(configured, due + timedelta(minutes=1)))[
            "room_booking_soon"
        ] == 0
        sent = await delivery.deliver_due(configured, due)
        assert sent["sent"] >= 1
        await delivery.deliver_due(configured, due + timedelta(minutes=3))
    subjects = [str(make_header(decode_header(m["Subject"]))) for m in mailbox.messages]
    reminders = [s for s in subjects if s.startswith("In an hour")]
    assert len(reminders) == 1 and "Harbour Room" in reminders[0]
    assert (
        await ReminderLedger.count().where(
            ReminderLedger.subject == f"room_booking:{booking['id']}"
        )
        == 2
    )


async def _booking_at(park, room: int, starts_in: timedelta, minutes: int = 60) -> int:
    start = utcnow().replace(second=0, microsecond=0) + starts_in
    rows = await RoomBooking.insert(
        RoomBooking(
            venue=room,
            startup=park.startups["harbour-pay"],
            starts_at=start,
            ends_at=start + timedelta(minutes=minutes),
            code=f"test-{room}-{starts_in.total_seconds()}",
        )
    ).returning(RoomBooking.id)
    return rows[0]["id"]


async def test_a_booking_not_checked_in_is_released_after_fifteen_minutes(client, park):
    room = await make_room(
        park, "Check-in Room", uses_check_in=True, opens_at="00:00", closes_at="24:00"
    )
    plain = await make_room(park, "Plain Room", opens_at="00:00", closes_at="24:00")
    other = await make_room(
        park, "Other Room", uses_check_in=True, opens_at="00:00", closes_at="24:00"
    )
    late = await _booking_at(park, room, -timedelta(minutes=20))
    early = await _booking_at(park, room, -timedelta(minutes=80), minutes=30)
    arrived = await _booking_at(park, other, timedelta(minutes=5))
    elsewhere = await _booking_at(park, plain, -timedelta(minutes=20))
    await login(client, park.users["member"])
    checked = await api(client, "POST", f"/api/rooms/bookings/{arrived}/check-in")
    assert checked.status_code == 200 and checked.json()["checked_in_at"]
    assert await bookings.release_no_shows() == 2
    assert await bookings.release_no_shows() == 0  # once
    rows = {r["id"]: r for r in await RoomBooking.select()}
    assert rows[late]["status"] == rows[early]["status"] == "released"
    assert rows[arrived]["status"] == rows[elsewhere]["status"] == "confirmed"
    hold = await VenueHold.select().where(VenueHold.booking == late).first()
    assert hold["held_until"] == rows[late]["starts_at"] + timedelta(minutes=15)
    page = await client.get(f"/rooms/bookings/{late}")
    assert "Released: no one checked in" in page.text
    # The member who booked hears of it once (the in-app inbox: no SMTP server here).
    from incubator.reminders.services import engine as reminders
    from incubator.reminders.tables import ReminderLedger

    member = await _member_id(park)
    await RoomBooking.update({RoomBooking.booked_by: member}).where(
        RoomBooking.id.is_in([late, early])
    )
    now = utcnow()
    first = await reminders.sweep(client._transport.app.state.settings, now)
    again = await reminders.sweep(client._transport.app.state.settings, now + timedelta(minutes=1))
    assert first["room_booking_released"] >= 2 and again["room_booking_released"] == 0
    told = await ReminderLedger.select(ReminderLedger.subject).where(
        ReminderLedger.source == "room_booking_released"
    )
    assert len(told) == first["room_booking_released"]
    assert {r["subject"] for r in told} == {f"room_booking:{late}", f"room_booking:{early}"}


async def _member_id(park) -> int:
    from incubator.auth.tables import User

    row = await User.select(User.id).where(User.email == park.users["member"]).first()
    return row["id"]


async def test_check_in_by_the_rooms_qr_code(client, park):
    room = await make_room(park, "QR Room", uses_check_in=True, opens_at="00:00", closes_at="24:00")
    await login(client, park.users["member"])
    nothing = await post_form(client, f"/rooms/{room}/check-in", {})
    assert nothing.status_code == 404 and "has a booking of this room now" in nothing.text
    soon = await _booking_at(park, room, timedelta(minutes=8))
    too_early = await _booking_at(park, room, timedelta(hours=3))
    early = await api(client, "POST", f"/api/rooms/bookings/{too_early}/check-in")
    assert early.status_code == 409 and "10 minutes before" in early.json()["detail"]
    qr = await client.get(f"/rooms/{room}/qr.svg")
    assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg")
    assert (await client.get(f"/rooms/{room}/check-in")).status_code == 200
    done = await post_form(client, f"/rooms/{room}/check-in", {})
    assert done.status_code == 303 and done.headers["location"].startswith(
        f"/rooms/bookings/{soon}"
    )
    row = await RoomBooking.select(RoomBooking.checked_in_at).where(RoomBooking.id == soon).first()
    assert row["checked_in_at"] is not None
