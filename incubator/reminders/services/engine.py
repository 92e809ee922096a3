"""The reminder engine: domains register sources; a sweep records what is due in the ledger;
a delivery step sends it. It imports no domain.

Exactly once: the sweep inserts one ledger row per (source, subject, recipient, occurrence,
channel) under a unique key with `ON CONFLICT DO NOTHING`, so a second sweep, a second
scheduler or a restart adds nothing. Delivery claims due rows with one conditional
`UPDATE … SET status = 'sending' … RETURNING`, so no row is sent by two processes; a claim
left by a process that died is taken back after `STALE_CLAIM`. Emails carry a Message-ID
made from the ledger row, so even a resend after a crash between the SMTP server's "250 OK"
and our commit is one message to the reader's mail program.

Never silently not sent: after downtime a sweep looks back `grace` hours, so what fell due
meanwhile is still sent; what cannot be sent is recorded as skipped with the reason (an
opt-out, no address); what keeps failing ends as dead with its last error, for an
administrator to retry. `why_not_sent` reads all of this back for one recipient.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlparse

import msgspec
from jinja2 import Environment, FileSystemLoader, select_autoescape

from incubator.db import utcnow, write_transaction
from incubator.mail import send_message
from incubator.reminders.schemas import Tick, Upcoming
from incubator.reminders.tables import ReminderLedger, ReminderOptOut
from incubator.settings import Settings
from incubator.templating import templates_dir

log = logging.getLogger("incubator.reminders")
STALE_CLAIM = timedelta(minutes=10)  # the default of INCUBATOR_REMINDER_STALE_SECONDS


@dataclass(frozen=True)
class Recipient:
    """Who gets a reminder: a user (email and in-app), an email address, or a partner park
    (whose source delivers it itself)."""

    email: str = ""
    name: str = ""
    user_id: int | None = None
    language: str = "en"
    partner_id: int | None = None

    @property
    def key(self) -> str:
        if self.partner_id is not None:
            return f"partner:{self.partner_id}"
        return f"user:{self.user_id}" if self.user_id is not None else f"email:{self.email}"


@dataclass
class Due:
    """One reminder a source says is due: about `subject`, for `occurrence` (a lease's end and
    its offset, an event's start), at `due_at`, to each recipient, in both languages."""

    subject: str
    occurrence: str
    due_at: datetime
    recipients: list[Recipient]
    title: dict[str, str]  # language -> text
    body: dict[str, str]
    link: str = ""


@dataclass
class Source:
    name: str
    label: str
    find: Callable[[datetime, datetime, Settings], Awaitable[list[Due]]]
    essential: bool = False  # essential reminders cannot be turned off
    # Sources whose reminder is an action rather than a message (a webhook push of an export)
    # deliver it themselves; they are called with the ledger row.
    deliver: Callable[[Settings, dict[str, Any]], Awaitable[None]] | None = None
    channels: tuple[str, ...] = field(default=("email", "inapp"))


_sources: dict[str, Source] = {}


def register_source(source: Source) -> None:
    _sources[source.name] = source


def sources() -> list[Source]:
    return list(_sources.values())


def optional_sources() -> list[Source]:
    return [s for s in _sources.values() if not s.essential]


# ---------------------------------------------------------------- the sweep


def _rows(source: Source, due: Due, opted_out: set[tuple[int, str]]) -> list[dict[str, Any]]:
    rows = []
    for person in due.recipients:
        language = person.language if person.language in due.title else "en"
        for channel in source.channels:
            if channel == "inapp" and person.user_id is None:
                continue
            status, reason = "pending", ""
            if channel == "email" and not person.email:
                status, reason = "skipped", "no email address"
            elif person.user_id is not None and (person.user_id, source.name) in opted_out:
                status, reason = "skipped", "the recipient turned these reminders off"
            elif channel == "inapp":
                status = "sent"  # the inbox is the delivery
            rows.append(
                {
                    "source": source.name,
                    "subject": due.subject,
                    "recipient": person.key,
                    "occurrence": due.occurrence,
                    "channel": channel,
                    "due_at": due.due_at,
                    "status": status,
                    "reason": reason,
                    "user": person.user_id,
                    "address": person.email,
                    "language": language,
                    "title": due.title[language][:300],
                    "body": due.body[language],
                    "link": due.link,
                }
            )
    return rows


_COLUMNS = (
    "source",
    "subject",
    "recipient",
    "occurrence",
    "channel",
    "due_at",
    "status",
    "reason",
    "user",
    "address",
    "language",
    "title",
    "body",
    "link",
)


async def _insert_once(rows: list[dict[str, Any]], now: datetime) -> int:
    """Insert the rows whose key is new; returns how many were new."""
    inserted = 0
    columns = ", ".join(f'"{c}"' for c in _COLUMNS)
    for start in range(0, len(rows), 200):
        chunk = rows[start : start + 200]
        marks = ", ".join(
            "(" + ", ".join("{}" for _ in range(len(_COLUMNS) + 2)) + ")" for _ in chunk
        )
        values = [v for r in chunk for v in (*[r[c] for c in _COLUMNS], now, _sent_at(r, now))]
        result = await ReminderLedger.raw(
            f"INSERT INTO reminder_ledger ({columns}, next_attempt_at, sent_at) VALUES {marks} "
            "ON CONFLICT DO NOTHING RETURNING id",
            *values,
        )
        inserted += len(result)
    return inserted


def _sent_at(row: dict[str, Any], now: datetime) -> datetime | None:
    return now if row["status"] == "sent" else None


async def sweep(settings: Settings, now: datetime | None = None) -> dict[str, int]:
    """Ask every source what fell due from `grace` hours ago until now, and record it."""
    now = now or utcnow()
    since = now - timedelta(hours=settings.reminder_grace_hours)
    opted_out = {
        (r["user"], r["source"])
        for r in await ReminderOptOut.select(ReminderOptOut.user, ReminderOptOut.source)
    }
    counts: dict[str, int] = {}
    for source in _sources.values():
        try:
            dues = await source.find(since, now, settings)
        except Exception:  # one broken source must not stop the others
            log.exception("reminder source %s failed", source.name)
            continue
        rows = [row for due in dues for row in _rows(source, due, opted_out)]
        async with write_transaction():
            counts[source.name] = await _insert_once(rows, now) if rows else 0
    return counts


async def preview(
    settings: Settings, days: int = 30, now: datetime | None = None
) -> list[Upcoming]:
    """A dry run: what the sources will have due in the next `days` days, soonest first,
    without recording anything."""
    now = now or utcnow()
    rows = []
    for source in _sources.values():
        for due in await source.find(now, now + timedelta(days=days), settings):
            rows += [r | {"label": source.label} for r in _rows(source, due, set())]
    rows.sort(key=lambda r: (r["due_at"], r["source"], r["recipient"]))
    return msgspec.convert(rows, list[Upcoming])


# ---------------------------------------------------------------- delivery


async def claim_due(
    now: datetime, stale: timedelta = STALE_CLAIM, limit: int = 50, source: str | None = None
) -> list[int]:
    async with write_transaction():
        await ReminderLedger.raw(
            "UPDATE reminder_ledger SET status = 'pending' "
            "WHERE status = 'sending' AND claimed_at < {}",
            now - stale,
        )
        rows = await ReminderLedger.raw(
            f"""
            UPDATE reminder_ledger SET status = 'sending', claimed_at = {{}}
            WHERE status = 'pending' AND id IN (
                SELECT id FROM reminder_ledger
                WHERE status = 'pending' AND next_attempt_at <= {{}}
                  {"AND source = {}" if source else ""}
                ORDER BY next_attempt_at, id LIMIT {int(limit)})
            RETURNING id
            """,
            now,
            now,
            *([source] if source else []),
        )
    return [r["id"] for r in rows]


def backoff(settings: Settings, attempts: int) -> timedelta:
    seconds = settings.reminder_backoff_seconds * 4 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, 6 * 3600))


