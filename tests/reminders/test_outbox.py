"""With no SMTP server configured, email goes to the outbox that administrators read in the
app: a reminder is recorded as sent there (not failed and retried), an event's cancellation
notices land there too, the command line says so at start-up, and the outbox forgets
what it kept after INCUBATOR_OUTBOX_DAYS."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from incubator.app import create_app
from incubator.cli import _mail_line
from incubator.i18n import HONG_KONG, today_hk
from incubator.reminders.services import delivery
from incubator.reminders.tables import OutboxMessage, ReminderLedger
from tests.conftest import login, make_client, text_of

TODAY = today_hk()
AT = datetime(TODAY.year, TODAY.month, TODAY.day, 9, 1, tzinfo=HONG_KONG).astimezone(UTC)


async def test_without_smtp_reminders_go_to_the_outbox_administrators_read(settings, park):
    unconfigured = replace(settings, smtp_host="")
    app = create_app(unconfigured, manage_engine=False)
    # Harbour Pay's lease of 3F-01 ends in 300 days in the park fixture: ask for that day.
    from centres.tables import Lease

    lease = await Lease.select(Lease.ends_on).where(Lease.id == park.leases["harbour-pay"])
    days = (lease[0]["ends_on"] - TODAY).days
    outcome = await delivery.run_once(replace(unconfigured, reminder_lease_days=(days,)), AT)
    assert outcome.delivered["sent"] >= 1 and outcome.delivered["failed"] == 0
    rows = await ReminderLedger.select().where(ReminderLedger.channel == "email")
    assert rows and all(r["status"] == "sent" for r in rows)
    assert {r["reason"] for r in rows} == {delivery.OUTBOX_REASON}
    kept = await OutboxMessage.select().order_by(OutboxMessage.id)
    assert {k["recipient"] for k in kept} == {r["address"] for r in rows}
    assert "3F-01" in kept[0]["subject"] and kept[0]["text"]
    async with make_client(app) as client:
        await login(client, park.users["member"])
        assert (await client.get("/admin/outbox")).status_code == 403
        await login(client, park.users["admin"])
        listed = text_of((await client.get("/admin/outbox")).text)
        assert "No SMTP server is configured" in listed and kept[0]["subject"] in listed
        one = text_of((await client.get(f"/admin/outbox/{kept[0]['id']}")).text)
        assert kept[0]["recipient"] in one and "3F-01" in one
        ledger = text_of((await client.get("/admin/reminders?state=sent")).text)
        assert "kept in the outbox" in ledger


def test_the_command_line_says_where_mail_goes(settings):
    assert "email is kept in the outbox" in _mail_line(replace(settings, smtp_host=""))
    assert _mail_line(replace(settings, smtp_host="mail.example", smtp_port=587)) == (
        "Mail: SMTP via mail.example:587"
    )


async def test_the_outbox_forgets_what_it_kept_longer_than_its_days(settings):
    from datetime import timedelta

    from incubator import jobs
    from incubator.db import utcnow
    from incubator.reminders.services import outbox

    now = utcnow()
    await OutboxMessage.insert(
        OutboxMessage(recipient="old@x.example", subject="Old", created_at=now - timedelta(31)),
        OutboxMessage(recipient="new@x.example", subject="New", created_at=now - timedelta(29)),
    )
    assert await outbox.prune(replace(settings, outbox_days=30)) == 1
    kept = await OutboxMessage.select(OutboxMessage.subject)
    assert kept == [{"subject": "New"}]
    create_app(settings, manage_engine=False)
    assert "outbox retention" in {job.name for job in jobs.registered_jobs()}  # hourly
