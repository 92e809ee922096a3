"""Members' room bookings: book, move, cancel, check in, and the release of no-shows.

A booking holds its room through the one venue-hold rule events use (`events.services.holds`
and the database's constraint on `venue_hold`), checked inside the write transaction after the
room's row is locked, and is paid in its start-up's credits for the month it starts in
(`credits.spend`), in the same transaction: both hold under concurrent requests."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from events import policy as event_policy
from events.rooms import policy
from events.rooms.schemas import BookingIn, BookingOut, MoveIn, RoomOut
from events.rooms.services import credits
from events.rooms.services.rooms import get_room, local, opening_problem, price
from events.services import holds
from events.services.times import parse_local
from events.tables import BookingStatus, RoomBooking
from incubator.auth.schemas import Viewer
from incubator.db import utcnow, write_transaction
from incubator.errors import Conflict, Forbidden, NotFound, ValidationFailed
from incubator.i18n import hk_text, today_hk

NO_SHOW_AFTER = timedelta(minutes=15)  # a room that uses check-in goes free this long in
CHECK_IN_EARLY = timedelta(minutes=10)  # check-in opens this long before the start
STATE_WORDS = {
    "confirmed": "confirmed",
    "cancelled": "cancelled",
    "released": "released (no one checked in within 15 minutes of the start)",
}

_SELECT = (
    "SELECT b.id, b.venue AS room, v.name_en AS room_en, v.name_zh AS room_zh, "
    "v.location, v.location_zh, v.centre AS centre, b.startup, s.name_en AS startup_en, "
    "s.name_zh AS startup_zh, b.title, b.starts_at, b.ends_at, b.credits, b.status, b.code, "
    "b.checked_in_at, b.cancelled_at, b.released_at, b.sequence, b.updated_at, b.booked_by, "
    "COALESCE(r.cancel_hours, 0) AS cancel_hours "
    "FROM room_booking b JOIN venue v ON v.id = b.venue JOIN startup s ON s.id = b.startup "
    "LEFT JOIN bookable_room r ON r.venue = b.venue"
)


def _out(row: dict, may_change: bool = False) -> BookingOut:
    values = {k: v for k, v in row.items() if k not in ("centre", "cancel_hours")}
    values["free_until"] = row["starts_at"] - timedelta(hours=row["cancel_hours"])
    return BookingOut(**values, may_change=may_change)


async def _row(booking_id: int) -> dict:
    rows = await RoomBooking.raw(f"{_SELECT} WHERE b.id = {{}}", booking_id)
    if not rows:
        raise NotFound(f"no room booking with id {booking_id}")
    return rows[0]


async def _may_change(viewer: Viewer, row: dict) -> bool:
    if not viewer.is_authenticated:
        return False
    if row["startup"] in await policy.member_startups(viewer):
        return True
    return await event_policy.can_run(viewer, row["centre"])


async def get_booking(viewer: Viewer, booking_id: int) -> BookingOut:
    """A booking, for its start-up's members and the room's managers (others: not found)."""
    row = await _row(booking_id)
    if not await _may_change(viewer, row):
        raise NotFound(f"no room booking with id {booking_id}")
    return _out(row, may_change=True)


async def my_bookings(viewer: Viewer, past: bool = False) -> list[BookingOut]:
    """The bookings of the viewer's start-ups: upcoming (and running) ones, or the past 90 days."""
    startups = await policy.member_startups(viewer)
    if not startups:
        return []
    now = utcnow()
    marks = ", ".join("{}" for _ in startups)
    if past:
        when, args, order = (
            "b.ends_at <= {} AND b.ends_at > {}",
            [now, now - timedelta(days=90)],
            "DESC",
        )
    else:
        when, args, order = "b.ends_at > {}", [now], "ASC"
    rows = await RoomBooking.raw(
        f"{_SELECT} WHERE b.startup IN ({marks}) AND {when} ORDER BY b.starts_at {order} LIMIT 200",
        *startups,
        *args,
    )
    return [_out(r, may_change=True) for r in rows]


def _times(values: dict[str, Any], errors: dict[str, str]) -> tuple[datetime, datetime] | None:
    found = {}
    for name in ("starts_at", "ends_at"):
        try:
            found[name] = parse_local(values.get(name))
        except ValueError as exc:
            errors[name] = str(exc)
    if len(found) < 2:
        return None
    if found["ends_at"] <= found["starts_at"]:
        errors["ends_at"] = "must be after the start"
        return None
    return found["starts_at"], found["ends_at"]


def _time_problems(room: RoomOut, starts_at: datetime, ends_at: datetime, errors: dict) -> None:
    """The room's rules for a time: its hours and slots, the longest booking, not in the past,
    not further ahead than it allows."""
    problem = opening_problem(room, starts_at, ends_at)
    if problem:
        errors["starts_at"] = problem
    minutes = (ends_at - starts_at).total_seconds() / 60
    if minutes > room.longest_minutes:
        errors["ends_at"] = f"{room.name_en} is booked for at most {room.longest_minutes} minutes"
    if starts_at < utcnow():
        errors["starts_at"] = "must be in the future"
    elif local(starts_at).date() > today_hk() + timedelta(days=room.ahead_days):
        errors["starts_at"] = f"{room.name_en} is booked at most {room.ahead_days} days ahead"


