"""The reminder engine: domains register sources; a sweep records what is due in the ledger;
the delivery step (`delivery.py`) sends it. It imports no domain.

Exactly once: the sweep inserts one ledger row per (source, subject, recipient, occurrence,
channel) under a unique key with `ON CONFLICT DO NOTHING`, so a second sweep, a second
scheduler or a restart adds nothing. Delivery (`delivery.py`) sends each row once.

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
from typing import Any

import msgspec

from incubator.auth.tables import Role, User
from incubator.db import utcnow, write_transaction
from incubator.reminders.schemas import Upcoming
from incubator.reminders.tables import ReminderLedger, ReminderOptOut
from incubator.settings import Settings

log = logging.getLogger("incubator.reminders")


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
    # The roles of the people it can reach (their reminder settings list only these); none
    # for an action that reaches no one.
    audience: tuple[str, ...] = ("admin", "manager", "member", "partner")


_sources: dict[str, Source] = {}


def register_source(source: Source) -> None:
    _sources[source.name] = source


def sources() -> list[Source]:
    return list(_sources.values())


def optional_sources() -> list[Source]:
    return [s for s in _sources.values() if not s.essential]


def sources_for(role: str) -> list[Source]:
    """The reminders that can reach a person of this role."""
    return [s for s in _sources.values() if role in s.audience]


# ---------------------------------------------------------------- the sweep


NOBODY = "nobody"  # the recipient of a reminder that has no one to go to
NO_ONE_ELSE = "sent to the administrators: no one else receives it"


async def administrators() -> list[Recipient]:
    """The active administrators: who an essential reminder goes to when no one else would."""
    rows = await User.select(User.id, User.email, User.name, User.language).where(
        (User.role == Role.admin.value) & (User.is_active == True)  # noqa: E712
    )
    return [
        Recipient(email=r["email"], name=r["name"], user_id=r["id"], language=r["language"])
        for r in rows
    ]


def _rows(
    source: Source,
    due: Due,
    opted_out: set[tuple[int, str]],
    admins: list[Recipient] | None = None,
) -> list[dict[str, Any]]:
    """The ledger rows of one due reminder. One with no recipient is never dropped: an
    essential one goes to the administrators, any other is recorded as skipped."""
    people, note = due.recipients, ""
    if not people and source.essential and admins:
        people, note = admins, NO_ONE_ELSE
    if not people:
        return [_row(source, due, NOBODY, "skipped", "no one to send it to", source.channels[0])]
    rows = []
    for person in people:
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
            row = _row(source, due, person.key, status, reason or note, channel, language)
            rows.append(row | {"user": person.user_id, "address": person.email})
    return rows


def _row(
    source: Source,
    due: Due,
    recipient: str,
    status: str,
    reason: str,
    channel: str,
    language: str = "en",
) -> dict[str, Any]:
    return {
        "source": source.name,
        "subject": due.subject,
        "recipient": recipient,
        "occurrence": due.occurrence,
        "channel": channel,
        "due_at": due.due_at,
        "status": status,
        "reason": reason,
        "user": None,
        "address": "",
        "language": language,
        "title": due.title[language][:300],
        "body": due.body[language],
        "link": due.link,
    }


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
    admins = await administrators()
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
        rows = [row for due in dues for row in _rows(source, due, opted_out, admins)]
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


def local_moment(day: Any, hour: int) -> datetime:
    """`hour` o'clock on `day` in Hong Kong, as a UTC instant (when day reminders go out)."""
    from datetime import UTC, time

    from incubator.i18n import HONG_KONG

    return datetime.combine(day, time(hour), tzinfo=HONG_KONG).astimezone(UTC)


def local_day(moment: datetime) -> Any:
    from incubator.i18n import HONG_KONG

    return moment.astimezone(HONG_KONG).date()


async def sweep_source(settings: Settings, name: str, now: datetime) -> bool:
    """Sweep one source now; whether it recorded anything to deliver."""
    source = _sources.get(name)
    if source is None:
        return False
    dues = await source.find(now - timedelta(hours=settings.reminder_grace_hours), now, settings)
    opted = {(r["user"], r["source"]) for r in await ReminderOptOut.select()}
    rows = [row for due in dues for row in _rows(source, due, opted, await administrators())]
    if rows:
        async with write_transaction():
            await _insert_once(rows, now)
    return bool(rows)


def source_named(name: str) -> Source | None:
    return _sources.get(name)
