"""One reviewer invitation a token (SQLite cannot add a unique column)."""

from incubator.db import raw_migration

ID = "2026-12-04T18:52:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "reviewer invitations by token"

COMMON = ["CREATE UNIQUE INDEX reviewer_invitation_token ON reviewer_invitation (token_hash)"]


async def forwards():
    return raw_migration("programmes", ID, DESCRIPTION, COMMON)
