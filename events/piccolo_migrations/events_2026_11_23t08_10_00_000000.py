"""A venue holds one event at a time (buffers included; cancelled events release it): an
exclusion constraint on PostgreSQL, triggers on SQLite. One active registration per person."""

from incubator.db import raw_migration

ID = "2026-11-23T08:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "no double-booked venues; one registration per person and event"


COMMON = [
    "CREATE UNIQUE INDEX registration_one_per_person ON registration (event, lower(email)) "
    "WHERE status <> 'cancelled'",
    "CREATE INDEX registration_queue ON registration (event, status, id)",
    "CREATE INDEX event_venue_hold ON event (venue, venue_from, venue_until)",
]

POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE event ADD CONSTRAINT event_time_order CHECK (starts_at < ends_at)",
    "ALTER TABLE event ADD CONSTRAINT event_venue_no_overlap EXCLUDE USING gist "
    "(venue WITH =, tstzrange(venue_from, venue_until, '[)') WITH &&) "
    "WHERE (venue IS NOT NULL AND status <> 'cancelled')",
]

_CLASH = (
    "NEW.venue IS NOT NULL AND NEW.status <> 'cancelled' AND EXISTS (SELECT 1 FROM event o "
    "WHERE o.venue = NEW.venue AND o.id IS NOT NEW.id AND o.status <> 'cancelled' "
    "AND o.venue_from < NEW.venue_until AND o.venue_until > NEW.venue_from)"
)

SQLITE = [
    f"""CREATE TRIGGER event_venue_no_overlap_insert BEFORE INSERT ON event
    WHEN NEW.starts_at >= NEW.ends_at OR ({_CLASH})
    BEGIN SELECT RAISE(ABORT, 'event_venue_no_overlap: the venue is taken at that time'); END""",
    f"""CREATE TRIGGER event_venue_no_overlap_update
    BEFORE UPDATE OF venue, venue_from, venue_until, status, starts_at, ends_at ON event
    WHEN NEW.starts_at >= NEW.ends_at OR ({_CLASH})
    BEGIN SELECT RAISE(ABORT, 'event_venue_no_overlap: the venue is taken at that time'); END""",
]


async def forwards():
    return raw_migration("events", ID, DESCRIPTION, COMMON, POSTGRES, SQLITE)
