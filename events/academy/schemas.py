"""Request and response types of the academy API."""

from __future__ import annotations

from datetime import datetime

import msgspec

from events.schemas import EventOut


class CourseIn(msgspec.Struct):
    title_en: str
    track: str
    title_zh: str = ""
    description_en: str = ""
    description_zh: str = ""
    level: str = "foundation"
    centre: str = "knowledge"
    completion_percent: int = 80
    has_assessment: bool = False
    pass_mark: int | None = None
    prerequisites: list[int] = []


class Prerequisite(msgspec.Struct):
    id: int
    title_en: str
    title_zh: str


class UpcomingRun(msgspec.Struct):
    id: int
    starts_at: datetime
    ends_at: datetime
    capacity: int


class CourseOut(msgspec.Struct):
    id: int
    title_en: str
    title_zh: str
    description_en: str
    description_zh: str
    track: str
    level: str
    centre_slug: str
    completion_percent: int
    has_assessment: bool
    pass_mark: int | None
    prerequisites: list[Prerequisite] = []
    centre: int = 0
    centre_en: str = ""
    centre_zh: str = ""
    is_active: bool = True
    # The published runs still to come (the course list), and whether the caller runs it.
    runs: list[UpcomingRun] = []
    can_run: bool = False


class CompletionRule(msgspec.Struct):
    """What completing a course takes: a share of its sessions, and a pass mark if assessed."""

    completion_percent: int
    has_assessment: bool
    pass_mark: int | None


class CourseRun(EventOut, kw_only=True):
    """A run of a course: the event, its course, its sessions and its enrolment counts."""

    course_row: CourseOut
    sessions: list[EventOut]
    counts: dict[str, int]
    finished: bool


class Enrolment(msgspec.Struct):
    """One's enrolment in a course run, with its certificate's code once earned."""

    id: int
    status: str
    code: str
    run: int
    title_en: str
    title_zh: str
    starts_at: datetime
    ends_at: datetime
    certificate: str | None


class IssuedCertificate(msgspec.Struct):
    registration: int
    code: str
    revoked_at: datetime | None


class RosterPerson(msgspec.Struct):
    """A confirmed enrolment on the roster: the sessions attended, the share, the score,
    whether it meets the course's rule, and its certificate."""

    id: int
    name: str
    email: str
    status: str
    attended: set[int] = set()
    percent: int = 0
    score: int | None = None
    complete: bool = False
    certificate: IssuedCertificate | None = None


class Roster(msgspec.Struct):
    run: CourseRun
    sessions: list[EventOut]  # those not cancelled
    people: list[RosterPerson]
    finished: bool  # the last session has ended
    last_session_ends: datetime | None


class RunSummary(msgspec.Struct):
    """A run on its course's page."""

    id: int
    starts_at: datetime
    ends_at: datetime
    capacity: int
    status: str
    confirmed: int
    waitlisted: int
    sessions: int


class RunIn(msgspec.Struct):
    """First and last day (YYYY-MM-DD, Hong Kong)."""

    starts_on: str
    ends_on: str
    capacity: int
    registration_opens_at: str | None = None
    allow_guests: bool = False
    status: str = "draft"


class SessionIn(msgspec.Struct):
    """Hong Kong local times ("2026-12-01T14:00") or with an offset; a venue, a link or both."""

    starts_at: str
    ends_at: str
    venue: int | None = None
    online_url: str = ""


class SessionOut(msgspec.Struct):
    id: int
    title_en: str
    starts_at: datetime
    ends_at: datetime
    venue: int | None
    venue_en: str | None
    online_url: str
    status: str


class RunOut(msgspec.Struct):
    id: int
    course: int
    title_en: str
    title_zh: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    status: str
    confirmed: int
    waitlisted: int
    sessions: list[SessionOut]


class AttendanceIn(msgspec.Struct):
    registration: int
    present: bool = True


class ScoreIn(msgspec.Struct):
    score: int


class Issued(msgspec.Struct):
    certificates: list[str]


class CertificateOut(msgspec.Struct):
    code: str
    valid: bool
    name: str
    course_title_en: str
    course_title_zh: str
    attended_percent: int
    score: int | None
    issued_at: datetime
    revoked_at: datetime | None
    revoked_reason: str


class Certificate(CertificateOut, kw_only=True):
    """A certificate with what its page and PDF show besides the public fields."""

    id: int
    course: int
    run: int
    track: str
    run_starts_at: datetime
    run_ends_at: datetime
    startup_name_en: str | None = None
    startup_name_zh: str | None = None


class Badge(msgspec.Struct):
    """A course completed by a start-up's people: how many, and the latest certificate."""

    course: int
    course_title_en: str
    course_title_zh: str
    people: int
    latest: datetime


class RevokeIn(msgspec.Struct):
    reason: str


class AcademyFigure(msgspec.Struct):
    key: list[str]
    runs: int
    participants: int
    finished_participants: int
    certificates: int
    waitlisted: int
    completion_rate: float | None


class AcademyFigures(msgspec.Struct):
    total: AcademyFigure
    tracks: list[AcademyFigure]
    courses: list[AcademyFigure]
    quarters: list[AcademyFigure]
