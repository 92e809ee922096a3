"""Two indexes duplicated the front of longer ones: registration's on `event` alone that of
(event, status, id), the waitlist's order, and session attendance's on `session` alone that of
the unique (session, registration). Every registration and attendance written paid for both,
and the demo park built both for 562,000 registrations and 754,000 attendances."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import ForeignKey

ID = "2026-11-23T21:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "registration, session_attendance: drop the indexes longer ones cover"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="events", description=DESCRIPTION)
    for class_name, table, column in (
        ("Registration", "registration", "event"),
        ("SessionAttendance", "session_attendance", "session"),
    ):
        manager.alter_column(
            table_class_name=class_name,
            tablename=table,
            column_name=column,
            db_column_name=column,
            params={"index": False},
            old_params={"index": True},
            column_class=ForeignKey,
            old_column_class=ForeignKey,
            schema=None,
        )
    return manager
