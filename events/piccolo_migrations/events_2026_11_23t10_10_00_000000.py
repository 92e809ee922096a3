"""Academy rules the database keeps: one attendance mark per session and enrolment, each
prerequisite once, scores and pass marks in per cent."""

from incubator.db import raw_migration

ID = "2026-11-23T10:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "academy: unique attendance and prerequisites; per-cent checks"

COMMON = [
    "CREATE UNIQUE INDEX session_attendance_once ON session_attendance (session, registration)",
    "CREATE UNIQUE INDEX course_prerequisite_once ON course_prerequisite (course, requires)",
    "CREATE INDEX event_kind_starts ON event (kind, starts_at)",
]
POSTGRES = [
    "ALTER TABLE assessment_score ADD CONSTRAINT score_per_cent CHECK (score BETWEEN 0 AND 100)",
    "ALTER TABLE course ADD CONSTRAINT course_per_cent CHECK (completion_percent BETWEEN 1 AND 100"
    " AND (pass_mark IS NULL OR pass_mark BETWEEN 0 AND 100))",
]


async def forwards():
    return raw_migration("events", ID, DESCRIPTION, COMMON, POSTGRES)
