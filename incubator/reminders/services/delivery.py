"""Delivery of what the sweep recorded (incubator/reminders/services/engine.py): claims
under a fencing token, sends by email or by the source's own action, retries with backoff.

A claim takes due rows with one conditional `UPDATE … SET status = 'sending' … RETURNING`
under a token of its own, so no row is sent by two processes: the holder renews its claim and
checks the token before each send and before recording the outcome, and a send takes less
time than the stale window (the settings check it), so only a claim left by a process that
died is taken back. Emails carry a Message-ID made from the ledger row, so even a resend after
a crash between the SMTP server's "250 OK" and our commit is one message to the reader.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlparse

from jinja2 import Environment, FileSystemLoader, select_autoescape

from incubator.db import utcnow, write_transaction
from incubator.mail import send_message
from incubator.reminders.schemas import Tick
from incubator.reminders.services.engine import source_named, sweep, sweep_source
from incubator.reminders.tables import ReminderLedger, SchedulerBeat
from incubator.settings import Settings
from incubator.templating import templates_dir

log = logging.getLogger("incubator.reminders")
STALE_CLAIM = timedelta(minutes=10)  # the default of INCUBATOR_REMINDER_STALE_SECONDS


@dataclass(frozen=True)
class Claim:
    """Rows taken for sending by one process, under a token of its own (a fencing token)."""

    token: str
    ids: list[int]


async def claim_due(
    now: datetime, stale: timedelta = STALE_CLAIM, limit: int = 50, source: str | None = None
) -> Claim:
    """Take due rows for sending. A claim whose holder has not renewed it for `stale` (it
    died) is taken back first; a live holder renews its claim before every send."""
    token = secrets.token_hex(16)
    async with write_transaction():
        await ReminderLedger.raw(
            "UPDATE reminder_ledger SET status = 'pending', claim_token = '' "
            "WHERE status = 'sending' AND claimed_at < {}",
            now - stale,
        )
        rows = await ReminderLedger.raw(
            f"""
            UPDATE reminder_ledger SET status = 'sending', claimed_at = {{}}, claim_token = {{}}
            WHERE status = 'pending' AND id IN (
                SELECT id FROM reminder_ledger
                WHERE status = 'pending' AND next_attempt_at <= {{}}
                  {"AND source = {}" if source else ""}
                ORDER BY next_attempt_at, id LIMIT {int(limit)})
            RETURNING id
            """,
            now,
            token,
            now,
            *([source] if source else []),
        )
    return Claim(token=token, ids=sorted(r["id"] for r in rows))


async def still_held(claim: Claim, now: datetime) -> set[int]:
    """Renew the claim's rows still being sent, so that none goes stale while its holder
    works through the others, and say which they are: a row taken back (the holder was too
    slow) is another's now, and is not sent again by this one."""
    async with write_transaction():
        rows = await ReminderLedger.raw(
            "UPDATE reminder_ledger SET claimed_at = {} "
            "WHERE claim_token = {} AND status = 'sending' RETURNING id",
            now,
            claim.token,
        )
    return {r["id"] for r in rows}


def backoff(settings: Settings, attempts: int) -> timedelta:
    seconds = settings.reminder_backoff_seconds * 4 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, 6 * 3600))


async def deliver_due(
    settings: Settings, now: datetime | None = None, source: str | None = None
) -> dict[str, int]:
    """Send every claimed row once (of one source, if given); failures wait with backoff, and
    end dead after the limit. Before each send the claim is renewed and checked; a send
    takes at most `reminder_send_seconds`, shorter than the stale window (settings check
    it), so no other process can take a row back while it is being sent."""
    outcome = {"sent": 0, "failed": 0, "dead": 0, "lost": 0}
    while True:
        stale = timedelta(seconds=settings.reminder_stale_seconds)
        claim = await claim_due(now or utcnow(), stale, source=source)
        if not claim.ids:
            return outcome
        for ledger_id in claim.ids:
            if ledger_id not in await still_held(claim, now or utcnow()):
                outcome["lost"] += 1
                continue
            outcome[await _deliver(settings, ledger_id, claim, now)] += 1


OUTBOX_REASON = "kept in the outbox: no SMTP server is configured"


async def _send(settings: Settings, row: dict[str, Any]) -> str:
    """Deliver the row; returns a note for the ledger (an email kept in the outbox)."""
    if row["channel"] == "email":
        if await send_reminder_email(settings, row) == "outbox":
            return OUTBOX_REASON
    elif row["channel"] == "action":
        source = source_named(row["source"])
        if source is None or source.deliver is None:
            raise RuntimeError(f"no source {row['source']} to deliver this")
        await source.deliver(settings, row)
    return ""


