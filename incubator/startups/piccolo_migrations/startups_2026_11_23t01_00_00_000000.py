"""Full-text search over start-ups (FTS5 on SQLite, tsvector + GIN on PostgreSQL) and the
uniqueness rules of the link tables."""

from incubator.db import raw_migration

ID = "2026-11-23T01:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "search index and link uniqueness"


COMMON = [
    "CREATE UNIQUE INDEX startup_cluster_pair ON startup_cluster (startup, cluster)",
    "CREATE UNIQUE INDEX startup_affiliation_pair ON startup_affiliation (startup, centre)",
    "CREATE UNIQUE INDEX startup_membership_pair ON startup_membership (startup, \"user\")",
    "CREATE UNIQUE INDEX manager_assignment_pair ON manager_assignment (\"user\", centre)",
    "CREATE INDEX startup_name_en_idx ON startup (name_en)",
    "CREATE INDEX startup_founded_idx ON startup (founded_year)",
    "CREATE INDEX profile_change_startup_time ON profile_change (startup, changed_at)",
]

SQLITE = [
    "CREATE VIRTUAL TABLE startup_fts USING fts5(search_document, content='startup', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER startup_fts_ai AFTER INSERT ON startup BEGIN "
    "INSERT INTO startup_fts(rowid, search_document) VALUES (new.id, new.search_document); END",
    "CREATE TRIGGER startup_fts_ad AFTER DELETE ON startup BEGIN "
    "INSERT INTO startup_fts(startup_fts, rowid, search_document) "
    "VALUES ('delete', old.id, old.search_document); END",
    "CREATE TRIGGER startup_fts_au AFTER UPDATE OF search_document ON startup BEGIN "
    "INSERT INTO startup_fts(startup_fts, rowid, search_document) "
    "VALUES ('delete', old.id, old.search_document); "
    "INSERT INTO startup_fts(rowid, search_document) VALUES (new.id, new.search_document); END",
    "INSERT INTO startup_fts(startup_fts) VALUES ('rebuild')",
]

POSTGRES = [
    "CREATE INDEX startup_search_gin ON startup "
    "USING GIN (to_tsvector('english', search_document))",
]


async def forwards():
    return raw_migration("startups", ID, DESCRIPTION, COMMON, POSTGRES, SQLITE)
