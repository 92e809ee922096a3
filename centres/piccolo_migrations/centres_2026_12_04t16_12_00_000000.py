"""The units' space index carries their kind: the occupancy and vacancy figures leave out the
units that are never let (meeting rooms members book) and still read the index alone."""

from incubator.db import raw_migration

ID = "2026-12-04T16:12:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the space index carries the unit's kind"

COMMON = [
    "DROP INDEX unit_space",
    "CREATE INDEX unit_space ON unit (status, building, centre, area_sqft, kind)",
]


async def forwards():
    return raw_migration("centres", ID, DESCRIPTION, COMMON)
