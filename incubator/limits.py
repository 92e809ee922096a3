"""What a request's body may be, checked before any handler reads it: the API takes JSON only
(415 otherwise; an application's file and a claim's evidence are the uploads, as multipart
form data), of at most `API_MAX_BYTES` (413), nested at most `MAX_DEPTH` levels (400); no
text anywhere, API or form, holds the NUL character, which PostgreSQL cannot store and SQLite
would (400 on both engines)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

import msgspec
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from incubator.errors import BodyRefused

API_MAX_BYTES = 1_000_000
# The API's uploads (multipart, with their own limits in the handler): a file answering an
# application's question, and a claim's evidence (with the claim, or when it is sent back).
API_UPLOADS = re.compile(
    r"^/api/(programmes/applications/\d+/files/[^/]+"
    r"|grants/\d+/claims|grants/claims/\d+/resubmit)$"
)
MAX_DEPTH = 32
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(rb"[\[\]{}]")


def json_problem(body: bytes) -> str:
    """Why a JSON body is refused ("" if it is not): nested too deep, or a NUL in a text. A
    body that is not JSON at all is left to the handler, which says where it breaks."""
    depth = deepest = 0
    for bracket in _BRACKETS.finditer(_STRINGS.sub(b"", body)):
        depth += 1 if bracket.group() in (b"[", b"{") else -1
        deepest = max(deepest, depth)
    if deepest > MAX_DEPTH:
        return f"the JSON body is nested {deepest} levels deep; at most {MAX_DEPTH} are allowed"
    try:
        value = msgspec.json.decode(body)
    except msgspec.DecodeError:
        return ""
    return NUL_MESSAGE if _holds_nul(value) else ""


NUL_MESSAGE = "a text holds the NUL character (\\u0000), which no field may hold"


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


def form_problem(body: bytes) -> str:
    try:
        fields = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    except ValueError:
        return ""
    return NUL_MESSAGE if any("\x00" in k or "\x00" in v for k, v in fields) else ""


class BodyLimits:
    """The checks above, as ASGI middleware: the body is read (up to the limit), judged, and
    handed on unchanged; a refusal is a BodyRefused, which the app shows as its other errors
    (a JSON body on the API, the error page elsewhere)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        kind = headers.get(b"content-type", b"").split(b";")[0].strip().lower().decode()
        api = scope["path"].startswith("/api/")
        upload = kind == "multipart/form-data" and (not api or API_UPLOADS.match(scope["path"]))
        if upload or (not api and kind != "application/x-www-form-urlencoded"):
            await self.app(scope, receive, send)  # multipart uploads: their own limits
            return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if api and size > API_MAX_BYTES:
                raise BodyRefused(413, f"the body is larger than {API_MAX_BYTES:,} bytes")
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if api and body.strip() and kind != "application/json" and not kind.endswith("+json"):
            shown = kind or "none"
            raise BodyRefused(415, f"the body must be JSON, sent as application/json ({shown})")
        problem = json_problem(body) if api else form_problem(body)
        if problem:
            raise BodyRefused(400, problem)
        handed = False

        async def replay() -> Message:
            nonlocal handed
            if handed:
                return await receive()
            handed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)
