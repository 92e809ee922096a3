"""Partners and MOUs: consent decides what any partner receives, exports are logged and
verifiable, tokens stay inside their partner, webhooks are signed and retried until the
receiver takes them, and referral quotas hold under concurrency."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import json
import threading
from dataclasses import replace
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import openpyxl
import pytest

from incubator.auth.tables import User
from incubator.db import utcnow
from incubator.i18n import today_hk
from incubator.partners.services import export_rows, webhooks
from incubator.partners.tables import (
    ExportItem,
    Mou,
    PartnerMembership,
    PartnerPark,
    Referral,
    ReferralExport,
    SharingConsent,
    WebhookDelivery,
)
from incubator.startups.tables import Centre, ManagerAssignment
from tests.conftest import api, login, make_client, password_hash, post_form, text_of

TODAY = today_hk()


@pytest.fixture
async def partners(park):
    """Lingang (the park fixture's partner) under a live MOU for FinTech; Dubai, a second
    partner with its own user and MOU; a Collaboration Centre manager."""
    lingang = park.partners["lingang"]
    dubai = (
        await PartnerPark.insert(
            PartnerPark(name="Dubai Future Foundation", country="United Arab Emirates")
        ).returning(PartnerPark.id)
    )[0]["id"]
    rows = await User.insert(
        User(
            email="partner@dff.example", name="DFF", password_hash=password_hash(), role="partner"
        ),
        User(
            email="collab@park.example",
            name="Collab Manager",
            password_hash=password_hash(),
            role="manager",
        ),
    ).returning(User.id)
    await PartnerMembership.insert(PartnerMembership(user=rows[0]["id"], partner=dubai))
    centre = await Centre.insert(
        Centre(slug="collaboration", kind="centre", name_en="Collaboration Centre")
    ).returning(Centre.id)
    await ManagerAssignment.insert(ManagerAssignment(user=rows[1]["id"], centre=centre[0]["id"]))
    return {"lingang": lingang, "dubai": dubai}


async def record_mou(client, partner: int, **extra) -> int:
    body = {
        "title": "Soft-landing MOU",
        "signed_on": str(TODAY - timedelta(days=30)),
        "expires_on": str(TODAY + timedelta(days=700)),
        "status": "active",
        **extra,
    }
    response = await api(client, "POST", f"/api/partners/{partner}/mous", json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def consent(client, startup: int, partner: int, fields: list[str], **extra):
    body = {"fields": fields, **extra}
    return await api(client, "PUT", f"/api/partners/consents/{startup}/{partner}", json=body)


async def make_export(client, partner: int, fmt: str) -> dict:
    response = await api(client, "POST", f"/api/partners/{partner}/exports", json={"format": fmt})
    assert response.status_code == 201, response.text
    return response.json()


async def download(client, export: dict, **kwargs) -> bytes:
    response = await client.get(export["download"], **kwargs)
    assert response.status_code == 200, response.text
    return response.content


def csv_rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


# ---------------------------------------------------------------- consent and exports


async def test_withdrawn_or_expired_consent_leaves_the_next_export(client, park, partners):
    await login(client, park.users["admin"])
    await record_mou(client, partners["lingang"])
    hp, lc = park.startups["harbour-pay"], park.startups["lantern-chain"]
    assert (await consent(client, hp, partners["lingang"], ["name", "website"])).status_code == 200
    assert (await consent(client, lc, partners["lingang"], ["name"])).status_code == 200
    first = csv_rows(await download(client, await make_export(client, partners["lingang"], "csv")))
    assert {r["slug"] for r in first} == {"harbour-pay", "lantern-chain"}

    withdrawn = await api(client, "DELETE", f"/api/partners/consents/{hp}/{partners['lingang']}")
    assert withdrawn.status_code == 204
    # Lantern Chain's consent ran out yesterday (set in the database: the API refuses a past date).
    await SharingConsent.update({SharingConsent.expires_on: TODAY - timedelta(days=1)}).where(
        SharingConsent.startup == lc
    )
    second = await make_export(client, partners["lingang"], "csv")
    assert csv_rows(await download(client, second)) == []
    assert second["row_count"] == 0
    # Consent to Lingang says nothing about Dubai: Dubai's export stays empty throughout.
    await record_mou(client, partners["dubai"])
    assert (await make_export(client, partners["dubai"], "json"))["row_count"] == 0


async def test_unconsented_fields_never_appear_in_any_format(client, park, partners):
    from incubator.startups.tables import Startup

    await login(client, park.users["admin"])
    await record_mou(client, partners["lingang"])
    hp = park.startups["harbour-pay"]
    secret_email = "cfo-private@harbour.example"
    await Startup.update(
        {Startup.contact_email: secret_email, Startup.website: "https://harbour.example"}
    ).where(Startup.id == hp)
    assert (await consent(client, hp, partners["lingang"], ["name", "stage"])).status_code == 200

    for fmt in ("csv", "xlsx", "json"):
        export = await make_export(client, partners["lingang"], fmt)
        data = await download(client, export)
        assert secret_email.encode() not in data and b"harbour.example" not in data
        assert b"Cross-border" not in data  # the description was not consented either
        if fmt == "csv":
            (row,) = csv_rows(data)
            assert row["name_en"] == "Harbour Pay" and row["stage"] == "seed"
            assert row["contact_email"] == "" and row["description_en"] == ""
        elif fmt == "xlsx":
            sheet = openpyxl.load_workbook(io.BytesIO(data)).active
            header, values = list(sheet.iter_rows(values_only=True))
            row = dict(zip(header, values, strict=True))
            assert row["name_zh"] == "海港支付" and row["contact_email"] is None
        else:
            document = json.loads(data)
            (row,) = document["rows"]
            assert set(row) == {"slug", "name_en", "name_zh", "stage"}
            assert document["partner"] == "Shanghai Lingang Group"


async def test_an_export_holds_only_the_mou_scope_and_needs_an_mou_in_force(client, park, partners):
    await login(client, park.users["admin"])
    lingang = partners["lingang"]
    none_yet = await api(client, "POST", f"/api/partners/{lingang}/exports", json={"format": "csv"})
    assert none_yet.status_code == 422 and "no MOU in force" in none_yet.json()["detail"]
    await record_mou(client, lingang, clusters=["web3"], stages=["series_a", "seed"])
    for slug in ("harbour-pay", "lantern-chain", "bamboo-home"):
        response = await consent(client, park.startups[slug], lingang, ["name", "clusters"])
        assert response.status_code == 200, response.text
    # Harbour Pay is FinTech only; Bamboo Home is an idea-stage smart-living start-up.
    rows = csv_rows(await download(client, await make_export(client, lingang, "csv")))
    assert [r["slug"] for r in rows] == ["lantern-chain"]
    assert rows[0]["clusters"] == "FinTech; Web3"
    bad = await api(client, "POST", f"/api/partners/{lingang}/exports", json={"format": "pdf"})
    assert bad.status_code == 422 and "format" in bad.json()["errors"]


async def test_every_export_is_logged_with_its_sha256_and_shown_to_the_startup(
    client, park, partners
):
    await login(client, park.users["admin"])
    await record_mou(client, partners["lingang"])
    hp = park.startups["harbour-pay"]
    await consent(client, hp, partners["lingang"], ["name", "description", "contact"])
    export = await make_export(client, partners["lingang"], "xlsx")
    data = await download(client, export)
    logged = await ReferralExport.select().where(ReferralExport.id == export["id"]).first()
    assert logged["sha256"] == hashlib.sha256(data).hexdigest() == export["sha256"]
    assert logged["size_bytes"] == len(data) and logged["requested_by_name"] == "Admin"
    items = await ExportItem.select().where(ExportItem.export == export["id"])
    assert [(i["startup"], i["fields"]) for i in items] == [(hp, "name,description,contact")]
    log_page = await client.get("/partners/exports")
    assert logged["sha256"][:12] in log_page.text and "Shanghai Lingang Group" in log_page.text
    detail = text_of((await client.get(f"/partners/exports/{export['id']}")).text)
    assert "Harbour Pay" in detail and "name, description, contact" in detail

    async with make_client(client._transport.app) as member:
        await login(member, park.users["member"])
        sharing = text_of((await member.get(f"/startups/{hp}/sharing")).text)
        assert "Who received my data" in sharing
        assert "Shanghai Lingang Group" in sharing and f"Referral export {export['id']}" in sharing
        # Another start-up's member may not look.
        await login(member, park.users["other_member"])
        assert (await member.get(f"/startups/{hp}/sharing")).status_code == 403


async def test_the_export_log_outlives_the_startup_it_names(client, park, partners):
    """The log is a record of what was sent: were a start-up deleted (nothing in the app does),
    its log rows keep its id and name as they were."""
    from incubator.startups.tables import Startup

    await login(client, park.users["admin"])
    await record_mou(client, partners["lingang"])
    (made,) = await Startup.insert(Startup(slug="brief-co", name_en="Brief Co")).returning(
        Startup.id
    )
    await consent(client, made["id"], partners["lingang"], ["name"])
    export = await make_export(client, partners["lingang"], "csv")
    await Startup.delete().where(Startup.id == made["id"])  # its consent goes with it
    items = await ExportItem.select().where(ExportItem.export == export["id"])
    assert [(i["startup"], i["startup_name"]) for i in items] == [(made["id"], "Brief Co")]


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


# ---------------------------------------------------------------- partner access


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


async def _token_id(partner: int) -> int:
    from incubator.partners.tables import PartnerToken

    row = await PartnerToken.select(PartnerToken.id).where(PartnerToken.partner == partner).first()
    return row["id"]


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


# ---------------------------------------------------------------- webhooks


class Receiver:
    """A real HTTP endpoint on loopback that fails its first `failures` requests."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.accepted: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver.received.append((headers, body))
                if len(receiver.received) <= receiver.failures:
                    self.send_response(503)
                    self.end_headers()
                    self.wfile.write(b"down for maintenance")
                    return
                receiver.accepted.append((headers, body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/referrals"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


async def _with_webhook(client, partner: int, url: str) -> str:
    response = await post_form(client, f"/partners/{partner}/webhook", {"webhook_url": url})
    assert response.status_code == 303, response.text
    row = await PartnerPark.select(PartnerPark.webhook_secret).where(PartnerPark.id == partner)
    return row[0]["webhook_secret"]


async def test_send_now_delivers_a_signed_export_a_real_receiver_verifies(client, park, partners):
    await login(client, park.users["admin"])
    await record_mou(client, partners["lingang"])
    await consent(client, park.startups["lantern-chain"], partners["lingang"], ["name"])
    export = await make_export(client, partners["lingang"], "json")
    with Receiver() as receiver:
        secret = await _with_webhook(client, partners["lingang"], receiver.url)
        assert secret.startswith("whsec_")
        sent = await post_form(client, f"/partners/exports/{export['id']}/send")
        assert sent.status_code == 303 and "message=delivered" in sent.headers["location"]
    ((headers, body),) = receiver.accepted
    assert webhooks.verify_signature(secret, headers["x-incubator-signature"], body)
    assert not webhooks.verify_signature("whsec_wrong", headers["x-incubator-signature"], body)
    assert not webhooks.verify_signature(secret, headers["x-incubator-signature"], body + b" ")
    assert hashlib.sha256(body).hexdigest() == headers["x-incubator-sha256"] == export["sha256"]
    assert json.loads(body)["rows"][0]["slug"] == "lantern-chain"
    assert headers["idempotency-key"].startswith(f"export-{export['id']}-")
    assert headers["content-type"] == "application/json"


async def test_a_failing_receiver_gets_the_export_once_it_recovers_with_the_same_key(
    client, park, partners, settings
):
    settings = replace(settings, webhook_backoff_seconds=60, webhook_max_attempts=5)
    await login(client, park.users["admin"])
    await record_mou(client, partners["lingang"])
    export = await make_export(client, partners["lingang"], "csv")
    with Receiver(failures=2) as receiver:
        await _with_webhook(client, partners["lingang"], receiver.url)
        first = await api(client, "POST", f"/api/partners/exports/{export['id']}/deliveries")
        assert first.status_code == 201 and first.json()["status"] == "pending"
        assert "503" in first.json()["last_error"]
        # Not due yet: the first wait is a minute.
        assert await webhooks.deliver_due(settings) == {"delivered": 0, "failed": 0, "dead": 0}
        later = utcnow() + timedelta(minutes=1, seconds=1)
        assert await webhooks.deliver_due(settings, later) == {
            "delivered": 0,
            "failed": 1,
            "dead": 0,
        }
        row = await WebhookDelivery.select().first()
        assert row["next_attempt_at"] - later == timedelta(minutes=4)  # four times longer
        assert (await webhooks.deliver_due(settings, later + timedelta(minutes=4)))[
            "delivered"
        ] == 1
        assert await webhooks.deliver_due(settings, later + timedelta(days=1)) == {
            "delivered": 0,
            "failed": 0,
            "dead": 0,
        }
    keys = {headers["idempotency-key"] for headers, _ in receiver.received}
    assert len(receiver.received) == 3 and len(keys) == 1 and len(receiver.accepted) == 1
    row = await WebhookDelivery.select().first()
    assert row["status"] == "delivered" and row["attempts"] == 3


async def test_a_delivery_is_dead_after_its_last_attempt_and_an_admin_can_retry_it(
    client, park, partners, settings
):
    settings = replace(settings, webhook_backoff_seconds=1, webhook_max_attempts=2)
    await login(client, park.users["admin"])
    await record_mou(client, partners["lingang"])
    export = await make_export(client, partners["lingang"], "csv")
    # Nothing listens on this port: every attempt fails to connect.
    await _with_webhook(client, partners["lingang"], "http://127.0.0.1:9/hook")
    delivery = await webhooks.queue_delivery(None, export["id"])
    now = utcnow()
    assert (await webhooks.deliver_due(settings, now))["failed"] == 1
    assert (await webhooks.deliver_due(settings, now + timedelta(seconds=2)))["dead"] == 1
    page = text_of((await client.get(f"/partners/{partners['lingang']}")).text)
    assert "Failed for good" in page and "ConnectError" in page
    retried = await post_form(client, f"/partners/deliveries/{delivery}/retry")
    assert retried.status_code == 303
    row = await WebhookDelivery.select().where(WebhookDelivery.id == delivery).first()
    assert row["status"] == "pending" and row["attempts"] == 0


async def test_two_delivery_jobs_at_once_send_each_attempt_once(client, park, partners, settings):
    await login(client, park.users["admin"])
    await record_mou(client, partners["lingang"])
    with Receiver() as receiver:
        await _with_webhook(client, partners["lingang"], receiver.url)
        for _ in range(6):
            export = await make_export(client, partners["lingang"], "csv")
            await webhooks.queue_delivery(None, export["id"])
        results = await asyncio.gather(*[webhooks.deliver_due(settings) for _ in range(3)])
    assert sum(r["delivered"] for r in results) == 6
    assert len(receiver.received) == 6
    assert len({h["idempotency-key"] for h, _ in receiver.received}) == 6


# ---------------------------------------------------------------- MOUs and referrals


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


async def test_exports_neutralise_spreadsheet_formulas(client, park, partners):
    from incubator.startups.tables import Cluster, Startup

    await login(client, park.users["admin"])
    await record_mou(client, partners["lingang"])
    hp = park.startups["harbour-pay"]
    formula = '=HYPERLINK("https://evil.example","click")'
    await Startup.update({Startup.name_en: formula, Startup.tags: "+1,@sum"}).where(
        Startup.id == hp
    )
    await Cluster.update({Cluster.name_en: "=FinTech"}).where(Cluster.name_en == "FinTech")
    await consent(client, hp, partners["lingang"], ["name", "tags", "clusters"])
    (row,) = csv_rows(await download(client, await make_export(client, partners["lingang"], "csv")))
    assert row["name_en"] == "'" + formula and row["tags"] == "'+1; @sum"
    assert row["clusters"] == "'=FinTech"
    data = await download(client, await make_export(client, partners["lingang"], "xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    header, values = list(sheet.iter_rows(values_only=True))
    cells = dict(zip(header, values, strict=True))
    assert cells["name_en"] == "'" + formula and cells["tags"] == "'+1; @sum"
    assert cells["clusters"] == "'=FinTech"
    assert sheet["B2"].data_type == "s"  # a string, never a formula
    # JSON is data for machines: kept exact.
    document = json.loads(
        await download(client, await make_export(client, partners["lingang"], "json"))
    )
    assert document["rows"][0]["name_en"] == formula and document["rows"][0]["tags"] == [
        "+1",
        "@sum",
    ]
    assert document["rows"][0]["clusters"] == ["=FinTech"]


async def test_a_csv_export_keeps_every_cells_text_exactly(client, park, partners):
    """Line ends, quotes and control characters inside cells come back exactly, however the
    file is made (on PostgreSQL the server writes it; a row's end is found after it)."""
    from incubator.downloads.csv_files import CsvEncoder
    from incubator.startups.tables import Startup

    await login(client, park.users["admin"])
    await record_mou(client, partners["lingang"])
    hp = park.startups["harbour-pay"]
    description = 'Line one\r\nline "two", \x1e\n,"\x1e"\nend'
    await Startup.update({Startup.description_en: description, Startup.name_zh: "\x1e"}).where(
        Startup.id == hp
    )
    await consent(client, hp, partners["lingang"], ["name", "description"])
    export = await make_export(client, partners["lingang"], "csv")
    data = await download(client, export)
    (row,) = csv_rows(data)
    assert row["description_en"] == description and row["name_zh"] == "\x1e"
    assert export["row_count"] == 1
    # Byte for byte what the csv module writes for the consented cells.
    startup = await Startup.select().where(Startup.id == hp).first()
    shown = {"slug", "name_en", "name_zh", "description_en", "description_zh"}
    cells = [startup[column] if column in shown else "" for column in export_rows.COLUMNS]
    encoder = CsvEncoder(export_rows.COLUMNS)
    assert data == encoder.start() + encoder.rows([cells])


async def test_an_export_built_in_many_batches_is_its_log_row_for_row(
    client, park, partners, monkeypatch
):
    """The log is written beside the file, from the same snapshot, and the file is read
    through one cursor, a batch at a time, while the next batch is read and earlier chunks
    are stored: with batches of one start-up and tiny chunks, every file still holds exactly
    the logged start-ups, in the log's order, with exactly their consented fields, and its
    SHA-256 stays true."""
    from incubator.partners.services import exports
    from incubator.startups.tables import Startup

    monkeypatch.setattr(exports, "BATCH", 1)
    monkeypatch.setattr(exports, "CHUNK_BYTES", 40)
    monkeypatch.setattr(exports, "STORE_BYTES", 100)
    await login(client, park.users["admin"])
    await record_mou(client, partners["lingang"])  # no clusters or stages: every start-up
    hp, lc, bh = (park.startups[s] for s in ("harbour-pay", "lantern-chain", "bamboo-home"))
    await Startup.update({Startup.founded_year: None}).where(Startup.id == bh)
    await consent(client, hp, partners["lingang"], ["name", "clusters", "tags"])
    await consent(client, lc, partners["lingang"], ["name", "clusters", "contact"])
    await consent(client, bh, partners["lingang"], ["name", "founded_year"])

    made = {fmt: await make_export(client, partners["lingang"], fmt) for fmt in ("csv", "json")}
    for fmt, export in made.items():
        data = await download(client, export)
        assert export["sha256"] == hashlib.sha256(data).hexdigest()
        assert export["row_count"] == 3
        items = (
            await ExportItem.select(ExportItem.startup, ExportItem.fields)
            .where(ExportItem.export == export["id"])
            .order_by(ExportItem.id)
        )
        assert [(i["startup"], i["fields"]) for i in items] == [
            (hp, "name,clusters,tags"),
            (lc, "name,clusters,contact"),
            (bh, "name,founded_year"),
        ]
        if fmt == "csv":
            rows = csv_rows(data)
            assert [r["slug"] for r in rows] == ["harbour-pay", "lantern-chain", "bamboo-home"]
            assert rows[0]["clusters"] == "FinTech" and rows[0]["tags"] == "payments; b2b"
            assert rows[1]["clusters"] == "FinTech; Web3" and rows[1]["tags"] == ""
            assert rows[2]["founded_year"] == "" and rows[2]["clusters"] == ""
        else:
            first, second, third = json.loads(data)["rows"]
            assert first["clusters"] == ["FinTech"] and first["tags"] == ["payments", "b2b"]
            assert second["clusters"] == ["FinTech", "Web3"] and "tags" not in second
            assert "contact_email" in second and "description_en" not in second
            # Consented but unknown is null; not consented is left out.
            assert set(third) == {"slug", "name_en", "name_zh", "founded_year"}
            assert third["founded_year"] is None


async def test_cluster_names_are_in_code_point_order_in_every_format(
    client, park, partners, engine_name
):
    """The same order in every file, whatever the database's collation: "Web3" before
    "fintech" (an upper-case W before a lower-case f), where a language's collation, as the
    cluster names get here on PostgreSQL, puts "fintech" first."""
    from incubator.startups.tables import Cluster

    await login(client, park.users["admin"])
    await record_mou(client, partners["lingang"])
    await Cluster.update({Cluster.name_en: "fintech"}).where(Cluster.name_en == "FinTech")
    await consent(client, park.startups["lantern-chain"], partners["lingang"], ["name", "clusters"])
    language = 'ALTER TABLE cluster ALTER COLUMN name_en TYPE varchar(120) COLLATE "{}"'

    async def collate(collation: str) -> None:
        from incubator import db

        await Cluster.raw(language.format(collation))
        # Statements the pooled connections prepared before are void after the change.
        await db.current_engine().pool.expire_connections()

    if engine_name == "postgres":
        await collate("und-x-icu")
        ordered = [
            r["name_en"] for r in await Cluster.raw("SELECT name_en FROM cluster ORDER BY 1")
        ]
        assert ordered.index("fintech") < ordered.index("Web3")
    try:
        made = {
            fmt: await download(client, await make_export(client, partners["lingang"], fmt))
            for fmt in ("csv", "xlsx", "json")
        }
    finally:
        if engine_name == "postgres":
            await collate("default")
    (row,) = csv_rows(made["csv"])
    assert row["clusters"] == "Web3; fintech"
    sheet = openpyxl.load_workbook(io.BytesIO(made["xlsx"])).active
    header, values = list(sheet.iter_rows(values_only=True))
    assert dict(zip(header, values, strict=True))["clusters"] == "Web3; fintech"
    assert json.loads(made["json"])["rows"][0]["clusters"] == ["Web3", "fintech"]


async def test_an_export_made_inside_a_transaction_stores_its_file_after_reading_it(
    client, park, partners, monkeypatch
):
    """Inside a caller's transaction every statement shares one connection: the next batch is
    read when this one is done, and the chunks are stored once the cursor is spent (a write
    between a cursor's reads aborted SQLite's cursor at 100,000 start-ups)."""
    from incubator import db
    from incubator.auth.schemas import Viewer
    from incubator.auth.tables import Role
    from incubator.partners.services import exports

    monkeypatch.setattr(exports, "BATCH", 1)
    monkeypatch.setattr(exports, "CHUNK_BYTES", 40)
    monkeypatch.setattr(exports, "STORE_BYTES", 100)
    await login(client, park.users["admin"])
    await record_mou(client, partners["lingang"])
    for slug in ("harbour-pay", "lantern-chain", "bamboo-home"):
        await consent(client, park.startups[slug], partners["lingang"], ["name", "description"])
    admin = await User.select(User.id).where(User.email == park.users["admin"]).first()
    viewer = Viewer(user_id=admin["id"], name="Admin", role=Role.admin)
    async with db.write_transaction():
        export_id = await exports.create_export(viewer, partners["lingang"], "csv")
    data = b"".join([chunk async for chunk in exports.stream_chunks(export_id)])
    made = await ReferralExport.select().where(ReferralExport.id == export_id).first()
    assert made["status"] == "ready" and made["sha256"] == hashlib.sha256(data).hexdigest()
    assert [r["slug"] for r in csv_rows(data)] == ["harbour-pay", "lantern-chain", "bamboo-home"]
