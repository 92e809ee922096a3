"""The demo park's venues and a calendar of events around today, with registrations,
waitlists and check-ins, so the calendar, feeds and attendance figures have content.

A park of N start-ups has N/2,000 sets of venues and 30 events per 1,000 start-ups, so a
bigger park is busier in proportion rather than crammed into eight rooms."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from events.services.registrations import CODE_ALPHABET
from events.tables import Event, EventCluster, Registration, Venue
from incubator.auth.tables import User
from incubator.db.bulk import bulk_insert
from incubator.i18n import HONG_KONG

VENUES = [
    # centre, name, Chinese name, location, capacity, set-up, tear-down
    (
        "campus-development",
        "Cyberport Auditorium",
        "數碼港演講廳",
        "Cyberport 1, level 1",
        400,
        60,
        60,
    ),
    ("campus-development", "Innovation Hall", "創新廳", "Cyberport 3, level 1", 120, 30, 30),
    ("entrepreneurship", "Incubation Studio", "培育工作室", "Cyberport 3, level 2", 60, 15, 15),
    ("knowledge", "Academy Classroom", "學院課室", "Cyberport 2, level 3", 40, 15, 15),
    ("technology", "Tech Lab Theatre", "科技實驗室劇場", "Cyberport 4, level 2", 80, 30, 30),
    ("web3hub", "Web3Hub Lounge", "Web3Hub 休息室", "Cyberport 2, level 5", 80, 30, 30),
    ("fintech-hub", "FinTech Gallery", "金融科技展廊", "Cyberport 1, level 3", 60, 30, 30),
    ("collaboration", "Partners' Room", "夥伴會議室", "Cyberport 1, level 5", 30, 15, 15),
]
EVENTS = [
    # title, Chinese title, organiser, venue index, cluster, capacity
    ("FinTech Forum", "金融科技論壇", "fintech-hub", 0, "fintech", 350),
    ("Venture Capital Forum", "創業投資論壇", "entrepreneurship", 0, "fintech", 300),
    ("Web3 Builders Night", "Web3 開發者之夜", "web3hub", 5, "web3", 80),
    ("Demo Day", "成果展示日", "entrepreneurship", 1, "smart-living", 120),
    ("Start-up Pitch Competition", "初創企業比賽", "entrepreneurship", 1, "ai-data", 110),
    ("Smart Living Showcase", "智慧生活展", "smart-living-hub", 1, "smart-living", 100),
    ("AI Meetup", "人工智能聚會", "ai-data-hub", 4, "ai-data", 80),
    ("Investor Office Hours", "投資者諮詢時段", "entrepreneurship", 2, "fintech", 20),
    (
        "Digital Entertainment Summit",
        "數碼娛樂峰會",
        "digital-entertainment-hub",
        0,
        "digital-entertainment",
        380,
    ),
    ("Founders' Breakfast", "創辦人早餐會", "entrepreneurship", 2, "smart-living", 40),
    ("Tokenisation Clinic", "代幣化診所", "web3hub", 5, "web3", 30),
    ("Soft-landing Briefing", "軟著陸簡介會", "collaboration", 7, "fintech", 30),
]
# A venue's row as the demo loads it (rooms.py loads its meeting rooms the same way).
VENUE_COLUMNS = (
    "id",
    "centre",
    "name_en",
    "name_zh",
    "location",
    "location_zh",
    "capacity",
    "setup_minutes",
    "teardown_minutes",
)
SLOTS = [(time(10, 0), 2), (time(14, 0), 2), (time(18, 30), 2)]
EVENTS_PER_SET = 60  # events per set of venues (per 2,000 start-ups)


def park_scale(startups: int) -> int:
    """How many sets of venues, events and Academy runs a park of this size has."""
    return max(1, round(startups / 2000))


def venue_name(name: str, copy: int) -> str:
    """The first set keeps the rooms' own names; later sets number them (Innovation Hall 2)."""
    return name if copy == 0 else f"{name} {copy + 1}"


# Every two characters a code may hold: a code drawn a pair at a time takes half the draws
# (840,000 codes for the demo's park of 100,000 start-ups).
_CODE_PAIRS = [a + b for a in CODE_ALPHABET for b in CODE_ALPHABET]


def code_pairs(rng: random.Random, count: int) -> list[str]:
    """`count` random pairs of a code's characters, one draw each."""
    draw, pairs = rng.random, len(_CODE_PAIRS)
    return [_CODE_PAIRS[int(draw() * pairs)] for _ in range(count)]


class RegistrationCodes:
    """Random check-in codes, never one twice: the column is unique, and a park of 100,000
    start-ups draws hundreds of thousands of them."""

    def __init__(self, rng: random.Random, taken: set[str] | None = None) -> None:
        self.rng = rng
        self.taken = taken if taken is not None else set()

    def __call__(self) -> str:
        while True:
            a, b, c, d = code_pairs(self.rng, 4)
            code = f"{a}{b}-{c}{d}"
            if code not in self.taken:
                self.taken.add(code)
                return code


