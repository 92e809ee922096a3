"""Security headers on every response: what a browser may load and run on our pages, that no
other site may frame them, that nothing sniffs a download's type, how much of our addresses
travel to other sites, that a signed-in page is never kept in a cache, and HTTPS only once
the site is served over it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from litestar.types import Message, Scope

from incubator.settings import Settings

# No inline script anywhere (the pages' one script is /static/site.js); styles may be inline
# (a chart's bars, a logo placeholder's size); pictures from here or data: URIs (charts).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(settings: Settings) -> Callable[[Message, Scope], Awaitable[None]]:
    """Litestar's `before_send` hook: every HTTP response (pages, API, files, errors, and the
    404s of no route) gets the headers unless it set its own, and loses any `Server` banner."""
    fixed = [
        (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
        (b"x-frame-options", b"DENY"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"strict-origin-when-cross-origin"),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    ]
    if settings.base_url.startswith("https://"):
        fixed.append((b"strict-transport-security", HSTS.encode()))

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = [
            (bytes(name), bytes(value))
            for name, value in message.get("headers", [])
            if bytes(name).lower() != b"server"
        ]
        present = {name.lower() for name, _ in headers}
        headers += [(name, value) for name, value in fixed if name not in present]
        viewer = scope.get("user")
        if b"cache-control" not in present and getattr(viewer, "is_authenticated", False):
            # What a signed-in person sees is theirs: kept in no shared or browser cache.
            headers.append((b"cache-control", b"no-store"))
        message["headers"] = headers  # type: ignore[typeddict-unknown-key]

    return add_headers
