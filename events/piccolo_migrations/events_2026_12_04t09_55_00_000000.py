"""The database keeps each event's tally (`events.tallies`): triggers on events,
registrations and certificates, and every event's tally counted once from the rows there are."""

from events.tallies import EVENT_TALLY
from incubator.db import raw_migration

ID = "2026-12-04T09:55:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "triggers keep event_tally; count it from the rows"


async def forwards():
    return raw_migration(
        "events",
        ID,
        DESCRIPTION,
        postgres=[*EVENT_TALLY.postgres(), *EVENT_TALLY.rebuild],
        sqlite=[*EVENT_TALLY.sqlite(), *EVENT_TALLY.rebuild],
    )
