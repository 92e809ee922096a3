"""The database keeps each centre's active start-ups, all of them, by stage and by cluster
(`incubator.startups.tallies`): one row per centre, kind and value, triggers on start-ups,
affiliations and clusters, and the rows counted once from the start-ups there are."""

from incubator.db import raw_migration
from incubator.startups.tallies import CENTRE_STARTUPS

ID = "2026-12-04T10:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "triggers keep centre_startups; count it from the rows"

COMMON = ["CREATE UNIQUE INDEX centre_startups_key ON centre_startups (centre, kind, value)"]


async def forwards():
    return raw_migration(
        "startups",
        ID,
        DESCRIPTION,
        COMMON,
        postgres=[*CENTRE_STARTUPS.postgres(), *CENTRE_STARTUPS.rebuild],
        sqlite=[*CENTRE_STARTUPS.sqlite(), *CENTRE_STARTUPS.rebuild],
    )
