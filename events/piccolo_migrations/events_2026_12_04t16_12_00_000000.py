"""One venue for a meeting-room unit at most (SQLite cannot add a unique column)."""

from incubator.db import raw_migration

ID = "2026-12-04T16:12:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one venue a unit"

COMMON = ["CREATE UNIQUE INDEX venue_unit_one ON venue (unit) WHERE unit IS NOT NULL"]


async def forwards():
    return raw_migration("events", ID, DESCRIPTION, COMMON)
