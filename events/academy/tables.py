"""The academy's own tables: attendance at sessions, assessment scores and certificates.
Courses are declared with events (events/tables.py): a run and its sessions are events."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from events.tables import Course, Event, Registration
from incubator.auth.tables import User
from incubator.startups.tables import Startup


class SessionAttendance(Table, tablename="session_attendance"):
    """An enrolled person was at a session (one row per session and enrolment)."""

    # Indexed first in the unique (session, registration) (a raw migration).
    session = ForeignKey(Event, on_delete=OnDelete.cascade, null=False)
    registration = ForeignKey(Registration, on_delete=OnDelete.cascade, index=True, null=False)
    marked_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    marked_at = Timestamptz(default=TimestamptzNow())


class AssessmentScore(Table, tablename="assessment_score"):
    registration = ForeignKey(Registration, on_delete=OnDelete.cascade, unique=True, null=False)
    score = Integer()  # per cent
    marked_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    marked_at = Timestamptz(default=TimestamptzNow())


class Certificate(Table, tablename="certificate"):
    """Earned by a completed enrolment; anyone can verify it by its unguessable code. The name,
    course and dates are copied so the certificate reads the same if the course changes."""

    registration = ForeignKey(Registration, on_delete=OnDelete.restrict, unique=True, null=False)
    code = Varchar(length=24, unique=True)
    course = ForeignKey(Course, on_delete=OnDelete.restrict, index=True, null=False)
    run = ForeignKey(Event, on_delete=OnDelete.restrict, index=True, null=False)
    startup = ForeignKey(Startup, null=True, default=None, on_delete=OnDelete.set_null, index=True)
    name = Varchar(length=200)
    email = Varchar(length=254, index=True)
    course_title_en = Varchar(length=200)
    course_title_zh = Varchar(length=200, default="")
    attended_percent = Integer()
    score = Integer(null=True, default=None)
    issued_at = Timestamptz(default=TimestamptzNow(), index=True)
    issued_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    revoked_at = Timestamptz(null=True, default=None)
    revoked_reason = Varchar(length=300, default="")
