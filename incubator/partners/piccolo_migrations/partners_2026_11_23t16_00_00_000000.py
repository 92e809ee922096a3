"""An export's rows are read back from its log in log order: an index in that order lets each
batch read only its own thousand rows."""

from incubator.db import raw_migration

ID = "2026-11-23T16:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "export_item (export, id) index for building exports from their log"

COMMON = [
    "CREATE INDEX export_item_export_id ON export_item (export, id)",
]


async def forwards():
    return raw_migration("partners", ID, DESCRIPTION, COMMON)
