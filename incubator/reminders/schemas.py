"""What the reminders engine gives its pages: the ledger's rows, the inbox, what is coming."""

from __future__ import annotations

from datetime import datetime

import msgspec


class Upcoming(msgspec.Struct):
    """A reminder a source has due, for one recipient on one channel: what the preview
    shows, and what the ledger records."""

    source: str
    subject: str
    recipient: str
    occurrence: str
    channel: str
    due_at: datetime
    status: str
    reason: str
    user: int | None
    address: str
    language: str
    title: str
    body: str
    link: str
    label: str = ""  # the source's name for people (in the preview)


class LedgerRow(Upcoming, kw_only=True):
    """A recorded reminder: sent once, retried, dead, or skipped with its reason."""

    id: int
    attempts: int
    next_attempt_at: datetime | None
    claimed_at: datetime | None
    sent_at: datetime | None
    read_at: datetime | None
    last_error: str
    created_at: datetime


class InboxItem(msgspec.Struct):
    """An in-app reminder in its recipient's inbox."""

    id: int
    title: str
    body: str
    link: str
    due_at: datetime
    read_at: datetime | None


class Tick(msgspec.Struct):
    """One run of the scheduler: reminders recorded and delivered, by source or outcome."""

    recorded: dict[str, int]
    delivered: dict[str, int]


class OutboxItem(msgspec.Struct):
    """An email kept in the outbox (no SMTP server configured)."""

    id: int
    recipient: str
    subject: str
    text: str
    created_at: datetime
