"""The app answers on both engines, with every migration applied."""

from incubator import db


async def test_health_answers_200_when_the_database_answers(client, engine_name):
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json()["database"] == engine_name


async def test_ready_reports_no_pending_migrations(client):
    response = await client.get("/health/ready")
    assert response.status_code == 200
    assert await db.pending_migrations() == []


async def test_openapi_document_describes_every_api_endpoint(client):
    schema = (await client.get("/schema/openapi.json")).json()
    paths = set(schema["paths"])
    assert {
        "/api/startups",
        "/api/startups/{startup_id}",
        "/api/startups/{startup_id}/history",
        "/api/centres",
        "/health",
    } <= paths
    assert not any(p.startswith(("/startups", "/login", "/admin")) for p in paths)


async def test_ready_reports_the_schedulers_last_sweep_so_a_stuck_one_shows(client, settings):
    from datetime import timedelta

    from incubator.reminders.services import delivery
    from incubator.reminders.tables import SchedulerBeat

    before = (await client.get("/health/ready")).json()
    assert before["scheduler"] == {"state": "never", "last_sweep_at": None, "seconds_ago": None}
    await delivery.run_once(settings)
    swept = (await client.get("/health/ready")).json()["scheduler"]
    assert swept["state"] == "ok" and 0 <= swept["seconds_ago"] < 5
    # No sweep has finished for longer than three ticks: the scheduler is stuck or gone,
    # which readiness says without making this web worker unready.
    await SchedulerBeat.update(
        {SchedulerBeat.last_success_at: db.utcnow() - timedelta(minutes=10)}
    ).where(SchedulerBeat.job == "reminders")
    stuck = await client.get("/health/ready")
    assert stuck.status_code == 200 and stuck.json()["scheduler"]["state"] == "late"
    assert stuck.json()["scheduler"]["seconds_ago"] >= 600
