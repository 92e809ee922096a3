"""Seats: the waitlist moves into seats that capacity frees, first come first served."""

from __future__ import annotations

from events import policy
from events.tables import Event, Registration, Venue
from incubator.auth.schemas import Viewer
from incubator.db import lock_row, utcnow, write_transaction
from incubator.errors import Conflict, Forbidden, NotFound


async def fill_seats(event_id: int, capacity: int) -> list[int]:
    """Inside a write transaction holding the event's lock: move the first waitlisted people
    to seats while any are free; returns their registration ids."""
    confirmed = await Registration.count().where(
        (Registration.event == event_id) & (Registration.status == "confirmed")
    )
    free = capacity - confirmed
    if free <= 0:
        return []
    queue = (
        await Registration.select(Registration.id)
        .where((Registration.event == event_id) & (Registration.status == "waitlisted"))
        .order_by(Registration.id)
        .limit(free)
    )
    ids = [r["id"] for r in queue]
    if ids:
        await Registration.update(
            {Registration.status: "confirmed", Registration.promoted_at: utcnow()}
        ).where(Registration.id.is_in(ids))
    return ids


async def give_seat(viewer: Viewer, event_id: int, registration_id: int) -> list[int]:
    """The event's managers seat someone from the waitlist out of turn. A full event gains
    the seat (one more of capacity), never beyond its venue's capacity. Returns the seated
    registration, to be told."""
    async with write_transaction():
        event = await lock_row(Event, event_id, "id, centre, capacity, venue")
        if event is None:
            raise NotFound(f"no event with id {event_id}")
        if not await policy.can_run(viewer, event["centre"]):
            raise Forbidden("only the event's managers and administrators may seat people")
        row = (
            await Registration.select(Registration.status, Registration.name)
            .where((Registration.id == registration_id) & (Registration.event == event_id))
            .first()
        )
        if row is None:
            raise NotFound(f"no registration {registration_id} for this event")
        if row["status"] != "waitlisted":
            raise Conflict(f"{row['name']} is not on the waitlist")
        confirmed = await Registration.count().where(
            (Registration.event == event_id) & (Registration.status == "confirmed")
        )
        capacity = event["capacity"]
        if confirmed >= capacity:
            venue = event["venue"] and (
                await Venue.select(Venue.capacity, Venue.name_en)
                .where(Venue.id == event["venue"])
                .first()
            )
            if venue and capacity + 1 > venue["capacity"]:
                raise Conflict(
                    f"no seat is free and {venue['name_en']} holds {venue['capacity']}: "
                    "cancel a registration first"
                )
            capacity += 1
            await Event.update({Event.capacity: capacity}).where(Event.id == event_id)
        await Registration.update(
            {Registration.status: "confirmed", Registration.promoted_at: utcnow()}
        ).where(Registration.id == registration_id)
    return [registration_id]
