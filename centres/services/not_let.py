"""Units that are never let: meeting rooms members book (as venues: events.rooms). A unit
becomes one only without a lease to come, and stops being one, or leaves the inventory, only
when no venue books it. Their leases are refused in `leases.py`; the occupancy and vacancy
figures leave them out (`occupancy.py`)."""

from __future__ import annotations

from centres.tables import Lease, Unit, UnitType
from incubator.errors import ValidationFailed
from incubator.i18n import today_hk


async def booked_as(unit_id: int) -> str | None:
    """The active venue members book this meeting-room unit as (events.rooms opens one; the
    venue table is named here in SQL, as centres cannot import events)."""
    rows = await Unit.raw("SELECT name_en FROM venue WHERE unit = {} AND is_active", unit_id)
    return rows[0]["name_en"] if rows else None


async def refuse_kind_change(unit_id: int, code: str, kind: str) -> None:
    """A unit becomes a meeting room only without a lease to come; it stops being one only
    when no venue books it."""
    if kind == UnitType.meeting_room.value:
        holding = (
            await Lease.select(Lease.ends_on)
            .where((Lease.unit == unit_id) & (Lease.ends_on >= today_hk()))
            .first()
        )
        if holding is not None:
            raise ValidationFailed(
                {
                    "kind": f"a meeting room is never let: unit {code} is leased until "
                    f"{holding['ends_on']}; end or discard that lease first"
                }
            )
    elif (venue := await booked_as(unit_id)) is not None:
        raise ValidationFailed(
            {"kind": f"members book this unit as {venue}: retire that venue first"}
        )
