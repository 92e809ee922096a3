"""A start-up's team: its members' names, roles and emails, each change in the history."""

from __future__ import annotations

from typing import Any

import msgspec

from incubator.auth.schemas import Viewer
from incubator.db import utcnow, write_transaction
from incubator.errors import NotFound, ValidationFailed
from incubator.fields import EMAIL
from incubator.startups import policy
from incubator.startups.schemas import TeamMemberIn
from incubator.startups.services.profiles import log_change
from incubator.startups.tables import Startup, StartupMembership, TeamMember


def member_problems(values: dict[str, Any]) -> dict[str, str]:
    """The rules a team member's typed `values` break, by field."""
    errors = {}
    if "name" in values and not values["name"].strip():
        errors["name"] = "is required"
    for key, limit in (("name", 200), ("name_zh", 200), ("title", 120)):
        if len(values.get(key, "").strip()) > limit:
            errors[key] = f"must be at most {limit} characters"
    email = values.get("email", "").strip()
    if email and not EMAIL.match(email.lower()):
        errors["email"] = "must be an email address such as name@example.com"
    return errors


def _clean_member(member: TeamMemberIn) -> dict[str, Any]:
    errors = member_problems(msgspec.structs.asdict(member))
    if errors:
        raise ValidationFailed(errors)
    return {
        "name": member.name.strip(),
        "name_zh": member.name_zh.strip(),
        "title": member.title.strip(),
        "email": member.email.strip().lower(),
        "is_founder": member.is_founder,
    }


def _member_label(m: dict) -> str:
    return f"{m['name']} ({m['title']})" if m.get("title") else m["name"]


async def add_team_member(viewer: Viewer, startup_id: int, member: TeamMemberIn) -> int:
    await policy.require_edit(viewer, startup_id)
    row = _clean_member(member)
    async with write_transaction():
        count = await TeamMember.count().where(TeamMember.startup == startup_id)
        rows = await TeamMember.insert(
            TeamMember(startup=startup_id, sort_order=count, **row)
        ).returning(TeamMember.id)
        await log_change(startup_id, viewer, "team", "", _member_label(row))
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
    viewer: Viewer, startup_id: int, member_id: int, change: TeamMemberIn
) -> None:
    await policy.require_edit(viewer, startup_id)
    member = _clean_member(change)
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


async def startups_of(user_id: int) -> list[dict]:
    """The start-ups a member acts for (id and names), for their navigation: "My start-up"."""
    return await (
        StartupMembership.select(
            StartupMembership.startup.as_alias("id"),
            StartupMembership.startup.name_en.as_alias("name_en"),
            StartupMembership.startup.name_zh.as_alias("name_zh"),
        )
        .where((StartupMembership.user == user_id) & (StartupMembership.startup.status == "active"))
        .order_by(StartupMembership.startup.name_en)
    )
