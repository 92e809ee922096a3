"""Request and response types of the meeting rooms (times are ISO 8601 with their offset;
times of day are HH:MM in Hong Kong time; credits are whole credits)."""

from __future__ import annotations

from datetime import date, datetime

import msgspec


class RoomTermsIn(msgspec.Struct, kw_only=True):
    """What a manager sets to let members book a venue."""

    is_bookable: bool = True
    opens_at: str = "08:00"
    closes_at: str = "20:00"
    weekdays: list[int] = msgspec.field(default_factory=lambda: [1, 2, 3, 4, 5])
    slot_minutes: int = 30
    longest_minutes: int = 240
    ahead_days: int = 30
    peak_from: str = "10:00"
    peak_until: str = "17:00"
    peak_credits: int = 2
    offpeak_credits: int = 1
    cancel_hours: int = 2
    uses_check_in: bool = False


class RoomOut(msgspec.Struct, kw_only=True):
    """A bookable room: its venue, where it is, and its terms."""

    id: int  # the venue's id
    name_en: str
    name_zh: str
    location: str
    location_zh: str
    capacity: int
    centre: int
    centre_en: str
    centre_zh: str
    is_bookable: bool
    opens_at: str
    closes_at: str
    weekdays: list[int]
    slot_minutes: int
    longest_minutes: int
    ahead_days: int
    peak_from: str
    peak_until: str
    peak_credits: int
    offpeak_credits: int
    cancel_hours: int
    uses_check_in: bool


class BookingIn(msgspec.Struct, kw_only=True):
    """A member's booking: a room, from when to when (Hong Kong time or with an offset), for
    which of their start-ups (theirs when they have one), and an optional title."""

    room: int
    starts_at: str
    ends_at: str
    startup: int | None = None
    title: str = ""


class MoveIn(msgspec.Struct, kw_only=True):
    """A booking moved to another time (and room, when given)."""

    starts_at: str
    ends_at: str
    room: int | None = None


class BookingOut(msgspec.Struct, kw_only=True):
    id: int
    room: int
    room_en: str
    room_zh: str
    location: str
    location_zh: str
    startup: int
    startup_en: str
    startup_zh: str
    title: str
    starts_at: datetime
    ends_at: datetime
    credits: int
    status: str  # confirmed, cancelled, released (a no-show: the room went free)
    code: str
    checked_in_at: datetime | None = None
    cancelled_at: datetime | None = None
    released_at: datetime | None = None
    free_until: datetime | None = None  # cancelling is free (credits back) until then
    sequence: int = 0
    updated_at: datetime | None = None
    booked_by: int | None = None
    may_change: bool = False  # the viewer may move or cancel it


class CreditsOut(msgspec.Struct, kw_only=True):
    """A start-up's credits for one month of Hong Kong time (`month`: its first day)."""

    startup: int
    startup_en: str
    startup_zh: str
    month: date
    allowance: int
    granted: int
    spent: int
    balance: int


class GrantIn(msgspec.Struct, kw_only=True):
    """Extra credits a manager gives a start-up for the current month, and why."""

    startup: int
    credits: int
    reason: str


class CreditEntryOut(msgspec.Struct, kw_only=True):
    month: date
    change: int
    kind: str  # allowance, grant, charge, refund
    reason: str
    booking: int | None
    created_at: datetime
    created_by: str


class SlotOut(msgspec.Struct, kw_only=True):
    """One slot of a room on a day: free, taken (by an event or a booking; `mine` when by the
    viewer's start-up), closed, or past."""

    starts_at: datetime
    ends_at: datetime
    state: str  # free, taken, mine, past
    credits: int  # what booking this slot alone costs
    booking: int | None = None  # the viewer's own booking holding it


class RoomDayOut(msgspec.Struct, kw_only=True):
    room: RoomOut
    day: date
    slots: list[SlotOut]
