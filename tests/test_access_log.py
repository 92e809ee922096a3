"""`incubator serve` logs one line a request (method, path, status, time), never the query
string; the scheduler's routine lines stay at debug level."""

from __future__ import annotations

import logging
import re

from incubator.access_log import RequestLog, configure_logging
from tests.conftest import make_client


async def test_each_request_is_one_line_without_its_query(app, caplog):
    with caplog.at_level(logging.INFO, logger="incubator.requests"):
        async with make_client(RequestLog(app)) as client:
            await client.get("/startups?q=secret+search")
            await client.get("/no-such-page")
    lines = [r.getMessage() for r in caplog.records if r.name == "incubator.requests"]
    assert len(lines) == 2
    assert re.fullmatch(r"GET /startups 200 \d+\.\d ms", lines[0])
    assert re.fullmatch(r"GET /no-such-page 404 \d+\.\d ms", lines[1])
    assert "secret" not in " ".join(lines)


def test_serve_shows_the_app_s_lines_and_keeps_the_scheduler_s_quiet():
    configure_logging()
    assert logging.getLogger("incubator.requests").isEnabledFor(logging.INFO)
    assert not logging.getLogger("apscheduler.scheduler").isEnabledFor(logging.INFO)
    assert logging.getLogger("apscheduler.scheduler").isEnabledFor(logging.WARNING)
