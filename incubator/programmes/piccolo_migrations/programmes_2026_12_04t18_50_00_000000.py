"""The indexes a call's lists read in their order: its applications by number (all, or of one
status) and its ranking by mean score, unscored last, so a page deep in 10,000 applications
is read from the index instead of sorting them all."""

from incubator.db import raw_migration

ID = "2026-12-04T18:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes in the order of a call's lists"

COMMON = [
    "DROP INDEX application_ranking",
    "CREATE INDEX application_by_call ON programme_application (call, id)",
    "CREATE INDEX application_by_call_status ON programme_application (call, status, id)",
]
# SQLite puts NULL first in ascending order, so last in descending; PostgreSQL is told to.
POSTGRES = [
    "CREATE INDEX application_ranking ON programme_application "
    "(call, score_mean DESC NULLS LAST, id)"
]
SQLITE = ["CREATE INDEX application_ranking ON programme_application (call, score_mean DESC, id)"]


async def forwards():
    return raw_migration("programmes", ID, DESCRIPTION, COMMON, postgres=POSTGRES, sqlite=SQLITE)
