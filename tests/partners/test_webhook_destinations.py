"""Webhooks cannot reach inside: https to public addresses only (http and the inside only for
allow-listed hosts), checked after resolving the name, no redirect followed, and the
endpoint's answer recorded by its status, never its body."""

from __future__ import annotations

import socket
from dataclasses import replace

import pytest

from incubator import outbound
from incubator.errors import ValidationFailed
from incubator.partners.schemas import WebhookIn
from incubator.partners.services import parks, webhooks
from incubator.partners.tables import PartnerPark, WebhookDelivery
from tests.conftest import api, login
from tests.partners.conftest import Receiver, _with_webhook, make_export, record_mou

INSIDE = [
    "http://example.com/hook",  # plain http
    "https://127.0.0.1/hook",
    "https://localhost:8443/hook",
    "https://10.1.2.3/hook",
    "https://192.168.0.10/hook",
    "https://169.254.169.254/latest/meta-data/",  # cloud metadata
    "https://[::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://100.64.0.1/hook",  # carrier-grade NAT
    "https://user:pw@partner.example/hook",
]


@pytest.mark.parametrize("url", INSIDE)
def test_addresses_of_the_inside_are_refused_when_set(url):
    with pytest.raises(outbound.Refused):
        outbound.check_address(url)


def test_an_allow_listed_host_may_be_plain_http_and_inside():
    outbound.check_address("http://127.0.0.1:9000/hook", ("127.0.0.1",))
    outbound.check_address("https://93.184.216.34/hook")  # a public address


async def test_a_name_is_judged_by_the_addresses_it_resolves_to():
    with pytest.raises(outbound.Refused, match="internal address"):
        # This machine's own name resolves to it (/etc/hosts): loopback or a private address.
        await outbound.resolve(f"https://{socket.gethostname()}:8443/hook")
    pinned = await outbound.resolve("https://93.184.216.34:8443/x?y=1")
    assert pinned.url == "https://93.184.216.34:8443/x?y=1"
    assert pinned.host == "93.184.216.34:8443"


async def test_the_webhook_form_refuses_an_inside_address(park, partners, settings):
    admin = await _admin(park)
    strict = replace(settings, webhook_allowed_hosts=())
    own_name = f"https://{socket.gethostname()}/x"
    for url in ("http://127.0.0.1:9/hook", "https://127.0.0.1/hook", own_name):
        with pytest.raises(ValidationFailed) as refused:
            await parks.set_webhook(strict, admin, partners["lingang"], WebhookIn(url))
        assert "webhook_url" in refused.value.errors
    row = await PartnerPark.select(PartnerPark.webhook_url).where(
        PartnerPark.id == partners["lingang"]
    )
    assert row[0]["webhook_url"] == ""


async def test_a_delivery_to_a_name_of_the_inside_is_refused_and_sends_nothing(
    client, park, partners, settings
):
    await login(client, park.users["admin"])
    await record_mou(client, partners["lingang"])
    export = await make_export(client, partners["lingang"], "csv")
    with Receiver() as receiver:
        port = receiver.url.split(":")[2].split("/")[0]
        # Set before the rule, or a name that resolved elsewhere when it was set.
        await PartnerPark.update(
            {PartnerPark.webhook_url: f"https://{socket.gethostname()}:{port}/referrals"}
        ).where(PartnerPark.id == partners["lingang"])
        sent = await api(client, "POST", f"/api/partners/exports/{export['id']}/deliveries")
    assert sent.status_code == 201
    assert sent.json()["status"] == "dead"  # no later attempt could change the answer
    assert "refused" in sent.json()["last_error"] and "internal" in sent.json()["last_error"]
    assert receiver.received == []


async def test_no_redirect_is_followed(client, park, partners):
    await login(client, park.users["admin"])
    await record_mou(client, partners["lingang"])
    export = await make_export(client, partners["lingang"], "csv")
    with Receiver() as inside, Receiver(redirect_to=inside.url) as outside:
        await _with_webhook(client, partners["lingang"], outside.url)
        sent = await api(client, "POST", f"/api/partners/exports/{export['id']}/deliveries")
    assert (
        "307" in sent.json()["last_error"]
        and "redirects are not followed" in (sent.json()["last_error"])
    )
    assert len(outside.received) == 1 and inside.received == []


async def test_the_endpoint_s_answer_is_recorded_by_its_status_never_its_body(
    client, park, partners
):
    await login(client, park.users["admin"])
    await record_mou(client, partners["lingang"])
    export = await make_export(client, partners["lingang"], "csv")
    with Receiver(failures=5, failure_body=b"db password is hunter2") as receiver:
        await _with_webhook(client, partners["lingang"], receiver.url)
        sent = await api(client, "POST", f"/api/partners/exports/{export['id']}/deliveries")
    error = sent.json()["last_error"]
    assert error == "the endpoint answered 503 Service Unavailable"
    stored = await WebhookDelivery.select(WebhookDelivery.last_error)
    assert all("hunter2" not in row["last_error"] for row in stored)
    assert webhooks is not None and len(receiver.received) == 1


async def _admin(park):
    from incubator.auth.schemas import Viewer
    from incubator.auth.tables import Role, User

    row = await User.select(User.id).where(User.email == park.users["admin"]).first()
    return Viewer(user_id=row["id"], name="Admin", role=Role.admin)
