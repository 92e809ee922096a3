"""The outbox: emails kept, not sent, while no SMTP server is configured, for administrators
to read (personal data: administrators only, like the ledger)."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

import msgspec

from incubator.db import utcnow
from incubator.errors import NotFound
from incubator.reminders.schemas import OutboxItem
from incubator.reminders.tables import OutboxMessage
from incubator.settings import Settings

PER_PAGE = 50
_SHOWN = (
    OutboxMessage.id,
    OutboxMessage.recipient,
    OutboxMessage.subject,
    OutboxMessage.text,
    OutboxMessage.created_at,
)


def _part(message: EmailMessage, kind: str) -> str:
    body = message.get_body(preferencelist=(kind,))
    return body.get_content() if body is not None else ""


async def keep(message: EmailMessage) -> None:
    """Keep a message in the outbox (what incubator.mail calls with no SMTP server)."""
    await OutboxMessage.insert(
        OutboxMessage(
            recipient=str(message["To"] or "")[:254],
            subject=str(message["Subject"] or "")[:300],
            text=_part(message, "plain"),
            html=_part(message, "html"),
            message_id=str(message["Message-ID"] or "")[:200],
        )
    )


async def messages(page: int = 1) -> tuple[list[OutboxItem], int]:
    """A page of kept messages, newest first, and how many there are."""
    total = await OutboxMessage.count()
    rows = (
        await OutboxMessage.select(*_SHOWN)
        .order_by(OutboxMessage.id, ascending=False)
        .limit(PER_PAGE)
        .offset((max(page, 1) - 1) * PER_PAGE)
    )
    return msgspec.convert(rows, list[OutboxItem]), total


async def message(message_id: int) -> OutboxItem:
    row = await OutboxMessage.select(*_SHOWN).where(OutboxMessage.id == message_id).first()
    if row is None:
        raise NotFound(f"no message {message_id} in the outbox")
    return msgspec.convert(row, OutboxItem)


async def prune(settings: Settings) -> int:
    """Forget kept messages older than INCUBATOR_OUTBOX_DAYS (they hold personal data and
    were never sent); the scheduler runs this hourly. Returns how many went."""
    cutoff = utcnow() - timedelta(days=settings.outbox_days)
    gone = (
        await OutboxMessage.delete()
        .where(OutboxMessage.created_at < cutoff)
        .returning(OutboxMessage.id)
    )
    return len(gone)
