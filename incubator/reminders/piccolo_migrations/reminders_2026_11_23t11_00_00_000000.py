"""One ledger row per (source, subject, recipient, occurrence, channel): inserting a reminder
twice is a no-op, whoever sweeps. Indexes for the delivery claim and the inbox."""

from incubator.db import raw_migration

ID = "2026-11-23T11:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "reminder ledger unique key; delivery and inbox indexes; one opt-out per source"

COMMON = [
    "CREATE UNIQUE INDEX reminder_ledger_once ON reminder_ledger "
    "(source, subject, recipient, occurrence, channel)",
    "CREATE INDEX reminder_ledger_due ON reminder_ledger (status, next_attempt_at)",
    'CREATE INDEX reminder_ledger_inbox ON reminder_ledger ("user", channel, read_at)',
    'CREATE UNIQUE INDEX reminder_opt_out_once ON reminder_opt_out ("user", source)',
]


async def forwards():
    return raw_migration("reminders", ID, DESCRIPTION, COMMON)
