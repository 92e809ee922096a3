"""Exports walk one partner's consents in start-up order: an index in that order lets each
batch read only its own thousand rows (with the partner-only index, every batch read all)."""

from incubator.db import raw_migration

ID = "2026-11-23T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "sharing_consent (partner, startup) index for exports"

COMMON = [
    "CREATE INDEX sharing_consent_partner_startup ON sharing_consent (partner, startup)",
]


async def forwards():
    return raw_migration("partners", ID, DESCRIPTION, COMMON)
