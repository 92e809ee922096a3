"""No one can lock anyone out: failures slow the address that made them, the account stays
open elsewhere; the CSRF token is new after a log-in; stored choices change only by POST;
registration codes are as hard to guess as certificates."""

from __future__ import annotations

import re

import httpx

from incubator.auth.tables import User
from tests.conftest import PASSWORD, login, post_form


def client_from(app, address: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(address, 50000)),
        base_url="http://testserver",
        follow_redirects=False,
    )


async def fail(client: httpx.AsyncClient, email: str, times: int) -> list[int]:
    await client.get("/login")
    statuses = []
    for _ in range(times):
        wrong = await post_form(client, "/login", {"email": email, "password": "wrong"})
        statuses.append(wrong.status_code)
    return statuses


async def test_an_attacker_s_failures_do_not_lock_the_owner_out(app, park):
    admin = park.users["admin"]
    async with client_from(app, "203.0.113.9") as attacker:
        assert await fail(attacker, admin, 5) == [400] * 5
        blocked = await post_form(attacker, "/login", {"email": admin, "password": PASSWORD})
        assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) == 15 * 60
    async with client_from(app, "198.51.100.7") as owner:
        await login(owner, admin)  # the administrator, from their own address, gets in
        assert (await owner.get("/dashboard")).status_code == 200


async def test_one_address_trying_many_accounts_is_slowed_down(app, park):
    emails = [f"guess{n}@example.com" for n in range(20)]
    async with client_from(app, "203.0.113.10") as attacker:
        for email in emails[:4]:
            assert await fail(attacker, email, 5) == [400] * 5
        assert (await fail(attacker, emails[5], 1)) == [429]
    async with client_from(app, "198.51.100.8") as somebody:
        await login(somebody, park.users["member"])


async def test_the_csrf_token_is_new_after_log_in(client, park):
    await client.get("/login")
    before = client.cookies["csrftoken"]
    response = await post_form(
        client, "/login", {"email": park.users["member"], "password": PASSWORD}
    )
    assert response.status_code == 303
    assert "csrftoken" not in client.cookies  # dropped by the log-in's answer
    await client.get("/account")
    assert client.cookies["csrftoken"] and client.cookies["csrftoken"] != before
    # And it works: a form sent with the new token is accepted.
    revoked = await post_form(client, "/logout", {})
    assert revoked.status_code == 303


async def test_a_link_changes_the_language_but_only_a_form_changes_the_account(client, park):
    member = park.users["member"]
    await login(client, member)
    followed = await client.get("/lang/zh-Hant?next=/startups")
    assert followed.status_code == 303 and client.cookies["lang"] == "zh-Hant"
    assert (await User.select(User.language).where(User.email == member).first())[
        "language"
    ] == "en"
    chosen = await post_form(client, "/lang/zh-Hant?next=/startups", {})
    assert chosen.status_code == 303 and chosen.headers["location"] == "/startups"
    assert (await User.select(User.language).where(User.email == member).first())[
        "language"
    ] == "zh-Hant"
    page = await client.get("/startups")
    assert 'method="post" action="/lang/en?next=/startups"' in page.text  # the switch: a form


def test_registration_codes_are_as_long_as_certificates():
    from events.services.registrations import new_code

    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(re.fullmatch(r"([A-HJKMNP-Z2-9]{4}-){3}[A-HJKMNP-Z2-9]{4}", c) for c in codes)
