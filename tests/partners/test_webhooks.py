"""Webhook deliveries of exports to a real receiver: signed, retried with one key, dead after the last attempt, sent once."""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import replace
from datetime import timedelta

from incubator.db import utcnow
from incubator.partners.services import webhooks
from incubator.partners.tables import WebhookDelivery
from tests.conftest import api, login, post_form, text_of
from tests.partners.conftest import Receiver, _with_webhook, consent, make_export, record_mou


async def test_send_now_delivers_a_signed_export_a_real_receiver_verifies(client, park, partners):
    await login(client, park.users["admin"])
    await record_mou(client, partners["lingang"])
    await consent(client, park.startups["lantern-chain"], partners["lingang"], ["name"])
    export = await make_export(client, partners["lingang"], "json")
    with Receiver() as receiver:
        secret = await _with_webhook(client, partners["lingang"], receiver.url)
        assert secret.startswith("whsec_")
        sent = await post_form(client, f"/partners/exports/{export['id']}/send")
        assert sent.status_code == 303 and "message=delivered" in sent.headers["location"]
    ((headers, body),) = receiver.accepted
    assert webhooks.verify_signature(secret, headers["x-incubator-signature"], body)
    assert not webhooks.verify_signature("whsec_wrong", headers["x-incubator-signature"], body)
    assert not webhooks.verify_signature(secret, headers["x-incubator-signature"], body + b" ")
    assert hashlib.sha256(body).hexdigest() == headers["x-incubator-sha256"] == export["sha256"]
    assert json.loads(body)["rows"][0]["slug"] == "lantern-chain"
    assert headers["idempotency-key"].startswith(f"export-{export['id']}-")
    assert headers["content-type"] == "application/json"


async def test_a_failing_receiver_gets_the_export_once_it_recovers_with_the_same_key(
    client, park, partners, settings
):
    settings = replace(settings, webhook_backoff_seconds=60, webhook_max_attempts=5)
    await login(client, park.users["admin"])
    await record_mou(client, partners["lingang"])
    export = await make_export(client, partners["lingang"], "csv")
    with Receiver(failures=2) as receiver:
        await _with_webhook(client, partners["lingang"], receiver.url)
        first = await api(client, "POST", f"/api/partners/exports/{export['id']}/deliveries")
        assert first.status_code == 201 and first.json()["status"] == "pending"
        assert "503" in first.json()["last_error"]
        # Not due yet: the first wait is a minute.
        nothing = {"delivered": 0, "failed": 0, "dead": 0, "lost": 0}
        assert await webhooks.deliver_due(settings) == nothing
        later = utcnow() + timedelta(minutes=1, seconds=1)
        assert await webhooks.deliver_due(settings, later) == nothing | {"failed": 1}
        row = await WebhookDelivery.select().first()
        assert row["next_attempt_at"] - later == timedelta(minutes=4)  # four times longer
        assert (await webhooks.deliver_due(settings, later + timedelta(minutes=4)))[
            "delivered"
        ] == 1
        assert await webhooks.deliver_due(settings, later + timedelta(days=1)) == nothing
    keys = {headers["idempotency-key"] for headers, _ in receiver.received}
    assert len(receiver.received) == 3 and len(keys) == 1 and len(receiver.accepted) == 1
    row = await WebhookDelivery.select().first()
    assert row["status"] == "delivered" and row["attempts"] == 3


async def test_a_delivery_is_dead_after_its_last_attempt_and_an_admin_can_retry_it(
    client, park, partners, settings
):
    settings = replace(settings, webhook_backoff_seconds=1, webhook_max_attempts=2)
    await login(client, park.users["admin"])
    await record_mou(client, partners["lingang"])
    export = await make_export(client, partners["lingang"], "csv")
    # Nothing listens on this port: every attempt fails to connect.
    await _with_webhook(client, partners["lingang"], "http://127.0.0.1:9/hook")
    delivery = await webhooks.queue_delivery(None, export["id"])
    now = utcnow()
    assert (await webhooks.deliver_due(settings, now))["failed"] == 1
    assert (await webhooks.deliver_due(settings, now + timedelta(seconds=2)))["dead"] == 1
    page = text_of((await client.get(f"/partners/{partners['lingang']}")).text)
    assert "Failed for good" in page and "ConnectError" in page
    retried = await post_form(client, f"/partners/deliveries/{delivery}/retry")
    assert retried.status_code == 303
    row = await WebhookDelivery.select().where(WebhookDelivery.id == delivery).first()
    assert row["status"] == "pending" and row["attempts"] == 0


async def test_two_delivery_jobs_at_once_send_each_attempt_once(client, park, partners, settings):
    await login(client, park.users["admin"])
    await record_mou(client, partners["lingang"])
    with Receiver() as receiver:
        await _with_webhook(client, partners["lingang"], receiver.url)
        for _ in range(6):
            export = await make_export(client, partners["lingang"], "csv")
            await webhooks.queue_delivery(None, export["id"])
        results = await asyncio.gather(*[webhooks.deliver_due(settings) for _ in range(3)])
    assert sum(r["delivered"] for r in results) == 6
    assert len(receiver.received) == 6
    assert len({h["idempotency-key"] for h, _ in receiver.received}) == 6


async def test_a_sender_stuck_past_the_stale_window_neither_sends_nor_records(
    client, park, partners, settings
):
    """A claim taken back as stale gets a new fencing token: the stuck sender's attempt is
    "lost" (nothing sent), and its late outcome cannot overwrite the new holder's."""
    await login(client, park.users["admin"])
    await record_mou(client, partners["lingang"])
    with Receiver() as receiver:
        await _with_webhook(client, partners["lingang"], receiver.url)
        export = await make_export(client, partners["lingang"], "csv")
        delivery = await webhooks.queue_delivery(None, export["id"])
        start = utcnow()
        stuck = await webhooks.claim_due(start)
        taken_back = await webhooks.claim_due(start + webhooks.STALE_CLAIM + timedelta(seconds=1))
        assert stuck.ids == taken_back.ids == [delivery] and stuck.token != taken_back.token
        assert await webhooks._attempt(settings, delivery, None, stuck.token) == "lost"
        assert receiver.received == []
        assert await webhooks._attempt(settings, delivery, None, taken_back.token) == "delivered"
        # The stuck sender wakes after the new holder recorded the delivery: still lost.
        assert await webhooks._attempt(settings, delivery, None, stuck.token) == "lost"
    assert len(receiver.received) == 1
    row = await WebhookDelivery.select().where(WebhookDelivery.id == delivery).first()
    assert (row["status"], row["attempts"], row["claim_token"]) == ("delivered", 1, None)