async def _room_or_error(room_id: Any, errors: dict[str, str]) -> RoomOut | None:
    try:
        return await get_room(int(room_id))
    except (NotFound, TypeError, ValueError):
        errors["room"] = "choose a room members may book"
        return None


async def _refuse_clash(room: RoomOut, starts_at: datetime, ends_at: datetime, booking=None):
    clash = await holds.first_clash(room.id, starts_at, ends_at, booking=booking)
    if clash is None:
        return
    message = (
        f"{room.name_en} is taken from {hk_text(clash.held_from, '%H:%M')} to "
        f"{hk_text(clash.held_until, '%H:%M')} that day; choose another time or room"
    )
    raise Conflict(message, {"starts_at": message})


async def _startup_for(viewer: Viewer, asked: int | None, errors: dict[str, str]) -> int | None:
    onsite = await policy.onsite_member_startups(viewer)
    if not onsite:
        raise Forbidden("only members of start-ups with a lease in force may book rooms")
    if asked is None:
        if len(onsite) > 1:
            errors["startup"] = "choose which of your start-ups this booking is for"
            return None
        return onsite[0]
    if asked not in onsite:
        errors["startup"] = "must be one of your start-ups with a lease in force"
        return None
    return asked


async def book(viewer: Viewer, command: BookingIn) -> BookingOut:
    """Book a room for one of the viewer's onsite start-ups; every broken rule at once (422),
    a taken room or too few credits as a 409 that says why."""
    policy.require_member(viewer)
    errors: dict[str, str] = {}
    startup = await _startup_for(viewer, command.startup, errors)
    room = await _room_or_error(command.room, errors)
    times = _times({"starts_at": command.starts_at, "ends_at": command.ends_at}, errors)
    if len(command.title) > 200:
        errors["title"] = "must be at most 200 characters"
    if room and times:
        _time_problems(room, *times, errors)
    if errors or room is None or times is None or startup is None:
        raise ValidationFailed(errors)
    starts_at, ends_at = times
    cost = price(room, starts_at, ends_at)
    async with write_transaction():
        await _refuse_clash(room, starts_at, ends_at)
        rows = await RoomBooking.insert(
            RoomBooking(
                venue=room.id,
                startup=startup,
                booked_by=viewer.user_id,
                title=command.title.strip(),
                starts_at=starts_at,
                ends_at=ends_at,
                credits=cost,
                code=secrets.token_urlsafe(12),
            )
        ).returning(RoomBooking.id)
        booking_id = rows[0]["id"]
        await credits.spend(startup, credits.month_of(starts_at), cost, booking_id, viewer)
    return _out(await _row(booking_id), may_change=True)


def _before_cutoff(row: dict, now: datetime) -> bool:
    return now < row["starts_at"] - timedelta(hours=row["cancel_hours"])


async def move(viewer: Viewer, booking_id: int, command: MoveIn) -> BookingOut:
    """Move a booking to another time (or room) before its free cancellation cut-off; its
    credits are given back and the new time's charged, in one transaction."""
    row = await _row(booking_id)
    if row["startup"] not in await policy.member_startups(viewer):
        raise Forbidden("only the start-up's members may move its booking")
    if row["status"] != BookingStatus.confirmed.value:
        raise Conflict(f"this booking is {STATE_WORDS[row['status']]}; book again instead")
    if not _before_cutoff(row, utcnow()):
        raise Conflict(
            f"a booking can be moved until {row['cancel_hours']} hours before it starts; "
            "cancel it instead (its credits are kept after the cut-off)"
        )
    errors: dict[str, str] = {}
    room = await _room_or_error(command.room or row["room"], errors)
    times = _times({"starts_at": command.starts_at, "ends_at": command.ends_at}, errors)
    if room and times:
        _time_problems(room, *times, errors)
    if errors or room is None or times is None:
        raise ValidationFailed(errors)
    starts_at, ends_at = times
    cost = price(room, starts_at, ends_at)
    async with write_transaction():
        await _refuse_clash(room, starts_at, ends_at, booking=booking_id)
        current = (
            await RoomBooking.select(RoomBooking.status, RoomBooking.credits, RoomBooking.starts_at)
            .where(RoomBooking.id == booking_id)
            .first()
        )
        if current is None or current["status"] != BookingStatus.confirmed.value:
            raise Conflict("this booking changed meanwhile; reload it")
        old_month = credits.month_of(current["starts_at"])
        # Both months' rows, in month order: two moves at once cannot wait on each other.
        await credits.lock_months(row["startup"], {old_month, credits.month_of(starts_at)})
        await credits.refund(row["startup"], old_month, current["credits"], booking_id, viewer)
        await RoomBooking.update(
            {
                RoomBooking.venue: room.id,
                RoomBooking.starts_at: starts_at,
                RoomBooking.ends_at: ends_at,
                RoomBooking.credits: cost,
                RoomBooking.sequence: RoomBooking.sequence + 1,
                RoomBooking.updated_at: utcnow(),
            }
        ).where(RoomBooking.id == booking_id)
        await credits.spend(row["startup"], credits.month_of(starts_at), cost, booking_id, viewer)
    return _out(await _row(booking_id), may_change=True)


