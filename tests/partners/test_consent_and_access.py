"""Consent given and withdrawn by members; partner tokens and the partner portal see only their own partner's data."""

from __future__ import annotations

import json
from datetime import timedelta

from incubator.partners.tables import Referral, ReferralExport, SharingConsent
from tests.conftest import api, login, make_client, post_form, text_of
from tests.partners.conftest import TODAY, _token_id, consent, make_export, record_mou


async def test_a_consent_needs_the_name_and_a_future_expiry(client, park, partners):
    await login(client, park.users["member"])
    hp = park.startups["harbour-pay"]
    nameless = await consent(client, hp, partners["lingang"], ["website"])
    assert nameless.status_code == 422 and "name" in nameless.json()["errors"]["fields"]
    unknown = await consent(client, hp, partners["lingang"], ["name", "bank_account"])
    assert "bank_account" in unknown.json()["errors"]["fields"]
    past = await consent(client, hp, partners["lingang"], ["name"], expires_on="2020-01-01")
    assert past.json()["errors"] == {"expires_on": "must be today or later"}
    assert await SharingConsent.count() == 0


async def test_members_give_and_withdraw_consent_on_the_sharing_page(client, park, partners):
    await login(client, park.users["member"])
    hp = park.startups["harbour-pay"]
    page = await client.get(f"/startups/{hp}/sharing")
    assert page.status_code == 200 and "Dubai Future Foundation" in page.text
    refused = await post_form(client, f"/startups/{hp}/sharing/{partners['dubai']}", {})
    assert refused.status_code == 422 and "must include the name" in refused.text
    given = await post_form(
        client,
        f"/startups/{hp}/sharing/{partners['dubai']}",
        {"fields": ["name", "website"], "expires_on": str(TODAY + timedelta(days=90))},
    )
    assert given.status_code == 303
    row = await SharingConsent.select().where(SharingConsent.partner == partners["dubai"]).first()
    assert row["fields"] == "name,website" and row["expires_on"] == TODAY + timedelta(days=90)
    gone = await post_form(client, f"/startups/{hp}/sharing/{partners['dubai']}/withdraw")
    assert gone.status_code == 303
    history = text_of((await client.get(f"/startups/{hp}/sharing")).text)
    assert "withdrew — Dubai Future Foundation" in history
    assert "granted — Dubai Future Foundation (name, website)" in history


async def test_a_partner_token_reaches_its_own_partner_only(client, park, partners):
    await login(client, park.users["admin"])
    await record_mou(client, partners["lingang"])
    await record_mou(client, partners["dubai"])
    await consent(client, park.startups["harbour-pay"], partners["lingang"], ["name"])
    lingang_export = await make_export(client, partners["lingang"], "csv")
    dubai_export = await make_export(client, partners["dubai"], "csv")

    async with make_client(client._transport.app) as portal:
        await login(portal, park.users["partner"])  # Lingang's user makes its machine a token
        made = await post_form(portal, "/portal/tokens", {"label": "CRM import"})
        assert made.status_code == 201
        token = made.text.split('id="new-token">')[1].split("<")[0]
    async with make_client(client._transport.app) as machine:
        bearer = {"Authorization": f"Bearer {token}"}
        me = await machine.get("/api/partners/me", headers=bearer)
        assert me.json()["name"] == "Shanghai Lingang Group"
        mine = await machine.get("/api/partners/me/exports", headers=bearer)
        assert [e["id"] for e in mine.json()] == [lingang_export["id"]]
        own = await machine.get(lingang_export["download"], headers=bearer)
        assert own.status_code == 200 and b"harbour-pay" in own.content
        other = await machine.get(dubai_export["download"], headers=bearer)
        assert other.status_code == 404
        assert (await machine.get("/api/partners/exports", headers=bearer)).status_code == 401
        fresh = await machine.post("/api/partners/me/exports", headers=bearer, json={})
        assert fresh.status_code == 201 and fresh.json()["partner"] == partners["lingang"]
        # The audit trail says where the token's call came from, as for a signed-in person.
        from incubator.auth.tables import AuditEntry

        made_by_token = (
            await AuditEntry.select(AuditEntry.address, AuditEntry.actor_email)
            .where(AuditEntry.action == "export_made")
            .order_by(AuditEntry.id, ascending=False)
            .first()
        )
        assert made_by_token["address"] == "127.0.0.1"
        inbound = await machine.post(
            "/api/partners/me/referrals",
            headers=bearer,
            json={"company_name": "Pudong Robotics", "company_country": "Mainland China"},
        )
        assert inbound.status_code == 201
        referral = await Referral.select().where(Referral.id == inbound.json()["id"]).first()
        assert referral["partner"] == partners["lingang"] and referral["direction"] == "inbound"

        token_id = await api(client, "GET", f"/api/partners/{partners['lingang']}")
        revoke = await api(
            client,
            "POST",
            f"/api/partners/{partners['lingang']}/tokens/"
            f"{await _token_id(partners['lingang'])}/revoke",
        )
        assert token_id.status_code == 200 and revoke.status_code == 204
        after = await machine.get("/api/partners/me/exports", headers=bearer)
        assert after.status_code == 401 and "revoked" in after.json()["detail"]
        forged = await machine.get("/api/partners/me", headers={"Authorization": "Bearer cpk_x"})
        assert forged.status_code == 401


