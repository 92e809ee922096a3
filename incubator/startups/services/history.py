"""A profile's change history: every changed field with who, when, old and new value."""

from __future__ import annotations

import msgspec

from incubator.auth.schemas import Viewer
from incubator.i18n import hk_text
from incubator.startups import policy
from incubator.startups.schemas import HistoryEntry
from incubator.startups.tables import ProfileChange


async def history(viewer: Viewer, startup_id: int, limit: int = 200) -> list[HistoryEntry]:
    await policy.require_edit(viewer, startup_id)
    rows = (
        await ProfileChange.select(
            ProfileChange.id,
            ProfileChange.actor_name,
            ProfileChange.field,
            ProfileChange.old_value,
            ProfileChange.new_value,
            ProfileChange.changed_at,
        )
        .where(ProfileChange.startup == startup_id)
        .order_by(ProfileChange.changed_at, ascending=False)
        .order_by(ProfileChange.id, ascending=False)
        .limit(limit)
    )
    return msgspec.convert(rows, list[HistoryEntry])


async def changed_since(startup_id: int, version: int) -> str:
    """What a 412 says: who changed the profile last, and when (Hong Kong time)."""
    last = (
        await ProfileChange.select(ProfileChange.actor_name, ProfileChange.changed_at)
        .where(ProfileChange.startup == startup_id)
        .order_by(ProfileChange.id, ascending=False)
        .first()
    )
    by = ""
    if last:
        by = f" by {last['actor_name']} at {hk_text(last['changed_at'])} Hong Kong time"
    return (
        f"the profile was changed{by} since you read it (it is version {version} now): "
        "read it again and reapply your change"
    )
