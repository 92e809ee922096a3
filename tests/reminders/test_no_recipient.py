"""No reminder silently missing: one that has no one to go to is recorded as skipped with the
reason, where operators see it, and an essential one goes to the administrators instead."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from centres.tables import Lease
from incubator.i18n import HONG_KONG, today_hk
from incubator.reminders.services import delivery, engine
from incubator.reminders.tables import ReminderLedger
from tests.conftest import login, text_of

TODAY = today_hk()
AT = datetime(TODAY.year, TODAY.month, TODAY.day, 9, 1, tzinfo=HONG_KONG).astimezone(UTC)


async def _unmanaged_lease(park) -> None:
    """Bamboo Home (no member accounts) leases the Web3Hub lab (a hub with no manager); the
    lease ends in 50 days."""
    await Lease.insert(
        Lease(
            unit=park.units["2F-L01"],
            startup=park.startups["bamboo-home"],
            starts_on=TODAY - timedelta(days=10),
            ends_on=TODAY + timedelta(days=50),
            contract_ends_on=TODAY + timedelta(days=50),
            monthly_rent_cents=50_000_00,
            status="active",
        )
    )


async def test_an_essential_reminder_with_no_one_to_go_to_reaches_the_administrators(
    park, rsettings, mailbox
):
    await _unmanaged_lease(park)
    settings = replace(rsettings, reminder_lease_days=(50,))
    recorded = await engine.sweep(settings, AT)
    assert recorded["lease_ends"] > 0
    rows = await ReminderLedger.select().where(ReminderLedger.source == "lease_ends")
    assert {r["address"] for r in rows if r["channel"] == "email"} == {park.users["admin"]}
    assert all("no one else" in r["reason"] for r in rows)
    await delivery.deliver_due(settings, AT)
    assert [m["To"] for m in mailbox.messages] == [park.users["admin"]]
    assert "2F-L01" in mailbox.messages[0]["Subject"]
    assert await engine.sweep(settings, AT + timedelta(minutes=5)) == {name: 0 for name in recorded}


async def test_a_reminder_with_no_one_to_go_to_is_recorded_as_skipped_with_the_reason(
    client, park, rsettings
):
    from incubator.auth.tables import User

    await _unmanaged_lease(park)
    # No administrator is active either: nobody at all can receive it.
    await User.update({User.is_active: False}).where(User.role == "admin")
    settings = replace(rsettings, reminder_lease_days=(50,))
    await engine.sweep(settings, AT)
    (row,) = await ReminderLedger.select().where(ReminderLedger.source == "lease_ends")
    assert row["status"] == "skipped" and row["recipient"] == "nobody"
    assert "no one to send it to" in row["reason"]
    assert "2F-L01" in row["title"]
    await User.update({User.is_active: True}).where(User.role == "admin")
    await login(client, park.users["admin"])
    page = text_of((await client.get("/admin/reminders?state=skipped")).text)
    assert "To no one by email" in page and "Not sent: no one to send it to" in page
