"""External reviewers without an account are invited by a one-time link that makes their
reviewer account and seats them on the call's panel, once."""

from __future__ import annotations

from dataclasses import replace

from incubator.app import create_app
from incubator.auth.tables import User
from incubator.programmes.tables import CallReviewer
from tests.conftest import api, make_client, post_form, text_of
from tests.mailbox import Mailbox
from tests.programmes.conftest import open_call


async def test_an_invited_reviewer_makes_an_account_and_joins_the_panel(client, park):
    call = await open_call(client, park)
    panel_url = f"/programmes/calls/{call['id']}/panel"
    missing = await post_form(
        client, panel_url, {"do": "invite", "email": "ann@review.example", "name": ""}
    )
    assert missing.status_code == 422 and "name, for their account" in text_of(missing.text)
    taken = await post_form(
        client, panel_url, {"do": "invite", "email": park.users["member"], "name": "X"}
    )
    assert taken.status_code == 409 and "add it to the panel instead" in text_of(taken.text)
    shown = await post_form(
        client, panel_url, {"do": "invite", "email": "Ann@Review.example", "name": "Ann Lee"}
    )
    assert shown.status_code == 200 and "Pass this one-time link to ann@review.example" in text_of(
        shown.text
    )
    link = shown.text.split("/programmes/reviewer-invitations/")[1].split("<")[0]
    client.cookies.clear()
    page = await client.get(f"/programmes/reviewer-invitations/{link}")
    assert page.status_code == 200 and 'value="Ann Lee"' in page.text
    weak = await post_form(
        client, f"/programmes/reviewer-invitations/{link}", {"name": "Ann Lee", "password": "short"}
    )
    assert weak.status_code == 422 and "at least 10 characters" in text_of(weak.text)
    accepted = await post_form(
        client,
        f"/programmes/reviewer-invitations/{link}",
        {"name": "Ann Lee", "password": "a-long-password"},
    )
    assert accepted.status_code == 303 and accepted.headers["location"] == "/programmes/reviews"
    ann = await User.select(User.id, User.role).where(User.email == "ann@review.example").first()
    assert ann["role"] == "reviewer"
    assert await CallReviewer.exists().where(
        (CallReviewer.call == call["id"]) & (CallReviewer.user == ann["id"])
    )
    again = await client.get(f"/programmes/reviewer-invitations/{link}")
    assert again.status_code == 404
    # A reviewer sees no application it was not given, and runs nothing.
    listed = await api(client, "GET", f"/api/programmes/calls/{call['id']}/applications")
    assert listed.status_code == 403


async def test_the_invitation_is_emailed_when_smtp_is_set_up(settings, park):
    with Mailbox() as mailbox:
        configured = replace(settings, smtp_host="127.0.0.1", smtp_port=mailbox.port)
        async with make_client(create_app(configured, manage_engine=False)) as client:
            call = await open_call(client, park)
            sent = await api(
                client,
                "POST",
                f"/api/programmes/calls/{call['id']}/panel/invitations",
                json={"email": "ben@review.example", "name": "Ben Ho"},
            )
    assert sent.status_code == 201 and sent.json() == {
        "email": "ben@review.example",
        "emailed": True,
        "link": None,
    }
    [mail] = mailbox.messages
    assert mail["To"] == "ben@review.example"
    assert "/programmes/reviewer-invitations/" in Mailbox.text_of(mail)
