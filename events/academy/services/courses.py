"""The Web3 Academy: courses, their runs and sessions, and enrolment.

A run is an event of kind `course_run`: people enrol in it through the same registration
code as any event (seats up to capacity, then a waitlist, promotion when a seat frees), so
capacity holds under concurrency the same way. Its sessions are events of kind `session`
scheduled through the same code as any event, so they obey the same venue rules (buffers,
no double booking, at most the venue's capacity). What the academy adds: courses with
prerequisites, checked by email against the certificates a person holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import msgspec

from events import policy
from events.academy.schemas import (
    CourseIn,
    CourseOut,
    CourseRun,
    Enrolment,
    Prerequisite,
    RunIn,
    RunSummary,
    SessionIn,
)
from events.academy.tables import Certificate
from events.schemas import EventIn, EventOut, RegistrationIn
from events.services import registrations, schedule
from events.services.times import parse_local
from events.tables import Course, CourseLevel, CoursePrerequisite, CourseTrack, Event, Registration
from incubator.auth.schemas import Viewer
from incubator.db import lock_row, utcnow, write_transaction
from incubator.errors import Conflict, NotFound, ValidationFailed
from incubator.fields import read_choices, read_text, read_whole_number
from incubator.startups.tables import Centre

TRACKS = [t.value for t in CourseTrack]
LEVELS = [lv.value for lv in CourseLevel]
DEFAULT_CENTRE = "knowledge"
COURSE_FIELDS = (
    "title_en",
    "title_zh",
    "description_en",
    "description_zh",
    "track",
    "level",
    "centre",
    "completion_percent",
    "has_assessment",
    "pass_mark",
    "prerequisites",
)
RUN_FIELDS = ("starts_on", "ends_on", "capacity", "registration_opens_at", "allow_guests", "status")


# ---------------------------------------------------------------- courses


async def _clean_course(viewer: Viewer, data: Mapping[str, Any], course_id: int | None):
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {
        "title_en": read_text(data, "title_en", errors, 200, required=True),
        "title_zh": read_text(data, "title_zh", errors, 200),
        "description_en": read_text(data, "description_en", errors, 10000),
        "description_zh": read_text(data, "description_zh", errors, 10000),
    }
    track = str(data.get("track") or "")
    if track not in TRACKS:
        errors["track"] = f"must be one of {', '.join(TRACKS)}"
    clean["track"] = track
    level = str(data.get("level") or "foundation")
    if level not in LEVELS:
        errors["level"] = f"must be one of {', '.join(LEVELS)}"
    clean["level"] = level
    slug = str(data.get("centre") or DEFAULT_CENTRE)
    centre = await Centre.select(Centre.id).where(Centre.slug == slug).first()
    if centre is None:
        errors["centre"] = "choose the centre or hub that runs the course"
    elif not await policy.can_run(viewer, centre["id"]):
        errors["centre"] = "must be a centre or hub you manage"
    else:
        clean["centre"] = centre["id"]
    percent = read_whole_number(data, "completion_percent", errors, 1, 100, required=False)
    clean["completion_percent"] = 80 if percent is None else percent
    clean["has_assessment"] = bool(data.get("has_assessment"))  # CourseIn's bool
    mark = read_whole_number(data, "pass_mark", errors, 0, 100, required=False)
    if clean["has_assessment"] and mark is None and "pass_mark" not in errors:
        errors["pass_mark"] = "is required for a course with an assessment"  # noqa: S105
    clean["pass_mark"] = mark if clean["has_assessment"] else None
    courses = {str(c["id"]): c["id"] for c in await Course.select(Course.id)}
    wanted = read_choices(data, "prerequisites", errors, courses)
    prerequisites = [courses[c] for c in wanted if c in courses]
    if course_id is not None and course_id in prerequisites:
        errors["prerequisites"] = "a course cannot require itself"
    elif course_id is not None and await _requires(prerequisites, course_id):
        errors["prerequisites"] = "would make a circle: a prerequisite already requires this course"
    if errors:
        raise ValidationFailed(errors)
    return clean, prerequisites


async def _requires(starts: list[int], target: int) -> bool:
    """Whether any course in `starts` requires `target`, directly or through others."""
    seen: set[int] = set()
    frontier = list(starts)
    while frontier:
        rows = await CoursePrerequisite.select(CoursePrerequisite.requires).where(
            CoursePrerequisite.course.is_in(frontier)
        )
        nxt = {r["requires"] for r in rows} - seen
        if target in nxt:
            return True
        seen |= nxt
        frontier = list(nxt)
    return False


async def course_problems(
    viewer: Viewer, values: Mapping[str, Any], course_id: int | None = None
) -> dict[str, str]:
    """The rules a course's values break (a new course's, or course `course_id`'s), for a
    form that could not read all of them."""
    if course_id is None:
        policy.require_organiser(viewer, "create courses")
    else:
        course = await get_course(viewer, course_id)
        await policy.require_run(viewer, course.centre, "change this course")
    try:
        await _clean_course(viewer, values, course_id)
    except ValidationFailed as exc:
        return exc.errors
    return {}


async def create_course(viewer: Viewer, course: CourseIn) -> int:
    policy.require_organiser(viewer, "create courses")
    clean, prerequisites = await _clean_course(viewer, msgspec.structs.asdict(course), None)
    async with write_transaction():
        rows = await Course.insert(Course(**clean, created_by=viewer.user_id)).returning(Course.id)
        course_id = rows[0]["id"]
        if prerequisites:
            await CoursePrerequisite.insert(
                *[CoursePrerequisite(course=course_id, requires=p) for p in prerequisites]
            )
    return course_id


async def update_course(viewer: Viewer, course_id: int, changes: CourseIn) -> None:
    course = await get_course(viewer, course_id)
    await policy.require_run(viewer, course.centre, "change this course")
    clean, prerequisites = await _clean_course(viewer, msgspec.structs.asdict(changes), course_id)
    async with write_transaction():
        await Course.update(clean).where(Course.id == course_id)
        await CoursePrerequisite.delete().where(CoursePrerequisite.course == course_id)
        if prerequisites:
            await CoursePrerequisite.insert(
                *[CoursePrerequisite(course=course_id, requires=p) for p in prerequisites]
            )


_COURSE_COLUMNS = (
    Course.all_columns(),
    Course.centre.slug.as_alias("centre_slug"),
    Course.centre.name_en.as_alias("centre_en"),
    Course.centre.name_zh.as_alias("centre_zh"),
)


async def get_course(viewer: Viewer, course_id: int) -> CourseOut:
    row = await Course.select(*_COURSE_COLUMNS).where(Course.id == course_id).first()
    if row is None:
        raise NotFound(f"there is no course {course_id}")
    row["prerequisites"] = await CoursePrerequisite.select(
        CoursePrerequisite.requires.id.as_alias("id"),
        CoursePrerequisite.requires.title_en.as_alias("title_en"),
        CoursePrerequisite.requires.title_zh.as_alias("title_zh"),
    ).where(CoursePrerequisite.course == course_id)
    row["can_run"] = await policy.can_run(viewer, row["centre"])
    return msgspec.convert(row, CourseOut)


async def list_courses(track: str = "") -> list[CourseOut]:
    """Active courses with their next open run, by track."""
    query = (
        Course.select(*_COURSE_COLUMNS)
        .where(Course.is_active.eq(True))
        .order_by(Course.track)
        .order_by(Course.title_en)
    )
    if track in TRACKS:
        query = query.where(Course.track == track)
    courses = await query
    upcoming = (
        await Event.select(Event.id, Event.course, Event.starts_at, Event.ends_at, Event.capacity)
        .where(
            (Event.kind == "course_run")
            & (Event.status == "published")
            & (Event.ends_at > utcnow())
        )
        .order_by(Event.starts_at)
    )
    runs: dict[int, list[dict]] = {}
    for run in upcoming:
        runs.setdefault(run["course"], []).append(run)
    for course in courses:
        course["runs"] = runs.get(course["id"], [])
    return msgspec.convert(courses, list[CourseOut])


# ---------------------------------------------------------------- runs and sessions


async def run_problems(viewer: Viewer, course_id: int, values: Mapping[str, Any]) -> dict[str, str]:
    """The rules a new run's values break, for a form that could not read all of them."""
    course = await get_course(viewer, course_id)
    await policy.require_run(viewer, course.centre, "schedule runs of this course")
    return _run_rules(values)[1]


