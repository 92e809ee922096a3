"""The reminder ledger (one row per source, subject, recipient, occurrence and channel, under
a unique key) and users' opt-outs."""

from enum import Enum

from piccolo.columns import ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from incubator.auth.tables import User


class LedgerStatus(str, Enum):
    pending = "pending"
    sending = "sending"
    sent = "sent"
    dead = "dead"  # every attempt failed; an administrator may retry it
    skipped = "skipped"  # never to be sent, and why (an opt-out, no address)


class Channel(str, Enum):
    email = "email"
    inapp = "inapp"
    action = "action"  # the source delivers it itself (a webhook push of an export)


class ReminderLedger(Table, tablename="reminder_ledger"):
    source = Varchar(length=40, index=True)
    subject = Varchar(length=80)
    recipient = Varchar(length=120, index=True)  # user:12, email:a@b.example, partner:3
    occurrence = Varchar(length=60)
    channel = Varchar(length=10, choices=Channel)
    due_at = Timestamptz(index=True)
    status = Varchar(length=10, choices=LedgerStatus, default="pending")
    reason = Varchar(length=300, default="")
    user = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null, index=True)
    address = Varchar(length=500, default="")
    language = Varchar(length=8, default="en")
    title = Varchar(length=300, default="")
    body = Text(default="")
    link = Varchar(length=500, default="")
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(default=TimestamptzNow())
    claimed_at = Timestamptz(null=True, default=None)
    # Which claim holds a row being sent: its holder renews and checks it (a fencing token)
    # before sending and before recording the outcome.
    claim_token = Varchar(length=32, default="")
    sent_at = Timestamptz(null=True, default=None)
    read_at = Timestamptz(null=True, default=None)
    last_error = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())


class SchedulerBeat(Table, tablename="scheduler_beat"):
    """When the scheduler last finished a sweep and delivery (one row per job): what
    /health/ready reports, so that a stuck or dead scheduler is visible."""

    job = Varchar(length=40, unique=True)
    last_success_at = Timestamptz()


class ReminderOptOut(Table, tablename="reminder_opt_out"):
    """A user does not want reminders of one (non-essential) source."""

    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True, null=False)
    source = Varchar(length=40)


class OutboxMessage(Table, tablename="outbox_message"):
    """An email kept instead of sent, while no SMTP server is configured (incubator.mail):
    administrators read it at /admin/outbox."""

    recipient = Varchar(length=254)
    subject = Varchar(length=300)
    text = Text(default="")
    html = Text(default="")
    message_id = Varchar(length=200, default="")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
