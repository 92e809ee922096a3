"""Venues: the rooms events are held in, their capacity and the events booked into them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Any

import msgspec

from events import policy
from events.schemas import VenueIn, VenueOut
from events.tables import Event, EventStatus, Venue
from incubator.auth.schemas import Viewer
from incubator.db import lock_row, utcnow, write_transaction
from incubator.errors import BadParameter, Conflict, NotFound, ValidationFailed
from incubator.i18n import HONG_KONG, hk_text
from incubator.startups.tables import Centre


async def list_venues(centre_ids: list[int] | None = None) -> list[VenueOut]:
    query = Venue.select(
        Venue.all_columns(),
        Venue.centre.slug.as_alias("centre_slug"),
        Venue.centre.name_en.as_alias("centre_en"),
        Venue.centre.name_zh.as_alias("centre_zh"),
    ).where(Venue.is_active == True)  # noqa: E712
    if centre_ids is not None:
        query = query.where(Venue.centre.is_in(centre_ids or [0]))
    return msgspec.convert(
        await query.order_by(Venue.centre).order_by(Venue.name_en), list[VenueOut]
    )


def venue_problems(values: dict[str, Any]) -> dict[str, str]:
    """The rules a venue's typed `values` break, by field."""
    errors: dict[str, str] = {}
    name_en = values.get("name_en", "").strip()
    if "name_en" in values and (not name_en or len(name_en) > 120):
        errors["name_en"] = "is required, at most 120 characters"
    if "capacity" in values and not 1 <= values["capacity"] <= 10_000:
        errors["capacity"] = "must be a whole number from 1 to 10,000"
    for name in ("setup_minutes", "teardown_minutes"):
        if name in values and not 0 <= values[name] <= 480:
            errors[name] = "must be a whole number from 0 to 480"
    return errors


def _clean_venue(venue: VenueIn) -> dict[str, Any]:
    errors = venue_problems(msgspec.structs.asdict(venue))
    if errors:
        raise ValidationFailed(errors)
    return {
        "name_en": venue.name_en.strip(),
        "name_zh": venue.name_zh.strip()[:120],
        "location": venue.location.strip()[:200],
        "location_zh": venue.location_zh.strip()[:200],
        "capacity": venue.capacity,
        "setup_minutes": venue.setup_minutes,
        "teardown_minutes": venue.teardown_minutes,
    }


async def create_venue(viewer: Viewer, venue: VenueIn) -> int:
    policy.require_organiser(viewer, "add venues")
    errors = venue_problems(msgspec.structs.asdict(venue))
    centre = await Centre.select(Centre.id).where(Centre.slug == venue.centre).first()
    if centre is None:
        errors["centre"] = "choose the centre or hub the venue belongs to"
    elif not await policy.can_run(viewer, centre["id"]):
        errors["centre"] = "must be one of the centres or hubs you manage"
    if errors:
        raise ValidationFailed(errors)
    values = _clean_venue(venue)
    rows = await Venue.insert(Venue(centre=centre["id"], **values)).returning(Venue.id)
    return rows[0]["id"]


async def get_venue(viewer: Viewer, venue_id: int) -> VenueOut:
    policy.require_organiser(viewer, "manage venues")
    venue = await Venue.select().where(Venue.id == venue_id).first()
    if venue is None:
        raise NotFound(f"no venue with id {venue_id}")
    return msgspec.convert(venue, VenueOut)


async def _upcoming_in(venue_id: int) -> list[dict]:
    return (
        await Event.select(Event.id, Event.title_en, Event.starts_at, Event.ends_at, Event.capacity)
        .where(
            (Event.venue == venue_id)
            & (Event.status != EventStatus.cancelled.value)
            & (Event.ends_at > utcnow())
        )
        .order_by(Event.starts_at)
    )


async def _booking_within(venue_id: int, start: datetime, until: datetime) -> tuple | None:
    """The first member's room booking holding the venue within [start, until), if any."""
    rows = await Event.raw(
        "SELECT held_from, held_until FROM venue_hold WHERE venue = {} AND booking IS NOT NULL "
        "AND held_from < {} AND held_until > {} ORDER BY held_from LIMIT 1",
        venue_id,
        until,
        start,
    )
    return (rows[0]["held_from"], rows[0]["held_until"]) if rows else None


def _named(event: dict) -> str:
    return f"“{event['title_en']}” (event {event['id']}, {hk_text(event['starts_at'])})"


async def update_venue(viewer: Viewer, venue_id: int, change: VenueIn) -> None:
    """Change a venue. Its upcoming events must still fit: no event needs more seats than
    the new capacity, and with the new buffers no two of them overlap; their holds are
    recomputed in the same transaction."""
    venue = await get_venue(viewer, venue_id)
    await policy.require_run(viewer, venue.centre, "change this venue")
    values = _clean_venue(change)
    async with write_transaction():
        await lock_row(Venue, venue_id)
        upcoming = await _upcoming_in(venue_id)
        crowded = [e for e in upcoming if e.get("capacity", 0) > values["capacity"]]
        if crowded:
            raise ValidationFailed(
                {
                    "capacity": f"must be at least {crowded[0]['capacity']:,}: "
                    f"{_named(crowded[0])} has that many seats"
                }
            )
        setup = timedelta(minutes=values["setup_minutes"])
        teardown = timedelta(minutes=values["teardown_minutes"])
        holds = [(e["starts_at"] - setup, e["ends_at"] + teardown, e) for e in upcoming]
        for (_, until, first), (start, _, second) in pairwise(holds):
            if start < until:
                message = (
                    f"with these buffers {_named(first)} and {_named(second)} would overlap "
                    "in this venue; move one of them first"
                )
                raise Conflict(message, {"setup_minutes": message})
        for start, until, event in holds:
            booked = await _booking_within(venue_id, start, until)
            if booked:
                message = (
                    f"with these buffers {_named(event)} would overlap a member's room "
                    f"booking from {hk_text(booked[0])} to {hk_text(booked[1], '%H:%M')}; "
                    "cancel or move that booking first"
                )
                raise Conflict(message, {"setup_minutes": message})
        await Venue.update({getattr(Venue, k): v for k, v in values.items()}).where(
            Venue.id == venue_id
        )
        # Two passes: shrink every hold to the event itself (inside its old hold, so it can
        # clash with nothing), then widen to the new holds (which clash with nothing).
        ids = [e["id"] for e in upcoming]
        if ids:
            await Event.update(
                {Event.venue_from: Event.starts_at, Event.venue_until: Event.ends_at}
            ).where(Event.id.is_in(ids))
        for start, until, event in holds:
            await Event.update({Event.venue_from: start, Event.venue_until: until}).where(
                Event.id == event["id"]
            )


