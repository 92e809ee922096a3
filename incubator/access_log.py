"""Logs: one line per request with a request id, and the app's own lines beside it.

Each request gets an id (the `X-Request-ID` a proxy sent, when it is a plain token, or a new
one). It is returned in the response's `X-Request-ID` header, shown on error pages and carried
by every line logged while the request is handled, so a person's "reference" leads to the
lines. A request's line names the route it matched (`/invitations/{token:str}`), never the
path as sent, which can carry secrets (an invitation's token, a calendar feed's address) and
never the query string, which can carry what people typed. Email addresses in any line are
masked as a last guard.

Lines are JSON (one object a line) when stderr is not a terminal, as log collectors read
them, and plain text on a terminal; INCUBATOR_LOG_FORMAT=json or text chooses.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import sys
import time
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from litestar.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger("incubator.requests")
REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="")
_INCOMING = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Fields a line may carry besides its message (`extra=`), in the JSON as they are.
FIELDS = ("method", "path", "status", "ms", "ledger_id", "delivery_id", "job")


def request_id() -> str:
    """The id of the request being handled ("" outside a request)."""
    return REQUEST_ID.get()


def _incoming(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if _INCOMING.match(text) else ""
    return ""


class RequestLog:
    """Around the app's handler (so a path no route matches is logged too): gives the request
    its id and logs it once answered."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = _incoming(scope) or secrets.token_hex(8)
        token = REQUEST_ID.set(rid)
        started = time.perf_counter()
        status: list[int] = []

        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
                headers = [*message.get("headers", []), (b"x-request-id", rid.encode())]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            if log.isEnabledFor(logging.INFO):
                took = round((time.perf_counter() - started) * 1000, 1)
                code = status[0] if status else 500
                route = scope.get("path_template") or "(no route)"
                log.info(
                    "%s %s %s %.1f ms",
                    scope["method"],
                    route,
                    code,
                    took,
                    extra={"method": scope["method"], "path": route, "status": code, "ms": took},
                )
            REQUEST_ID.reset(token)


def masked(text: str) -> str:
    return _EMAIL.sub("<email>", text)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = masked(super().format(record))
        rid = getattr(record, "request_id", "")
        return f"{line} [request {rid}]" if rid else line


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, the request id, and the
    fields a line carries."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": masked(record.getMessage()),
        }
        if rid := getattr(record, "request_id", ""):
            line["request_id"] = rid
        for field in FIELDS:
            if hasattr(record, field):
                line[field] = getattr(record, field)
        if record.exc_info:
            line["error"] = masked(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)


class _WithRequestId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


def log_format() -> str:
    chosen = os.environ.get("INCUBATOR_LOG_FORMAT", "").strip().lower()
    if chosen in ("json", "text"):
        return chosen
    return "text" if sys.stderr.isatty() else "json"


def configure_logging(level: int = logging.INFO) -> None:
    """What `incubator serve` and `incubator scheduler` print: the app's lines (requests,
    warnings) at `level`, APScheduler's routine lines ("Running job ...") and the
    scheduler's own only at debug."""
    root = logging.getLogger()
    if not any(getattr(h, "_incubator", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter() if log_format() == "json" else TextFormatter())
        handler.addFilter(_WithRequestId())
        handler._incubator = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("incubator").setLevel(level)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
