"""Log-in, sessions (server-side, expiring, revocable, surviving restarts), CSRF, throttling."""

import asyncio
import os
import threading
from datetime import timedelta

from argon2 import PasswordHasher

from incubator.auth.services import passwords
from incubator.auth.tables import User, UserSession
from incubator.db import utcnow
from incubator.startups.tables import Startup
from incubator.web import SESSION_COOKIE
from tests.conftest import PASSWORD, api, login, make_client, post_form


async def test_passwords_are_stored_as_argon2id_hashes(park):
    user = await User.select(User.password_hash).where(User.email == park.users["admin"]).first()
    assert user["password_hash"].startswith("$argon2id$")
    assert PASSWORD not in user["password_hash"]


async def test_new_hashes_use_owasps_argon2id_parameters_and_old_ones_are_remade_at_log_in(
    client, park
):
    email = park.users["member"]
    await User.update({User.password_hash: PasswordHasher().hash(PASSWORD)}).where(
        User.email == email
    )
    assert (await login(client, email)).status_code == 303
    user = await User.select(User.password_hash).where(User.email == email).first()
    assert user["password_hash"].startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert await passwords.verify_password(user["password_hash"], PASSWORD)


async def test_hashing_runs_off_the_event_loop_at_most_one_hash_per_core():
    """While passwords are checked, the loop goes on serving: a ticker task keeps ticking."""
    stored = await passwords.hash_password(PASSWORD)
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0)
    before = ticks
    results = await asyncio.gather(
        *(passwords.verify_password(stored, PASSWORD if n % 2 else "wrong") for n in range(8))
    )
    ticker.cancel()
    assert results == [False, True] * 4
    # Hashed on the loop, the eight would have let the ticker in once or twice between them.
    assert ticks - before > 100
    hashing = [t for t in threading.enumerate() if t.name.startswith(passwords.THREAD_PREFIX)]
    assert 1 <= len(hashing) <= (os.cpu_count() or 2)


async def test_an_account_without_a_password_never_matches():
    assert not await passwords.verify_password("", "")
    assert not await passwords.verify_password("", PASSWORD)
    assert not await passwords.verify_password("not a hash", PASSWORD)


async def test_login_sets_an_http_only_session_cookie_and_logout_revokes_it(client, park):
    response = await login(client, park.users["member"])
    cookie = response.headers["set-cookie"]
    assert SESSION_COOKIE in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    token = client.cookies.get(SESSION_COOKIE)
    assert (await client.get("/account")).status_code == 200
    assert (await post_form(client, "/logout")).status_code == 303
    assert await UserSession.count().where(UserSession.revoked_at.is_null()) == 0
    client.cookies.set(SESSION_COOKIE, token)  # replaying the old cookie
    response = await client.get("/account")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


