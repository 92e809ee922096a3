"""Programme reminders through the ledger, each once: a call closes in 7 days and 1 day
(members with drafts), reviews due (reviewers with unscored applications), decisions due
(the centre's managers, while applications await one)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from incubator.programmes.tables import Call
from incubator.reminders.services import engine
from incubator.reminders.tables import ReminderLedger
from tests.conftest import api, login
from tests.programmes.conftest import REVIEWER, external_reviewer, open_call, panel_of, submitted


async def _sweep_twice(settings, at: datetime, source: str) -> tuple[int, int]:
    first = (await engine.sweep(settings, at))[source]
    again = (await engine.sweep(settings, at + timedelta(minutes=5)))[source]
    return first, again


async def test_members_with_drafts_hear_a_call_closes_in_7_days_and_1_day(client, park, settings):
    call = await open_call(client, park)
    await login(client, park.users["member"])
    draft = (
        await api(client, "POST", f"/api/programmes/calls/{call['id']}/applications", json={})
    ).json()["id"]
    await submitted(client, park, call["id"], "other_member")  # submitted: no reminder
    closes = datetime(2030, 6, 30, 10, 0, tzinfo=UTC)
    await Call.update({Call.closes_at: closes}).where(Call.id == call["id"])
    assert (await engine.sweep(settings, closes - timedelta(days=8)))["call_closing"] == 0
    assert await _sweep_twice(
        settings, closes - timedelta(days=7) + timedelta(minutes=1), "call_closing"
    ) == (2, 0)
    assert await _sweep_twice(
        settings, closes - timedelta(days=1) + timedelta(minutes=1), "call_closing"
    ) == (2, 0)
    rows = await ReminderLedger.select(ReminderLedger.subject, ReminderLedger.title).where(
        ReminderLedger.source == "call_closing"
    )
    assert {r["subject"] for r in rows} == {f"application:{draft}"}
    assert {r["title"] for r in rows} >= {
        f"{call['title_en']} closes in 7 days",
        f"{call['title_en']} closes tomorrow",
    }


async def test_reviewers_and_managers_hear_what_is_due(client, park, settings):
    call = await open_call(client, park)
    await submitted(client, park, call["id"], "member")
    await external_reviewer()
    await panel_of(client, park, call["id"], REVIEWER)
    due = datetime(2030, 8, 1, 10, 0, tzinfo=UTC)
    await Call.update(
        {Call.reviews_due_at: due, Call.decisions_due_at: due + timedelta(days=7)}
    ).where(Call.id == call["id"])
    assert await _sweep_twice(
        settings, due - timedelta(days=3) + timedelta(minutes=1), "reviews_due"
    ) == (2, 0)
    decisions_due = due + timedelta(days=7)
    for days in (3, 1):
        at = decisions_due - timedelta(days=days) + timedelta(minutes=1)
        assert await _sweep_twice(settings, at, "decisions_due") == (2, 0)
    rows = await ReminderLedger.select(ReminderLedger.recipient, ReminderLedger.title).where(
        ReminderLedger.source.is_in(["reviews_due", "decisions_due"])
    )
    titles = {r["title"] for r in rows}
    assert f"Reviews due in 3 days: {call['title_en']}" in titles
    assert f"Decisions due tomorrow: {call['title_en']}" in titles


async def test_no_decisions_reminder_once_every_application_is_decided(client, park, settings):
    call = await open_call(client, park)
    application = await submitted(client, park, call["id"], "member")
    await login(client, park.users["manager"])
    await api(
        client,
        "POST",
        f"/api/programmes/applications/{application}/decision",
        json={"decision": "declined"},
    )
    due = datetime(2030, 9, 1, 10, 0, tzinfo=UTC)
    await Call.update({Call.decisions_due_at: due}).where(Call.id == call["id"])
    assert (await engine.sweep(settings, due - timedelta(days=1) + timedelta(minutes=1)))[
        "decisions_due"
    ] == 0
