"""Dashboard speed: the park's figures count active start-ups by stage and join them to
their clusters and centres; an index on (status, stage) answers those from the index alone."""

from incubator.db import raw_migration

ID = "2026-11-23T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "index for counting start-ups by status and stage"

COMMON = ["CREATE INDEX startup_status_stage ON startup (status, stage)"]


async def forwards():
    return raw_migration("startups", ID, DESCRIPTION, COMMON)
