"""A claim on reminders is a fencing token: its holder renews it before each send, a claim
taken back from a holder that stalled is not sent by it again, and no outcome is written
over the new holder's; settings refuse a send timeout as long as the stale window."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from datetime import timedelta

import pytest

from incubator.db import utcnow
from incubator.reminders.services import delivery
from incubator.reminders.tables import ReminderLedger


async def _pending(n: int) -> list[int]:
    now = utcnow() - timedelta(minutes=1)
    rows = await ReminderLedger.insert(
        *[
            ReminderLedger(
                source="test",
                subject=f"s{i}",
                recipient=f"email:p{i}@example.com",
                occurrence="o",
                channel="inapp",
                due_at=now,
                next_attempt_at=now,
                address=f"p{i}@example.com",
            )
            for i in range(n)
        ]
    ).returning(ReminderLedger.id)
    return [r["id"] for r in rows]


async def test_a_holder_renews_its_claim_and_loses_what_was_taken_back(park):
    ids = await _pending(3)
    start = utcnow()
    stale = timedelta(seconds=60)
    first = await delivery.claim_due(start, stale)
    assert first.ids == ids
    # Still held, and renewed: a second process finds nothing to take back a minute on.
    assert await delivery.still_held(first, start + timedelta(seconds=50)) == set(ids)
    assert (await delivery.claim_due(start + timedelta(seconds=100), stale)).ids == []
    # The holder stalls past the window; another process takes the rows back.
    second = await delivery.claim_due(start + timedelta(seconds=200), stale)
    assert second.ids == ids and second.token != first.token
    assert await delivery.still_held(first, start + timedelta(seconds=201)) == set()
    assert await delivery.still_held(second, start + timedelta(seconds=201)) == set(ids)


async def test_an_outcome_is_never_written_over_the_claims_new_holder(park, settings):
    (ledger_id,) = await _pending(1)
    start = utcnow()
    first = await delivery.claim_due(start, timedelta(seconds=60))
    second = await delivery.claim_due(start + timedelta(seconds=120), timedelta(seconds=60))
    assert second.ids == [ledger_id]
    # The stalled first holder finishes its send late: its outcome is refused...
    assert await delivery._deliver(settings, ledger_id, first, None) == "lost"
    row = await ReminderLedger.select().where(ReminderLedger.id == ledger_id).first()
    assert row["status"] == "sending" and row["claim_token"] == second.token
    # ...and the new holder records its own.
    assert await delivery._deliver(settings, ledger_id, second, None) == "sent"


def test_settings_refuse_a_send_that_could_outlast_the_stale_window(settings):
    with pytest.raises(ValueError, match="must be longer than the longest send"):
        replace(settings, reminder_stale_seconds=30, smtp_timeout_seconds=30)
    with pytest.raises(ValueError, match="INCUBATOR_WEBHOOK_TIMEOUT_SECONDS"):
        replace(settings, reminder_stale_seconds=25, webhook_timeout_seconds=25)
    started = subprocess.run(
        [sys.executable, "-m", "incubator.cli", "migrate"],
        env=os.environ
        | {"INCUBATOR_REMINDER_STALE_SECONDS": "10", "INCUBATOR_SMTP_TIMEOUT_SECONDS": "10"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode != 0 and "Traceback" not in started.stderr
    assert "INCUBATOR_REMINDER_STALE_SECONDS (10) must be longer" in started.stderr
