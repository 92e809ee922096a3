"""Referrals under a live MOU and its quota, MOUs and their renewals, partner parks and their users."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from incubator.partners.tables import Mou, Referral, SharingConsent
from tests.conftest import api, login, make_client, post_form, text_of
from tests.partners.conftest import TODAY, consent, record_mou


async def test_referral_quota_holds_under_concurrent_referrals(app, park, partners):
    from incubator.startups.tables import Startup

    async with make_client(app) as client:
        await login(client, park.users["admin"])
        await record_mou(client, partners["lingang"], yearly_quota=2)
    ids = []
    for n in range(8):
        row = await Startup.insert(
            Startup(slug=f"quota-{n}", name_en=f"Quota {n}", status="active")
        ).returning(Startup.id)
        ids.append(row[0]["id"])
        await SharingConsent.insert(
            SharingConsent(startup=row[0]["id"], partner=partners["lingang"], fields="name")
        )

    async def refer(startup_id: int) -> int:
        async with make_client(app) as client:
            await login(client, park.users["admin"])
            body = {"partner": partners["lingang"], "startup": str(startup_id)}
            return (await api(client, "POST", "/api/partners/referrals", json=body)).status_code

    codes = await asyncio.gather(*[refer(i) for i in ids])
    assert sorted(codes) == [201, 201] + [409] * 6
    assert await Referral.count() == 2


async def test_outbound_referrals_need_consent_and_an_mou_in_force(client, park, partners):
    await login(client, park.users["admin"])
    body = {"partner": partners["lingang"], "startup": "harbour-pay"}
    no_mou = await api(client, "POST", "/api/partners/referrals", json=body)
    assert no_mou.status_code == 422 and "no MOU in force" in no_mou.json()["errors"]["partner"]
    await record_mou(client, partners["lingang"])
    no_consent = await api(client, "POST", "/api/partners/referrals", json=body)
    assert "has not consented" in no_consent.json()["errors"]["startup"]
    await consent(client, park.startups["harbour-pay"], partners["lingang"], ["name"])
    made = await api(client, "POST", "/api/partners/referrals", json=body)
    assert made.status_code == 201
    again = await api(client, "POST", "/api/partners/referrals", json=body)
    assert again.status_code == 409 and "already referred" in again.json()["detail"]
    async with make_client(client._transport.app) as partner:
        await login(partner, park.users["partner"])
        # Proposed is the park's own business: the partner hears of it once introduced.
        assert (await partner.get("/api/partners/me/referrals")).json() == []
    moved = await api(
        client,
        "POST",
        f"/api/partners/referrals/{made.json()['id']}/moves",
        json={"status": "introduced", "note": "Intro call on Friday"},
    )
    assert moved.status_code == 200 and moved.json()["status"] == "introduced"
    page = text_of((await client.get(f"/referrals/{made.json()['id']}")).text)
    assert "Proposed → Introduced" in page and "Intro call on Friday" in page
    # The partner sees the move, not the park's internal note.
    async with make_client(client._transport.app) as partner:
        await login(partner, park.users["partner"])
        seen = text_of((await partner.get(f"/portal/referrals/{made.json()['id']}")).text)
        assert "Introduced" in seen and "Intro call" not in seen and "Harbour Pay" in seen
        listed = (await partner.get("/api/partners/me/referrals")).json()
        assert [r["shared"] for r in listed] == [{"name_en": "Harbour Pay", "name_zh": "海港支付"}]


async def test_managers_refer_only_startups_they_manage(client, park, partners):
    await login(client, park.users["admin"])
    await record_mou(client, partners["lingang"])
    await consent(client, park.startups["lantern-chain"], partners["lingang"], ["name"])
    await login(client, park.users["manager"])  # the Entrepreneurship Centre's manager
    body = {"partner": partners["lingang"], "startup": "lantern-chain"}
    refused = await api(client, "POST", "/api/partners/referrals", json=body)
    assert refused.status_code == 403
    await login(client, "collab@park.example")  # the Collaboration Centre refers anyone
    assert (await api(client, "POST", "/api/partners/referrals", json=body)).status_code == 201


async def test_mou_renewal_suggestions_and_the_expiring_list(client, park, partners):
    await login(client, "collab@park.example")
    mou = await record_mou(
        client,
        partners["lingang"],
        signed_on=str(TODAY - timedelta(days=700)),
        expires_on=str(TODAY + timedelta(days=40)),
        clusters=["fintech"],
        markets=["Mainland China"],
    )
    expiring = await api(client, "GET", "/api/partners/mous?expiring=1")
    assert [m["id"] for m in expiring.json()] == [mou]
    assert expiring.json()[0]["state"] == "expiring"
    page = text_of((await client.get("/partners")).text)
    assert "MOUs expiring within 90 days" in page and "in 40 days" in page

    await login(client, park.users["admin"])  # consents are the start-ups' (or admins') to give
    await consent(client, park.startups["harbour-pay"], partners["lingang"], ["name"])
    await consent(client, park.startups["bamboo-home"], partners["lingang"], ["name"])
    await login(client, "collab@park.example")
    suggested = await api(client, "GET", f"/api/partners/mous/{mou}/suggestions")
    assert [s["slug"] for s in suggested.json()] == ["harbour-pay"]  # Bamboo Home is not FinTech

    too_early = await api(
        client, "POST", f"/api/partners/mous/{mou}/renew", json={"expires_on": str(TODAY)}
    )
    assert (
        too_early.status_code == 422 and "must be after" in too_early.json()["errors"]["expires_on"]
    )
    renewal = await api(
        client,
        "POST",
        f"/api/partners/mous/{mou}/renew",
        json={"expires_on": str(TODAY + timedelta(days=40 + 3 * 365))},
    )
    assert renewal.status_code == 201
    new = (await api(client, "GET", f"/api/partners/mous/{renewal.json()['id']}")).json()
    assert new["signed_on"] == str(TODAY + timedelta(days=41)) and new["renewal_of"] == mou
    assert new["cluster_slugs"] == ["fintech"] and new["market_list"] == ["Mainland China"]
    twice = await api(
        client,
        "POST",
        f"/api/partners/mous/{mou}/renew",
        json={"expires_on": str(TODAY + timedelta(days=2000))},
    )
    assert twice.status_code == 409
    assert (await api(client, "GET", "/api/partners/mous?expiring=1")).json() == []
    assert await Mou.count() == 2


async def test_mou_form_names_each_broken_rule(client, park, partners):
    await login(client, park.users["admin"])
    response = await post_form(
        client,
        f"/partners/{partners['lingang']}/mous/new",
        {
            "title": "",
            "signed_on": "2026-13-01",
            "expires_on": "2025-01-01",
            "yearly_quota": "-3",
            "stages": ["seed", "unicorn"],
        },
    )
    assert response.status_code == 422
    text = text_of(response.text)
    assert "is required" in text and "must be a date written YYYY-MM-DD" in text
    assert "must be a whole number from 1 to 10,000" in text and "unicorn" in text
    assert await Mou.count() == 0


async def test_partnership_staff_manage_parks_contacts_and_partner_users(client, park, partners):
    await login(client, "collab@park.example")
    created = await post_form(client, "/partners", {"name": "Tokyo Park", "country": "Japan"})
    assert created.status_code == 303
    tokyo = int(created.headers["location"].split("/")[2].split("?")[0])
    duplicate = await post_form(client, "/partners", {"name": "tokyo park", "country": "Japan"})
    assert duplicate.status_code == 409 and "is taken" in duplicate.text
    contact = await post_form(
        client, f"/partners/{tokyo}/contacts", {"name": "Aiko Sato", "email": "not-an-email"}
    )
    assert contact.status_code == 422 and "must be an email address" in contact.text
    user = await post_form(
        client,
        f"/partners/{tokyo}/users",
        {"email": "liaison@tokyo.example", "name": "Liaison", "password": "long-enough-pass-1"},
    )
    assert user.status_code == 303
    taken = await post_form(client, f"/partners/{tokyo}/users", {"email": park.users["partner"]})
    assert taken.status_code == 409 and "already belongs to Shanghai Lingang Group" in taken.text
    async with make_client(client._transport.app) as liaison:
        await login(liaison, "liaison@tokyo.example", "long-enough-pass-1")
        assert "Tokyo Park" in (await liaison.get("/portal")).text
    await login(client, park.users["manager"])  # other managers see partners, change nothing
    assert (await client.get(f"/partners/{tokyo}")).status_code == 200
    refused = await post_form(client, f"/partners/{tokyo}", {"name": "X", "country": "Y"})
    assert refused.status_code == 403


async def test_partners_api_is_in_the_openapi_document(client):
    schema = (await client.get("/schema/openapi.json")).json()
    paths = schema["paths"]
    for path in (
        "/api/partners",
        "/api/partners/mous",
        "/api/partners/referrals",
        "/api/partners/exports/{export_id}/download",
        "/api/partners/me/exports",
        "/api/partners/consents/{startup_id}/{partner_id}",
    ):
        assert path in paths, path


async def test_the_api_answers_with_the_fields_it_documents_and_no_more(client, park, partners):
    """Services return what their pages show (a park's notes and webhook, an MOU's
    clusters); the API answers with its documented shape only."""
    import msgspec

    from incubator.partners.schemas import MouDetail, PartnerOut
    from incubator.partners.tables import PartnerPark

    await PartnerPark.update({PartnerPark.notes: "internal: renewal talks"}).where(
        PartnerPark.id == partners["lingang"]
    )
    await login(client, park.users["admin"])
    mou = await record_mou(client, partners["lingang"])
    shown = (await api(client, "GET", f"/api/partners/{partners['lingang']}")).json()
    assert set(shown) == {f.name for f in msgspec.structs.fields(PartnerOut)}
    assert "internal" not in str(shown)
    detail = (await api(client, "GET", f"/api/partners/mous/{mou}")).json()
    assert set(detail) == {f.name for f in msgspec.structs.fields(MouDetail)}
    assert "can_manage" not in detail and "cluster_ids" not in detail


async def test_suggestions_search_and_page_and_referrals_filter_by_partner(client, park, partners):
    from incubator.startups.tables import Startup

    await login(client, park.users["admin"])
    mou = await record_mou(client, partners["dubai"], clusters=[])
    names = [f"Falcon Robotics {n:02d}" for n in range(55)]
    ids = [
        r["id"]
        for r in await Startup.insert(
            *[Startup(slug=f"falcon-{n:02d}", name_en=name) for n, name in enumerate(names)]
        ).returning(Startup.id)
    ]
    await SharingConsent.insert(
        *[SharingConsent(startup=i, partner=partners["dubai"], fields="name") for i in ids],
        SharingConsent(
            startup=park.startups["harbour-pay"], partner=partners["dubai"], fields="name"
        ),
    )
    first = text_of((await client.get(f"/partners/mous/{mou}?q=falcon")).text)
    assert first.count("Falcon Robotics") == 50 and "Next" in first and "Harbour Pay" not in first
    second = text_of((await client.get(f"/partners/mous/{mou}?q=falcon&page=2")).text)
    assert second.count("Falcon Robotics") == 5 and "Previous" in second and "Next" not in second
    api_page = await api(client, "GET", f"/api/partners/mous/{mou}/suggestions?q=harbour")
    assert [s["slug"] for s in api_page.json()] == ["harbour-pay"]
    bad = await api(client, "GET", f"/api/partners/mous/{mou}/suggestions?page=zero")
    assert bad.status_code == 400

    await Referral.insert(
        Referral(direction="outbound", partner=partners["dubai"], startup=ids[0]),
        Referral(direction="outbound", partner=partners["lingang"], startup=ids[1]),
    )
    only_dubai = text_of((await client.get(f"/referrals?partner={partners['dubai']}")).text)
    assert "Falcon Robotics 00" in only_dubai and "Falcon Robotics 01" not in only_dubai
