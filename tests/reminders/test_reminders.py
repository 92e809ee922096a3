"""Reminders: every due reminder arrives exactly once (real SMTP on loopback), at the right
Hong Kong time, after downtime too; opt-outs and failures are recorded with their reason;
the inbox, the operators' page, and the sources of each domain."""

from __future__ import annotations

import email.header
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from events.tables import Event, Registration
from incubator.app import create_app
from incubator.i18n import HONG_KONG, today_hk
from incubator.reminders.services import delivery, engine, inbox, operators
from incubator.reminders.tables import ReminderLedger
from tests.conftest import login, post_form, text_of
from tests.mailbox import Mailbox

TODAY = today_hk()


def hk(day, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=HONG_KONG).astimezone(UTC)


async def test_a_lease_reminder_reaches_member_and_manager_exactly_once(park, rsettings, mailbox):
    # The park's lease of 3F-01 ends in 100 days: remind at 100 days, at 09:00 Hong Kong time.
    settings = replace(rsettings, reminder_lease_days=(100,))
    before = hk(TODAY, 8, 59)
    assert (await engine.sweep(settings, before))["lease_ends"] == 0
    at = hk(TODAY, 9, 1)
    assert (await engine.sweep(settings, at))["lease_ends"] == 4  # 2 people x email + inbox
    assert (await engine.sweep(settings, at + timedelta(minutes=1)))["lease_ends"] == 0
    first = await delivery.deliver_due(settings, at)
    again = await delivery.deliver_due(settings, at + timedelta(minutes=2))
    assert first["sent"] == 2 and again == {"sent": 0, "failed": 0, "dead": 0, "lost": 0}
    assert sorted(m["To"] for m in mailbox.messages) == sorted(
        [park.users["member"], park.users["manager"]]
    )
    message = mailbox.messages[0]
    assert "3F-01" in message["Subject"] and "100 days" in message["Subject"]
    assert message.is_multipart() and message["Message-ID"]
    html = [p for p in message.walk() if p.get_content_type() == "text/html"]
    assert html and "/leases/" in html[0].get_payload(decode=True).decode()
    inapp = await ReminderLedger.count().where(ReminderLedger.channel == "inapp")
    assert inapp == 2


async def test_reminders_go_in_the_recipients_language(park, rsettings, mailbox):
    from incubator.auth.tables import User

    await User.update({User.language: "zh-Hant"}).where(User.email == park.users["member"])
    settings = replace(rsettings, reminder_lease_days=(100,))
    await delivery.run_once(settings, hk(TODAY, 9, 5))
    by_person = {m["To"]: m for m in mailbox.messages}
    assert (
        "租約"
        in email.header.make_header(
            email.header.decode_header(by_person[park.users["member"]]["Subject"])
        ).__str__()
    )
    assert "Lease of" in by_person[park.users["manager"]]["Subject"]
    text = Mailbox.text_of(by_person[park.users["member"]])
    assert "帳戶頁面" in text


async def _event(park, starts: datetime, **extra) -> int:
    rows = await Event.insert(
        Event(
            title_en="FinTech Forum",
            title_zh="金融科技論壇",
            centre=park.centres["entrepreneurship"],
            online_url="https://meet.example/f",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=50,
            status="published",
            **extra,
        )
    ).returning(Event.id)
    return rows[0]["id"]


async def _register(event_id: int, n: int) -> None:
    await Registration.insert(
        *[
            Registration(
                event=event_id,
                name=f"Guest {i}",
                email=f"guest{i}@example.com",
                status="confirmed",
                code=f"GST{i:02d}-{event_id:04d}",
            )
            for i in range(n)
        ]
    )


async def test_event_reminders_are_due_24_hours_before_in_hong_kong_time(park, rsettings, mailbox):
    day = TODAY + timedelta(days=5)
    event = await _event(park, hk(day, 10))  # 10:00 Hong Kong = 02:00 UTC
    await _register(event, 3)
    due = hk(day - timedelta(days=1), 10)
    assert due.hour == 2 and due.tzinfo == UTC
    assert (await engine.sweep(rsettings, due - timedelta(minutes=1)))["event_tomorrow"] == 0
    assert (await engine.sweep(rsettings, due))["event_tomorrow"] == 3
    await delivery.deliver_due(rsettings, due)
    assert len(mailbox.messages) == 3
    assert f"{day} 10:00" in mailbox.messages[0]["Subject"]


async def test_a_reminder_due_during_downtime_is_sent_after_it_within_the_grace_period(
    park, rsettings, mailbox
):
    day = TODAY + timedelta(days=5)
    await _register(await _event(park, hk(day, 10)), 1)
    later = await _event(park, hk(day, 15))
    await _register(later, 1)
    due = hk(day - timedelta(days=1), 10)
    # Down from before the first reminder was due until 30 hours after: the grace is 72 hours.
    back = due + timedelta(hours=30)
    assert (await engine.sweep(rsettings, back))["event_tomorrow"] == 2
    assert (await delivery.deliver_due(rsettings, back))["sent"] == 2
    # Beyond the grace period nothing is sent any more (the event has long started).
    short = replace(rsettings, reminder_grace_hours=1)
    await ReminderLedger.delete().where(ReminderLedger.id > 0)
    assert (await engine.sweep(short, back))["event_tomorrow"] == 0


