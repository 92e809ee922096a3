"""Registrations by who made them, only where someone made them for another: most
registrations have no `registered_by`, and over all of them SQLite's statistics (ANALYZE
after the demo's bulk load) judged the full index useless, so My events read all 563,000
registrations again (55-86 ms at 100,000 start-ups). The partial index holds only the rows
a lookup can match, and its statistics say so."""

from incubator.db import raw_migration

ID = "2026-12-04T10:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "index only the registrations made for someone else"

COMMON = [
    "DROP INDEX registration_registered_by",
    "CREATE INDEX registration_registered_by ON registration (registered_by) "
    "WHERE registered_by IS NOT NULL",
]


async def forwards():
    return raw_migration("events", ID, DESCRIPTION, COMMON)