async def _deliver(settings: Settings, ledger_id: int, claim: Claim, now: datetime | None) -> str:
    row = await ReminderLedger.select().where(ReminderLedger.id == ledger_id).first()
    assert row is not None
    error, note = "", ""
    try:
        note = await asyncio.wait_for(_send(settings, row), timeout=settings.reminder_send_seconds)
    except TimeoutError:
        error = f"TimeoutError: not sent within {settings.reminder_send_seconds} s"
    except Exception as exc:  # every failure is recorded on the row, then retried
        error = f"{type(exc).__name__}: {exc}"[:1000]
    attempts = row["attempts"] + 1
    if not error:
        values = {ReminderLedger.status: "sent", ReminderLedger.sent_at: utcnow()}
        if note:
            values[ReminderLedger.reason] = note
        result = "sent"
    elif attempts >= settings.reminder_max_attempts:
        values = {ReminderLedger.status: "dead"}
        result = "dead"
        log.warning(
            "reminder %s is dead after %s attempts: %s",
            ledger_id,
            attempts,
            error,
            extra={"ledger_id": ledger_id},
        )
    else:
        values = {
            ReminderLedger.status: "pending",
            ReminderLedger.next_attempt_at: (now or utcnow()) + backoff(settings, attempts),
        }
        result = "failed"
    values |= {
        ReminderLedger.attempts: attempts,
        ReminderLedger.last_error: error,
        ReminderLedger.claim_token: "",
    }
    async with write_transaction():
        # Only while the claim is still this one's: the outcome of a claim lost meanwhile
        # is not written over its new holder's.
        recorded = (
            await ReminderLedger.update(values)
            .where(
                (ReminderLedger.id == ledger_id)
                & (ReminderLedger.claim_token == claim.token)
                & (ReminderLedger.status == "sending")
            )
            .returning(ReminderLedger.id)
        )
    if not recorded:
        log.warning(
            "reminder %s: its claim was taken back before the outcome was recorded",
            ledger_id,
            extra={"ledger_id": ledger_id},
        )
        return "lost"
    log.debug("reminder %s %s", ledger_id, result, extra={"ledger_id": ledger_id})
    return result


_templates = Environment(
    loader=FileSystemLoader(templates_dir() / "reminders"),
    autoescape=select_autoescape(["html"]),
)


async def send_reminder_email(settings: Settings, row: dict[str, Any]) -> str:
    """The reminder's email, by SMTP or into the outbox; returns which ("smtp", "outbox")."""
    language = "zh-Hant" if row["language"] == "zh-Hant" else "en"
    context = {"row": row, "base_url": settings.base_url, "language": language}
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = row["address"]
    message["Subject"] = row["title"]
    # The same Message-ID on every attempt (made from the ledger row, not the moment): one
    # message to the reader even if it is sent again after a crash.
    host = urlparse(settings.base_url).hostname or "localhost"
    stamp = int(row["created_at"].timestamp())
    message["Message-ID"] = f"<reminder-{row['id']}.{stamp}@{host}>"
    message["X-Incubator-Reminder"] = f"{row['source']}/{row['subject']}/{row['occurrence']}"
    message.set_content(_templates.get_template(f"email.{language}.txt").render(context))
    message.add_alternative(
        _templates.get_template(f"email.{language}.html").render(context), subtype="html"
    )
    return await send_message(settings, message)


async def run_once(settings: Settings, now: datetime | None = None) -> Tick:
    """One tick: sweep, then deliver (what the scheduler does every minute)."""
    recorded = await sweep(settings, now)
    tick = Tick(recorded=recorded, delivered=await deliver_due(settings, now))
    async with write_transaction():
        await SchedulerBeat.raw(
            "INSERT INTO scheduler_beat (job, last_success_at) VALUES ('reminders', {}) "
            "ON CONFLICT (job) DO UPDATE SET last_success_at = excluded.last_success_at",
            utcnow(),
        )
    return tick


async def run_source_now(settings: Settings, name: str, now: datetime | None = None) -> None:
    """Sweep one source and deliver what it recorded at once (a promotion from a waitlist is
    news now, not at the next tick); the ledger keeps it exactly once all the same."""
    now = now or utcnow()
    if await sweep_source(settings, name, now):
        await deliver_due(settings, now, source=name)  # not a backlog of others in a request
