"""Figures of the meeting rooms: how much of the bookable rooms' open hours were held (by
members' bookings and by events), per centre and per hour of the day through the week."""

from __future__ import annotations

import asyncio

from events.rooms.services.figures import Use, Utilisation, utilisation
from incubator.dashboard.schemas import TITLES, Figure, Row, Scope

# The two figures read one count: asked at once (the dashboard computes its figures
# together), they share it. Nothing is kept once it is done.
_counting: dict[Scope, asyncio.Future[Utilisation]] = {}


async def _use_of(scope: Scope) -> Utilisation:
    pending = _counting.get(scope)
    if pending is None:
        pending = asyncio.ensure_future(utilisation(scope.starts_on, scope.ends_on, scope.centres))
        _counting[scope] = pending
        pending.add_done_callback(lambda _done: _counting.pop(scope, None))
    return await asyncio.shield(pending)


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _hours(minutes: int) -> float:
    return round(minutes / 60, 1)


def _use_values(use: Use) -> dict[str, float | None]:
    return {
        "open_hours": _hours(use.open),
        "booked_hours": _hours(use.held),
        "free_hours": _hours(use.open - use.held),
        "use_rate": round(use.rate, 4) if use.rate is not None else None,
    }


async def room_use(scope: Scope) -> Figure:
    found = await _use_of(scope)
    rows = [
        Row(str(centre), en, zh, _use_values(use))
        for centre, (en, zh, use) in sorted(found.centres.items(), key=lambda c: c[1][0])
    ]
    whole = Use(
        sum(u.open for _e, _z, u in found.centres.values()),
        sum(u.held for _e, _z, u in found.centres.values()),
    )
    series = ["open_hours", "booked_hours", "free_hours", "use_rate"]
    return Figure(
        "room-use",
        TITLES["room-use"],
        "stacked",
        series,
        ["booked_hours", "free_hours"],
        rows,
        _use_values(whole),
        "The bookable meeting rooms' open hours from the range's first day to its last, "
        "and the hours members' bookings and events held (or hold) them.",
    )


async def room_use_by_hour(scope: Scope) -> Figure:
    found = await _use_of(scope)
    rows = []
    for hour in sorted({h for _d, h in found.hours}):
        values: dict[str, float | None] = {}
        every = Use()
        for number, name in enumerate(WEEKDAYS, start=1):
            use = found.hours.get((number, hour), Use())
            values[name] = round(use.rate, 4) if use.rate is not None else None
            every.open += use.open
            every.held += use.held
        values["all"] = round(every.rate, 4) if every.rate is not None else None
        values["booked_hours"] = _hours(every.held)
        rows.append(Row(f"{hour:02d}:00", f"{hour:02d}:00", f"{hour:02d}:00", values))
    return Figure(
        "room-use-by-hour",
        TITLES["room-use-by-hour"],
        "columns",
        [*WEEKDAYS, "all", "booked_hours"],
        ["booked_hours"],
        rows,
        {},
        "The share of the bookable rooms' open time held in each hour of the day (Hong Kong "
        "time), on each day of the week and over the whole week; the chart draws the hours "
        "held in each hour of the day.",
    )
