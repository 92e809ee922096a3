"""The ledger keeps which claim holds a row being sent: the fencing token its holder checks
before sending and before recording the outcome."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-03T21:18:07:299041"
VERSION = "1.38.0"
DESCRIPTION = "reminder_ledger.claim_token: the fencing token of a claim"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reminders", description=DESCRIPTION)

    manager.add_column(
        table_class_name="ReminderLedger",
        tablename="reminder_ledger",
        column_name="claim_token",
        db_column_name="claim_token",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 32,
            "default": "",
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
