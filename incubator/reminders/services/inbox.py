"""A person's side of reminders: the in-app inbox, its unread count, and which reminders
they turned off."""

from __future__ import annotations

import msgspec

from incubator.db import utcnow, write_transaction
from incubator.reminders.schemas import InboxItem
from incubator.reminders.services.engine import optional_sources
from incubator.reminders.tables import ReminderLedger, ReminderOptOut


async def inbox(user_id: int, limit: int = 100) -> list[InboxItem]:
    rows = (
        await ReminderLedger.select(
            ReminderLedger.id,
            ReminderLedger.title,
            ReminderLedger.body,
            ReminderLedger.link,
            ReminderLedger.due_at,
            ReminderLedger.read_at,
        )
        .where(
            (ReminderLedger.user == user_id)
            & (ReminderLedger.channel == "inapp")
            & (ReminderLedger.status == "sent")
        )
        .order_by(ReminderLedger.due_at, ascending=False)
        .limit(limit)
    )
    return msgspec.convert(rows, list[InboxItem])


async def unread_count(user_id: int) -> int:
    return await ReminderLedger.count().where(
        (ReminderLedger.user == user_id)
        & (ReminderLedger.channel == "inapp")
        & (ReminderLedger.status == "sent")
        & ReminderLedger.read_at.is_null()
    )


async def mark_read(user_id: int, ledger_id: int | None = None) -> None:
    query = ReminderLedger.update({ReminderLedger.read_at: utcnow()}).where(
        (ReminderLedger.user == user_id)
        & (ReminderLedger.channel == "inapp")
        & ReminderLedger.read_at.is_null()
    )
    if ledger_id is not None:
        query = query.where(ReminderLedger.id == ledger_id)
    await query


async def opt_outs(user_id: int) -> set[str]:
    rows = await ReminderOptOut.select(ReminderOptOut.source).where(ReminderOptOut.user == user_id)
    return {r["source"] for r in rows}


async def set_opt_outs(user_id: int, turned_off: set[str]) -> None:
    allowed = {s.name for s in optional_sources()}
    async with write_transaction():
        await ReminderOptOut.delete().where(ReminderOptOut.user == user_id)
        wanted = sorted(turned_off & allowed)
        if wanted:
            await ReminderOptOut.insert(
                *[ReminderOptOut(user=user_id, source=name) for name in wanted]
            )
