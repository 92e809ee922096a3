"""The export log's index on `export` alone duplicated the front of its (export, id) index,
and every log row written paid for both: the export column keeps only the longer one."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import ForeignKey

ID = "2026-11-23T19:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "export_item: drop the index on export, which (export, id) covers"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="partners", description=DESCRIPTION)
    manager.alter_column(
        table_class_name="ExportItem",
        tablename="export_item",
        column_name="export",
        db_column_name="export",
        params={"index": False},
        old_params={"index": True},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )
    return manager
