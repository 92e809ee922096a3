"""One consent per start-up and partner, one renewal per MOU, export files in order, and the
indexes the delivery job and the referral quota read by."""

from incubator.db import raw_migration

ID = "2026-11-23T09:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "partners: unique consent, MOU renewal, chunk order; delivery and quota indexes"

COMMON = [
    "CREATE UNIQUE INDEX sharing_consent_startup_partner ON sharing_consent (startup, partner)",
    "CREATE UNIQUE INDEX mou_renewal_of_unique ON mou (renewal_of)",
    "CREATE UNIQUE INDEX export_chunk_export_seq ON export_chunk (export, seq)",
    "CREATE INDEX webhook_delivery_due ON webhook_delivery (status, next_attempt_at)",
    "CREATE INDEX referral_quota ON referral (mou, direction, created_at)",
]
POSTGRES = [
    "ALTER TABLE mou ADD CONSTRAINT mou_period_order CHECK (signed_on <= expires_on)",
]


async def forwards():
    return raw_migration("partners", ID, DESCRIPTION, COMMON, POSTGRES)