async def deliver_due(
    settings: Settings, now: datetime | None = None, source: str | None = None
) -> dict[str, int]:
    """Send every claimed row once (of one source, if given); failures wait with backoff, and
    end dead after the limit."""
    outcome = {"sent": 0, "failed": 0, "dead": 0}
    while True:
        stale = timedelta(seconds=settings.reminder_stale_seconds)
        claimed = await claim_due(now or utcnow(), stale, source=source)
        if not claimed:
            return outcome
        for ledger_id in claimed:
            outcome[await _deliver(settings, ledger_id, now)] += 1


async def _deliver(settings: Settings, ledger_id: int, now: datetime | None) -> str:
    row = await ReminderLedger.select().where(ReminderLedger.id == ledger_id).first()
    assert row is not None
    error = ""
    try:
        if row["channel"] == "email":
            await send_reminder_email(settings, row)
        elif row["channel"] == "action":
            source = _sources.get(row["source"])
            if source is None or source.deliver is None:
                raise RuntimeError(f"no source {row['source']} to deliver this")
            await source.deliver(settings, row)
    except Exception as exc:  # every failure is recorded on the row, then retried
        error = f"{type(exc).__name__}: {exc}"[:1000]
    attempts = row["attempts"] + 1
    if not error:
        values = {ReminderLedger.status: "sent", ReminderLedger.sent_at: utcnow()}
        result = "sent"
    elif attempts >= settings.reminder_max_attempts:
        values = {ReminderLedger.status: "dead"}
        result = "dead"
        log.warning("reminder %s is dead after %s attempts: %s", ledger_id, attempts, error)
    else:
        values = {
            ReminderLedger.status: "pending",
            ReminderLedger.next_attempt_at: (now or utcnow()) + backoff(settings, attempts),
        }
        result = "failed"
    values |= {ReminderLedger.attempts: attempts, ReminderLedger.last_error: error}
    async with write_transaction():
        await ReminderLedger.update(values).where(ReminderLedger.id == ledger_id)
    return result


