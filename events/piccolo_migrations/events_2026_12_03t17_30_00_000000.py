"""A registration's code is a bearer key to its page: new codes are as long as a
certificate's (16 symbols, 19 characters with their dashes), so the column grows from 12
characters to 24 (on PostgreSQL; SQLite keeps no length). Codes already given keep working."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.engine import engine_finder

ID = "2026-12-03T17:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "registration.code: 24 characters, for 16-symbol codes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="events", description=DESCRIPTION)
    if engine_finder().engine_type != "postgres":
        return manager  # SQLite keeps no length: nothing to change
    manager.alter_column(
        table_class_name="Registration",
        tablename="registration",
        column_name="code",
        db_column_name="code",
        params={"length": 24},
        old_params={"length": 12},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )
    return manager
