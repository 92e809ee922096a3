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
    clusters: list[str]
    venue: int | None
    venue_en: str | None
    online_url: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    confirmed: int
    waitlisted: int
    seats_left: int
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    allow_guests: bool
    status: str


class EventPage(msgspec.Struct):
    items: list[EventOut]
    total: int
    page: int


class VenueIn(msgspec.Struct):
    """A venue added or changed; `centre` (a slug) only when adding it."""

    name_en: str
    capacity: int
    name_zh: str = ""
    location: str = ""
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


class CancelIn(msgspec.Struct):
    # Guests cancel with their code; logged-in registrants need nothing.
    code: str = ""


class Created(msgspec.Struct):
    id: int


# ---------------------------------------------------------------- the Web3 Academy
