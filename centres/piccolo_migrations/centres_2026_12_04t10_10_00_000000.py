"""The database keeps each centre's onsite start-ups for a day (`centres.tallies`): triggers
on centres, leases, affiliations and start-ups' statuses, and a row for every centre with no
day yet, so that the first read counts it."""

from centres.tallies import ONSITE_TALLY
from incubator.db import raw_migration

ID = "2026-12-04T10:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "triggers keep centre_onsite; a row for every centre"


async def forwards():
    return raw_migration(
        "centres",
        ID,
        DESCRIPTION,
        postgres=[*ONSITE_TALLY.postgres(), *ONSITE_TALLY.rebuild],
        sqlite=[*ONSITE_TALLY.sqlite(), *ONSITE_TALLY.rebuild],
    )
