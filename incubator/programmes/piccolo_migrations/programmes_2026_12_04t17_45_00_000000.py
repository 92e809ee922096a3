"""One application per start-up and call, one file per question of an application, and the
indexes the calls' lists read (SQLite cannot add a unique column)."""

from incubator.db import raw_migration

ID = "2026-12-04T17:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one application per start-up and call"

COMMON = [
    "CREATE UNIQUE INDEX application_one_per_call ON programme_application (call, startup)",
    "CREATE INDEX application_by_status ON programme_application (call, status, submitted_at)",
    "CREATE UNIQUE INDEX application_file_one ON application_file (application, question)",
]


async def forwards():
    return raw_migration("programmes", ID, DESCRIPTION, COMMON)
