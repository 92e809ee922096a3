"""The deployment the README describes, with real processes: several web workers started
with `--no-scheduler` and one `incubator scheduler`. Sessions live in the database: every
worker knows them and a restart keeps them; the workers answer readiness and send no
reminder themselves; the scheduler sends each one once."""

import asyncio

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from incubator.reminders.tables import ReminderLedger
from incubator.web import SESSION_COOKIE
from tests.conftest import login
from tests.mailbox import Mailbox
from tests.reminders.test_reminder_processes import (
    PEOPLE,
    an_event_tomorrow_with_people,
    scheduler,
    stop,
    wait_until_sent,
)
from tests.server import running_server


# The production shape is PostgreSQL's; SQLite's several workers are tested by the lease race.
@pytest.mark.slow
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
async def test_workers_without_scheduler_share_sessions_and_one_scheduler_sends_once(
    settings, park
):
    email = park.users["member"]
    await an_event_tomorrow_with_people(park)  # 30 reminders due a minute ago
    with Mailbox() as mailbox:
        env = {
            "INCUBATOR_SMTP_HOST": "127.0.0.1",
            "INCUBATOR_SMTP_PORT": str(mailbox.port),
            "INCUBATOR_REMINDER_TICK_SECONDS": "1",
            "INCUBATOR_SCHEDULER": "0",  # what `serve --no-scheduler` sets
        }
        with running_server(settings.database_url, workers=3, extra_env=env) as url:
            async with httpx.AsyncClient(base_url=url) as client:
                ready = await client.get("/health/ready")
                assert ready.status_code == 200 and ready.json()["status"] == "ok"
                await login(client, email)
                # New connections each time, so the kernel spreads them over the workers.
                statuses = []
                for _ in range(30):
                    async with httpx.AsyncClient(base_url=url, cookies=client.cookies) as fresh:
                        response = await fresh.get("/account")
                        statuses.append((response.status_code, email in response.text))
                assert statuses == [(200, True)] * 30
                # Any worker's /metrics adds up every worker's counts.
                scraped = (await client.get("/metrics")).text
                served = sum(
                    sample.value
                    for family in text_string_to_metric_families(scraped)
                    for sample in family.samples
                    if sample.name == "incubator_requests_total"
                    and sample.labels.get("path") == "/account"
                )
                assert served == 30
                token = client.cookies.get(SESSION_COOKIE)
            await asyncio.sleep(2)  # two ticks, had the workers a scheduler: nothing due is sent
            assert await ReminderLedger.count() == 0 and mailbox.messages == []

            job = scheduler(settings.database_url, mailbox.port)
            try:
                await wait_until_sent(PEOPLE)
                await asyncio.sleep(1.5)  # more ticks: nothing more may arrive
            finally:
                stop(job)
    received = [m["To"] for m in mailbox.messages]
    assert len(received) == PEOPLE and len(set(received)) == PEOPLE

    cookies = {SESSION_COOKIE: token}
    with running_server(settings.database_url) as url:
        async with httpx.AsyncClient(base_url=url, cookies=cookies) as client:
            response = await client.get("/account")
            assert response.status_code == 200 and email in response.text
            # Log-out ends the session on the server, not just in this browser.
            await client.post("/logout", data={"_csrf_token": client.cookies.get("csrftoken")})
        async with httpx.AsyncClient(base_url=url, cookies=cookies) as replay:
            assert (await replay.get("/account")).status_code == 303