async def retire_venue(viewer: Viewer, venue_id: int) -> None:
    """Take a venue out of booking; refused while an upcoming event is held there."""
    venue = await get_venue(viewer, venue_id)
    await policy.require_run(viewer, venue.centre, "retire this venue")
    async with write_transaction():
        upcoming = await _upcoming_in(venue_id)
        if upcoming:
            raise Conflict(
                f"{_named(upcoming[0])} is held in this venue; move or cancel it first",
                {"venue": f"{_named(upcoming[0])} is held in this venue"},
            )
        booked = await _booking_within(venue_id, utcnow(), utcnow() + timedelta(days=3660))
        if booked:
            message = (
                f"a member's room booking holds this venue from {hk_text(booked[0])}; "
                "cancel it first, or stop new bookings on the room's terms"
            )
            raise Conflict(message, {"venue": message})
        await Venue.update({Venue.is_active: False}).where(Venue.id == venue_id)


@dataclass
class Hold:
    """A venue held on a day: by which event (or member's room booking), from when to when
    (Hong Kong time, set-up and tear-down included)."""

    event: int | None
    title_en: str
    title_zh: str
    starts: datetime
    ends: datetime
    status: str
    booking: int | None = None


@dataclass
class Week:
    days: list[date]
    venues: list[VenueOut]
    holds: dict[tuple[int, date], list[Hold]]
    centres: list[dict]  # the centres and hubs with venues, for the choice of one
    centre: str = ""  # the one shown, or blank for all
    narrowed: bool = False  # one centre chosen for the viewer: the park has many venues


ALL_AT_ONCE = 40  # venues the week shows together before it shows one centre's


async def _one_centre(viewer: Viewer, centre: str, centres: list[dict]) -> tuple[int | None, bool]:
    """The centre to show (None: all), and whether it was chosen for the viewer."""
    if centre == "all" or (not centre and sum(c["venues"] for c in centres) <= ALL_AT_ONCE):
        return None, False
    if centre:
        found = next((c for c in centres if c["slug"] == centre), None)
        if found is None:
            raise BadParameter({"centre": f"no centre or hub with venues called {centre}"})
        return found["id"], False
    own = await policy.managed_centres(viewer) or []
    return next((c for c in centres if c["id"] in own), centres[0])["id"], True


async def week_of_holds(viewer: Viewer, first: date, centre: str = "") -> Week:
    """Each active venue's holds over the seven days from `first`, events' and members' room
    bookings' alike (staff: for scheduling); of one centre or hub when asked, or when the
    park has many venues (the viewer's own first)."""
    policy.require_organiser(viewer, "see the venues' availability")
    days = [first + timedelta(days=n) for n in range(7)]
    start = datetime.combine(first, time(), HONG_KONG)
    end = start + timedelta(days=7)
    centres = await Event.raw(
        "SELECT c.id, c.slug, c.name_en, c.name_zh, COUNT(*) AS venues FROM venue v "
        "JOIN centre c ON c.id = v.centre WHERE v.is_active "
        "GROUP BY c.id, c.slug, c.name_en, c.name_zh ORDER BY c.name_en"
    )
    chosen, narrowed = await _one_centre(viewer, centre, centres) if centres else (None, False)
    within = " AND h.venue IN (SELECT id FROM venue WHERE centre = {})" if chosen else ""
    rows = await Event.raw(
        "SELECT h.venue, h.event, h.booking, h.held_from, h.held_until, "
        "COALESCE(e.title_en, '') AS title_en, COALESCE(e.title_zh, '') AS title_zh, "
        "COALESCE(e.status, 'published') AS status FROM venue_hold h "
        "LEFT JOIN event e ON e.id = h.event "
        f"WHERE h.held_from < {{}} AND h.held_until > {{}}{within} ORDER BY h.held_from",
        end,
        start,
        *([chosen] if chosen else []),
    )
    holds: dict[tuple[int, date], list[Hold]] = {}
    for row in rows:
        begins = row["held_from"].astimezone(HONG_KONG)
        finishes = row["held_until"].astimezone(HONG_KONG)
        for day in days:
            day_start = datetime.combine(day, time(), HONG_KONG)
            if begins < day_start + timedelta(days=1) and finishes > day_start:
                hold = Hold(
                    row["event"],
                    row["title_en"] or "Room booking",
                    row["title_zh"] or "會議室預訂",
                    begins,
                    finishes,
                    row["status"],
                    row["booking"],
                )
                holds.setdefault((row["venue"], day), []).append(hold)
    shown = next((c["slug"] for c in centres if c["id"] == chosen), "")
    venues = await list_venues([chosen] if chosen else None)
    return Week(days, venues, holds, centres, shown, narrowed)
