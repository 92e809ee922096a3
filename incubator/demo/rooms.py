"""The demo park's meeting rooms: rooms members book themselves in each centre (and the
Partners' Room, which also hosts events: one hold rule for both), with a realistic month of
bookings around today, paid in the credits their start-ups' leases bring.

A park of N start-ups has N/2,000 sets of rooms, as it has sets of venues."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from events.rooms.services.credits import default_credits_sql, month_of
from events.rooms.tables import BookableRoom, CreditEntry, CreditMonth
from events.tables import RoomBooking, Venue, VenueHold
from incubator.db.bulk import bulk_insert
from incubator.demo.events import VENUE_COLUMNS, VENUES, location_zh, venue_name
from incubator.i18n import HONG_KONG
from incubator.startups.services.onsite import IN_FORCE
from incubator.startups.tables import Startup

ROOMS = [
    # centre, name, Chinese name, location, capacity, uses check-in
    ("entrepreneurship", "Meeting Room 3A", "3A 會議室", "Cyberport 3, level 3", 8, True),
    ("entrepreneurship", "Pitch Room", "路演室", "Cyberport 3, level 2", 12, False),
    ("technology", "Meeting Room 4B", "4B 會議室", "Cyberport 4, level 2", 6, True),
    ("web3hub", "Web3Hub Huddle Room", "Web3Hub 小型會議室", "Cyberport 2, level 5", 6, False),
    ("fintech-hub", "FinTech Board Room", "金融科技董事會議室", "Cyberport 1, level 3", 14, False),
]
PARTNERS_ROOM = 7  # the index in events.VENUES of a venue that hosts events and bookings
TITLES = ["Team stand-up", "Investor call", "Customer demo", "Interview", "Design review", ""]


async def build_rooms(
    seed: int,
    today: date,
    centre_ids: dict[str, int],
    say: Callable[[str], None],
    scale: int = 1,
) -> None:
    rng = random.Random(seed * 173 + 11)
    first_id = len(VENUES) * scale + 1
    venues, terms = [], []
    for copy in range(scale):
        for index, (centre, en, zh, location, capacity, check_in) in enumerate(ROOMS):
            venue = first_id + copy * len(ROOMS) + index
            venues.append(
                (
                    venue,
                    centre_ids[centre],
                    venue_name(en, copy),
                    venue_name(zh, copy),
                    location,
                    location_zh(location),
                    capacity,
                    0,
                    0,
                )
            )
            terms.append((venue, check_in, 2 if capacity < 12 else 3))
        terms.append((copy * len(VENUES) + PARTNERS_ROOM + 1, False, 3))
    await bulk_insert(
        Venue,
        VENUE_COLUMNS,
        venues,
    )
    await bulk_insert(
        BookableRoom,
        ("venue", "uses_check_in", "peak_credits", "offpeak_credits", "weekdays"),
        [(venue, check_in, peak, 1, "12345") for venue, check_in, peak in terms],
    )
    budgets = await _allowances(today)
    onsite = sorted(budgets)
    members = {
        r["startup"]: r["user"]
        for r in await Startup.raw(
            'SELECT startup, MIN("user") AS "user" FROM startup_membership GROUP BY startup'
        )
    }
    own = [s for s in onsite if s in members]  # the demo founders' start-ups, if onsite
    held = await _holds([venue for venue, _c, _p in terms])
    bookings, spent = [], {}
    now = datetime.now(UTC)
    start_day = today - timedelta(days=21)
    for venue, check_in, peak in terms:
        for offset in range(31):
            day = start_day + timedelta(days=offset)
            if day.isoweekday() > 5:
                continue
            for _ in range(rng.randint(2, 5)):
                hour = rng.choice(range(8, 19))
                minutes = rng.choice((30, 60, 60, 90, 120))
                starts = datetime.combine(day, time(hour, rng.choice((0, 30))), HONG_KONG)
                ends = starts + timedelta(minutes=minutes)
                if ends > datetime.combine(day, time(20), HONG_KONG):
                    continue
                if any(a < ends and b > starts for a, b in held.get(venue, [])):
                    continue
                startup = rng.choice(own) if own and rng.random() < 0.25 else rng.choice(onsite)
                cost = _cost(starts, ends, peak)
                month = month_of(starts)
                if spent.get((startup, month), 0) + cost > budgets[startup]:
                    continue
                status, checked, released, cancelled = "confirmed", None, None, None
                roll = rng.random()
                if roll < 0.08:
                    status, cancelled = "cancelled", starts - timedelta(days=1)
                elif ends < now and check_in:
                    if roll < 0.15:
                        status, released = "released", starts + timedelta(minutes=15)
                    else:
                        checked = starts + timedelta(minutes=rng.randint(-8, 5))
                if status != "cancelled":
                    held.setdefault(venue, []).append((starts, released or ends))
                    spent[(startup, month)] = spent.get((startup, month), 0) + cost
                bookings.append(
                    (
                        len(bookings) + 1,
                        venue,
                        startup,
                        members.get(startup),
                        rng.choice(TITLES),
                        starts.astimezone(UTC),
                        ends.astimezone(UTC),
                        cost if status != "cancelled" else 0,
                        status,
                        f"demo{rng.getrandbits(64):016x}",
                        checked,
                        cancelled,
                        released,
                        booked_at := starts.astimezone(UTC) - timedelta(days=rng.randint(1, 10)),
                        cancelled or booked_at,
                    )
                )
    await bulk_insert(
        RoomBooking,
        (
            "id",
            "venue",
            "startup",
            "booked_by",
            "title",
            "starts_at",
            "ends_at",
            "credits",
            "status",
            "code",
            "checked_in_at",
            "cancelled_at",
            "released_at",
            "created_at",
            "updated_at",
        ),
        bookings,
    )
    await _credits(bookings, spent, budgets)
    say(f"meeting rooms: {len(terms)} bookable, {len(bookings)} bookings")


def _cost(starts: datetime, ends: datetime, peak: int) -> int:
    """As `rooms.price` for the demo's terms: peak 10:00-17:00, off-peak 1 an hour."""
    minutes, moment = 0, starts
    while moment < ends:
        rate = peak if 10 <= moment.hour < 17 else 1
        minutes += rate * 30
        moment += timedelta(minutes=30)
    return -(-minutes // 60)


async def _allowances(today: date) -> dict[int, int]:
    """Each onsite start-up's monthly credits (its leases' unit kinds' defaults)."""
    rows = await Startup.raw(
        f"SELECT l.startup, SUM({default_credits_sql()}) AS credits FROM lease l "
        f"JOIN unit u ON u.id = l.unit WHERE {IN_FORCE} GROUP BY l.startup",
        today,
        today,
    )
    return {r["startup"]: int(r["credits"]) for r in rows if r["credits"]}


async def _holds(venues: list[int]) -> dict[int, list[tuple[datetime, datetime]]]:
    rows = await VenueHold.select(VenueHold.venue, VenueHold.held_from, VenueHold.held_until).where(
        VenueHold.venue.is_in(venues)
    )
    found: dict[int, list[tuple[datetime, datetime]]] = {}
    for row in rows:
        found.setdefault(row["venue"], []).append((row["held_from"], row["held_until"]))
    return found


async def _credits(bookings: list[tuple], spent: dict, budgets: dict[int, int]) -> None:
    months = [
        (n + 1, startup, month, budgets[startup], used)
        for n, ((startup, month), used) in enumerate(sorted(spent.items()))
    ]
    await bulk_insert(
        CreditMonth,
        ("id", "startup", "month", "allowance", "granted", "spent"),
        [(i, s, m, a, 0, used) for i, s, m, a, used in months],
    )
    entries = [(s, m, a, "allowance", None) for _i, s, m, a, _u in months]
    for row in bookings:
        if row[8] != "cancelled":
            entries.append((row[2], month_of(row[5]), -row[7], "charge", row[0]))
    await bulk_insert(
        CreditEntry,
        ("id", "startup", "month", "change", "kind", "booking"),
        [(n + 1, *entry) for n, entry in enumerate(entries)],
    )
