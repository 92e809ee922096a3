"""The booking grid: each bookable room's slots on a day (every room) or over a week (one
room), free, taken, the viewer's own, or past; and the ends a booking from a slot may have."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from events.rooms import policy
from events.rooms.schemas import RoomDayOut, RoomOut, SlotOut
from events.rooms.services.rooms import (
    day_start,
    get_room,
    list_rooms,
    local,
    minutes_of,
    price,
)
from events.tables import VenueHold
from incubator.auth.schemas import Viewer
from incubator.db import utcnow


@dataclass(frozen=True)
class Held:
    held_from: datetime
    held_until: datetime
    booking: int | None


async def _holds(rooms: list[int], start: datetime, until: datetime) -> dict[int, list[Held]]:
    if not rooms:
        return {}
    marks = ", ".join("{}" for _ in rooms)
    rows = await VenueHold.raw(
        "SELECT venue, held_from, held_until, booking FROM venue_hold "
        f"WHERE venue IN ({marks}) AND held_from < {{}} AND held_until > {{}} ORDER BY held_from",
        *rooms,
        until,
        start,
    )
    found: dict[int, list[Held]] = {}
    for row in rows:
        found.setdefault(row["venue"], []).append(
            Held(row["held_from"], row["held_until"], row["booking"])
        )
    return found


async def _mine(viewer: Viewer, start: datetime, until: datetime) -> set[int]:
    """The bookings of the viewer's start-ups in the window (shown as theirs)."""
    startups = await policy.member_startups(viewer)
    if not startups:
        return set()
    marks = ", ".join("{}" for _ in startups)
    rows = await VenueHold.raw(
        f"SELECT id FROM room_booking WHERE startup IN ({marks}) AND status <> 'cancelled' "
        "AND starts_at < {} AND ends_at > {}",
        *startups,
        until,
        start,
    )
    return {r["id"] for r in rows}


def slots_of(
    room: RoomOut, day: date, holds: list[Held], mine: set[int], now: datetime
) -> list[SlotOut]:
    """The room's slots on the day (none when it does not open that day)."""
    if day.isoweekday() not in room.weekdays:
        return []
    step = timedelta(minutes=room.slot_minutes)
    moment = day_start(day, minutes_of(room.opens_at))
    closes = day_start(day, minutes_of(room.closes_at))
    slots = []
    while moment < closes:
        ends = moment + step
        held = next((h for h in holds if h.held_from < ends and h.held_until > moment), None)
        booking = held.booking if held and held.booking in mine else None
        if booking is not None:
            state = "mine"
        elif held is not None:
            state = "taken"
        elif moment < now:
            state = "past"
        else:
            state = "free"
        slots.append(
            SlotOut(
                starts_at=moment,
                ends_at=ends,
                state=state,
                credits=price(room, moment, ends),
                booking=booking,
            )
        )
        moment = ends
    return slots


async def day_grid(viewer: Viewer, day: date, centre: int | None = None) -> list[RoomDayOut]:
    """Every bookable room's slots on a day (of one centre or hub, when given)."""
    rooms = await list_rooms(centre=centre)
    start, until = day_start(day, 0), day_start(day + timedelta(days=1), 0)
    holds = await _holds([r.id for r in rooms], start, until)
    mine = await _mine(viewer, start, until)
    now = utcnow()
    return [
        RoomDayOut(room=room, day=day, slots=slots_of(room, day, holds.get(room.id, []), mine, now))
        for room in rooms
    ]


async def week_grid(viewer: Viewer, room_id: int, first: date) -> list[RoomDayOut]:
    """One room's slots on each of seven days from `first`."""
    room = await get_room(room_id)
    start, until = day_start(first, 0), day_start(first + timedelta(days=7), 0)
    holds = (await _holds([room.id], start, until)).get(room.id, [])
    mine = await _mine(viewer, start, until)
    now = utcnow()
    days = [first + timedelta(days=n) for n in range(7)]
    return [RoomDayOut(room=room, day=d, slots=slots_of(room, d, holds, mine, now)) for d in days]


async def end_choices(room: RoomOut, starts_at: datetime) -> list[tuple[datetime, int]]:
    """The ends a booking starting at `starts_at` may have, with what each costs: slot by slot
    up to the longest booking, the closing time or the next hold, whichever comes first."""
    step = timedelta(minutes=room.slot_minutes)
    closes = day_start(local(starts_at).date(), minutes_of(room.closes_at))
    last = min(closes, starts_at + timedelta(minutes=room.longest_minutes))
    holds = (await _holds([room.id], starts_at, last)).get(room.id, [])
    if holds:
        last = min(last, max(starts_at, min(h.held_from for h in holds)))
    choices = []
    ends = starts_at + step
    while ends <= last:
        choices.append((ends, price(room, starts_at, ends)))
        ends += step
    return choices
