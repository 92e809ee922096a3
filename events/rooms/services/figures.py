"""How much the bookable rooms are used: the share of their open hours held (by members'
bookings and by events, through the venue holds), per centre and per hour of the week."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from events.rooms.services.rooms import day_start, list_rooms, local, minutes_of
from events.tables import VenueHold


@dataclass
class Use:
    """Open and held minutes."""

    open: int = 0
    held: int = 0

    @property
    def rate(self) -> float | None:
        return self.held / self.open if self.open else None


@dataclass
class Utilisation:
    centres: dict[int, tuple[str, str, Use]] = field(default_factory=dict)
    # (ISO weekday, hour of day in Hong Kong time) -> use
    hours: dict[tuple[int, int], Use] = field(default_factory=dict)


def local_day(moment: datetime) -> date:
    return local(moment).date()


def _overlap(a: datetime, b: datetime, c: datetime, d: datetime) -> int:
    """Minutes [a, b) and [c, d) share."""
    return max(0, int((min(b, d) - max(a, c)).total_seconds() // 60))


async def utilisation(
    starts_on: date, ends_on: date, centres: tuple[int, ...] | None
) -> Utilisation:
    """Each bookable room's open minutes on the days from `starts_on` to `ends_on` (both
    included) and the minutes of them held, summed per centre and per hour of the week."""
    rooms = [
        r for r in await list_rooms(bookable_only=False) if centres is None or r.centre in centres
    ]
    found = Utilisation()
    if not rooms:
        return found
    start, until = day_start(starts_on, 0), day_start(ends_on + timedelta(days=1), 0)
    marks = ", ".join("{}" for _ in rooms)
    rows = await VenueHold.raw(
        "SELECT venue, held_from, held_until FROM venue_hold "
        f"WHERE venue IN ({marks}) AND held_from < {{}} AND held_until > {{}}",
        *[r.id for r in rooms],
        until,
        start,
    )
    holds: dict[tuple[int, date], list[tuple[datetime, datetime]]] = {}
    for row in rows:  # by each day (Hong Kong time) a hold touches
        day = max(local_day(row["held_from"]), starts_on)
        while day <= ends_on and day_start(day, 0) < row["held_until"]:
            holds.setdefault((row["venue"], day), []).append((row["held_from"], row["held_until"]))
            day += timedelta(days=1)
    for room in rooms:
        use = found.centres.setdefault(room.centre, (room.centre_en, room.centre_zh, Use()))[2]
        opens, closes = minutes_of(room.opens_at), minutes_of(room.closes_at)
        day = starts_on
        while day <= ends_on:
            if day.isoweekday() in room.weekdays:
                for hour in range(opens // 60, (closes + 59) // 60):
                    first = day_start(day, max(opens, hour * 60))
                    last = day_start(day, min(closes, hour * 60 + 60))
                    minutes = _overlap(first, last, first, last)
                    held = sum(
                        _overlap(first, last, a, b) for a, b in holds.get((room.id, day), [])
                    )
                    bucket = found.hours.setdefault((day.isoweekday(), hour), Use())
                    bucket.open += minutes
                    bucket.held += held
                    use.open += minutes
                    use.held += held
            day += timedelta(days=1)
    return found
