"""The database keeps each building's occupied units of a centre for a day
(`centres.tallies`): one row per building and centre, triggers on units and leases, and a row
with no day yet for every building and centre that has units, so that the first read counts
it."""

from centres.tallies import SPACE_TALLY
from incubator.db import raw_migration

ID = "2026-12-04T10:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "triggers keep space_day; a row for every building and centre"

COMMON = ["CREATE UNIQUE INDEX space_day_place ON space_day (building, centre)"]


async def forwards():
    return raw_migration(
        "centres",
        ID,
        DESCRIPTION,
        COMMON,
        postgres=[*SPACE_TALLY.postgres(), *SPACE_TALLY.rebuild],
        sqlite=[*SPACE_TALLY.sqlite(), *SPACE_TALLY.rebuild],
    )
