"""The summary rows the database keeps (`incubator.db.tallies`) agree with the rows they
count after every kind of change: through the app, by hand in SQL, under concurrent
requests, around a bulk load, and when the counted rows go."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from events.tables import Event, EventTally, Registration
from events.tallies import EVENT_TALLY
from incubator.db import utcnow, write_transaction
from incubator.db.bulk import indexes_deferred
from tests.conftest import api, login, make_client
from tests.events.conftest import schedule


async def counted() -> dict[int, tuple]:
    """Each event's figures counted from its registrations and certificates, one by one."""
    found: dict[int, list[int]] = {e["id"]: [0] * 5 for e in await Event.select(Event.id)}
    for r in await Registration.select(
        Registration.event, Registration.status, Registration.checked_in_at
    ):
        figures = found[r["event"]]
        checked_in = r["checked_in_at"] is not None
        if r["status"] == "confirmed":
            figures[0] += 1
            figures[2] += checked_in
        elif r["status"] == "waitlisted":
            figures[1] += 1
            figures[3] += checked_in
    for c in await Event.raw("SELECT run FROM certificate WHERE revoked_at IS NULL"):
        found[c["run"]][4] += 1
    return {event: tuple(figures) for event, figures in found.items()}


async def tallied() -> dict[int, tuple]:
    rows = await EventTally.select(
        EventTally.event,
        EventTally.confirmed,
        EventTally.waitlisted,
        EventTally.confirmed_checked_in,
        EventTally.waitlisted_checked_in,
        EventTally.certificates,
    )
    return {r.pop("event"): tuple(r.values()) for r in rows}


async def register(app, event: int, n: int) -> int:
    async with make_client(app) as guest:
        response = await api(
            guest,
            "POST",
            f"/api/events/{event}/registrations",
            json={"name": f"Guest {n}", "email": f"guest{n}@visitor.example"},
        )
        return response.status_code


async def test_event_tally_follows_registrations_check_ins_and_certificates(app, client, park):
    await login(client, park.users["manager"])
    online = {"online_url": "https://meet.example/x", "allow_guests": True}
    first = (await schedule(client, None, capacity=3, **online)).json()["id"]
    second = (await schedule(client, None, capacity=10, **online)).json()["id"]
    assert await tallied() == await counted() == {first: (0,) * 5, second: (0,) * 5}

    # Twenty people at once for three seats: the tally holds what the rows hold.
    statuses = await asyncio.gather(*(register(app, first, n) for n in range(20)))
    assert statuses.count(201) == 20
    assert (await tallied())[first] == (3, 17, 0, 0, 0) == (await counted())[first]

    # A cancellation through the app seats the first on the waitlist.
    seated = await Registration.select().where(
        (Registration.event == first) & (Registration.status == "confirmed")
    )
    cancelled = await api(
        client,
        "POST",
        f"/api/events/registrations/{seated[0]['id']}/cancel",
        json={"code": seated[0]["code"]},
    )
    assert cancelled.status_code == 200, cancelled.text
    assert (await tallied())[first] == (3, 16, 0, 0, 0) == (await counted())[first]

    # Changes made by hand in SQL: a check-in, a registration moved to another event, one
    # deleted, a certificate issued and another revoked.
    async with write_transaction():
        await Registration.update({Registration.checked_in_at: utcnow()}).where(
            Registration.id == seated[1]["id"]
        )
        await Registration.update({Registration.event: second}).where(
            Registration.id == seated[2]["id"]
        )
        waiting = await Registration.select(Registration.id).where(
            (Registration.event == first) & (Registration.status == "waitlisted")
        )
        await Registration.delete().where(Registration.id == waiting[0]["id"])
    assert await tallied() == await counted()
    assert (await tallied())[second] == (1, 0, 0, 0, 0)

    async with write_transaction():
        await _certificate(seated[1]["id"], first, "A")
        await _certificate(seated[2]["id"], second, "B")
    assert (await tallied())[first][4] == 1 and (await tallied())[second][4] == 1
    await Event.raw(
        "UPDATE certificate SET revoked_at = {} WHERE code = 'B'", utcnow() + timedelta(0)
    )
    assert await tallied() == await counted()
    assert (await tallied())[second][4] == 0

    # An event deleted takes its tally with it.
    await Event.raw("DELETE FROM certificate")
    await Event.delete().where(Event.id == second)
    assert await tallied() == await counted()
    assert second not in await tallied()


async def _certificate(registration: int, run: int, code: str) -> None:
    """A certificate row as the academy writes one (the course is the run's own)."""
    from events.tables import Course

    course = await Course.select(Course.id).first()
    if course is None:
        course = (
            await Course.insert(
                Course(
                    title_en="Web3 Basics",
                    track="certified_course",
                    centre=(await Event.select(Event.centre).first())["centre"],
                )
            ).returning(Course.id)
        )[0]
    await Event.raw(
        "INSERT INTO certificate (registration, code, course, run, name, email, "
        "course_title_en, course_title_zh, attended_percent, issued_at, revoked_reason) "
        "VALUES ({}, {}, {}, {}, 'Guest', 'guest@visitor.example', 'Web3 Basics', '', 100, "
        "{}, '')",
        registration,
        code,
        course["id"],
        run,
        utcnow(),
    )


async def test_a_bulk_load_counts_the_tally_again_and_keeps_its_triggers(app, client, park):
    await login(client, park.users["manager"])
    online = {"online_url": "https://meet.example/x", "allow_guests": True}
    event = (await schedule(client, None, **online)).json()["id"]
    async with write_transaction(), indexes_deferred(Event, Registration):
        for n in range(5):
            await Registration.insert(
                Registration(
                    event=event,
                    name=f"Loaded {n}",
                    email=f"loaded{n}@visitor.example",
                    status="confirmed" if n < 3 else "waitlisted",
                    code=f"LOADED{n}",
                )
            )
        # While the load runs the triggers stand aside: nothing counted yet.
        assert (await tallied())[event] == (0,) * 5
    assert (await tallied())[event] == (3, 2, 0, 0, 0) == (await counted())[event]
    # and they are back for what comes after
    assert await register(app, event, 99) == 201
    assert (await tallied())[event] == (4, 2, 0, 0, 0) == (await counted())[event]


async def test_the_tally_is_counted_for_events_there_before_it(settings, park):
    """What the migration does for a database that had events before the tally: counted from
    the rows (the rebuild), the same as the triggers would have kept it."""
    async with write_transaction():
        rows = await Event.raw(
            "INSERT INTO event (kind, title_en, title_zh, description_en, description_zh, "
            "centre, online_url, starts_at, ends_at, capacity, allow_guests, status, sequence, "
            "created_at, updated_at, version, changed_by) VALUES ('event', 'Old', '', '', '', "
            "{}, 'https://meet.example/x', {}, {}, 5, false, 'published', 0, {}, {}, 1, '') "
            "RETURNING id",
            park.centres["entrepreneurship"],
            utcnow() + timedelta(days=3),
            utcnow() + timedelta(days=3, hours=1),
            utcnow(),
            utcnow(),
        )
        event = rows[0]["id"]
        await Event.raw("DELETE FROM event_tally")
        await Registration.insert(
            Registration(event=event, name="A", email="a@x.example", status="confirmed", code="A1")
        )
    assert await tallied() == {}
    async with write_transaction():
        for statement in EVENT_TALLY.rebuild:
            await Event.raw(statement)
    assert await tallied() == await counted() == {event: (1, 0, 0, 0, 0)}
