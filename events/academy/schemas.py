"""Request and response types of the academy API."""

from __future__ import annotations

from datetime import datetime

import msgspec


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
    prerequisites: list[dict[str, object]] = []


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
