"""The app answers on both engines, with every migration applied; readiness fails, and says
why, while a migration is missing or the database is gone."""

import pytest

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


async def test_ready_fails_while_a_migration_of_this_release_is_not_applied(client):
    """As when a worker of a new release starts against a database not yet migrated."""
    from piccolo.apps.migrations.tables import Migration

    last = await Migration.select().order_by(Migration.id, ascending=False).first()
    await Migration.delete().where(Migration.id == last["id"])
    try:
        pending = await client.get("/health/ready")
        assert pending.status_code == 503
        assert f"{last['app_name']}:{last['name']}" in pending.json()["detail"]
    finally:
        await Migration.insert(Migration(**{k: v for k, v in last.items() if k != "id"}))
    assert (await client.get("/health/ready")).status_code == 200


@pytest.mark.slow
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
async def test_ready_fails_when_the_database_goes_away(settings):
    """A real server on its own database, which is then dropped under it: readiness says
    503 and why, liveness still answers (the process is fine; the load balancer must stop
    sending it work)."""
    import asyncpg
    import httpx

    from tests.conftest import PG_ADMIN_DSN, recreate_pg_database
    from tests.server import running_server

    url = await recreate_pg_database("incubator_goes_away")
    try:
        with running_server(url) as served:
            async with httpx.AsyncClient(base_url=served) as http:
                assert (await http.get("/health/ready")).status_code == 200
                admin = await asyncpg.connect(PG_ADMIN_DSN)
                await admin.execute('DROP DATABASE "incubator_goes_away" WITH (FORCE)')
                await admin.close()
                gone = await http.get("/health/ready")
                assert gone.status_code == 503
                assert "database unreachable" in gone.json()["detail"]
                assert (await http.get("/health/live")).status_code == 200
    finally:
        admin = await asyncpg.connect(PG_ADMIN_DSN)
        await admin.execute('DROP DATABASE IF EXISTS "incubator_goes_away" WITH (FORCE)')
        await admin.close()
