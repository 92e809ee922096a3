"""Leases on one unit never overlap: a constraint on PostgreSQL, triggers on SQLite.

The services check first and say who holds the unit; these are the database's own guarantee
against any writer that skips the services.
"""

from incubator.db import raw_migration

ID = "2026-11-23T08:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "no overlapping leases on a unit; unit codes unique per building; one renewal"


COMMON = [
    "CREATE UNIQUE INDEX unit_building_code ON unit (building, code)",
    "CREATE UNIQUE INDEX lease_renewal_of_unique ON lease (renewal_of)",
    "CREATE INDEX lease_unit_period ON lease (unit, starts_on, ends_on)",
    "CREATE INDEX lease_in_force ON lease (ends_on, starts_on, status, startup)",
]

POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE lease ADD CONSTRAINT lease_period_order CHECK (starts_on <= ends_on)",
    "ALTER TABLE lease ADD CONSTRAINT lease_no_overlap EXCLUDE USING gist "
    "(unit WITH =, daterange(starts_on, ends_on, '[]') WITH &&)",
]

_OVERLAP = (
    "EXISTS (SELECT 1 FROM lease o WHERE o.unit = NEW.unit AND o.id IS NOT NEW.id "
    "AND o.starts_on <= NEW.ends_on AND o.ends_on >= NEW.starts_on)"
)

SQLITE = [
    f"""CREATE TRIGGER lease_no_overlap_insert BEFORE INSERT ON lease
    WHEN NEW.starts_on > NEW.ends_on OR {_OVERLAP}
    BEGIN SELECT RAISE(ABORT, 'lease_no_overlap: leases on one unit may not overlap'); END""",
    f"""CREATE TRIGGER lease_no_overlap_update BEFORE UPDATE OF unit, starts_on, ends_on ON lease
    WHEN NEW.starts_on > NEW.ends_on OR {_OVERLAP}
    BEGIN SELECT RAISE(ABORT, 'lease_no_overlap: leases on one unit may not overlap'); END""",
]


async def forwards():
    return raw_migration("centres", ID, DESCRIPTION, COMMON, POSTGRES, SQLITE)
