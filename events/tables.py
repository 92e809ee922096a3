"""Venues, events, registrations and private calendar-feed tokens; the Web3 Academy's
courses, whose runs and sessions are events (one mechanism for venues, seats and waitlists);
members' room bookings, and the venue holds that events and bookings alike write (one rule
that a room holds one thing at a time)."""

from enum import Enum

from piccolo.columns import Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from centres.tables import Unit
from incubator.auth.tables import User
from incubator.startups.tables import Centre, Cluster, Startup


class EventStatus(str, Enum):
    draft = "draft"
    published = "published"
    cancelled = "cancelled"


class EventKind(str, Enum):
    event = "event"
    course_run = "course_run"  # one run of a course: people enrol in it (its registrations)
    session = "session"  # one session of a run: a time in a venue or online


class CourseTrack(str, Enum):
    certified_course = "certified_course"
    technical_training = "technical_training"
    entrepreneurial_series = "entrepreneurial_series"


class CourseLevel(str, Enum):
    foundation = "foundation"
    intermediate = "intermediate"
    advanced = "advanced"


class RegistrationStatus(str, Enum):
    confirmed = "confirmed"
    waitlisted = "waitlisted"
    cancelled = "cancelled"


class Venue(Table, tablename="venue"):
    """A room or hall of a centre; it holds one event at a time, buffers included."""

    centre = ForeignKey(Centre, on_delete=OnDelete.restrict, index=True, null=False)
    name_en = Varchar(length=120)
    name_zh = Varchar(length=120, default="")
    location = Varchar(length=200, default="")  # e.g. "Cyberport 3, level 1"
    location_zh = Varchar(length=200, default="")  # e.g. "數碼港3座1樓"
    capacity = Integer()
    setup_minutes = Integer(default=30)
    teardown_minutes = Integer(default=30)
    is_active = Boolean(default=True)
    # The unit of kind meeting room this venue is, where it is one (opened for booking); one
    # venue a unit (a unique index, a raw migration).
    unit = ForeignKey(Unit, null=True, default=None, on_delete=OnDelete.restrict)


class Course(Table, tablename="course"):
    """A Web3 Academy course, run any number of times (each run an event of kind course_run)."""

    title_en = Varchar(length=200)
    title_zh = Varchar(length=200, default="")
    description_en = Text(default="")
    description_zh = Text(default="")
    track = Varchar(length=24, choices=CourseTrack)
    level = Varchar(length=16, choices=CourseLevel, default=CourseLevel.foundation.value)
    # The centre or hub whose managers run it (the Knowledge Centre unless chosen otherwise).
    centre = ForeignKey(Centre, on_delete=OnDelete.restrict, index=True, null=False)
    # Completion: at least this share of the run's sessions attended, and, where the course
    # has an assessment, a score of at least the pass mark (both in per cent).
    completion_percent = Integer(default=80)
    has_assessment = Boolean(default=False)
    pass_mark = Integer(null=True, default=None)
    is_active = Boolean(default=True)
    created_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class CoursePrerequisite(Table, tablename="course_prerequisite"):
    course = ForeignKey(Course, on_delete=OnDelete.cascade, index=True, null=False)
    requires = ForeignKey(Course, on_delete=OnDelete.restrict, index=True, null=False)


class Event(Table, tablename="event"):
    kind = Varchar(length=12, choices=EventKind, default=EventKind.event.value, index=True)
    # A run's course; a session's run (an event of kind course_run).
    course = ForeignKey(Course, null=True, default=None, on_delete=OnDelete.restrict, index=True)
    parent = ForeignKey("self", null=True, default=None, on_delete=OnDelete.cascade, index=True)
    title_en = Varchar(length=200)
    title_zh = Varchar(length=200, default="")
    description_en = Text(default="")
    description_zh = Text(default="")
    centre = ForeignKey(Centre, on_delete=OnDelete.restrict, index=True, null=False)
    venue = ForeignKey(Venue, null=True, default=None, on_delete=OnDelete.restrict, index=True)
    online_url = Varchar(length=300, default="")
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    # The venue is held from set-up to tear-down: these include the venue's buffers.
    venue_from = Timestamptz(null=True, default=None)
    venue_until = Timestamptz(null=True, default=None)
    capacity = Integer()
    registration_opens_at = Timestamptz(null=True, default=None)
    registration_closes_at = Timestamptz(null=True, default=None)
    allow_guests = Boolean(default=False)
    status = Varchar(length=10, choices=EventStatus, default=EventStatus.draft.value, index=True)
    # Raised on every change calendar clients should notice (RFC 5545 SEQUENCE).
    sequence = Integer(default=0)
    created_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    # One more with every change, and who made the last one and when: a stale form or
    # If-Match is refused with a 412 that names them (incubator/versions.py).
    version = Integer(default=1)
    changed_by = Varchar(length=200, default="")
    changed_at = Timestamptz(null=True, default=None)


