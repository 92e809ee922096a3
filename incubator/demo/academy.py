"""The demo's Web3 Academy: ten courses on three tracks (some with prerequisites and an
assessment), two years of quarterly runs with sessions in the Academy Classroom or online,
over 3,000 participants with attendance, scores, certificates and waitlists, and the next
quarter's runs open for enrolment. A bigger park runs every course once per Academy
Classroom (one per set of venues), so enrolments grow with the number of start-ups."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from events.academy.schemas import CompletionRule
from events.academy.services.completion import meets_rule
from events.academy.tables import AssessmentScore, Certificate, SessionAttendance
from events.tables import Course, CoursePrerequisite, Event, Registration, Venue
from incubator.db.bulk import bulk_insert
from incubator.demo.events import RegistrationCodes, code_pairs, venue_name
from incubator.i18n import HONG_KONG
from incubator.startups.tables import Startup

COURSES = [
    # title, Chinese title, track, level, sessions, assessed, prerequisite index, online seats
    ("Web3 Fundamentals", "Web3 基礎", "certified_course", "foundation", 4, True, None, 0),
    (
        "Smart Contract Development",
        "智能合約開發",
        "certified_course",
        "intermediate",
        6,
        True,
        0,
        0,
    ),
    ("Smart Contract Security", "智能合約安全", "certified_course", "advanced", 5, True, 1, 0),
    (
        "Tokenomics and Regulation",
        "代幣經濟與監管",
        "certified_course",
        "intermediate",
        4,
        True,
        0,
        0,
    ),
    ("Building on Layer 2", "第二層網絡開發", "technical_training", "intermediate", 4, False, 0, 0),
    (
        "Zero-Knowledge Proofs in Practice",
        "零知識證明實務",
        "technical_training",
        "advanced",
        5,
        False,
        1,
        0,
    ),
    ("Wallets and Custody", "錢包與託管", "technical_training", "foundation", 3, False, None, 0),
    (
        "From Idea to Token Launch",
        "由構思到代幣發行",
        "entrepreneurial_series",
        "foundation",
        4,
        False,
        None,
        120,
    ),
    (
        "Fundraising for Web3 Founders",
        "Web3 創辦人融資",
        "entrepreneurial_series",
        "intermediate",
        4,
        False,
        None,
        120,
    ),
    (
        "Going Global from Hong Kong",
        "立足香港走向全球",
        "entrepreneurial_series",
        "foundation",
        3,
        False,
        None,
        120,
    ),
]
CLASSROOM_SEATS = 40
SLOTS = [(time(19, 0), 2), (time(14, 0), 3)]


class Learner(NamedTuple):
    """One enrolment in a run, as the demo draws it."""

    run: int
    name: str
    email: str
    status: str
    startup: int | None
    attended: list[int]  # the sessions (ids) attended
    score: int | None
    finished: bool  # the run has ended
    sessions: int  # how many sessions the run has
    assessed: bool
    enrolled_at: datetime


def _certificate_code(rng: random.Random) -> str:
    a, b, c, d, e, f, g, h = code_pairs(rng, 8)
    return f"W3A-{a}{b}-{c}{d}-{e}{f}-{g}{h}"


async def build_academy(
    seed: int,
    today: date,
    centre_ids: dict[str, int],
    say: Callable[[str], None],
    scale: int = 1,
    codes: set[str] | None = None,
) -> None:
    """`codes`: the registration codes the park's events drew already."""
    rng = random.Random(seed * 17 + 5)
    knowledge = centre_ids["knowledge"]
    classrooms = [
        await Venue.select(Venue.id, Venue.setup_minutes, Venue.teardown_minutes)
        .where(Venue.name_en == venue_name("Academy Classroom", copy))
        .first()
        for copy in range(scale)
    ]
    course_ids = []
    for title, title_zh, track, level, _n, assessed, _pre, _seats in COURSES:
        rows = await Course.insert(
            Course(
                title_en=title,
                title_zh=title_zh,
                description_en=f"{title}: a Web3 Academy course of the Knowledge Centre.",
                description_zh=f"{title_zh}：知識中心 Web3 學院課程。",
                track=track,
                level=level,
                centre=knowledge,
                completion_percent=75,
                has_assessment=assessed,
                pass_mark=60 if assessed else None,
            )
        ).returning(Course.id)
        course_ids.append(rows[0]["id"])
    for index, spec in enumerate(COURSES):
        if spec[6] is not None:
            await CoursePrerequisite.insert(
                CoursePrerequisite(course=course_ids[index], requires=course_ids[spec[6]])
            )
    startups = [r["id"] for r in await Startup.select(Startup.id).limit(600 * scale)]
    next_id = (await Event.raw("SELECT COALESCE(MAX(id), 0) AS n FROM event"))[0]["n"] + 1
    taken: set[tuple[int, date, int]] = set()
    runs, sessions, people = [], [], []
    run_ends: dict[int, datetime] = {}
    now = datetime.now(UTC)
    planned = [
        (quarter, index, copy)
        for quarter in range(-8, 2)  # two years back, and the next quarter's runs
        for index in range(len(COURSES))
        for copy in range(scale)
    ]
    for quarter, index, copy in planned:
        title, title_zh, _t, _l, count, assessed, _p, online = COURSES[index]
        classroom = classrooms[copy]
        if quarter < 0 and rng.random() < 0.12:
            continue  # not every course runs every quarter
        first = today + timedelta(days=quarter * 91 + rng.randint(0, 40))
        if quarter >= 0:
            first = today + timedelta(days=21 + index * 2 + quarter * 91)
        run_id = next_id
        next_id += 1
        seats = online or CLASSROOM_SEATS
        days = []
        day = first
        while len(days) < count:
            slot = 0 if day.weekday() < 5 else 1
            if day.weekday() != 6 and (copy, day, slot) not in taken:
                taken.add((copy, day, slot))
                days.append((day, slot))
                day += timedelta(days=7)
            else:
                day += timedelta(days=1)
        run_start = datetime.combine(days[0][0], time(0), tzinfo=HONG_KONG).astimezone(UTC)
        run_end = datetime.combine(days[-1][0], time(23, 59), tzinfo=HONG_KONG).astimezone(UTC)
        runs.append(
            (
                run_id,
                "course_run",
                course_ids[index],
                None,
                title,
                title_zh,
                knowledge,
                None,
                "",
                run_start,
                run_end,
                None,
                None,
                seats,
                rng.random() < 0.3,
                "published",
            )
        )
        run_ends[run_id] = run_end
        session_ids = []
        for day, slot in days:
            start_time, hours = SLOTS[slot]
            starts = datetime.combine(day, start_time, tzinfo=HONG_KONG).astimezone(UTC)
            ends = starts + timedelta(hours=hours)
            venue = None if online else classroom["id"]
            held = (
                (None, None)
                if online
                else (
                    starts - timedelta(minutes=classroom["setup_minutes"]),
                    ends + timedelta(minutes=classroom["teardown_minutes"]),
                )
            )
            sessions.append(
                (
                    next_id,
                    "session",
                    None,
                    run_id,
                    f"{title}: session {len(session_ids) + 1}",
                    f"{title_zh}：第 {len(session_ids) + 1} 節",
                    knowledge,
                    venue,
                    "https://academy.example/live" if online else "",
                    starts,
                    ends,
                    *held,
                    seats,
                    False,
                    "published",
                )
            )
            session_ids.append((next_id, ends))
            next_id += 1
        finished = run_end < now
        wanted = int(seats * (rng.uniform(0.85, 1.25) if quarter < 1 else rng.uniform(0.2, 0.7)))
        for n in range(wanted):
            confirmed = n < seats
            startup = rng.choice(startups) if startups and rng.random() < 0.6 else None
            attended = (
                [s for s, ends in session_ids if ends < now and rng.random() < 0.86]
                if confirmed
                else []
            )
            score = rng.randint(40, 100) if assessed and confirmed and finished else None
            people.append(
                Learner(
                    run_id,
                    f"Learner {run_id}-{n}",
                    f"learner{run_id}.{n}@academy.example",
                    "confirmed" if confirmed else "waitlisted",
                    startup,
                    attended,
                    score,
                    finished,
                    count,
                    assessed,
                    run_start - timedelta(days=30, minutes=-n),
                )
            )
    columns = (
        "id",
        "kind",
        "course",
        "parent",
        "title_en",
        "title_zh",
        "centre",
        "venue",
        "online_url",
        "starts_at",
        "ends_at",
        "venue_from",
        "venue_until",
        "capacity",
        "allow_guests",
        "status",
    )
    await bulk_insert(Event, columns, runs)
    await bulk_insert(Event, columns, sessions)
    # Ids are given, not read back: the enrolments' rows follow from the list.
    first_id = (await Registration.raw("SELECT COALESCE(MAX(id), 0) AS n FROM registration"))[0]
    ids = range(first_id["n"] + 1, first_id["n"] + 1 + len(people))
    code = RegistrationCodes(rng, taken=codes)
    await bulk_insert(
        Registration,
        ("id", "event", "name", "email", "status", "code", "startup", "created_at"),
        [
            (i, p.run, p.name, p.email, p.status, code(), p.startup, p.enrolled_at)
            for i, p in zip(ids, people, strict=True)
        ],
    )
    attendance, scores, certificates = [], [], []
    rules = {
        assessed: CompletionRule(completion_percent=75, has_assessment=assessed, pass_mark=60)
        for assessed in (False, True)
    }
    course_of_run = {r[0]: r[2] for r in runs}
    titles = {course_ids[i]: (c[0], c[1]) for i, c in enumerate(COURSES)}
    for registration, p in zip(ids, people, strict=True):
        attended = p.attended
        attendance += [(session, registration) for session in attended]
        if p.score is not None:
            scores.append((registration, p.score))
        if (
            p.status == "confirmed"
            and p.finished
            and meets_rule(rules[p.assessed], len(attended), p.sessions, p.score)
        ):
            course = course_of_run[p.run]
            certificates.append(
                (
                    registration,
                    _certificate_code(rng),
                    course,
                    p.run,
                    p.startup,
                    p.name,
                    p.email,
                    *titles[course],
                    round(100 * len(attended) / p.sessions),
                    p.score,
                    run_ends[p.run] + timedelta(days=3),
                )
            )
    await bulk_insert(SessionAttendance, ("session", "registration"), attendance)
    await bulk_insert(AssessmentScore, ("registration", "score"), scores)
    await bulk_insert(
        Certificate,
        (
            "registration",
            "code",
            "course",
            "run",
            "startup",
            "name",
            "email",
            "course_title_en",
            "course_title_zh",
            "attended_percent",
            "score",
            "issued_at",
        ),
        certificates,
    )
    confirmed = sum(1 for p in people if p.status == "confirmed")
    say(
        f"academy: {len(COURSES)} courses, {len(runs)} runs, {len(sessions)} sessions, "
        f"{confirmed:,} participants, {len(certificates):,} certificates"
    )
