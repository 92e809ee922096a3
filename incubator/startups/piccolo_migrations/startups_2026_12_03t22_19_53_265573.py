"""startup.version: one more with every change, for the API's ETag and If-Match."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-03T22:19:53:265573"
VERSION = "1.38.0"
DESCRIPTION = "startup.version, for ETag and If-Match"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="startups", description=DESCRIPTION)

    manager.add_column(
        table_class_name="Startup",
        tablename="startup",
        column_name="version",
        db_column_name="version",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 1,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