async def test_the_partner_portal_shows_only_the_partners_own_data(client, park, partners):
    await login(client, park.users["admin"])
    await record_mou(client, partners["lingang"], title="Lingang soft landing")
    await record_mou(client, partners["dubai"], title="Dubai accelerator MOU")
    await make_export(client, partners["dubai"], "csv")
    await login(client, park.users["partner"])
    portal = await client.get("/portal")
    assert portal.status_code == 200
    assert "Lingang soft landing" in portal.text and "Dubai accelerator MOU" not in portal.text
    assert "No exports yet." in portal.text
    made = await post_form(client, "/portal/exports", {"format": "json"})
    assert made.status_code == 303 and made.headers["location"] == "/portal?message=export-ready"
    export = await ReferralExport.select().where(ReferralExport.partner == partners["lingang"])
    assert len(export) == 1 and export[0]["requested_by_name"] == "Partner"
    got = await client.get(f"/portal/exports/{export[0]['id']}/download")
    assert got.status_code == 200 and json.loads(got.content)["rows"] == []
    dubai = await ReferralExport.select().where(ReferralExport.partner == partners["dubai"])
    assert (await client.get(f"/portal/exports/{dubai[0]['id']}/download")).status_code == 404
    assert (await client.get(f"/partners/{partners['dubai']}")).status_code == 404
    assert (await client.get("/partners")).status_code == 403


async def test_consent_counts_agree_on_the_list_and_the_partners_page(client, park):
    """One definition of a live consent everywhere: not withdrawn, not expired, of a start-up
    still in the community (as the exports hold)."""
    from datetime import timedelta

    from incubator.i18n import today_hk
    from incubator.partners.tables import SharingConsent
    from incubator.startups.tables import Startup

    partner = park.partners["lingang"]
    live, expired, archived = (
        park.startups["harbour-pay"],
        park.startups["lantern-chain"],
        park.startups["bamboo-home"],
    )
    await SharingConsent.insert(
        SharingConsent(startup=live, partner=partner, fields="name"),
        SharingConsent(
            startup=expired,
            partner=partner,
            fields="name",
            expires_on=today_hk() - timedelta(days=1),
        ),
        SharingConsent(startup=archived, partner=partner, fields="name"),
    )
    await Startup.update({Startup.status: "archived"}).where(Startup.id == archived)
    await login(client, park.users["admin"])
    listed = (await api(client, "GET", "/api/partners")).json()
    assert next(p for p in listed if p["id"] == partner)["consents"] == 1
    page = text_of((await client.get(f"/partners/{partner}")).text)
    assert "· 1 start-up consents to be shared" in page