async def cancel(viewer: Viewer, booking_id: int) -> tuple[BookingOut, bool]:
    """Cancel a booking: its credits come back before the cut-off (or when the room's managers
    cancel it), and are kept after. Returns the booking and whether they came back."""
    row = await _row(booking_id)
    member = row["startup"] in await policy.member_startups(viewer)
    staff = await event_policy.can_run(viewer, row["centre"])
    if not (member or staff):
        raise Forbidden("only the start-up's members and the room's managers may cancel it")
    now = utcnow()
    if row["status"] != BookingStatus.confirmed.value:
        raise Conflict(f"this booking is already {STATE_WORDS[row['status']]}")
    if row["ends_at"] <= now:
        raise Conflict("this booking is over; it can no longer be cancelled")
    refunded = staff or _before_cutoff(row, now)
    async with write_transaction():
        done = await RoomBooking.raw(
            "UPDATE room_booking SET status = 'cancelled', cancelled_at = {}, updated_at = {}, "
            "sequence = sequence + 1 WHERE id = {} AND status = 'confirmed' "
            "RETURNING credits, starts_at",
            now,
            now,
            booking_id,
        )
        if not done:
            raise Conflict("this booking changed meanwhile; reload it")
        if refunded:  # it costs nothing now
            await RoomBooking.update({RoomBooking.credits: 0}).where(RoomBooking.id == booking_id)
            await credits.refund(
                row["startup"],
                credits.month_of(done[0]["starts_at"]),
                done[0]["credits"],
                booking_id,
                viewer,
            )
    return _out(await _row(booking_id), may_change=True), refunded


async def check_in(viewer: Viewer, booking_id: int) -> BookingOut:
    """Check a booking in: its start-up's members, from 10 minutes before it starts."""
    row = await _row(booking_id)
    if row["startup"] not in await policy.member_startups(viewer):
        raise Forbidden("only the start-up's members may check its booking in")
    now = utcnow()
    if row["status"] != BookingStatus.confirmed.value:
        raise Conflict(f"this booking is {STATE_WORDS[row['status']]}")
    if not row["starts_at"] - CHECK_IN_EARLY <= now < row["ends_at"]:
        raise Conflict(
            "check-in is open from 10 minutes before the start until the end: from "
            f"{hk_text(row['starts_at'] - CHECK_IN_EARLY)} to {hk_text(row['ends_at'], '%H:%M')}"
        )
    async with write_transaction():
        await RoomBooking.update({RoomBooking.checked_in_at: now}).where(
            (RoomBooking.id == booking_id) & RoomBooking.checked_in_at.is_null()
        )
    return _out(await _row(booking_id), may_change=True)


async def check_in_at_room(viewer: Viewer, room_id: int) -> BookingOut:
    """The room's QR code: check in the viewer's start-up's booking of this room that is on now."""
    startups = await policy.member_startups(viewer)
    now = utcnow()
    found = (
        await RoomBooking.select(RoomBooking.id)
        .where(
            (RoomBooking.venue == room_id)
            & RoomBooking.startup.is_in(startups or [0])
            & (RoomBooking.status == BookingStatus.confirmed.value)
            & (RoomBooking.starts_at <= now + CHECK_IN_EARLY)
            & (RoomBooking.ends_at > now)
        )
        .first()
    )
    if found is None:
        raise NotFound("none of your start-ups has a booking of this room now")
    return await check_in(viewer, found["id"])


async def release_no_shows(*_: Any) -> int:
    """Rooms that use check-in: a booking not checked in 15 minutes after its start is
    released (a no-show); the room is free from then. Each is claimed with a conditional
    UPDATE, so two schedulers release it once."""
    now = utcnow()
    due = await RoomBooking.raw(
        "SELECT b.id, b.starts_at, b.ends_at FROM room_booking b "
        "JOIN bookable_room r ON r.venue = b.venue WHERE r.uses_check_in "
        "AND b.status = 'confirmed' AND b.checked_in_at IS NULL AND b.starts_at <= {}",
        now - NO_SHOW_AFTER,
    )
    released = 0
    for row in due:
        until = min(row["starts_at"] + NO_SHOW_AFTER, row["ends_at"])
        async with write_transaction():
            done = await RoomBooking.raw(
                "UPDATE room_booking SET status = 'released', released_at = {}, updated_at = {}, "
                "sequence = sequence + 1 WHERE id = {} AND status = 'confirmed' "
                "AND checked_in_at IS NULL RETURNING id",
                until,
                now,
                row["id"],
            )
        released += len(done)
    return released
