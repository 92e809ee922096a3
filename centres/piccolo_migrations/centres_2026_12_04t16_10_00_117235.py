from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Varchar

ID = "2026-12-04T16:10:00:117235"
VERSION = "1.38.0"
DESCRIPTION = "units of kind meeting room"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="centres", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="Unit",
        tablename="unit",
        column_name="kind",
        db_column_name="kind",
        params={
            "choices": Enum(
                "UnitType",
                {
                    "private_office": "private_office",
                    "coworking_desk": "coworking_desk",
                    "lab": "lab",
                    "meeting_room": "meeting_room",
                },
            )
        },
        old_params={
            "choices": Enum(
                "UnitType",
                {
                    "private_office": "private_office",
                    "coworking_desk": "coworking_desk",
                    "lab": "lab",
                },
            )
        },
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