def location_zh(location: str) -> str:
    """ "Cyberport 3, level 1" in Chinese: 數碼港3座1樓."""
    found = re.fullmatch(r"Cyberport (\d+), level (\d+)", location)
    return f"數碼港{found[1]}座{found[2]}樓" if found else ""


async def build_events(
    seed: int,
    today: date,
    centre_ids: dict[str, int],
    cluster_ids: dict[str, int],
    say: Callable[[str], None],
    scale: int = 1,
) -> set[str]:
    """The venues and events; returns the registration codes drawn (the Academy's enrolments
    draw theirs from the same column)."""
    rng = random.Random(seed * 131 + 7)
    code = RegistrationCodes(rng)
    venue_rows = []
    for copy in range(scale):
        for index, (centre, en, zh, location, capacity, setup, teardown) in enumerate(VENUES):
            venue_rows.append(
                (
                    copy * len(VENUES) + index + 1,
                    centre_ids[centre],
                    venue_name(en, copy),
                    venue_name(zh, copy),
                    location,
                    location_zh(location),
                    capacity,
                    setup,
                    teardown,
                )
            )
    await bulk_insert(
        Venue,
        VENUE_COLUMNS,
        venue_rows,
    )
    people = await User.select(User.id, User.name, User.email).where(User.role == "member")
    taken: set[tuple[int, date, int]] = set()
    events, links, registrations = [], [], []
    now = datetime.now(UTC)
    for event_id in range(1, EVENTS_PER_SET * scale + 1):
        title, title_zh, organiser, venue_index, cluster, capacity = rng.choice(EVENTS)
        copy = rng.randrange(scale) if scale > 1 else 0  # the 2,000 park stays as it was
        venue = copy * len(VENUES) + venue_index + 1
        while True:
            day = today + timedelta(days=rng.randint(-60, 90))
            slot = rng.randrange(len(SLOTS))
            if day.weekday() < 5 and (venue, day, slot) not in taken:
                taken.add((venue, day, slot))
                break
        start_time, hours = SLOTS[slot]
        starts = datetime.combine(day, start_time, tzinfo=HONG_KONG).astimezone(UTC)
        ends = starts + timedelta(hours=hours)
        setup, teardown = VENUES[venue_index][5], VENUES[venue_index][6]
        status = "published"
        if day > today + timedelta(days=45) and rng.random() < 0.25:
            status = "draft"
        elif rng.random() < 0.04:
            status = "cancelled"
        events.append(
            (
                event_id,
                title,
                title_zh,
                f"{title} at Cyberport: talks, demos and time to meet the community.",
                f"數碼港{title_zh}：講座、示範及與社群交流。",
                centre_ids[organiser],
                venue,
                starts,
                ends,
                starts - timedelta(minutes=setup),
                ends + timedelta(minutes=teardown),
                capacity,
                starts - timedelta(hours=2),
                rng.random() < 0.5,
                status,
                starts - timedelta(days=30),
                starts - timedelta(days=30),
            )
        )
        links.append((event_id, cluster_ids[cluster]))
        if status != "published":
            continue
        wanted = int(capacity * rng.uniform(0.4, 1.15))
        for n in range(wanted):
            member = people[n] if n < len(people) and rng.random() < 0.3 else None
            name = member["name"] if member else f"Guest {event_id}-{n}"
            email = member["email"] if member else f"guest{event_id}.{n}@visitor.example"
            confirmed = n < capacity
            checked = confirmed and ends < now and rng.random() < 0.72
            registrations.append(
                (
                    event_id,
                    member["id"] if member else None,
                    name,
                    email,
                    "confirmed" if confirmed else "waitlisted",
                    code(),
                    starts - timedelta(days=20, minutes=-n),
                    starts + timedelta(minutes=rng.randint(-20, 30)) if checked else None,
                )
            )
    columns = (
        "id",
        "title_en",
        "title_zh",
        "description_en",
        "description_zh",
        "centre",
        "venue",
        "starts_at",
        "ends_at",
        "venue_from",
        "venue_until",
        "capacity",
        "registration_closes_at",
        "allow_guests",
        "status",
        "created_at",
        "updated_at",
    )
    await bulk_insert(Event, columns, events)
    await bulk_insert(EventCluster, ("event", "cluster"), links)
    # One registration per person and event, as the unique index wants.
    unique, seen = [], set()
    for row in registrations:
        if (row[0], row[3]) not in seen:
            seen.add((row[0], row[3]))
            unique.append(row)
    await bulk_insert(
        Registration,
        ("event", "user", "name", "email", "status", "code", "created_at", "checked_in_at"),
        unique,
    )
    say(f"events: {len(venue_rows)} venues, {len(events)} events, {len(unique)} registrations")
    return code.taken
