"""Logs: one line a request (method, the route it matched, status, time) with a request id
that the response returns and error pages show; JSON lines when not on a terminal; no
password, token, secret address or email in any line; the scheduler's routine lines stay at
debug level."""

from __future__ import annotations

import io
import json
import logging
import re

from incubator.access_log import JsonFormatter, _WithRequestId, configure_logging
from tests.conftest import PASSWORD, login, make_client, post_form, text_of


async def test_each_request_is_one_line_naming_its_route_not_its_path(app, caplog):
    with caplog.at_level(logging.INFO, logger="incubator.requests"):
        async with make_client(app) as client:
            await client.get("/startups?q=secret+search")
            await client.get("/invitations/a-secret-token")
            await client.get("/no-such-page")
    lines = [r.getMessage() for r in caplog.records if r.name == "incubator.requests"]
    assert len(lines) == 3
    assert re.fullmatch(r"GET /startups 200 \d+\.\d ms", lines[0])
    assert re.fullmatch(r"GET /invitations/\{token\} \d{3} \d+\.\d ms", lines[1])
    assert re.fullmatch(r"GET \(no route\) 404 \d+\.\d ms", lines[2])
    assert "secret" not in " ".join(lines)


async def test_a_request_id_comes_back_in_a_header_and_on_error_pages(client, park):
    page = await client.get("/startups")
    assert re.fullmatch(r"[0-9a-f]{16}", page.headers["x-request-id"])
    missing = await client.get("/startups/987654")
    rid = missing.headers["x-request-id"]
    assert missing.status_code == 404 and rid != page.headers["x-request-id"]
    assert f"support team: {rid}" in text_of(missing.text)
    refused = await client.get("/api/startups/987654")
    assert refused.json()["request_id"] == refused.headers["x-request-id"]
    # A proxy's id is kept when it is a plain token, so its lines and ours share it.
    passed = await client.get("/startups", headers={"X-Request-ID": "edge-7f3a9c21"})
    assert passed.headers["x-request-id"] == "edge-7f3a9c21"
    odd = await client.get("/startups", headers={"X-Request-ID": "<script>"})
    assert re.fullmatch(r"[0-9a-f]{16}", odd.headers["x-request-id"])


async def test_json_lines_carry_the_request_id_and_no_secret_or_personal_data(app, park):
    """Everything a day of use logs, parsed as JSON: a log-in (with its password), an API
    token's use, an invitation (its token, the invitee's address; no mail server here, so
    a failed email is logged too), a calendar feed's secret address, and an error."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(_WithRequestId())
    root = logging.getLogger()
    root.addHandler(handler)
    ours = logging.getLogger("incubator")
    was = ours.level
    ours.setLevel(logging.DEBUG)
    try:
        async with make_client(app) as client:
            await login(client, park.users["member"])
            sid = park.startups["harbour-pay"]
            invited = await post_form(
                client,
                f"/startups/{sid}/invite",
                {"email": "new.hire@harbour.example", "name": "New Hire"},
            )
            assert invited.status_code in (200, 303)
            await client.get("/events/feeds/me/a-secret-feed-address.ics")
            await client.get("/api/startups/987654")
            await client.get("/partners/api/me", headers={"Authorization": "Bearer s3cr3t-tok"})
    finally:
        root.removeHandler(handler)
        ours.setLevel(was)
    # The app's lines only: "httpx" here is the test's own client (the app's webhook client
    # logs at INFO too, below the WARNING that `configure_logging` keeps for libraries).
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    lines = [line for line in lines if line["logger"] != "httpx"]
    requests = [line for line in lines if line["logger"] == "incubator.requests"]
    assert len(requests) >= 5
    for line in requests:
        assert re.fullmatch(r"[0-9a-f]{16}", line["request_id"])
        assert {"method", "path", "status", "ms"} <= set(line)
    text = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines)
    for secret in (
        PASSWORD,
        "new.hire@harbour.example",
        "s3cr3t-tok",
        "a-secret-feed-address",
        park.users["member"],
    ):
        assert secret not in text, secret
    assert "@" not in text


def test_serve_shows_the_app_s_lines_and_keeps_the_scheduler_s_quiet():
    configure_logging()
    assert logging.getLogger("incubator.requests").isEnabledFor(logging.INFO)
    assert not logging.getLogger("apscheduler.scheduler").isEnabledFor(logging.INFO)
    assert logging.getLogger("apscheduler.scheduler").isEnabledFor(logging.WARNING)
