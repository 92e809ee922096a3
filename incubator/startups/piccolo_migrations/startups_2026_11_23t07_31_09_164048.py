"""Onsite is no longer stored: it follows from leases (incubator.startups.services.onsite)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-11-23T07:31:09:164048"
VERSION = "1.38.0"
DESCRIPTION = "drop startup.onsite: onsite is derived from leases"


class RawSQL(Table):
    pass


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="startups", description=DESCRIPTION)

    async def drop_index():
        # SQLite refuses to drop an indexed column; raw steps run before the drop below.
        engine = engine_finder()
        RawSQL._meta.db = engine
        await RawSQL.raw("DROP INDEX IF EXISTS startup_onsite").run()

    manager.add_raw(drop_index)
    manager.drop_column(
        table_class_name="Startup",
        tablename="startup",
        column_name="onsite",
        db_column_name="onsite",
        schema=None,
    )
    return manager
