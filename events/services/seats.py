"""Seats: the waitlist moves into seats that capacity frees, first come first served."""

from __future__ import annotations

from events.tables import Registration
from incubator.db import utcnow


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