_templates = Environment(
    loader=FileSystemLoader(templates_dir() / "reminders"),
    autoescape=select_autoescape(["html"]),
)


async def send_reminder_email(settings: Settings, row: dict[str, Any]) -> None:
    if not settings.smtp_host:
        raise RuntimeError("no SMTP server is configured (INCUBATOR_SMTP_HOST)")
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
    await send_message(settings, message)


async def run_once(settings: Settings, now: datetime | None = None) -> Tick:
    """One tick: sweep, then deliver (what the scheduler does every minute)."""
    recorded = await sweep(settings, now)
    return Tick(recorded=recorded, delivered=await deliver_due(settings, now))


def local_moment(day: Any, hour: int) -> datetime:
    """`hour` o'clock on `day` in Hong Kong, as a UTC instant (when day reminders go out)."""
    from datetime import UTC, time

    from incubator.i18n import HONG_KONG

    return datetime.combine(day, time(hour), tzinfo=HONG_KONG).astimezone(UTC)


def local_day(moment: datetime) -> Any:
    from incubator.i18n import HONG_KONG

    return moment.astimezone(HONG_KONG).date()


async def run_source_now(settings: Settings, name: str, now: datetime | None = None) -> None:
    """Sweep one source and deliver what it recorded at once (a promotion from a waitlist is
    news now, not at the next tick); the ledger keeps it exactly once all the same."""
    source = _sources.get(name)
    if source is None:
        return
    now = now or utcnow()
    dues = await source.find(now - timedelta(hours=settings.reminder_grace_hours), now, settings)
    opted = {(r["user"], r["source"]) for r in await ReminderOptOut.select()}
    rows = [row for due in dues for row in _rows(source, due, opted)]
    if rows:
        async with write_transaction():
            await _insert_once(rows, now)
        await deliver_due(settings, now, source=name)  # not a backlog of others in a request
