"""Sessions live in the database: every worker process knows them, and a restart keeps them."""

import httpx

from incubator.web import SESSION_COOKIE
from tests.conftest import PASSWORD
from tests.server import running_server


async def log_in(client: httpx.AsyncClient, email: str) -> None:
    await client.get("/login")
    response = await client.post(
        "/login",
        data={
            "email": email,
            "password": PASSWORD,
            "next": "/account",
            "_csrf_token": client.cookies.get("csrftoken"),
        },
    )
    assert response.status_code == 303, response.text


async def test_a_session_works_on_every_worker_and_survives_a_restart(settings, park):
    email = park.users["member"]
    with running_server(settings.database_url, workers=3) as url:
        async with httpx.AsyncClient(base_url=url) as client:
            await log_in(client, email)
            # New connections each time, so the kernel spreads them over the workers.
            statuses = []
            for _ in range(30):
                async with httpx.AsyncClient(base_url=url, cookies=client.cookies) as fresh:
                    response = await fresh.get("/account")
                    statuses.append((response.status_code, email in response.text))
            assert statuses == [(200, True)] * 30
            token = client.cookies.get(SESSION_COOKIE)
    cookies = {SESSION_COOKIE: token}
    with running_server(settings.database_url) as url:
        async with httpx.AsyncClient(base_url=url, cookies=cookies) as client:
            response = await client.get("/account")
            assert response.status_code == 200 and email in response.text
            # Log-out ends the session on the server, not just in this browser.
            await client.post("/logout", data={"_csrf_token": client.cookies.get("csrftoken")})
        async with httpx.AsyncClient(base_url=url, cookies=cookies) as replay:
            assert (await replay.get("/account")).status_code == 303
