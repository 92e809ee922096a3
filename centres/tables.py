"""Buildings, their units and the leases of units to start-ups."""

from enum import Enum

from piccolo.columns import Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from incubator.auth.tables import User
from incubator.startups.tables import Centre, Startup


class UnitType(str, Enum):
    private_office = "private_office"
    coworking_desk = "coworking_desk"
    lab = "lab"
    # Space a centre keeps for members to book (as a venue: events.rooms), never let: the
    # occupancy and vacancy figures leave it out.
    meeting_room = "meeting_room"


NOT_LET = "'meeting_room'"  # the unit kinds that are never let, as an SQL list
# What the pages call each kind of unit (the templates translate these words).
UNIT_KIND_NAMES = {
    "private_office": "Private office",
    "coworking_desk": "Co-working desk",
    "lab": "Lab",
    "meeting_room": "Meeting room",
}


class UnitStatus(str, Enum):
    available = "available"
    retired = "retired"


class LeaseStatus(str, Enum):
    draft = "draft"
    active = "active"
    notice_given = "notice_given"
    ended = "ended"


class Building(Table, tablename="building"):
    slug = Varchar(length=40, unique=True)
    name_en = Varchar(length=120)
    name_zh = Varchar(length=120, default="")
    sort_order = Integer(default=0)


class Unit(Table, tablename="unit"):
    """A lettable space: an office, a co-working desk or a lab, managed by one centre or hub."""

    building = ForeignKey(Building, on_delete=OnDelete.restrict, index=True, null=False)
    centre = ForeignKey(Centre, on_delete=OnDelete.restrict, index=True, null=False)
    code = Varchar(length=20)  # unique within its building, e.g. "3F-12"
    floor = Integer(default=0)
    kind = Varchar(length=20, choices=UnitType, default=UnitType.private_office.value)
    area_sqft = Integer(default=0)
    list_rent_cents = Integer(default=0)  # HKD a month
    status = Varchar(length=12, choices=UnitStatus, default=UnitStatus.available.value)
    retired_at = Timestamptz(null=True, default=None)
    notes = Text(default="")
    # One more with every change, and who made the last one and when: a stale form or
    # If-Match is refused with a 412 that names them (incubator/versions.py).
    version = Integer(default=1)
    changed_by = Varchar(length=200, default="")
    changed_at = Timestamptz(null=True, default=None)


class Lease(Table, tablename="lease"):
    """A unit let to a start-up from `starts_on` to `ends_on`, both days included.

    The lease is in force on a day when it is not a draft and the day lies in that range;
    being in force is what makes the start-up onsite (see incubator.startups.services.onsite).
    `ends_on` is the last day the lease holds: the contract's end, or the earlier day of an
    early termination (the contract's end stays in `contract_ends_on`).
    """

    unit = ForeignKey(Unit, on_delete=OnDelete.restrict, index=True, null=False)
    startup = ForeignKey(Startup, on_delete=OnDelete.restrict, index=True, null=False)
    starts_on = Date()
    ends_on = Date(index=True)
    contract_ends_on = Date()
    monthly_rent_cents = Integer()
    deposit_cents = Integer(default=0)
    status = Varchar(length=14, choices=LeaseStatus, default=LeaseStatus.draft.value)
    notice_given_on = Date(null=True, default=None)
    terminated_on = Date(null=True, default=None)
    termination_reason = Text(default="")
    # The lease this one renews; a lease is renewed at most once (unique index).
    renewal_of = ForeignKey("self", null=True, default=None, on_delete=OnDelete.restrict)
    created_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    # One more with every change, and who made the last one and when: a stale form or
    # If-Match is refused with a 412 that names them (incubator/versions.py).
    version = Integer(default=1)
    changed_by = Varchar(length=200, default="")
    changed_at = Timestamptz(null=True, default=None)


class CentreOnsite(Table, tablename="centre_onsite"):
    """Each centre's or hub's onsite start-ups (active, affiliated, holding a lease in force)
    on the day the row names, kept by the database's triggers on leases, affiliations and
    start-ups' statuses in the same transaction as every change (`centres.tallies`). A row
    whose day is not today is counted afresh before it is read
    (`centres.services.occupancy.onsite_today`); a new centre's row starts with no day."""

    centre = ForeignKey(Centre, on_delete=OnDelete.cascade, unique=True, null=False)
    day = Date(null=True, default=None)
    onsite = Integer(default=0)


class SpaceDay(Table, tablename="space_day"):
    """Each building's units of one centre or hub, occupied on the day the row names (units
    available for lease with a lease in force), their area, and the leases in force that end
    within 30, 90 and 180 days (`day_30`... hold those last days). Kept by the database's
    triggers on units and leases in the same transaction as every change (`centres.tallies`);
    a row whose day is not today is counted afresh before it is read. One row per building and
    centre (a unique index)."""

    building = ForeignKey(Building, on_delete=OnDelete.cascade, null=False)
    centre = ForeignKey(Centre, on_delete=OnDelete.cascade, index=True, null=False)
    day = Date(null=True, default=None)
    day_30 = Date(null=True, default=None)
    day_90 = Date(null=True, default=None)
    day_180 = Date(null=True, default=None)
    occupied_units = Integer(default=0)
    occupied_sqft = Integer(default=0)
    ending_30 = Integer(default=0)
    ending_90 = Integer(default=0)
    ending_180 = Integer(default=0)
