"""Inviting team members by a one-time link: emailed over SMTP, or shown when none is set."""

import re
from dataclasses import replace
from datetime import timedelta

import pytest

from incubator.app import create_app
from incubator.auth.tables import User
from incubator.db import utcnow
from incubator.startups.tables import Invitation, StartupMembership
from tests.conftest import PASSWORD, login, make_client, post_form
from tests.mailbox import Mailbox


@pytest.fixture
def mailbox():
    with Mailbox() as box:
        yield box


async def test_invitation_is_emailed_and_its_link_makes_a_team_member_once(settings, park, mailbox):
    app = create_app(
        replace(settings, smtp_host="127.0.0.1", smtp_port=mailbox.port), manage_engine=False
    )
    sid = park.startups["harbour-pay"]
    async with make_client(app) as founder:
        await login(founder, park.users["member"])
        await founder.get(f"/startups/{sid}/team")
        page = await post_form(
            founder,
            f"/startups/{sid}/invite",
            {"email": "Wing.Yan@Harbour.example", "name": "Wing Yan"},
        )
        # Post, redirect, get: reloading the page sends nothing again.
        assert page.status_code == 303
        assert page.headers["location"] == f"/startups/{sid}/team?message=invited"
        shown = await founder.get(page.headers["location"])
        assert "The invitation was emailed" in shown.text
        assert "wing.yan@harbour.example" in shown.text  # listed among open invitations
        assert "/invitations/" not in shown.text  # the link went by email only
    assert len(mailbox.messages) == 1
    message = mailbox.messages[0]
    assert message["To"] == "wing.yan@harbour.example"
    assert "Harbour Pay" in message["Subject"]
    link = re.search(r"http://\S+/invitations/(\S+)", Mailbox.text_of(message))
    assert link, Mailbox.text_of(message)
    token = link.group(1)
    async with make_client(app) as newcomer:
        form = await newcomer.get(f"/invitations/{token}")
        assert form.status_code == 200 and "Join Harbour Pay" in form.text
        weak = await post_form(
            newcomer, f"/invitations/{token}", {"name": "Wing Yan", "password": "short"}
        )
        assert weak.status_code == 422 and "at least 10 characters" in weak.text
        joined = await post_form(
            newcomer,
            f"/invitations/{token}",
            {"name": "Wing Yan", "password": "a-good-long-password"},
        )
        assert joined.status_code == 303
        # Logged in as the new member, who can now edit the profile.
        assert (await newcomer.get(f"/startups/{sid}/edit")).status_code == 200
    user = await User.select().where(User.email == "wing.yan@harbour.example").first()
    assert user["role"] == "member"
    assert await StartupMembership.exists().where(
        (StartupMembership.user == user["id"]) & (StartupMembership.startup == sid)
    )
    async with make_client(app) as replay:
        assert (await replay.get(f"/invitations/{token}")).status_code == 404
        await replay.get("/login")
        again = await post_form(
            replay, f"/invitations/{token}", {"name": "X", "password": PASSWORD}
        )
        assert again.status_code == 404
    assert await User.count().where(User.email == "wing.yan@harbour.example") == 1


async def test_without_smtp_the_link_is_shown_to_the_inviter(client, park):
    sid = park.startups["harbour-pay"]
    await login(client, park.users["admin"])
    await client.get(f"/startups/{sid}/team")
    page = await post_form(client, f"/startups/{sid}/invite", {"email": "new@harbour.example"})
    assert page.status_code == 200
    assert 'class="warning" role="alert"' in page.text and "No email could be sent" in page.text
    assert re.search(r'value="http://[^"]+/invitations/[\w-]+"', page.text)


async def test_an_unreachable_smtp_server_still_gives_the_inviter_the_link(settings, park):
    from tests.mailbox import free_port

    app = create_app(
        replace(settings, smtp_host="127.0.0.1", smtp_port=free_port()), manage_engine=False
    )
    async with make_client(app) as client:
        await login(client, park.users["member"])
        sid = park.startups["harbour-pay"]
        await client.get(f"/startups/{sid}/team")
        page = await post_form(client, f"/startups/{sid}/invite", {"email": "x@harbour.example"})
        assert page.status_code == 200 and "No email could be sent" in page.text


async def test_expired_invitations_and_bad_addresses_are_refused(client, park):
    sid = park.startups["harbour-pay"]
    await login(client, park.users["member"])
    await client.get(f"/startups/{sid}/team")
    bad = await post_form(client, f"/startups/{sid}/invite", {"email": "not an email"})
    assert bad.status_code == 422 and "must be an email address" in bad.text
    taken = await post_form(client, f"/startups/{sid}/invite", {"email": park.users["admin"]})
    assert taken.status_code == 422 and "cannot join a start-up team" in taken.text
    page = await post_form(client, f"/startups/{sid}/invite", {"email": "late@harbour.example"})
    token = re.search(r"/invitations/([\w-]+)", page.text).group(1)
    await Invitation.update({Invitation.expires_at: utcnow() - timedelta(minutes=1)}).where(
        Invitation.id > 0
    )
    expired = await client.get(f"/invitations/{token}")
    assert expired.status_code == 404 and "expired" in expired.text


async def test_an_existing_member_joins_a_second_team_with_their_password(client, park):
    sid = park.startups["lantern-chain"]
    await login(client, park.users["other_member"])
    await client.get(f"/startups/{sid}/team")
    page = await post_form(client, f"/startups/{sid}/invite", {"email": park.users["member"]})
    token = re.search(r"/invitations/([\w-]+)", page.text).group(1)
    wrong = await post_form(client, f"/invitations/{token}", {"password": "wrong-password"})
    assert wrong.status_code == 422 and "is not the password of this account" in wrong.text
    ok = await post_form(client, f"/invitations/{token}", {"password": PASSWORD})
    assert ok.status_code == 303
    member = await User.select(User.id).where(User.email == park.users["member"]).first()
    assert await StartupMembership.count().where(StartupMembership.user == member["id"]) == 2


async def test_twenty_concurrent_acceptances_of_one_link_make_one_account(client, app, park):
    import asyncio

    sid = park.startups["harbour-pay"]
    await login(client, park.users["member"])
    await client.get(f"/startups/{sid}/team")
    page = await post_form(client, f"/startups/{sid}/invite", {"email": "race@harbour.example"})
    token = re.search(r"/invitations/([\w-]+)", page.text).group(1)

    async def accept() -> int:
        async with make_client(app) as browser:
            await browser.get(f"/invitations/{token}")
            response = await post_form(
                browser,
                f"/invitations/{token}",
                {"name": "Racer", "password": "a-good-long-password"},
            )
            return response.status_code

    statuses = await asyncio.gather(*(accept() for _ in range(20)))
    assert sorted(statuses).count(303) == 1, statuses
    assert set(statuses) <= {303, 404}
    user = await User.select(User.id).where(User.email == "race@harbour.example")
    assert len(user) == 1
    assert await StartupMembership.count().where(StartupMembership.user == user[0]["id"]) == 1
