"""The one rule of venues: a venue holds one thing at a time, an event (from set-up to
tear-down) or a member's room booking. The database writes a `venue_hold` row for each from
their own rows and refuses two that overlap (events/piccolo_migrations, 2026-12-04T14:50);
this module asks first, inside the write transaction after the venue's row is locked, so the
person asking is told what holds the venue and when instead of meeting the constraint."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from events.tables import Venue
from incubator.db import lock_row


@dataclass(frozen=True)
class Clash:
    """What holds the venue: an event (with its title) or a booking, and from when to when."""

    venue_name: str
    held_from: datetime
    held_until: datetime
    event: int | None
    event_title: str
    starts_at: datetime
    ends_at: datetime
    booking: int | None


async def first_clash(
    venue_id: int,
    held_from: datetime,
    held_until: datetime,
    *,
    event: int | None = None,
    booking: int | None = None,
) -> Clash | None:
    """Inside the write transaction: lock the venue's row and return the first hold of it that
    overlaps [held_from, held_until), other than the hold of `event` or `booking` itself (the
    one being moved); None when the venue is free."""
    venue = await lock_row(Venue, venue_id, "id, name_en")
    rows = await Venue.raw(
        "SELECT h.held_from, h.held_until, h.event, h.booking, e.title_en, "
        "e.starts_at AS event_starts, e.ends_at AS event_ends, "
        "b.starts_at AS booking_starts, b.ends_at AS booking_ends "
        "FROM venue_hold h LEFT JOIN event e ON e.id = h.event "
        "LEFT JOIN room_booking b ON b.id = h.booking "
        "WHERE h.venue = {} AND h.held_from < {} AND h.held_until > {} "
        "AND (h.event IS NULL OR h.event <> {}) AND (h.booking IS NULL OR h.booking <> {}) "
        "ORDER BY h.held_from LIMIT 1",
        venue_id,
        held_until,
        held_from,
        event or 0,
        booking or 0,
    )
    if not rows:
        return None
    row = rows[0]
    return Clash(
        venue_name=venue["name_en"],
        held_from=row["held_from"],
        held_until=row["held_until"],
        event=row["event"],
        event_title=row["title_en"] or "",
        starts_at=row["event_starts"] or row["booking_starts"],
        ends_at=row["event_ends"] or row["booking_ends"],
        booking=row["booking"],
    )
