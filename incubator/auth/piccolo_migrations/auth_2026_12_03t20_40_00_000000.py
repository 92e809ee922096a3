"""The audit trail is append-only, and the database holds to it: an update or a delete of an
entry fails on both engines, whatever code or console attempts it (and a TRUNCATE on
PostgreSQL). Only a superuser who switches triggers off gets past it."""

from incubator.db import raw_migration

ID = "2026-12-03T20:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit_entry refuses updates and deletes"

POSTGRES = [
    """
    CREATE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'the audit trail is append-only';
    END $$ LANGUAGE plpgsql
    """,
    "CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry "
    "FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()",
    "CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()",
]

SQLITE = [
    "CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry "
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
    "CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry "
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
]


async def forwards():
    return raw_migration("auth", ID, DESCRIPTION, postgres=POSTGRES, sqlite=SQLITE)