class EventCluster(Table, tablename="event_cluster"):
    event = ForeignKey(Event, on_delete=OnDelete.cascade, index=True, null=False)
    cluster = ForeignKey(Cluster, on_delete=OnDelete.restrict, index=True, null=False)


class Registration(Table, tablename="registration"):
    """A seat (confirmed) or a place in the queue (waitlisted) at an event.

    One active registration per email and event (a unique partial index). The waitlist is in
    order of `id`.
    """

    # Indexed first in (event, status, id), the waitlist's order (a raw migration).
    event = ForeignKey(Event, on_delete=OnDelete.cascade, null=False)
    user = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null, index=True)
    startup = ForeignKey(Startup, null=True, default=None, on_delete=OnDelete.set_null)
    name = Varchar(length=200)
    email = Varchar(length=254)
    status = Varchar(length=12, choices=RegistrationStatus)
    code = Varchar(length=24, unique=True)  # shown at check-in, and as a QR code
    registered_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    promoted_at = Timestamptz(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)
    checked_in_at = Timestamptz(null=True, default=None)


class BookingStatus(str, Enum):
    confirmed = "confirmed"
    cancelled = "cancelled"
    released = "released"  # a no-show: the room went free 15 minutes after the start


class RoomBooking(Table, tablename="room_booking"):
    """A member's booking of a bookable room (a venue) for their start-up, paid in credits
    (`events.rooms`). Declared beside events because both hold venues through `VenueHold`."""

    # Indexed first in (venue, starts_at) and (startup, starts_at) (a raw migration).
    venue = ForeignKey(Venue, on_delete=OnDelete.restrict, null=False)
    startup = ForeignKey(Startup, on_delete=OnDelete.restrict, null=False)
    booked_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null, index=True)
    title = Varchar(length=200, default="")
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    credits = Integer(default=0)  # what it cost; given back if cancelled before the cut-off
    status = Varchar(length=10, choices=BookingStatus, default=BookingStatus.confirmed.value)
    code = Varchar(length=24, unique=True)  # for check-in and the calendar's UID
    checked_in_at = Timestamptz(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)
    released_at = Timestamptz(null=True, default=None)
    sequence = Integer(default=0)  # RFC 5545 SEQUENCE: raised on every move or cancellation
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class VenueHold(Table, tablename="venue_hold"):
    """A venue held from one instant to another by one event (set-up and tear-down included)
    or one room booking. The rule that a venue holds one thing at a time is one constraint on
    these rows (an exclusion constraint on PostgreSQL, a trigger on SQLite), and the database
    writes the rows itself from events' and bookings' rows (triggers), so no writer of either
    can leave one out."""

    # Indexed first in (venue, held_from, held_until) (a raw migration).
    venue = ForeignKey(Venue, on_delete=OnDelete.cascade, null=False)
    held_from = Timestamptz()
    held_until = Timestamptz()
    event = ForeignKey(Event, null=True, default=None, on_delete=OnDelete.cascade, unique=True)
    booking = ForeignKey(
        RoomBooking, null=True, default=None, on_delete=OnDelete.cascade, unique=True
    )


class FeedToken(Table, tablename="feed_token"):
    """The secret of a user's private calendar feed; replacing it revokes the old URL."""

    user = ForeignKey(User, on_delete=OnDelete.cascade, unique=True, null=False)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())


class EventTally(Table, tablename="event_tally"):
    """What an event's registrations and certificates add up to, one row per event, kept by
    the database's triggers in the same transaction as every change to them (`events.tallies`):
    the figures pages (attendance, the academy's, the dashboard's) read these instead of
    counting every registration of the park."""

    event = ForeignKey(Event, on_delete=OnDelete.cascade, unique=True, null=False)
    confirmed = Integer(default=0)
    waitlisted = Integer(default=0)
    confirmed_checked_in = Integer(default=0)
    waitlisted_checked_in = Integer(default=0)
    certificates = Integer(default=0)  # not revoked, of a course run
