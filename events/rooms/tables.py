"""Meeting rooms members book themselves: which venues are bookable and on what terms, and
the credits start-ups pay with. The bookings themselves are declared with events
(`events.tables.RoomBooking`): events and bookings hold venues through one rule."""

from __future__ import annotations

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from centres.tables import Lease
from events.tables import RoomBooking, Venue
from incubator.auth.tables import User
from incubator.startups.tables import Startup


class BookableRoom(Table, tablename="bookable_room"):
    """A venue members may book, and its terms. Times of day are minutes after midnight in
    Hong Kong time; credits are whole credits an hour, peak on open days between `peak_from`
    and `peak_until`, off-peak otherwise."""

    venue = ForeignKey(Venue, on_delete=OnDelete.cascade, unique=True, null=False)
    is_bookable = Boolean(default=True)
    opens_at = Integer(default=8 * 60)
    closes_at = Integer(default=20 * 60)
    weekdays = Varchar(length=7, default="12345")  # ISO weekdays it opens: 1 Monday, 7 Sunday
    slot_minutes = Integer(default=30)
    longest_minutes = Integer(default=240)
    ahead_days = Integer(default=30)
    peak_from = Integer(default=10 * 60)
    peak_until = Integer(default=17 * 60)
    peak_credits = Integer(default=2)
    offpeak_credits = Integer(default=1)
    cancel_hours = Integer(default=2)  # free cancellation until this long before the start
    uses_check_in = Boolean(default=False)  # no check-in 15 minutes in releases the room


class CreditDefault(Table, tablename="room_credit_default"):
    """The monthly credits a lease of a unit of this kind brings (unless its lease says)."""

    unit_kind = Varchar(length=20, unique=True)
    monthly_credits = Integer()


class LeaseCredits(Table, tablename="lease_room_credits"):
    """One lease's own monthly credits, in place of its unit kind's default."""

    lease = ForeignKey(Lease, on_delete=OnDelete.cascade, unique=True, null=False)
    monthly_credits = Integer()


class CreditMonth(Table, tablename="room_credit_month"):
    """A start-up's credits for one month of Hong Kong time (`month` is its first day): the
    allowance its leases brought, extra credits granted, and what bookings spent. What is
    left lapses when the month ends. The balance is never negative: the write that spends
    checks it, and the database refuses a row that would go below zero. One row per start-up
    and month (a unique index)."""

    startup = ForeignKey(Startup, on_delete=OnDelete.cascade, null=False)
    month = Date()
    allowance = Integer(default=0)
    granted = Integer(default=0)
    spent = Integer(default=0)


class CreditEntry(Table, tablename="room_credit_entry"):
    """One change of a start-up's credits: the month's allowance, a grant (with its reason
    and who gave it), a booking's charge or its refund."""

    startup = ForeignKey(Startup, on_delete=OnDelete.cascade, index=True, null=False)
    month = Date()
    change = Integer()
    kind = Varchar(length=10)  # allowance, grant, charge, refund
    booking = ForeignKey(RoomBooking, null=True, default=None, on_delete=OnDelete.set_null)
    reason = Text(default="")
    created_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
