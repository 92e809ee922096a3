"""A profile's change history: every changed field with who, when, old and new value."""

from __future__ import annotations

import msgspec

from incubator.auth.schemas import Viewer
from incubator.startups import policy
from incubator.startups.schemas import HistoryEntry
from incubator.startups.tables import ProfileChange
from incubator.versions import EditConflict


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


async def changed_since(startup_id: int, version: int) -> EditConflict:
    """What a stale change is refused with: who changed the profile last, and when."""
    last = (
        await ProfileChange.select(ProfileChange.actor_name, ProfileChange.changed_at)
        .where(ProfileChange.startup == startup_id)
        .order_by(ProfileChange.id, ascending=False)
        .first()
    )
    by, at = (last["actor_name"], last["changed_at"]) if last else ("", None)
    return EditConflict("the profile", version, by, at)
