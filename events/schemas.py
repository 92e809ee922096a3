"""Request and response types of the events API (times are ISO 8601 with their offset)."""

from __future__ import annotations

from datetime import datetime

import msgspec


class EventOut(msgspec.Struct):
    id: int
    title_en: str
    title_zh: str
    description_en: str
    description_zh: str
    centre_slug: str
    centre_kind: str
    venue: int | None
    venue_en: str | None
    online_url: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    allow_guests: bool
    status: str
    clusters: list[str] = []
    confirmed: int = 0
    waitlisted: int = 0
    seats_left: int = 0
    checked_in: int = 0
    # An event, a course run, or a session of a run (`parent`).
    kind: str = "event"
    course: int | None = None
    parent: int | None = None
    centre: int = 0
    centre_en: str = ""
    centre_zh: str = ""
    venue_zh: str | None = None
    venue_location: str | None = None
    venue_location_zh: str | None = None
    venue_capacity: int | None = None
    # The venue's hold (the event with its setup and teardown), and the iCal SEQUENCE.
    venue_from: datetime | None = None
    venue_until: datetime | None = None
    sequence: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None
    version: int = 1  # one more with every change: the ETag, and the edit form's hidden field
    # Whether the caller runs the organising centre (may change the event).
    can_run: bool = False


class EventChip(msgspec.Struct):
    """An event as a calendar grid shows it: a time and a title."""

    id: int
    title_en: str
    title_zh: str
    starts_at: datetime
    ends_at: datetime
    status: str


class EventPage(msgspec.Struct):
    items: list[EventOut]
    total: int
    page: int


class VenueOut(msgspec.Struct):
    id: int
    centre: int
    name_en: str
    name_zh: str
    location: str
    capacity: int
    setup_minutes: int
    teardown_minutes: int
    is_active: bool
    centre_slug: str = ""
    centre_en: str = ""
    centre_zh: str = ""
    location_zh: str = ""


class VenueIn(msgspec.Struct):
    """A venue added or changed; `centre` (a slug) only when adding it."""

    name_en: str
    capacity: int
    name_zh: str = ""
    location: str = ""
    location_zh: str = ""
    setup_minutes: int = 0
    teardown_minutes: int = 0
    centre: str = ""


class EventIn(msgspec.Struct):
    """Times are Hong Kong local ("2026-12-01T14:00") or carry an offset."""

    title_en: str
    centre: str
    starts_at: str
    ends_at: str
    capacity: int
    title_zh: str = ""
    description_en: str = ""
    description_zh: str = ""
    clusters: list[str] = []
    venue: int | None = None
    online_url: str = ""
    registration_opens_at: str | None = None
    registration_closes_at: str | None = None
    allow_guests: bool = False
    status: str = "draft"


class RegistrationIn(msgspec.Struct):
    """Logged in: empty (yourself) or a teammate's id. Guests: name and email."""

    teammate: int | None = None
    name: str = ""
    email: str = ""


class RegistrationOut(msgspec.Struct):
    id: int
    event: int
    name: str
    status: str
    code: str
    created_at: datetime
    promoted_at: datetime | None
    checked_in_at: datetime | None
    email: str = ""
    user: int | None = None
    startup: int | None = None
    registered_by: int | None = None
    cancelled_at: datetime | None = None
    # With the registrant's start-up (attendee lists) or the event (one's own list).
    startup_en: str | None = None
    title_en: str = ""
    title_zh: str = ""
    starts_at: datetime | None = None
    event_status: str = ""
    ends_at: datetime | None = None
    # On one's own list: upcoming, attended, missed, not_seated (the waitlist never moved) or
    # cancelled (the registration or the event).
    state: str = ""


class Teammate(msgspec.Struct):
    id: int
    name: str


class CentreAttendance(msgspec.Struct):
    """A centre's or hub's published events, seats confirmed and people checked in."""

    slug: str
    kind: str
    name_en: str
    name_zh: str
    events: int
    confirmed: int
    checked_in: int
    rate: float


class CancelIn(msgspec.Struct):
    # Guests cancel with their code; logged-in registrants need nothing.
    code: str = ""


class Created(msgspec.Struct):
    id: int


# ---------------------------------------------------------------- the Web3 Academy
