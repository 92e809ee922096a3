"""Security headers on every kind of response, no inline script for the policy to allow, no
server banner, and the charset named once."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import httpx

from incubator.app import create_app
from incubator.templating import templates_dir
from tests.conftest import login, make_client
from tests.server import running_server

ANONYMOUS_PATHS = [
    "/",
    "/startups",
    "/startups?q=pay",
    "/events",
    "/events/feeds/entrepreneurship.ics",
    "/centres",
    "/academy",
    "/login",
    "/no-such-page",  # a 404 of no route
    "/api/startups",
    "/api/no-such-endpoint",
    "/static/site.css",
    "/static/site.js",
    "/health",
]
SIGNED_IN_PATHS = ["/", "/dashboard", "/leases", "/leases/export.csv", "/api/leases", "/inbox"]


def assert_hardened(response: httpx.Response) -> None:
    headers = response.headers
    where = f"{response.request.method} {response.request.url.path}"
    policy = headers.get("content-security-policy", "")
    script = re.search(r"script-src ([^;]*)", policy)
    assert script and "'unsafe-inline'" not in script.group(1), where
    assert "frame-ancestors 'none'" in policy, where
    assert headers.get("x-frame-options") == "DENY", where
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("referrer-policy") == "strict-origin-when-cross-origin", where
    assert "server" not in headers, where
    assert headers.get("content-type", "").lower().count("charset") <= 1, where


async def test_every_kind_of_response_carries_the_headers(client, park):
    for path in ANONYMOUS_PATHS:
        response = await client.get(path)
        assert response.status_code < 500, path
        assert_hardened(response)
        assert "strict-transport-security" not in response.headers  # served over http
    await login(client, park.users["admin"])
    for path in SIGNED_IN_PATHS:
        response = await client.get(path)
        assert response.status_code == 200, path
        assert_hardened(response)
        assert response.headers["cache-control"] == "no-store", path


async def test_a_signed_in_page_is_never_cached_and_a_public_one_may_be(client, park):
    public = await client.get("/events/feeds/entrepreneurship.ics")
    assert public.headers["cache-control"].startswith("public")
    assert public.headers["content-type"] == "text/calendar; charset=utf-8"
    await login(client, park.users["member"])
    assert (await client.get("/startups")).headers["cache-control"] == "no-store"


async def test_https_sites_ask_browsers_to_stay_on_https(settings, park):
    app = create_app(replace(settings, base_url="https://community.example"), manage_engine=False)
    async with make_client(app) as client:
        response = await client.get("/startups")
    assert response.headers["strict-transport-security"].startswith("max-age=31536000")


def test_no_template_holds_an_inline_script_or_handler():
    """What the policy forbids would break the page: every script is a file of /static."""
    for template in Path(templates_dir()).rglob("*.html"):
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template
        assert not re.search(r"\son[a-z]+\s*=", text), template


def test_the_real_server_names_no_server_software(settings, park):
    with running_server(settings.database_url) as url:
        response = httpx.get(f"{url}/startups")
    assert response.status_code == 200 and "server" not in response.headers
    assert_hardened(response)
