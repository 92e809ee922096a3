"""Schemathesis against the app's own OpenAPI document (`/schema/openapi.json`): for every
operation, a bounded number of generated requests, sent over real HTTP to a real server
signed in as an administrator. No answer may be a server error, every status answered must
be one the document lists for that operation, and every answer must match its schema."""

from __future__ import annotations

import requests
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import PASSWORD
from tests.server import running_server

EXAMPLES = 4  # per operation; 76 operations


def signed_in(url: str, email: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{url}/login")
    token = session.cookies["csrftoken"]
    answer = session.post(
        f"{url}/login",
        data={"email": email, "password": PASSWORD, "next": "/", "_csrf_token": token},
        allow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    session.get(f"{url}/")  # a log-in drops the CSRF token; the next page gives a new one
    session.headers["X-CSRFToken"] = session.cookies["csrftoken"]
    return session


async def test_no_operation_answers_a_server_error_an_unlisted_status_or_off_schema(settings, park):
    with running_server(settings.database_url) as url:
        session = signed_in(url, park.users["admin"])
        schema = schemathesis.openapi.from_dict(session.get(f"{url}/schema/openapi.json").json())
        failures: list[str] = []
        operations = 0
        for result in schema.get_all_operations():
            operation = result.ok()
            operations += 1

            @given(case=operation.as_strategy())
            @hypothesis_settings(
                max_examples=EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def check(case) -> None:
                case.call_and_validate(
                    base_url=url,
                    session=session,
                    checks=[
                        not_a_server_error,
                        status_code_conformance,
                        response_schema_conformance,
                    ],
                )

            try:
                check()
            except (Exception, BaseExceptionGroup) as exc:  # every operation's, not the first
                failures.append(f"{operation.label}: {str(exc)[:1500]}")
        assert operations > 70
        assert failures == [], "\n\n".join(failures)


async def test_an_id_beyond_the_databases_integers_is_a_clear_400(client, park, engine_name):
    # found by the test above: PostgreSQL ids are 32-bit, SQLite's 64-bit
    beyond_64_bits = await client.get("/api/startups/99999999999999999999999")
    assert beyond_64_bits.status_code == 400
    assert "a number out of range" in beyond_64_bits.json()["detail"]
    beyond_32_bits = await client.get("/api/startups/36129359003069920")
    # a PostgreSQL id cannot hold it; a SQLite one can, and there is no such start-up
    assert beyond_32_bits.status_code == (400 if engine_name == "postgres" else 404)


async def test_the_document_lists_each_error_an_operation_can_answer(client, park):
    document = (await client.get("/schema/openapi.json")).json()
    lease = document["paths"]["/api/leases"]
    assert set(lease["post"]["responses"]) >= {"201", "400", "401", "403", "404", "409", "413"}
    assert {"415", "422"} <= set(lease["post"]["responses"])
    assert "409" not in lease["get"]["responses"] and "413" not in lease["get"]["responses"]
    problem = lease["post"]["responses"]["422"]["content"]["application/json"]["schema"]
    assert problem == {"$ref": "#/components/schemas/Problem"}
    assert document["components"]["schemas"]["Problem"]["required"] == ["status_code", "detail"]
    exports = document["paths"]["/api/partners/me/exports"]["post"]["responses"]["429"]
    assert "Retry-After" in exports["headers"]
    assert set(document["paths"]["/health/ready"]["get"]["responses"]) == {"200", "503"}
    # a change may be set aside for a concurrent one (a deadlock): try again
    busy = lease["post"]["responses"]["503"]
    assert "Retry-After" in busy["headers"] and "deadlock" in busy["description"]
    assert "503" not in lease["get"]["responses"]
    # and an answer of each kind has the body the document promises
    refused = await client.post(
        "/api/leases", content=b"x=1", headers={"content-type": "text/plain"}
    )
    assert refused.status_code == 415 and set(refused.json()) >= {"status_code", "detail"}
