"""Bookable rooms: which venues members may book and on what terms (opening hours, slot
length, the longest booking, how far ahead, credits an hour at peak and off-peak, the free
cancellation cut-off, check-in), and the price of a stretch of time in one of them."""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta
from typing import Any

from centres.tables import Unit, UnitType
from events import policy
from events.rooms import policy as room_policy
from events.rooms.schemas import RoomOut, RoomTermsIn
from events.rooms.tables import BookableRoom
from events.tables import Venue
from incubator.auth.schemas import Viewer
from incubator.db import write_transaction
from incubator.errors import Conflict, NotFound, ValidationFailed
from incubator.i18n import HONG_KONG, today_hk
from incubator.startups.services.onsite import IN_FORCE

SLOT_CHOICES = (15, 30, 60)
_CLOCK = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
_CLOCK_RULE = "must be a time of day written HH:MM (Hong Kong time)"


def minutes_of(text: str) -> int:
    found = _CLOCK.match(text.strip())
    if not found or (found[1] == "24" and found[2] != "00"):
        raise ValueError(_CLOCK_RULE)
    return int(found[1]) * 60 + int(found[2])


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def terms_problems(values: dict[str, Any]) -> dict[str, str]:
    """Every rule the terms break, by field."""
    errors: dict[str, str] = {}
    times = {}
    for name in ("opens_at", "closes_at", "peak_from", "peak_until"):
        if name in values:
            try:
                times[name] = minutes_of(str(values[name]))
            except ValueError as exc:
                errors[name] = str(exc)
    if "opens_at" in times and "closes_at" in times and times["opens_at"] >= times["closes_at"]:
        errors["closes_at"] = "must be after the opening time"
    if "peak_from" in times and "peak_until" in times and times["peak_from"] > times["peak_until"]:
        errors["peak_until"] = "must not be before the start of peak hours"
    days = values.get("weekdays")
    if days is not None and (not days or any(d not in range(1, 8) for d in days)):
        errors["weekdays"] = "choose at least one day the room opens (1 Monday to 7 Sunday)"
    slot = values.get("slot_minutes")
    if slot is not None and slot not in SLOT_CHOICES:
        errors["slot_minutes"] = "must be 15, 30 or 60 minutes"
    longest = values.get("longest_minutes")
    if (
        longest is not None
        and slot in SLOT_CHOICES
        and (not slot <= longest <= 12 * 60 or longest % slot)
    ):
        errors["longest_minutes"] = (
            f"must be a whole number of {slot}-minute slots, at most 12 hours"
        )
    opening = times.get("closes_at", 0) - times.get("opens_at", 0)
    if {"opens_at", "closes_at"} <= times.keys() and slot in SLOT_CHOICES and opening % slot:
        errors["closes_at"] = f"the opening hours must be a whole number of {slot}-minute slots"
    bounds = {
        "ahead_days": (1, 365, "must be between 1 and 365 days"),
        "peak_credits": (0, 1000, "must be between 0 and 1,000 credits an hour"),
        "offpeak_credits": (0, 1000, "must be between 0 and 1,000 credits an hour"),
        "cancel_hours": (0, 168, "must be between 0 and 168 hours (a week)"),
    }
    for name, (low, high, rule) in bounds.items():
        if values.get(name) is not None and not low <= values[name] <= high:
            errors[name] = rule
    return errors


_COLUMNS = (
    "v.id, v.is_active, v.name_en, v.name_zh, v.location, v.location_zh, v.capacity, v.centre, "
    "c.name_en AS centre_en, c.name_zh AS centre_zh, r.is_bookable, r.opens_at, r.closes_at, "
    "r.weekdays, r.slot_minutes, r.longest_minutes, r.ahead_days, r.peak_from, r.peak_until, "
    "r.peak_credits, r.offpeak_credits, r.cancel_hours, r.uses_check_in"
)
_FROM = "FROM bookable_room r JOIN venue v ON v.id = r.venue JOIN centre c ON c.id = v.centre"


def _room(row: dict) -> RoomOut:
    values = {k: v for k, v in row.items() if k != "is_active"}
    for name in ("opens_at", "closes_at", "peak_from", "peak_until"):
        values[name] = clock(row[name])
    values["weekdays"] = [int(d) for d in row["weekdays"]]
    values["is_bookable"] = bool(row["is_bookable"])
    values["uses_check_in"] = bool(row["uses_check_in"])
    return RoomOut(**values)


