"""/metrics: Prometheus's text format, parsed with prometheus-client's own parser: requests by
route, the system's figures (reminders, webhook deliveries, the oldest due job, database
connections), and only for allowed addresses or with the token."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import httpx
from prometheus_client.parser import text_string_to_metric_families

from incubator.app import create_app
from incubator.db import utcnow
from incubator.reminders.tables import ReminderLedger
from tests.conftest import make_client


def _samples(text: str) -> dict[tuple[str, frozenset], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _ledger(**values) -> ReminderLedger:
    fields = {
        "source": "lease_ends",
        "subject": "lease:1",
        "recipient": "user:1",
        "occurrence": "90",
        "channel": "email",
        "due_at": utcnow(),
    }
    return ReminderLedger(**(fields | values))


async def test_metrics_count_requests_by_route_and_report_the_system(client, park):
    now = utcnow()
    await ReminderLedger.insert(
        _ledger(next_attempt_at=now - timedelta(minutes=5)),
        _ledger(occurrence="30", next_attempt_at=now + timedelta(days=2)),
        _ledger(occurrence="7", next_attempt_at=now - timedelta(minutes=1), attempts=2),
        _ledger(occurrence="1", status="dead", attempts=6),
    )
    for sid in park.startups.values():
        await client.get(f"/startups/{sid}")
    answer = await client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples = _samples(answer.text)

    def value(name: str, **labels: str) -> float:
        return samples[(name, frozenset(labels.items()))]

    # Requests by route: the profile's template, never an id a series each.
    profile = [
        v
        for (name, labels), v in samples.items()
        if name == "incubator_requests_total" and ("path", "/startups/{startup_id}") in labels
    ]
    assert sum(profile) >= len(park.startups)
    assert not any(dict(labels).get("path") == "/startups/1" for _, labels in samples)
    assert value("incubator_reminders", state="due") == 2
    assert value("incubator_reminders", state="waiting") == 1
    assert value("incubator_reminders", state="retried") == 1
    assert value("incubator_reminders", state="dead") == 1
    assert 290 <= value("incubator_oldest_due_job_seconds", job="reminders") <= 400
    assert value("incubator_webhook_deliveries", state="pending") == 0
    assert value("incubator_oldest_due_job_seconds", job="webhook deliveries") == 0
    connections = [value("incubator_db_connections", state=s) for s in ("in_use", "idle")]
    assert sum(connections) >= 1  # the scrape's own, kept for the next request


async def test_metrics_are_refused_elsewhere_unless_the_token_is_given(app, settings):
    outside = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("203.0.113.9", 40000)),
        base_url="http://testserver",
    )
    async with outside:
        refused = await outside.get("/metrics")
        assert refused.status_code == 403 and "INCUBATOR_METRICS_ALLOW" in refused.text
    guarded = create_app(replace(settings, metrics_token="scrape-me"), manage_engine=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=guarded, client=("203.0.113.9", 40000)),
        base_url="http://testserver",
    ) as scraper:
        assert (await scraper.get("/metrics")).status_code == 403
        wrong = await scraper.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 403
        right = await scraper.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
        assert right.status_code == 200 and "incubator_reminders" in right.text
    async with make_client(app) as local:  # loopback, as the default allows
        assert (await local.get("/metrics")).status_code == 200
