"""Start-up logos: PNG or JPEG checked by content and size, stored with the profile."""

from __future__ import annotations

import hashlib

from incubator.auth.schemas import Viewer
from incubator.db import utcnow, write_transaction
from incubator.errors import NotFound, ValidationFailed
from incubator.startups import policy
from incubator.startups.schemas import Logo
from incubator.startups.services.profiles import log_change
from incubator.startups.tables import Startup, StartupLogo

LOGO_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def logo_type(data: bytes) -> str | None:
    for magic, content_type in LOGO_TYPES.items():
        if data.startswith(magic):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


async def set_logo(viewer: Viewer, startup_id: int, data: bytes, max_bytes: int) -> None:
    await policy.require_edit(viewer, startup_id)
    if not data:
        raise ValidationFailed({"logo": "choose an image file"})
    if len(data) > max_bytes:
        raise ValidationFailed({"logo": f"must be at most {max_bytes // 1024} KB"})
    content_type = logo_type(data)
    if content_type is None:
        raise ValidationFailed({"logo": "must be a PNG, JPEG or WebP image"})
    digest = hashlib.sha256(data).hexdigest()
    async with write_transaction():
        await StartupLogo.delete().where(StartupLogo.startup == startup_id)
        await StartupLogo.insert(
            StartupLogo(startup=startup_id, content_type=content_type, data=data, sha256=digest)
        )
        await log_change(startup_id, viewer, "logo", "", f"{content_type}, {len(data)} bytes")
        await Startup.update({Startup.updated_at: utcnow()}).where(Startup.id == startup_id)


async def get_logo(viewer: Viewer, startup_id: int) -> Logo:
    """The logo, to whoever may see the profile (an archived one's only to its editors)."""
    startup = await Startup.select(Startup.status).where(Startup.id == startup_id).first()
    if startup is None or (
        startup["status"] != "active" and not await policy.can_edit(viewer, startup_id)
    ):
        raise NotFound("this start-up has no logo")
    row = (
        await StartupLogo.select(StartupLogo.content_type, StartupLogo.data, StartupLogo.sha256)
        .where(StartupLogo.startup == startup_id)
        .first()
    )
    if row is None:
        raise NotFound("this start-up has no logo")
    return Logo(row["content_type"], bytes(row["data"]), row["sha256"])
