"""A start-up's team: its members' names, roles and emails, each change in the history."""

from __future__ import annotations

from typing import Any

from incubator.auth.schemas import Viewer
from incubator.db import utcnow, write_transaction
from incubator.errors import NotFound, ValidationFailed
from incubator.startups import policy
from incubator.startups.services.profiles import log_change
from incubator.startups.tables import Startup, TeamMember


def _clean_member(data: dict[str, Any]) -> dict[str, Any]:
    from incubator.fields import EMAIL

    member = {
        "name": str(data.get("name") or "").strip(),
        "name_zh": str(data.get("name_zh") or "").strip(),
        "title": str(data.get("title") or "").strip(),
        "email": str(data.get("email") or "").strip().lower(),
        "is_founder": str(data.get("is_founder", "")).lower() in {"1", "true", "on", "yes"},
    }
    errors = {}
    if not member["name"]:
        errors["name"] = "is required"
    for key, limit in (("name", 200), ("name_zh", 200), ("title", 120)):
        if len(member[key]) > limit:
            errors[key] = f"must be at most {limit} characters"
    if member["email"] and not EMAIL.match(member["email"]):
        errors["email"] = "must be an email address such as name@example.com"
    if errors:
        raise ValidationFailed(errors)
    return member


def _member_label(m: dict) -> str:
    return f"{m['name']} ({m['title']})" if m.get("title") else m["name"]


async def add_team_member(viewer: Viewer, startup_id: int, data: dict[str, Any]) -> int:
    await policy.require_edit(viewer, startup_id)
    member = _clean_member(data)
    async with write_transaction():
        count = await TeamMember.count().where(TeamMember.startup == startup_id)
        rows = await TeamMember.insert(
            TeamMember(startup=startup_id, sort_order=count, **member)
        ).returning(TeamMember.id)
        await log_change(startup_id, viewer, "team", "", _member_label(member))
        await Startup.update({Startup.updated_at: utcnow()}).where(Startup.id == startup_id)
    return rows[0]["id"]


async def _team_member(startup_id: int, member_id: int) -> dict:
    row = (
        await TeamMember.select()
        .where((TeamMember.id == member_id) & (TeamMember.startup == startup_id))
        .first()
    )
    if row is None:
        raise NotFound(f"no team member {member_id} in this start-up")
    return row


async def update_team_member(
    viewer: Viewer, startup_id: int, member_id: int, data: dict[str, Any]
) -> None:
    await policy.require_edit(viewer, startup_id)
    member = _clean_member(data)
    async with write_transaction():
        old = await _team_member(startup_id, member_id)
        await TeamMember.update(member).where(TeamMember.id == member_id)
        if _member_label(old) != _member_label(member) or old["email"] != member["email"]:
            await log_change(startup_id, viewer, "team", _member_label(old), _member_label(member))
        await Startup.update({Startup.updated_at: utcnow()}).where(Startup.id == startup_id)


async def remove_team_member(viewer: Viewer, startup_id: int, member_id: int) -> None:
    await policy.require_edit(viewer, startup_id)
    async with write_transaction():
        old = await _team_member(startup_id, member_id)
        await TeamMember.delete().where(TeamMember.id == member_id)
        await log_change(startup_id, viewer, "team", _member_label(old), "")
        await Startup.update({Startup.updated_at: utcnow()}).where(Startup.id == startup_id)
