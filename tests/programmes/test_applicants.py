"""A newcomer applies: an account, a draft start-up (private until admitted) and the
application at once, or none of them; admitting makes the start-up a community member."""

from __future__ import annotations

from incubator.programmes.tables import Application
from incubator.startups.tables import Startup
from tests.conftest import api, login, post_form, text_of
from tests.programmes.conftest import PDF, open_call

JOIN = {
    "name": "Nadia Newcomer",
    "email": "nadia@kelp.example",
    "password": "long-enough-password",
    "startup_en": "Kelp Robotics",
    "startup_zh": "海帶機械人",
    "founded_year": "2025",
}


async def test_a_newcomer_joins_applies_and_is_admitted_into_the_community(client, park):
    call = await open_call(client, park)
    client.cookies.clear()
    shown = await client.get(f"/programmes/calls/{call['id']}")
    assert f"/programmes/calls/{call['id']}/join" in shown.text
    await client.get(f"/programmes/calls/{call['id']}/join")
    joined = await post_form(client, f"/programmes/calls/{call['id']}/join", JOIN)
    assert joined.status_code == 303, joined.text
    application_url = joined.headers["location"]
    form = await client.get(application_url)
    assert form.status_code == 200 and "Kelp Robotics" in form.text
    application = int(application_url.rsplit("/", 1)[1])
    kelp = (
        await Startup.select(Startup.id, Startup.status)
        .where(Startup.slug == "kelp-robotics")
        .first()
    )
    assert kelp["status"] == "applicant"
    # Private until admitted: in no directory, not on its profile to others.
    await login(client, park.users["other_member"])
    assert (await client.get(f"/startups/{kelp['id']}")).status_code == 404
    found = (await api(client, "GET", "/api/startups?q=Kelp")).json()
    assert found["items"] == []

    await login(client, JOIN["email"], JOIN["password"])
    url = f"/api/programmes/applications/{application}"
    await api(
        client,
        "PUT",
        f"{url}/answers",
        json={"answers": {"pitch": "Robots for fish farms.", "stage": "Idea"}},
    )
    await api(
        client, "POST", f"{url}/files/deck", files={"file": ("deck.pdf", PDF, "application/pdf")}
    )
    assert (await api(client, "POST", f"{url}/submit")).status_code == 200
    await login(client, park.users["manager"])
    admitted = await api(client, "POST", f"{url}/decision", json={"decision": "admitted"})
    assert admitted.status_code == 200
    kelp = await Startup.select(Startup.status).where(Startup.slug == "kelp-robotics").first()
    assert kelp["status"] == "active"
    found = (await api(client, "GET", "/api/startups?programme=cyberport-incubation&q=Kelp")).json()
    assert [s["slug"] for s in found["items"]] == ["kelp-robotics"]


async def test_a_refused_sign_up_leaves_nothing_behind_and_keeps_the_form(client, park):
    call = await open_call(client, park)
    client.cookies.clear()
    await client.get(f"/programmes/calls/{call['id']}/join")
    refused = await post_form(
        client,
        f"/programmes/calls/{call['id']}/join",
        JOIN | {"email": park.users["member"], "password": "short", "founded_year": "1850"},
    )
    assert refused.status_code == 422
    text = text_of(refused.text)
    assert "must be a year from 1900" in text
    assert 'value="Kelp Robotics"' in refused.text and "short" not in refused.text
    taken = await post_form(
        client, f"/programmes/calls/{call['id']}/join", JOIN | {"email": park.users["member"]}
    )
    assert taken.status_code == 409 and "is taken" in text_of(taken.text)
    assert await Startup.count().where(Startup.slug == "kelp-robotics") == 0
    assert await Application.count() == 0


async def test_sign_ups_from_one_address_are_limited(client, park):
    call = await open_call(client, park)
    client.cookies.clear()
    await client.get(f"/programmes/calls/{call['id']}/join")
    codes = []
    for n in range(6):
        made = await post_form(
            client,
            f"/programmes/calls/{call['id']}/join",
            JOIN | {"email": f"n{n}@kelp.example", "startup_en": f"Kelp {n}"},
        )
        codes.append(made.status_code)
        client.cookies.delete("session") if "session" in client.cookies else None
    assert codes == [303] * 5 + [429]
