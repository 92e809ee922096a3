"""An event's registrations as a page of its own for its managers: filtered by status and
name, a registration cancelled (the waitlist moves up), someone seated out of turn (a full
event gains the seat, never beyond its venue), and the list exported."""

from __future__ import annotations

import asyncio

from events.tables import Event, Registration
from tests.conftest import login, make_client, post_form, text_of
from tests.scene import event_with_a_registration


async def _waiting(event: int, names: list[str]) -> list[int]:
    rows = await Registration.insert(
        *[
            Registration(
                event=event,
                name=n,
                email=f"{n.lower()}@visitor.example",
                status="waitlisted",
                code=f"WAIT-{i:04d}",
            )
            for i, n in enumerate(names)
        ]
    ).returning(Registration.id)
    return [r["id"] for r in rows]


async def test_managers_filter_cancel_and_seat_from_the_registrations_page(client, park):
    event, _code = await event_with_a_registration(park)
    await Event.update({Event.capacity: 1}).where(Event.id == event)
    bea, cai = await _waiting(event, ["Bea", "Cai"])
    guest = (await Registration.select(Registration.id).where(Registration.code == "ABCD-EFGH"))[0]
    await login(client, park.users["manager"])
    page = text_of((await client.get(f"/events/{event}/registrations")).text)
    assert "Guest" in page and "Bea" in page and "Confirmed: 1 of 1 seats" in page
    waiting = text_of((await client.get(f"/events/{event}/registrations?status=waitlisted")).text)
    assert "Bea" in waiting and "Guest guest@visitor" not in waiting
    # Seating Cai out of turn: the full event gains a seat (the hall holds 80).
    seated = await post_form(client, f"/events/{event}/registrations/{cai}/seat")
    assert seated.status_code == 303
    assert (await Event.select(Event.capacity).where(Event.id == event).first())["capacity"] == 2
    # Cancelling the guest frees a seat: Bea, first on the waitlist, takes it.
    cancelled = await post_form(client, f"/events/{event}/registrations/{guest['id']}/cancel")
    assert cancelled.status_code == 303
    states = {
        r["id"]: r["status"] for r in await Registration.select().where(Registration.event == event)
    }
    assert states == {guest["id"]: "cancelled", bea: "confirmed", cai: "confirmed"}
    gone = text_of((await client.get(f"/events/{event}/registrations?status=cancelled")).text)
    assert "Guest" in gone and "Bea" not in gone
    csv = await client.get(f"/events/{event}/attendees.csv")
    assert csv.status_code == 200 and "Bea" in csv.text


async def test_others_may_not_see_or_act_on_an_events_registrations(client, park):
    event, _code = await event_with_a_registration(park)
    (bea,) = await _waiting(event, ["Bea"])
    await login(client, park.users["other_manager"])
    assert (await client.get(f"/events/{event}/registrations")).status_code == 403
    refused = await post_form(client, f"/events/{event}/registrations/{bea}/seat")
    assert refused.status_code == 403
    row = await Registration.select(Registration.status).where(Registration.id == bea).first()
    assert row["status"] == "waitlisted"


async def test_seating_never_goes_beyond_the_venue_even_at_once(app, park):
    event, _code = await event_with_a_registration(park)
    await Event.update({Event.capacity: 79}).where(Event.id == event)  # the hall holds 80
    await Registration.insert(
        *[
            Registration(
                event=event,
                name=f"P{i}",
                email=f"p{i}@v.example",
                status="confirmed",
                code=f"FULL-{i:04d}",
            )
            for i in range(78)
        ]
    )
    waiting = await _waiting(event, [f"W{i}" for i in range(6)])
    managers = [make_client(app) for _ in range(6)]
    for manager in managers:
        await login(manager, park.users["manager"])
    answers = await asyncio.gather(
        *[
            post_form(m, f"/events/{event}/registrations/{rid}/seat")
            for m, rid in zip(managers, waiting, strict=True)
        ]
    )
    for manager in managers:
        await manager.aclose()
    assert sorted(a.status_code for a in answers) == [303, 409, 409, 409, 409, 409]
    assert "holds 80" in text_of(next(a for a in answers if a.status_code == 409).text)
    confirmed = await Registration.count().where(
        (Registration.event == event) & (Registration.status == "confirmed")
    )
    capacity = (await Event.select(Event.capacity).where(Event.id == event).first())["capacity"]
    assert (confirmed, capacity) == (80, 80)
