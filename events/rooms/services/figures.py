"""How much the bookable rooms are used: the share of their open hours held (by members'
bookings and by events, through the venue holds), per centre and per hour of the week.

Counted in whole minutes of Hong Kong time as integers: a year of a park with 300 rooms is
tens of thousands of holds, and walking each room's every open hour as datetimes took
seconds. Open minutes are each room's open minutes per hour times the days of each weekday
in the range; held minutes walk each hold's hours, clipped to its room's opening."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from events.rooms.schemas import RoomOut
from events.rooms.services.rooms import day_start, list_rooms, minutes_of
from events.tables import VenueHold
from incubator.db import is_postgres

HONG_KONG_MINUTES = 8 * 60  # Hong Kong is UTC+8 all year
DAY = 24 * 60
EPOCH_DAY = date(1970, 1, 1).toordinal()


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


def _weekday(day_index: int) -> int:
    """The ISO weekday of a day counted from 1970-01-01 (a Thursday)."""
    return (day_index + 3) % 7 + 1


def _local_minutes(column: str) -> str:
    """SQL for an instant as whole minutes since 1970 in Hong Kong time."""
    if is_postgres():
        return f"(FLOOR(EXTRACT(EPOCH FROM {column}) / 60) + {HONG_KONG_MINUTES})::bigint"
    return f"(unixepoch({column}) / 60 + {HONG_KONG_MINUTES})"  # SQLite 3.38 on


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
    first_day = starts_on.toordinal() - EPOCH_DAY
    last_day = ends_on.toordinal() - EPOCH_DAY
    weeks, extra = divmod(last_day - first_day + 1, 7)
    weekdays = Counter(
        {wd: weeks + (1 if wd in _tail(first_day, extra) else 0) for wd in range(1, 8)}
    )
    by_id: dict[int, tuple[RoomOut, int, int]] = {}
    alike: Counter[tuple] = Counter()  # rooms of one centre on the same terms count together
    for room in rooms:
        opens, closes = minutes_of(room.opens_at), minutes_of(room.closes_at)
        by_id[room.id] = (room, opens, closes)
        alike[
            (room.centre, room.centre_en, room.centre_zh, opens, closes, tuple(room.weekdays))
        ] += 1
    for (centre, en, zh, opens, closes, days), count in alike.items():
        use = found.centres.setdefault(centre, (en, zh, Use()))[2]
        hourly = [max(0, min(closes, h * 60 + 60) - max(opens, h * 60)) for h in range(24)]
        for wd in days:
            for hour, minutes in enumerate(hourly):
                if minutes:
                    bucket = found.hours.setdefault((wd, hour), Use())
                    bucket.open += minutes * weekdays[wd] * count
                    use.open += minutes * weekdays[wd] * count
    start, until = day_start(starts_on, 0), day_start(ends_on + timedelta(days=1), 0)
    low, high = first_day * DAY, (last_day + 1) * DAY
    in_scope, scope_args = "", []
    if centres is not None:
        in_scope = f" WHERE v.centre IN ({', '.join('{}' for _ in centres)})"
        scope_args = list(centres)
    held = (
        f"SELECT h.venue, {_local_minutes('h.held_from')} AS a, "
        f"{_local_minutes('h.held_until')} AS b FROM venue_hold h "
        "WHERE h.venue IN (SELECT r.venue FROM bookable_room r JOIN venue v ON v.id = r.venue"
        f"{in_scope}) AND h.held_from < {{}} AND h.held_until > {{}}"
    )
    # Holds inside the range and one day (nearly all): counted together by the room's terms,
    # weekday, start and length, so a year of a big park is a few thousand rows.
    one_day = f"t.a >= {low} AND t.b <= {high} AND t.a / {DAY} = (t.b - 1) / {DAY}"
    grouped = await VenueHold.raw(
        f"SELECT MIN(t.venue) AS venue, (t.a / {DAY} + 3) % 7 + 1 AS weekday, "
        f"t.a % {DAY} AS first, t.b - t.a AS length, COUNT(*) AS n FROM ({held}) t "
        "JOIN venue v ON v.id = t.venue JOIN bookable_room r ON r.venue = t.venue "
        f"WHERE {one_day} GROUP BY v.centre, r.opens_at, r.closes_at, r.weekdays, 2, 3, 4",
        *scope_args,
        until,
        start,
    )
    for row in grouped:
        room, opens, closes = by_id[row["venue"]]
        wd = int(row["weekday"])
        if wd in room.weekdays:
            first = int(row["first"])
            _add(
                found,
                room,
                wd,
                max(first, opens),
                min(first + int(row["length"]), closes),
                int(row["n"]),
            )
    others = await VenueHold.raw(
        f"SELECT t.venue, t.a, t.b FROM ({held}) t WHERE NOT ({one_day})",
        *scope_args,
        until,
        start,
    )
    for row in others:  # across midnight, or beyond the range's ends: day by day
        room, opens, closes = by_id[row["venue"]]
        moment, end = max(int(row["a"]), low), min(int(row["b"]), high)
        while moment < end:
            day = moment // DAY
            wd = _weekday(day)
            if wd in room.weekdays:
                first, last = max(moment, day * DAY + opens), min(end, day * DAY + closes)
                _add(found, room, wd, first - day * DAY, last - day * DAY, 1)
            moment = (day + 1) * DAY
    return found


def _add(found: Utilisation, room: RoomOut, wd: int, first: int, last: int, times: int) -> None:
    """Minutes [first, last) of a day (Hong Kong time) held `times` over, in a room."""
    use = found.centres[room.centre][2]
    while first < last:
        step = min(last, (first // 60 + 1) * 60)
        found.hours[(wd, first // 60)].held += (step - first) * times
        use.held += (step - first) * times
        first = step


def _tail(first_day: int, extra: int) -> set[int]:
    """The weekdays of the `extra` days after the range's whole weeks."""
    return {_weekday(first_day + n) for n in range(extra)}