async def list_rooms(bookable_only: bool = True, centre: int | None = None) -> list[RoomOut]:
    """The rooms members may book (or, for managers, every room with terms), by centre;
    those of one centre or hub when given."""
    conditions = ["r.is_bookable AND v.is_active"] if bookable_only else []
    args = []
    if centre is not None:
        conditions.append("v.centre = {}")
        args.append(centre)
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    rows = await BookableRoom.raw(
        f"SELECT {_COLUMNS} {_FROM}{where} ORDER BY c.name_en, v.name_en", *args
    )
    return [_room(r) for r in rows]


async def room_centres() -> list[dict]:
    """The centres and hubs with rooms members may book, and how many (the grid's choice)."""
    return await BookableRoom.raw(
        "SELECT c.id, c.slug, c.name_en, c.name_zh, COUNT(*) AS rooms FROM bookable_room r "
        "JOIN venue v ON v.id = r.venue JOIN centre c ON c.id = v.centre "
        "WHERE r.is_bookable AND v.is_active GROUP BY c.id, c.slug, c.name_en, c.name_zh "
        "ORDER BY c.name_en"
    )


async def own_centres(viewer: Viewer) -> set[int]:
    """The centres a viewer belongs to: a manager's, or those whose units the viewer's
    start-ups lease today."""
    if viewer.is_manager:
        return set(await policy.managed_centres(viewer) or [])
    startups = await room_policy.onsite_member_startups(viewer)
    if not startups:
        return set()
    today = today_hk()
    rows = await BookableRoom.raw(
        "SELECT DISTINCT u.centre FROM lease l JOIN unit u ON u.id = l.unit "
        f"WHERE l.startup IN ({', '.join('{}' for _ in startups)}) AND {IN_FORCE}",
        *startups,
        today,
        today,
    )
    return {r["centre"] for r in rows}


async def get_room(room_id: int, bookable_only: bool = True) -> RoomOut:
    rows = await BookableRoom.raw(f"SELECT {_COLUMNS} {_FROM} WHERE v.id = {{}}", room_id)
    if not rows or (bookable_only and not (rows[0]["is_bookable"] and rows[0]["is_active"])):
        raise NotFound(f"no bookable room with id {room_id}")
    return _room(rows[0])


async def set_terms(viewer: Viewer, venue_id: int, terms: RoomTermsIn) -> RoomOut:
    """Make a venue bookable by members on these terms (or change them, or, with
    `is_bookable` off, stop new bookings; those made stay)."""
    venue = (
        await Venue.select(Venue.id, Venue.centre, Venue.is_active)
        .where(Venue.id == venue_id)
        .first()
    )
    if venue is None:
        raise NotFound(f"no venue with id {venue_id}")
    await policy.require_run(viewer, venue["centre"], "set the terms of this room")
    values = {k: getattr(terms, k) for k in terms.__struct_fields__}
    errors = terms_problems(values)
    if not venue["is_active"] and terms.is_bookable:
        errors["is_bookable"] = "this venue is retired; it cannot be booked"
    if errors:
        raise ValidationFailed(errors)
    for name in ("opens_at", "closes_at", "peak_from", "peak_until"):
        values[name] = minutes_of(values[name])
    values["weekdays"] = "".join(str(d) for d in sorted(set(terms.weekdays)))
    async with write_transaction():
        columns = {getattr(BookableRoom, k): v for k, v in values.items()}
        exists = await BookableRoom.exists().where(BookableRoom.venue == venue_id)
        if exists:
            await BookableRoom.update(columns).where(BookableRoom.venue == venue_id)
        else:
            await BookableRoom.insert(BookableRoom(venue=venue_id, **values))
    return await get_room(venue_id, bookable_only=False)


def local(moment: datetime) -> datetime:
    return moment.astimezone(HONG_KONG)


def day_start(day: date, minutes: int) -> datetime:
    return datetime.combine(day, time(), HONG_KONG) + timedelta(minutes=minutes)


def is_peak(room: RoomOut, moment: datetime) -> bool:
    here = local(moment)
    minute = here.hour * 60 + here.minute
    return here.isoweekday() in room.weekdays and minutes_of(room.peak_from) <= minute < minutes_of(
        room.peak_until
    )


