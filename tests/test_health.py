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
