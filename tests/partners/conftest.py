"""Fixtures and helpers shared by the tests of partners."""

from __future__ import annotations

import csv
import io
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from incubator.auth.tables import User
from incubator.i18n import today_hk
from incubator.partners.tables import PartnerMembership, PartnerPark
from incubator.startups.tables import Centre, ManagerAssignment
from tests.conftest import api, password_hash, post_form

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
    kind = response.headers["content-type"]
    assert kind.count("charset") <= 1 and (kind == "text/csv; charset=utf-8" or "csv" not in kind)
    return response.content


def csv_rows(data: bytes) -> list[dict]:
    """The rows of an export's CSV by column key: its header names each column for people
    (export_rows.LABELS), as a partner's script would map it back."""
    from incubator.partners.services.export_rows import HEADER, LABELS

    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    if not rows:
        return []
    assert rows[0] == HEADER, rows[0]
    keys = {label: key for key, label in LABELS.items()}
    return [dict(zip((keys[label] for label in rows[0]), row, strict=True)) for row in rows[1:]]


def sheet_rows(data: bytes) -> list[dict]:
    """The rows of an export's XLSX by column key (its header names columns for people)."""
    import openpyxl

    from incubator.partners.services.export_rows import HEADER, LABELS

    header, *rows = openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)
    assert list(header) == HEADER, header
    keys = [{label: key for key, label in LABELS.items()}[label] for label in header]
    return [dict(zip(keys, row, strict=True)) for row in rows]


async def _token_id(partner: int) -> int:
    from incubator.partners.tables import PartnerToken

    row = await PartnerToken.select(PartnerToken.id).where(PartnerToken.partner == partner).first()
    return row["id"]


class Receiver:
    """A real HTTP endpoint on loopback that fails its first `failures` requests (answering
    `failure_body`), or answers every request with a redirect to `redirect_to`."""

    def __init__(
        self, failures: int = 0, failure_body: bytes = b"down for maintenance", redirect_to=""
    ) -> None:
        self.failures = failures
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.accepted: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver.received.append((headers, body))
                if redirect_to:
                    self.send_response(307)
                    self.send_header("Location", redirect_to)
                    self.end_headers()
                    return
                if len(receiver.received) <= receiver.failures:
                    self.send_response(503)
                    self.end_headers()
                    self.wfile.write(failure_body)
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
