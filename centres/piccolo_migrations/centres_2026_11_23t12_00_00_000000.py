"""Occupancy speed: every unit looks up the lease in force on a day; an index holding the
unit, the dates and the status answers it without reading the lease rows."""

from incubator.db import raw_migration

ID = "2026-11-23T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "covering index for the lease in force on a unit"

COMMON = ["CREATE INDEX lease_unit_in_force ON lease (unit, ends_on, starts_on, status)"]


async def forwards():
    return raw_migration("centres", ID, DESCRIPTION, COMMON)
