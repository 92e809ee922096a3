"""One rule for every hold on a venue: events and members' room bookings both hold venues
through `venue_hold` rows that the database writes from theirs (triggers), and the rule that
a venue holds one thing at a time moves from the event table to those rows (an exclusion
constraint on PostgreSQL, a trigger on SQLite). The events' own rule and triggers go; their
holds are copied over. Room credits are never negative; one credit row per start-up and
month."""

from incubator.db import raw_migration

ID = "2026-12-04T14:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "venue holds for events and room bookings; room credits"

COMMON = [
    "CREATE INDEX venue_hold_place ON venue_hold (venue, held_from, held_until)",
    "CREATE INDEX room_booking_place ON room_booking (venue, starts_at)",
    "CREATE INDEX room_booking_startup_time ON room_booking (startup, starts_at)",
    "CREATE UNIQUE INDEX room_credit_month_one ON room_credit_month (startup, month)",
    "CREATE INDEX room_credit_entry_booking ON room_credit_entry (booking) "
    "WHERE booking IS NOT NULL",
    "INSERT INTO venue_hold (venue, held_from, held_until, event) "
    "SELECT venue, venue_from, venue_until, id FROM event WHERE venue IS NOT NULL "
    "AND status <> 'cancelled' AND venue_from IS NOT NULL",
]

_EVENT_HOLD = (
    "NEW.venue IS NOT NULL AND NEW.status <> 'cancelled' AND NEW.venue_from IS NOT NULL"
)

POSTGRES = [
    "ALTER TABLE event DROP CONSTRAINT event_venue_no_overlap",
    "ALTER TABLE venue_hold ADD CONSTRAINT venue_hold_order CHECK (held_from < held_until)",
    "ALTER TABLE venue_hold ADD CONSTRAINT venue_hold_no_overlap EXCLUDE USING gist "
    "(venue WITH =, tstzrange(held_from, held_until, '[)') WITH &&)",
    "ALTER TABLE room_booking ADD CONSTRAINT room_booking_order CHECK (starts_at < ends_at)",
    "ALTER TABLE room_credit_month ADD CONSTRAINT room_credit_month_never_negative "
    "CHECK (allowance + granted - spent >= 0)",
    f"""CREATE FUNCTION venue_hold_of_event() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM venue_hold WHERE event = NEW.id;
        IF {_EVENT_HOLD} THEN
            INSERT INTO venue_hold (venue, held_from, held_until, event)
            VALUES (NEW.venue, NEW.venue_from, NEW.venue_until, NEW.id);
        END IF;
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER venue_hold_event AFTER INSERT OR UPDATE OF venue, venue_from, "
    "venue_until, status ON event FOR EACH ROW EXECUTE FUNCTION venue_hold_of_event()",
    """CREATE FUNCTION venue_hold_of_booking() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM venue_hold WHERE booking = NEW.id;
        IF NEW.status <> 'cancelled' THEN
            INSERT INTO venue_hold (venue, held_from, held_until, booking)
            VALUES (NEW.venue, NEW.starts_at, COALESCE(NEW.released_at, NEW.ends_at), NEW.id);
        END IF;
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER venue_hold_booking AFTER INSERT OR UPDATE OF venue, starts_at, ends_at, "
    "status, released_at ON room_booking FOR EACH ROW EXECUTE FUNCTION venue_hold_of_booking()",
]

_CLASH = (
    "NEW.held_from >= NEW.held_until OR EXISTS (SELECT 1 FROM venue_hold o "
    "WHERE o.venue = NEW.venue AND o.id IS NOT NEW.id "
    "AND o.held_from < NEW.held_until AND o.held_until > NEW.held_from)"
)
_TAKEN = "venue_hold_no_overlap: the venue is taken at that time"
_NEGATIVE = "room_credit_month_never_negative: credits cannot go below zero"

SQLITE = [
    "DROP TRIGGER event_venue_no_overlap_insert",
    "DROP TRIGGER event_venue_no_overlap_update",
    """CREATE TRIGGER event_time_order_insert BEFORE INSERT ON event
    WHEN NEW.starts_at >= NEW.ends_at
    BEGIN SELECT RAISE(ABORT, 'event_time_order: an event ends after it starts'); END""",
    """CREATE TRIGGER event_time_order_update BEFORE UPDATE OF starts_at, ends_at ON event
    WHEN NEW.starts_at >= NEW.ends_at
    BEGIN SELECT RAISE(ABORT, 'event_time_order: an event ends after it starts'); END""",
    f"""CREATE TRIGGER venue_hold_no_overlap_insert BEFORE INSERT ON venue_hold
    WHEN {_CLASH}
    BEGIN SELECT RAISE(ABORT, '{_TAKEN}'); END""",
    f"""CREATE TRIGGER venue_hold_no_overlap_update BEFORE UPDATE ON venue_hold
    WHEN {_CLASH}
    BEGIN SELECT RAISE(ABORT, '{_TAKEN}'); END""",
    f"""CREATE TRIGGER venue_hold_event_insert AFTER INSERT ON event WHEN {_EVENT_HOLD}
    BEGIN
        INSERT INTO venue_hold (venue, held_from, held_until, event)
        VALUES (NEW.venue, NEW.venue_from, NEW.venue_until, NEW.id);
    END""",
    f"""CREATE TRIGGER venue_hold_event_update
    AFTER UPDATE OF venue, venue_from, venue_until, status ON event
    BEGIN
        DELETE FROM venue_hold WHERE event = NEW.id;
        INSERT INTO venue_hold (venue, held_from, held_until, event)
        SELECT NEW.venue, NEW.venue_from, NEW.venue_until, NEW.id WHERE {_EVENT_HOLD};
    END""",
    """CREATE TRIGGER room_booking_order BEFORE INSERT ON room_booking
    WHEN NEW.starts_at >= NEW.ends_at
    BEGIN SELECT RAISE(ABORT, 'room_booking_order: a booking ends after it starts'); END""",
    """CREATE TRIGGER venue_hold_booking_insert AFTER INSERT ON room_booking
    WHEN NEW.status <> 'cancelled'
    BEGIN
        INSERT INTO venue_hold (venue, held_from, held_until, booking)
        VALUES (NEW.venue, NEW.starts_at, COALESCE(NEW.released_at, NEW.ends_at), NEW.id);
    END""",
    """CREATE TRIGGER venue_hold_booking_update
    AFTER UPDATE OF venue, starts_at, ends_at, status, released_at ON room_booking
    BEGIN
        DELETE FROM venue_hold WHERE booking = NEW.id;
        INSERT INTO venue_hold (venue, held_from, held_until, booking)
        SELECT NEW.venue, NEW.starts_at, COALESCE(NEW.released_at, NEW.ends_at), NEW.id
        WHERE NEW.status <> 'cancelled';
    END""",
    f"""CREATE TRIGGER room_credit_month_never_negative_insert BEFORE INSERT ON room_credit_month
    WHEN NEW.allowance + NEW.granted - NEW.spent < 0
    BEGIN SELECT RAISE(ABORT, '{_NEGATIVE}'); END""",
    f"""CREATE TRIGGER room_credit_month_never_negative_update BEFORE UPDATE ON room_credit_month
    WHEN NEW.allowance + NEW.granted - NEW.spent < 0
    BEGIN SELECT RAISE(ABORT, '{_NEGATIVE}'); END""",
]


async def forwards():
    return raw_migration("events", ID, DESCRIPTION, COMMON, POSTGRES, SQLITE)
