"""The operators' side of reminders: the ledger by state, every row for one recipient (why
was this not sent), and retrying a dead one."""

from __future__ import annotations

import msgspec

from incubator.db import utcnow
from incubator.errors import NotFound
from incubator.reminders.schemas import LedgerRow
from incubator.reminders.tables import ReminderLedger, SchedulerBeat
from incubator.settings import Settings


async def ledger(status: str, limit: int = 200) -> list[LedgerRow]:
    rows = (
        await ReminderLedger.select()
        .where(ReminderLedger.status == status)
        .order_by(ReminderLedger.due_at, ascending=False)
        .limit(limit)
    )
    return msgspec.convert(rows, list[LedgerRow])


async def why_not_sent(who: str) -> list[LedgerRow]:
    """Every ledger row for a recipient (an email address, or a user's id or email), newest
    first, with its status and reason: what an operator needs to answer "why not"."""
    who = who.strip().lower()
    from incubator.auth.tables import User

    keys = {f"email:{who}"}
    user = await User.select(User.id).where(
        (User.email == who) | (User.id == (int(who) if who.isdigit() else -1))
    )
    if user:
        keys.add(f"user:{user[0]['id']}")
    rows = (
        await ReminderLedger.select()
        .where(ReminderLedger.recipient.is_in(sorted(keys)) | (ReminderLedger.address == who))
        .order_by(ReminderLedger.due_at, ascending=False)
        .limit(300)
    )
    return msgspec.convert(rows, list[LedgerRow])


async def retry_dead(ledger_id: int) -> None:
    updated = (
        await ReminderLedger.update(
            {
                ReminderLedger.status: "pending",
                ReminderLedger.attempts: 0,
                ReminderLedger.next_attempt_at: utcnow(),
            }
        )
        .where((ReminderLedger.id == ledger_id) & (ReminderLedger.status == "dead"))
        .returning(ReminderLedger.id)
    )
    if not updated:
        raise NotFound(f"there is no dead reminder {ledger_id}")


async def scheduler_report(settings: Settings) -> dict[str, object]:
    """The scheduler's last successful sweep, for /health/ready: `late` when no sweep has
    finished for three ticks (the scheduler is stuck or not running), `never` before the
    first."""
    beat = await SchedulerBeat.select().where(SchedulerBeat.job == "reminders").first()
    if beat is None:
        return {"state": "never", "last_sweep_at": None, "seconds_ago": None}
    ago = int((utcnow() - beat["last_success_at"]).total_seconds())
    late = ago > 3 * settings.reminder_tick_seconds
    return {
        "state": "late" if late else "ok",
        "last_sweep_at": beat["last_success_at"].isoformat(),
        "seconds_ago": ago,
    }