def price(room: RoomOut, starts_at: datetime, ends_at: datetime) -> int:
    """Credits for [starts_at, ends_at): each slot at its peak or off-peak rate an hour,
    the sum rounded up to a whole credit."""
    step = timedelta(minutes=room.slot_minutes)
    credit_minutes = 0
    moment = starts_at
    while moment < ends_at:
        rate = room.peak_credits if is_peak(room, moment) else room.offpeak_credits
        credit_minutes += rate * room.slot_minutes
        moment += step
    return math.ceil(credit_minutes / 60)


def opening_problem(room: RoomOut, starts_at: datetime, ends_at: datetime) -> str | None:
    """Why [starts_at, ends_at) cannot be booked in the room by its hours and slots, or None."""
    begins, finishes = local(starts_at), local(ends_at)
    if begins.isoweekday() not in room.weekdays:
        return f"{room.name_en} does not open on {begins.strftime('%A')}s"
    opens, closes = minutes_of(room.opens_at), minutes_of(room.closes_at)
    first = begins.hour * 60 + begins.minute
    last = first + int((ends_at - starts_at).total_seconds() // 60)
    if begins.date() != finishes.date() and not (finishes.hour == finishes.minute == 0):
        return "a booking starts and ends on the same day"
    if first < opens or last > closes:
        return f"{room.name_en} opens from {room.opens_at} to {room.closes_at} (Hong Kong time)"
    if (first - opens) % room.slot_minutes or (last - first) % room.slot_minutes:
        return (
            f"bookings of {room.name_en} start and end on its {room.slot_minutes}-minute slots, "
            f"counted from {room.opens_at}"
        )
    return None


async def meeting_room_units(viewer: Viewer) -> list[dict]:
    """The units of kind meeting room in the viewer's centres that members cannot book yet."""
    policy.require_organiser(viewer, "open meeting rooms for booking")
    centres = await policy.managed_centres(viewer)
    within, args = "", []
    if centres is not None:
        within = f" AND u.centre IN ({', '.join('{}' for _ in centres) or 'NULL'})"
        args = list(centres)
    return await Unit.raw(
        "SELECT u.id, u.code, u.floor, b.name_en AS building_en, b.name_zh AS building_zh, "
        "c.name_en AS centre_en, c.name_zh AS centre_zh FROM unit u "
        "JOIN building b ON b.id = u.building JOIN centre c ON c.id = u.centre "
        f"WHERE u.kind = {{}} AND u.status = 'available'{within} "
        "AND NOT EXISTS (SELECT 1 FROM venue v WHERE v.unit = u.id) "
        "ORDER BY b.sort_order, u.floor, u.code",
        UnitType.meeting_room.value,
        *args,
    )


async def open_unit(viewer: Viewer, unit_id: int, capacity: int) -> int:
    """Open a unit of kind meeting room for members' booking: a venue of its centre that is
    this unit (named by its code, placed by its building and floor, no buffers), bookable on
    the default terms. Returns the venue's id."""
    unit = (
        await Unit.select(
            Unit.id,
            Unit.code,
            Unit.floor,
            Unit.kind,
            Unit.status,
            Unit.centre,
            Unit.building.name_en.as_alias("building_en"),
            Unit.building.name_zh.as_alias("building_zh"),
        )
        .where(Unit.id == unit_id)
        .first()
    )
    if unit is None:
        raise NotFound(f"no unit with id {unit_id}")
    await policy.require_run(viewer, unit["centre"], "open this unit for booking")
    errors = {}
    if unit["kind"] != UnitType.meeting_room.value or unit["status"] != "available":
        errors["unit"] = f"unit {unit['code']} is not a meeting room in the inventory"
    if not 1 <= capacity <= 500:
        errors["capacity"] = "must be a whole number from 1 to 500"
    if errors:
        raise ValidationFailed(errors)
    floor = f"{unit['floor']}/F"
    async with write_transaction():
        if await Venue.exists().where(Venue.unit == unit_id):
            raise Conflict(f"unit {unit['code']} is open for booking already")
        rows = await Venue.insert(
            Venue(
                centre=unit["centre"],
                name_en=f"Meeting room {unit['code']}",
                name_zh=f"會議室 {unit['code']}",
                location=f"{unit['building_en']}, {floor}",
                location_zh=f"{unit['building_zh'] or unit['building_en']} {floor}",
                capacity=capacity,
                setup_minutes=0,
                teardown_minutes=0,
                unit=unit_id,
            )
        ).returning(Venue.id)
        await BookableRoom.insert(BookableRoom(venue=rows[0]["id"]))
    return rows[0]["id"]