async def test_opted_out_reminders_are_recorded_as_skipped_with_the_reason(
    client, park, rsettings, mailbox
):
    day = TODAY + timedelta(days=5)
    event = await _event(park, hk(day, 10))
    member = await login_member(client, park)
    await Registration.insert(
        Registration(
            event=event,
            user=member,
            name="Member",
            email=park.users["member"],
            status="confirmed",
            code="MEMB-0001",
        )
    )
    page = await client.get("/account/reminders")
    assert "Event starts tomorrow" in page.text and "essential" in page.text
    saved = await post_form(client, "/account/reminders", {"on": ["session_tomorrow"]})
    assert saved.status_code == 303
    await delivery.run_once(rsettings, hk(day - timedelta(days=1), 10))
    assert mailbox.messages == []
    rows = await operators.why_not_sent(park.users["member"])
    assert {r.status for r in rows} == {"skipped"}
    assert rows[0].reason == "the recipient turned these reminders off"
    # Essential reminders cannot be turned off.
    from incubator.reminders.tables import ReminderOptOut

    assert not await ReminderOptOut.exists().where(ReminderOptOut.source == "lease_ends")


async def login_member(client, park) -> int:
    from incubator.auth.tables import User

    await login(client, park.users["member"])
    row = await User.select(User.id).where(User.email == park.users["member"]).first()
    return row["id"]


async def test_failures_retry_with_backoff_end_dead_and_can_be_retried(
    client, park, settings, caplog
):
    closed = replace(
        settings,
        smtp_host="127.0.0.1",
        smtp_port=9,
        reminder_max_attempts=3,
        reminder_lease_days=(100,),
    )
    create_app(closed, manage_engine=False)
    at = hk(TODAY, 9, 1)
    await engine.sweep(closed, at)
    assert (await delivery.deliver_due(closed, at))["failed"] == 2
    assert (await delivery.deliver_due(closed, at + timedelta(seconds=59)))["failed"] == 0
    assert (await delivery.deliver_due(closed, at + timedelta(minutes=1)))["failed"] == 2
    assert (await delivery.deliver_due(closed, at + timedelta(minutes=6)))["dead"] == 2
    dead = await operators.ledger("dead")
    # Each line about a reminder carries its ledger row's id (a field of the JSON line).
    said = [r for r in caplog.records if "is dead after" in r.getMessage()]
    assert sorted(r.ledger_id for r in said) == sorted(d.id for d in dead)
    assert len(dead) == 2 and "Error" in dead[0].last_error
    await login(client, park.users["admin"])
    page = text_of((await client.get("/admin/reminders")).text)  # opens on the failed ones
    assert "Failed for good (2)" in page and "Lease of 3F-01" in page
    assert "Failed for good after 3 attempts: SMTPConnectError" in page
    retried = await post_form(client, f"/admin/reminders/{dead[0].id}/retry")
    assert retried.status_code == 303
    row = await ReminderLedger.select().where(ReminderLedger.id == dead[0].id).first()
    assert row["status"] == "pending" and row["attempts"] == 0


async def test_the_inbox_shows_reminders_and_the_header_counts_the_unread(client, park, rsettings):
    await delivery.run_once(replace(rsettings, reminder_lease_days=(100,)), hk(TODAY, 9, 1))
    await login(client, park.users["member"])
    home = await client.get("/")
    assert '<span class="visually-hidden">1 unread</span>' in home.text
    listed = await client.get("/inbox")
    assert "Lease of 3F-01 ends in 100 days" in listed.text
    row = (await inbox.inbox(await login_member(client, park)))[0]
    opened = await post_form(client, f"/inbox/{row.id}/open")
    assert opened.status_code == 303 and opened.headers["location"].startswith("/leases/")
    assert 'unread"' not in (await client.get("/")).text


async def test_operators_see_the_upcoming_reminders_and_why_one_was_not_sent(
    client, park, rsettings
):
    await login(client, park.users["admin"])
    page = text_of((await client.get("/admin/reminders?state=upcoming")).text)
    # The lease of 3F-01 ends in 100 days: its 90-day reminder is 10 days away.
    assert "The next 30 days (dry run)" in page and "Lease of 3F-01 ends in 90 days" in page
    assert "Lease ends soon: Lease of 3F-01" in page and "Not recorded yet" in page
    assert await ReminderLedger.count() == 0  # a dry run records nothing
    who = text_of((await client.get("/admin/reminders?state=all&who=nobody@example.com")).text)
    assert "No reminder in this state was ever due for this person" in who
    mine = "/admin/reminders?state=upcoming&source=lease_ends&who=" + park.users["member"]
    assert "Lease of 3F-01 ends in 90 days" in text_of((await client.get(mine)).text)
    other = "/admin/reminders?state=upcoming&source=event_tomorrow&who=" + park.users["member"]
    assert "Lease of 3F-01" not in text_of((await client.get(other)).text)


