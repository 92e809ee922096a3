"""The operators' side of reminders: the ledger by state, every row for one recipient (why
was this not sent), and retrying a dead one."""

from __future__ import annotations

import msgspec

from incubator.db import utcnow
from incubator.errors import NotFound
from incubator.metrics import Figure, oldest_due
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


STATES = ("dead", "pending", "sent", "skipped")
PER_PAGE = 50


async def recipient_keys(who: str) -> tuple[set[str], str]:
    """The ledger's recipient keys of a person named by email or user id, and the address."""
    from incubator.auth.tables import User

    who = who.strip().lower()
    keys = {f"email:{who}"}
    user = await User.select(User.id).where(
        (User.email == who) | (User.id == (int(who) if who.isdigit() else -1))
    )
    if user:
        keys.add(f"user:{user[0]['id']}")
    return keys, who


async def ledger_page(
    status: str, source: str = "", who: str = "", page: int = 1
) -> tuple[list[LedgerRow], int]:
    """One page of the ledger in one state (every state: blank), newest due first, of one
    source and for one person when given; and how many rows match."""
    where = (ReminderLedger.status == status) if status else (ReminderLedger.id > 0)
    if source:
        where &= ReminderLedger.source == source
    if who.strip():
        keys, address = await recipient_keys(who)
        where &= ReminderLedger.recipient.is_in(sorted(keys)) | (ReminderLedger.address == address)
    total = await ReminderLedger.count().where(where)
    rows = (
        await ReminderLedger.select()
        .where(where)
        .order_by(ReminderLedger.due_at, ascending=False)
        .order_by(ReminderLedger.id, ascending=False)
        .limit(PER_PAGE)
        .offset((max(page, 1) - 1) * PER_PAGE)
    )
    return msgspec.convert(rows, list[LedgerRow]), total


async def counts() -> dict[str, int]:
    """How many ledger rows are in each state."""
    rows = await ReminderLedger.raw(
        "SELECT status, COUNT(*) AS n FROM reminder_ledger GROUP BY status"
    )
    return {state: 0 for state in STATES} | {r["status"]: int(r["n"]) for r in rows}


async def why_not_sent(who: str) -> list[LedgerRow]:
    """Every ledger row for a recipient (an email address, or a user's id or email), newest
    first, with its status and reason: what an operator needs to answer "why not"."""
    keys, who = await recipient_keys(who)
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


async def ledger_figures() -> list[Figure]:
    """For /metrics: reminders by state (due: waiting for a worker now; waiting: due later;
    retried: pending after a failed attempt; sending; dead), and how long the oldest due one
    has waited, in one grouped read."""
    now = utcnow()
    rows = await ReminderLedger.raw(
        "SELECT status, next_attempt_at <= {} AS due, attempts > 0 AS retried, count(*) AS n "
        "FROM reminder_ledger WHERE status IN ('pending', 'sending', 'dead') GROUP BY 1, 2, 3",
        now,
    )
    counts = {"due": 0, "waiting": 0, "retried": 0, "sending": 0, "dead": 0}
    for row in rows:
        if row["status"] == "pending":
            counts["due" if row["due"] else "waiting"] += row["n"]
            counts["retried"] += row["n"] if row["retried"] else 0
        else:
            counts[row["status"]] += row["n"]
    return [
        Figure("reminders", "reminders in the ledger by state", n, {"state": state})
        for state, n in counts.items()
    ] + [await oldest_due(ReminderLedger, "reminders", now)]
