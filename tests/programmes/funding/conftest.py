"""Fixtures of programme funding: a client logged in as each kind of user, and grants for
Harbour Pay (admitted to the Cyberport Incubation Programme, run by the Entrepreneurship
Centre): one paid against milestones, one 1:1 matching."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import pytest

from incubator.startups.tables import Programme
from tests.conftest import api, make_client

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
WHO = ("member", "other_member", "manager", "other_manager", "admin", "partner")


@pytest.fixture
async def people(app, park, settings) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    """A client signed in as each kind of user. The sessions are made as the log-in form makes
    them (its own tests are in tests/auth), without the form's password check for each."""
    from incubator.auth.services.accounts import create_session
    from incubator.auth.tables import User
    from incubator.web import SESSION_COOKIE

    ids = {r["email"]: r["id"] for r in await User.select(User.id, User.email)}
    async with contextlib.AsyncExitStack() as stack:
        clients = {}
        for who in WHO:
            client = await stack.enter_async_context(make_client(app))
            session = await create_session(settings, ids[park.users[who]], "127.0.0.1", "tests")
            client.cookies.set(SESSION_COOKIE, session.token)
            await client.get("/grants")  # the CSRF cookie, as a browser has from its first page
            clients[who] = client
        yield clients


async def programme_id(slug: str = "cyberport-incubation") -> int:
    return (await Programme.select(Programme.id).where(Programme.slug == slug).first())["id"]


def milestones_body(park, **extra: Any) -> dict[str, Any]:
    return {
        "startup": park.startups["harbour-pay"],
        "kind": "milestones",
        "total_cents": 300_000_00,
        "starts_on": "2026-01-01",
        "ends_on": "2027-12-31",
        "milestones": [
            {
                "title_en": "Prototype",
                "title_zh": "原型",
                "deliverables_en": "A working prototype shown to three customers.",
                "due_on": "2026-06-30",
                "tranche_cents": 100_000_00,
            },
            {"title_en": "First pilot", "due_on": "2027-06-30", "tranche_cents": 200_000_00},
        ],
    } | extra


async def make_grant(manager: httpx.AsyncClient, body: dict[str, Any], active=True) -> dict:
    body = {"programme": await programme_id()} | body
    made = await api(manager, "POST", "/api/grants", json=body)
    assert made.status_code == 201, made.text
    if not active:
        return made.json()
    activated = await api(manager, "POST", f"/api/grants/{made.json()['id']}/activate")
    assert activated.status_code == 200, activated.text
    return activated.json()


async def matching_grant(manager: httpx.AsyncClient, park, cap_cents: int = 50_000_00) -> dict:
    today = date.today()
    return await make_grant(
        manager,
        {
            "startup": park.startups["harbour-pay"],
            "kind": "matching",
            "total_cents": cap_cents,
            "starts_on": f"{today.year - 1}-01-01",
            "ends_on": f"{today.year + 1}-12-31",
        },
    )


async def claim(
    member: httpx.AsyncClient,
    grant_id: int,
    files: list[tuple[str, bytes]] | None = None,
    **fields: Any,
) -> httpx.Response:
    """A claim through the API, its evidence as multipart files (a PDF receipt by default)."""
    sent = [("evidence", (name, data)) for name, data in (files or [("receipt.pdf", PDF)])]
    data = {"report": "Cloud hosting and a payment gateway, invoices attached."} | {
        k: str(v) for k, v in fields.items()
    }
    return await api(member, "POST", f"/api/grants/{grant_id}/claims", data=data, files=sent)