def _run_rules(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """(the run's period, capacity, opening and status; the rules its values break)."""
    errors: dict[str, str] = {}
    period: dict[str, datetime] = {}
    for name, hour in (("starts_on", "00:00"), ("ends_on", "23:59")):
        raw = str(data.get(name) or "").strip()
        try:
            period[name] = parse_local(f"{raw}T{hour}" if len(raw) == 10 else raw)
        except ValueError:
            errors[name] = "must be a date written YYYY-MM-DD"
    if len(period) == 2:
        if period["ends_on"] <= period["starts_on"]:
            errors["ends_on"] = "must be on or after the first day"
        elif period["ends_on"] - period["starts_on"] > timedelta(days=366):
            errors["ends_on"] = "must be within a year of the first day"
        if period["starts_on"] < utcnow() - timedelta(days=1):
            errors["starts_on"] = "must not be in the past"
    capacity = read_whole_number(data, "capacity", errors, 1, 10_000)
    opens = None
    if str(data.get("registration_opens_at") or "").strip():
        try:
            opens = parse_local(data["registration_opens_at"])
        except ValueError as exc:
            errors["registration_opens_at"] = str(exc)
    status = str(data.get("status") or "draft")
    if status not in ("draft", "published"):
        errors["status"] = "must be draft or published"
    return {"period": period, "capacity": capacity, "opens": opens, "status": status}, errors


async def create_run(viewer: Viewer, course_id: int, run: RunIn) -> int:
    """A run of the course from a first to a last day (Hong Kong time), with its capacity;
    sessions are added to it afterwards."""
    course = await get_course(viewer, course_id)
    await policy.require_run(viewer, course.centre, "schedule runs of this course")
    clean, errors = _run_rules(msgspec.structs.asdict(run))
    if errors:
        raise ValidationFailed(errors)
    period, capacity, opens, status = (clean[k] for k in ("period", "capacity", "opens", "status"))
    rows = await Event.insert(
        Event(
            kind="course_run",
            course=course_id,
            title_en=course.title_en,
            title_zh=course.title_zh,
            description_en=course.description_en,
            description_zh=course.description_zh,
            centre=course.centre,
            starts_at=period["starts_on"],
            ends_at=period["ends_on"],
            capacity=capacity,
            registration_opens_at=opens,
            allow_guests=run.allow_guests,
            status=status,
            created_by=viewer.user_id,
        )
    ).returning(Event.id)
    return rows[0]["id"]


async def get_run(viewer: Viewer, run_id: int) -> CourseRun:
    event = await schedule.get_event(viewer, run_id)
    if event.kind != "course_run" or event.course is None:
        raise NotFound(f"there is no course run {run_id}")
    sessions = (
        await Event.select(*schedule.EVENT_COLUMNS)
        .where((Event.parent == run_id) & (Event.kind == "session"))
        .order_by(Event.starts_at)
    )
    return CourseRun(
        **msgspec.structs.asdict(event),
        course_row=await get_course(viewer, event.course),
        sessions=msgspec.convert(sessions, list[EventOut]),
        counts=await _counts(run_id),
        finished=event.ends_at <= utcnow(),
    )


async def _counts(run_id: int) -> dict[str, int]:
    rows = await Registration.raw(
        "SELECT status, COUNT(*) AS n FROM registration WHERE event = {} GROUP BY status", run_id
    )
    counts = {"confirmed": 0, "waitlisted": 0, "cancelled": 0}
    counts |= {r["status"]: int(r["n"]) for r in rows}
    return counts


async def course_runs(viewer: Viewer, course_id: int) -> list[RunSummary]:
    """The course's runs, newest first, with seats taken; drafts only for those who run it."""
    course = await get_course(viewer, course_id)
    rows = await Event.raw(
        """
        SELECT e.id, e.starts_at, e.ends_at, e.capacity, e.status,
          COALESCE(t.confirmed, 0) AS confirmed, COALESCE(t.waitlisted, 0) AS waitlisted,
          (SELECT COUNT(*) FROM event s WHERE s.parent = e.id AND s.status <> 'cancelled')
             AS sessions
        FROM event e LEFT JOIN event_tally t ON t.event = e.id
        WHERE e.course = {} AND e.kind = 'course_run'
        ORDER BY e.starts_at DESC
        """,
        course_id,
    )
    runs = msgspec.convert(rows, list[RunSummary])
    return [r for r in runs if r.status != "draft" or course.can_run]


async def add_session(viewer: Viewer, run_id: int, session: SessionIn) -> int:
    """A session of the run: a time in a venue, online, or both; seats are the run's."""
    run = await get_run(viewer, run_id)
    await policy.require_run(viewer, run.centre, "add sessions to this run")
    if run.status == "cancelled":
        raise Conflict("the run is cancelled")
    number = len(run.sessions) + 1
    centre = await Centre.select(Centre.slug).where(Centre.id == run.centre).first()
    event = EventIn(
        title_en=f"{run.title_en}: session {number}",
        title_zh=f"{run.title_zh}：第 {number} 節" if run.title_zh else "",
        centre=centre["slug"],
        venue=session.venue,
        online_url=session.online_url,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        capacity=run.capacity,
        status=run.status,
    )
    return await schedule.create_event(
        viewer,
        event,
        kind="session",
        parent=run_id,
        within=(run.starts_at, run.ends_at),
    )


async def set_run_status(viewer: Viewer, run_id: int, status: str) -> None:
    """Publish or cancel a run; its sessions follow (a cancelled session frees its venue)."""
    await get_run(viewer, run_id)
    await schedule.set_status(viewer, run_id, status)
    await Event.update({Event.status: status, Event.updated_at: utcnow()}).where(
        (Event.parent == run_id) & (Event.status != "cancelled")
    )


# ---------------------------------------------------------------- enrolment


async def missing_prerequisites(course: CourseOut, email: str) -> list[Prerequisite]:
    """The prerequisite courses `email` holds no valid certificate for."""
    if not course.prerequisites:
        return []
    held = {
        r["course"]
        for r in await Certificate.select(Certificate.course).where(
            (Certificate.email == email.lower()) & Certificate.revoked_at.is_null()
        )
    }
    return [p for p in course.prerequisites if p.id not in held]


async def enrol(viewer: Viewer, run_id: int, enrolment: RegistrationIn) -> registrations.Outcome:
    """A seat in the run, or a place on its waitlist, once the prerequisites are met."""
    run = await get_run(viewer, run_id)
    name, email, _user, _startup = await registrations.attendee(viewer, enrolment)
    missing = await missing_prerequisites(run.course_row, email)
    if missing:
        titles = ", ".join(f"“{m.title_en}”" for m in missing)
        raise ValidationFailed(
            {"prerequisites": f"{name} must first complete {titles} to enrol in this course"}
        )
    return await registrations.register(viewer, run_id, enrolment, kind="course_run")


async def my_enrolments(viewer: Viewer) -> list[Enrolment]:
    if not viewer.is_authenticated:
        return []
    rows = await Registration.raw(
        """
        SELECT r.id, r.status, r.code, e.id AS run, e.title_en, e.title_zh, e.starts_at,
               e.ends_at, c.code AS certificate
        FROM registration r JOIN event e ON e.id = r.event
        LEFT JOIN certificate c ON c.registration = r.id AND c.revoked_at IS NULL
        WHERE r.user = {} AND e.kind = 'course_run' AND r.status <> 'cancelled'
        ORDER BY e.starts_at DESC
        """,
        viewer.user_id,
    )
    return msgspec.convert(rows, list[Enrolment], strict=False)


async def lock_run(run_id: int) -> None:
    """Hold the run's row until the transaction ends (one change of its roster at a time)."""
    row = await lock_row(Event, run_id, "id, kind, centre")
    if row is None or row["kind"] != "course_run":
        raise NotFound(f"there is no course run {run_id}")