async def test_wrong_password_and_unknown_email_get_the_same_answer(client, park):
    await client.get("/login")
    wrong = await post_form(client, "/login", {"email": park.users["admin"], "password": "nope"})
    unknown = await post_form(client, "/login", {"email": "who@x.example", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 400
    assert "The email or the password is not right." in wrong.text
    assert "The email or the password is not right." in unknown.text
    assert SESSION_COOKIE not in client.cookies


async def test_log_in_is_throttled_after_repeated_failures(client, park):
    await client.get("/login")
    for _ in range(5):
        response = await post_form(
            client, "/login", {"email": park.users["admin"], "password": "x"}
        )
        assert response.status_code == 400
    blocked = await post_form(
        client, "/login", {"email": park.users["admin"], "password": PASSWORD}
    )
    assert blocked.status_code == 429
    assert "too many failed log-in attempts" in blocked.text
    assert int(blocked.headers["retry-after"]) == 15 * 60
    assert SESSION_COOKIE not in client.cookies
    # Another account from the same address is not locked by this one's failures.
    await login(client, park.users["member"])


async def test_sessions_expire(client, park):
    await login(client, park.users["member"])
    await UserSession.update({UserSession.expires_at: utcnow() - timedelta(seconds=1)}).where(
        UserSession.id > 0
    )
    response = await client.get("/account")
    assert response.status_code == 303 and "/login" in response.headers["location"]


async def test_use_extends_an_idle_session_but_never_past_its_maximum_age(client, park, settings):
    await login(client, park.users["member"])
    long_ago = utcnow() - timedelta(days=settings.session_max_days, minutes=-5)
    await UserSession.update(
        {UserSession.created_at: long_ago, UserSession.last_seen_at: utcnow() - timedelta(hours=3)}
    ).where(UserSession.id > 0)
    assert (await client.get("/account")).status_code == 200
    session = await UserSession.select().first()
    max_end = long_ago + timedelta(days=settings.session_max_days)
    assert abs((session["expires_at"] - max_end).total_seconds()) < 1


async def test_a_session_survives_a_restart_of_the_app(client, park, settings):
    from incubator.app import create_app

    await login(client, park.users["member"])
    token = client.cookies.get(SESSION_COOKIE)
    async with make_client(create_app(settings, manage_engine=False)) as restarted:
        restarted.cookies.set(SESSION_COOKIE, token)
        response = await restarted.get("/account")
        assert response.status_code == 200 and park.users["member"] in response.text


async def test_account_page_lists_sessions_and_ends_another_one(client, app, park):
    await login(client, park.users["member"])
    async with make_client(app) as laptop:
        await login(laptop, park.users["member"])
        sessions = await UserSession.select(UserSession.id).order_by(UserSession.id)
        assert len(sessions) == 2
        page = await client.get("/account")
        assert page.text.count("/revoke") == 2
        await post_form(client, f"/account/sessions/{sessions[1]['id']}/revoke")
        assert (await laptop.get("/account")).status_code == 303
        assert (await client.get("/account")).status_code == 200


async def test_changing_the_password_ends_every_session(client, park):
    await login(client, park.users["member"])
    await client.get("/account")
    weak = await post_form(
        client, "/account/password", {"current_password": PASSWORD, "new_password": "short"}
    )
    assert weak.status_code == 400 and "at least 10 characters" in weak.text
    response = await post_form(
        client,
        "/account/password",
        {"current_password": PASSWORD, "new_password": "a-much-longer-one"},
    )
    assert response.status_code == 303
    assert await UserSession.count().where(UserSession.revoked_at.is_null()) == 0
    await login(client, park.users["member"], "a-much-longer-one")


async def test_a_deactivated_user_is_logged_out_everywhere(client, app, park):
    await login(client, park.users["member"])
    async with make_client(app) as admin:
        await login(admin, park.users["admin"])
        user = await User.select(User.id).where(User.email == park.users["member"]).first()
        await post_form(admin, f"/admin/users/{user['id']}/active", {"active": "0"})
    assert (await client.get("/account")).status_code == 303
    await client.get("/login")
    again = await post_form(client, "/login", {"email": park.users["member"], "password": PASSWORD})
    assert again.status_code == 400


async def test_forms_without_the_csrf_token_are_refused(client, park):
    await client.get("/login")
    response = await client.post(
        "/login", data={"email": park.users["admin"], "password": PASSWORD}
    )
    assert response.status_code == 403
    forged = await client.post(
        "/login", data={"email": park.users["admin"], "password": PASSWORD, "_csrf_token": "forged"}
    )
    assert forged.status_code == 403
    assert SESSION_COOKIE not in client.cookies


async def test_api_changes_with_the_session_cookie_need_the_csrf_header(client, park):
    sid = park.startups["harbour-pay"]
    await login(client, park.users["member"])
    response = await client.patch(f"/api/startups/{sid}", json={"team_size": 99})
    assert response.status_code == 403 and "X-CSRFToken" in response.json()["detail"]
    assert (await Startup.select(Startup.team_size).where(Startup.id == sid).first())[
        "team_size"
    ] == 1
    assert (
        await api(client, "PATCH", f"/api/startups/{sid}", json={"team_size": 99})
    ).status_code == 200


async def test_log_in_only_redirects_to_local_pages(client, park):
    await client.get("/login")
    for target, expected in [
        ("/startups", "/startups"),
        ("//evil.example", "/"),
        ("https://evil.example", "/"),
        ("/\\evil.example", "/"),
    ]:
        response = await post_form(
            client, "/login", {"email": park.users["admin"], "password": PASSWORD, "next": target}
        )
        assert response.headers["location"] == expected


async def test_log_in_attempts_older_than_a_day_past_the_window_are_removed(client, park):
    from incubator.auth.tables import LoginAttempt

    await LoginAttempt.insert(
        LoginAttempt(email="x@y.example", ip="1.2.3.4", attempted_at=utcnow() - timedelta(days=2))
    )
    await login(client, park.users["member"])
    assert await LoginAttempt.count().where(LoginAttempt.email == "x@y.example") == 0
    assert await LoginAttempt.count() == 1
