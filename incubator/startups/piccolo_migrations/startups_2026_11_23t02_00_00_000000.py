"""Directory speed: indexes in the order the directory sorts, and on PostgreSQL a stored
tsvector so ranking does not parse every matching document again."""

from incubator.db import raw_migration

ID = "2026-11-23T02:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "directory sort indexes and stored tsvector"


COMMON = [
    "CREATE INDEX startup_status_name ON startup (status, name_en, id)",
    "CREATE INDEX startup_status_updated ON startup (status, updated_at, id)",
    "CREATE INDEX startup_status_founded ON startup (status, founded_year, id)",
]

POSTGRES = [
    "DROP INDEX IF EXISTS startup_search_gin",
    "ALTER TABLE startup ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english', search_document)) STORED",
    "CREATE INDEX startup_search_vector_gin ON startup USING GIN (search_vector)",
]


async def forwards():
    return raw_migration("startups", ID, DESCRIPTION, COMMON, POSTGRES)
