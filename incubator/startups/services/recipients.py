"""Who reminders go to, from the core tables: users by id, the members of a start-up, the
managers of a centre or hub, administrators (the reminder engine itself imports no domain)."""

from __future__ import annotations

from typing import Any

from incubator.auth.tables import User
from incubator.reminders.services.engine import Recipient
from incubator.startups.tables import Centre, ManagerAssignment, StartupMembership


def _recipients(rows: list[dict]) -> list[Recipient]:
    return [
        Recipient(email=r["email"], name=r["name"], user_id=r["id"], language=r["language"])
        for r in rows
    ]


_USER = (User.id, User.email, User.name, User.language)


async def _grouped(link: type, group: Any, ids: list[int]) -> dict[int, list[Recipient]]:
    """Active users linked to each of `ids` through `link` (memberships, assignments)."""
    rows = await link.select(
        group.as_alias("group"),
        link.user.id.as_alias("id"),
        link.user.email.as_alias("email"),
        link.user.name.as_alias("name"),
        link.user.language.as_alias("language"),
    ).where(group.is_in(ids or [0]) & link.user.is_active.eq(True))
    grouped: dict[int, list[Recipient]] = {}
    for row in rows:
        grouped.setdefault(row["group"], []).extend(_recipients([row]))
    return grouped


async def startup_members(startup_ids: list[int]) -> dict[int, list[Recipient]]:
    return await _grouped(StartupMembership, StartupMembership.startup, startup_ids)


async def centre_managers(centre_ids: list[int]) -> dict[int, list[Recipient]]:
    return await _grouped(ManagerAssignment, ManagerAssignment.centre, centre_ids)


async def admins_and_managers_of(slug: str) -> list[Recipient]:
    admins = await User.select(*_USER).where((User.role == "admin") & User.is_active.eq(True))
    centre = await Centre.select(Centre.id).where(Centre.slug == slug).first()
    managers = (await centre_managers([centre["id"]])).get(centre["id"], []) if centre else []
    return _recipients(admins) + managers


async def users(user_ids: list[int]) -> dict[int, Recipient]:
    rows = await User.select(*_USER).where(User.id.is_in(user_ids or [0]))
    return {r.user_id: r for r in _recipients(rows)}
