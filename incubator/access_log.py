"""One line per request on the `incubator.requests` logger: method, path, status and time.

The path is logged without its query string, which can carry what people typed (a search, an
email looked up). `incubator serve` shows these lines (`configure_logging`); the scheduler's
own lines stay at debug level unless something goes wrong.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

from litestar.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger("incubator.requests")


class RequestLog:
    """Around the whole app, as the server runs it (so a path no route matches is logged
    too, which Litestar's own middleware never sees): logs each HTTP request once answered."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not log.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status: list[int] = []

        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            took = (time.perf_counter() - started) * 1000
            code = status[0] if status else 500
            log.info("%s %s %s %.1f ms", scope["method"], scope["path"], code, took)


def configure_logging(level: int = logging.INFO) -> None:
    """What `incubator serve` and `incubator scheduler` print: the app's lines (requests,
    warnings) at `level`, APScheduler's routine lines ("Running job ...") only at debug."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    if not any(getattr(h, "_incubator", False) for h in root.handlers):
        handler._incubator = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("incubator").setLevel(level)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