async def test_each_domain_offers_its_sources(park, rsettings, mailbox):
    from incubator.partners.tables import Mou
    from incubator.startups.tables import Startup

    names = {s.name for s in engine.sources()}
    assert names >= {
        "lease_ends",
        "event_tomorrow",
        "session_tomorrow",
        "waitlist_promotion",
        "mou_expires",
        "monthly_export",
        "profile_stale",
    }
    # MOU expiring in 30 days: administrators (the Collaboration Centre has no manager here).
    await Mou.insert(
        Mou(
            partner=park.partners["lingang"],
            title="Soft landing",
            signed_on=TODAY - timedelta(days=300),
            expires_on=TODAY + timedelta(days=30),
            status="active",
        )
    )
    # A profile last updated 180 days ago.
    await Startup.update({Startup.updated_at: hk(TODAY - timedelta(days=180), 12)}).where(
        Startup.id == park.startups["lantern-chain"]
    )
    counts = await engine.sweep(rsettings, hk(TODAY, 9, 30))
    assert counts["mou_expires"] == 2  # the admin: email and inbox
    assert counts["profile_stale"] == 2  # Lantern Chain's member
    await delivery.deliver_due(rsettings, hk(TODAY, 9, 30))
    subjects = sorted(m["Subject"] for m in mailbox.messages)
    assert subjects == [
        "Is the profile of Lantern Chain still current?",
        "MOU with Shanghai Lingang Group expires in 30 days ("
        + str(TODAY + timedelta(days=30))
        + ")",
    ]


async def test_the_monthly_export_is_pushed_once_a_month_to_a_real_receiver(park, rsettings):
    from incubator.partners.services import webhooks
    from incubator.partners.tables import Mou, PartnerPark, ReferralExport
    from tests.partners.conftest import Receiver

    await Mou.insert(
        Mou(
            partner=park.partners["lingang"],
            title="Soft landing",
            signed_on=TODAY - timedelta(days=300),
            expires_on=TODAY + timedelta(days=300),
            status="active",
        )
    )
    first = TODAY.replace(day=1)
    at = hk(first, 9, 1)
    with Receiver() as receiver:
        await PartnerPark.update(
            {PartnerPark.webhook_url: receiver.url, PartnerPark.webhook_secret: "whsec_test"}
        ).where(PartnerPark.id == park.partners["lingang"])
        await delivery.run_once(rsettings, at)
        await delivery.run_once(rsettings, at + timedelta(minutes=1))  # a second tick: nothing new
        await webhooks.deliver_due(rsettings)
        await webhooks.deliver_due(rsettings)
    assert await ReferralExport.count() == 1
    export = await ReferralExport.select().first()
    assert export["requested_by_name"] == "Monthly referral export"
    ((headers, body),) = receiver.received
    assert webhooks.verify_signature("whsec_test", headers["x-incubator-signature"], body)
    assert headers["x-incubator-export"] == str(export["id"])
    row = await ReminderLedger.select().where(ReminderLedger.source == "monthly_export").first()
    assert row["status"] == "sent" and row["occurrence"] == first.strftime("%Y-%m")


def _message_ids(mailbox: Mailbox) -> list[str]:
    return [m["Message-ID"] for m in mailbox.messages]


async def test_message_ids_are_stable_per_reminder(park, rsettings, mailbox):
    await _register(await _event(park, hk(TODAY + timedelta(days=5), 10)), 2)
    await delivery.run_once(rsettings, hk(TODAY + timedelta(days=4), 10))
    ids = _message_ids(mailbox)
    assert len(ids) == len(set(ids)) == 2
    rows = await ReminderLedger.select().where(ReminderLedger.channel == "email")
    for row in rows:  # made from the ledger row, so a resend carries the same one
        stamp = int(row["created_at"].timestamp())
        assert f"<reminder-{row['id']}.{stamp}@127.0.0.1>" in ids


async def test_reminder_settings_list_only_reminders_that_reach_the_person(app, park):
    from tests.conftest import make_client, text_of

    listed = {}
    for kind in ("member", "manager", "partner", "admin"):
        async with make_client(app) as client:
            await login(client, park.users[kind])
            listed[kind] = text_of((await client.get("/account/reminders")).text)
    assert "Profile not updated for a while" in listed["member"]
    assert "Lease ends soon" in listed["member"] and "MOU expires soon" not in listed["member"]
    assert "Lease ends soon" in listed["manager"] and "MOU expires soon" in listed["manager"]
    assert "Profile not updated" not in listed["manager"]
    assert "Lease ends soon" not in listed["partner"] and "MOU" not in listed["partner"]
    assert "Event starts tomorrow" in listed["partner"]
    assert all("Monthly referral export" not in text for text in listed.values())
