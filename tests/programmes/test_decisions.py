"""Decisions: admit, waitlist or decline, with a message in the applicant's language sent
once through the ledger; admitting puts the programme on the start-up's profile."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from email.header import decode_header, make_header

from incubator.app import create_app
from incubator.auth.tables import User
from incubator.db import utcnow
from incubator.reminders.services import delivery, engine
from incubator.reminders.tables import ReminderLedger
from tests.conftest import api, login, make_client, post_form, text_of
from tests.mailbox import Mailbox
from tests.programmes.conftest import open_call, submitted


async def test_admitting_puts_the_programme_on_the_profile(client, park):
    call = await open_call(client, park)
    lantern = await submitted(client, park, call["id"], "other_member")
    await login(client, park.users["manager"])
    decided = await api(
        client,
        "POST",
        f"/api/programmes/applications/{lantern}/decision",
        json={"decision": "admitted", "starts_on": "2027-01-01", "ends_on": "2028-12-31"},
    )
    assert decided.status_code == 200, decided.text
    body = decided.json()
    assert (
        body["status"] == "admitted"
        and "has been admitted to Cyberport Incubation Programme" in body["decision_en"]
    )
    assert "已獲 數碼港培育計劃 取錄" in body["decision_zh"]
    profile = (await api(client, "GET", f"/api/startups/{park.startups['lantern-chain']}")).json()
    assert {
        "programme": "cyberport-incubation",
        "status": "incubating",
        "started_on": "2027-01-01",
        "ended_on": "2028-12-31",
    }.items() <= {
        k: v
        for e in profile["programmes"]
        if e.get("programme") == "cyberport-incubation"
        for k, v in e.items()
    }.items()
    found = (await api(client, "GET", "/api/startups?programme=cyberport-incubation")).json()
    assert "lantern-chain" in [s["slug"] for s in found["items"]]
    from incubator.startups.tables import ProfileChange

    change = (
        await ProfileChange.select(ProfileChange.actor_name, ProfileChange.new_value)
        .where(
            (ProfileChange.startup == park.startups["lantern-chain"])
            & (ProfileChange.field == "programmes")
        )
        .first()
    )
    assert (
        change["actor_name"] == "Manager"
        and "cyberport-incubation (incubating" in change["new_value"]
    )
    again = await api(
        client,
        "POST",
        f"/api/programmes/applications/{lantern}/decision",
        json={"decision": "declined"},
    )
    assert again.status_code == 409 and "admitted" in again.json()["detail"]
    await login(client, park.users["other_member"])
    withdraw = await api(client, "POST", f"/api/programmes/applications/{lantern}/withdraw")
    assert withdraw.status_code == 409 and "a decision has been made" in withdraw.json()["detail"]


async def test_a_decision_is_named_and_a_waitlisted_one_can_still_be_admitted(client, park):
    call = await open_call(client, park)
    harbour = await submitted(client, park, call["id"], "member")
    await login(client, park.users["manager"])
    url = f"/api/programmes/applications/{harbour}/decision"
    bad = await api(
        client,
        "POST",
        url,
        json={"decision": "maybe", "starts_on": "2027-02-01", "ends_on": "2027-01-01"},
    )
    assert bad.status_code == 422
    assert bad.json()["errors"] == {
        "decision": "must be one of admitted, waitlisted, declined",
        "ends_on": "must be on or after the start",
    }
    waitlisted = await api(
        client, "POST", url, json={"decision": "waitlisted", "message_en": "Hold on."}
    )
    assert (
        waitlisted.json()["status"] == "waitlisted"
        and waitlisted.json()["decision_en"] == "Hold on."
    )
    twice = await api(client, "POST", url, json={"decision": "waitlisted"})
    assert twice.status_code == 409
    admitted = await api(client, "POST", url, json={"decision": "admitted"})
    assert admitted.json()["status"] == "admitted"
    for who in ("other_manager", "member", "partner"):
        await login(client, park.users[who])
        assert (await api(client, "POST", url, json={"decision": "declined"})).status_code in (
            403,
            404,
        ), who


async def test_a_decision_reaches_the_applicant_once_in_their_language(settings, park):
    await User.update({User.language: "zh-Hant"}).where(User.email == park.users["other_member"])
    with Mailbox() as mailbox:
        configured = replace(settings, smtp_host="127.0.0.1", smtp_port=mailbox.port)
        app = create_app(configured, manage_engine=False)
        async with make_client(app) as client:
            call = await open_call(client, park)
            lantern = await submitted(client, park, call["id"], "other_member")
            await login(client, park.users["manager"])
            await api(
                client,
                "POST",
                f"/api/programmes/applications/{lantern}/decision",
                json={
                    "decision": "declined",
                    "message_en": "Not this time.",
                    "message_zh": "今次未能取錄。",
                },
            )
        now = utcnow() + timedelta(seconds=1)
        first = await engine.sweep(configured, now)
        assert first["programme_decision"] == 2  # email and inbox
        assert (await engine.sweep(configured, now + timedelta(minutes=1)))[
            "programme_decision"
        ] == 0
        await delivery.deliver_due(configured, now + timedelta(minutes=1))
        await delivery.deliver_due(configured, now + timedelta(minutes=5))
    mails = [m for m in mailbox.messages if m["To"] == park.users["other_member"]]
    assert len(mails) == 1
    assert "你申請 數碼港培育計劃 的結果" in str(make_header(decode_header(mails[0]["Subject"])))
    assert "今次未能取錄。" in Mailbox.text_of(mails[0])
    assert (
        await ReminderLedger.count().where(ReminderLedger.subject == f"application:{lantern}") == 2
    )


async def test_a_manager_decides_from_the_application_page(client, park):
    call = await open_call(client, park)
    lantern = await submitted(client, park, call["id"], "other_member")
    await login(client, park.users["manager"])
    url = f"/programmes/applications/{lantern}"
    bad = await post_form(
        client,
        f"{url}/decision",
        {"decision": "admitted", "starts_on": "soon", "message_en": "Welcome!"},
    )
    assert (
        bad.status_code == 422
        and "YYYY-MM-DD" in text_of(bad.text)
        and "Welcome!</textarea>" in bad.text
    )
    done = await post_form(
        client,
        f"{url}/decision",
        {"decision": "admitted", "starts_on": "", "message_en": "Welcome!"},
    )
    assert done.status_code == 303
    await login(client, park.users["other_member"])
    shown = text_of((await client.get(url)).text)
    assert "Admitted" in shown and "Welcome!" in shown
