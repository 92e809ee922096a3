"""Who reminders go to, from the core tables: users by id, the members of a start-up, the
managers of a centre or hub, administrators (the reminder engine itself imports no domain)."""

from __future__ import annotations

from incubator.auth.tables import User
from incubator.reminders.engine import Recipient
from incubator.startups.tables import Centre, ManagerAssignment, StartupMembership


def _recipients(rows: list[dict]) -> list[Recipient]:
    return [
        Recipient(email=r["email"], name=r["name"], user_id=r["id"], language=r["language"])
        for r in rows
    ]


_USER = (User.id, User.email, User.name, User.language)


async def startup_members(startup_ids: list[int]) -> dict[int, list[Recipient]]:
    rows = await StartupMembership.select(
        StartupMembership.startup,
        StartupMembership.user.id.as_alias("id"),
        StartupMembership.user.email.as_alias("email"),
        StartupMembership.user.name.as_alias("name"),
        StartupMembership.user.language.as_alias("language"),
    ).where(
        StartupMembership.startup.is_in(startup_ids or [0])
        & StartupMembership.user.is_active.eq(True)
    )
    members: dict[int, list[Recipient]] = {}
    for row in rows:
        members.setdefault(row["startup"], []).extend(_recipients([row]))
    return members


async def centre_managers(centre_ids: list[int]) -> dict[int, list[Recipient]]:
    rows = await ManagerAssignment.select(
        ManagerAssignment.centre,
        ManagerAssignment.user.id.as_alias("id"),
        ManagerAssignment.user.email.as_alias("email"),
        ManagerAssignment.user.name.as_alias("name"),
        ManagerAssignment.user.language.as_alias("language"),
    ).where(
        ManagerAssignment.centre.is_in(centre_ids or [0])
        & ManagerAssignment.user.is_active.eq(True)
    )
    managers: dict[int, list[Recipient]] = {}
    for row in rows:
        managers.setdefault(row["centre"], []).extend(_recipients([row]))
    return managers


async def admins_and_managers_of(slug: str) -> list[Recipient]:
    admins = await User.select(*_USER).where((User.role == "admin") & User.is_active.eq(True))
    centre = await Centre.select(Centre.id).where(Centre.slug == slug).first()
    managers = (await centre_managers([centre["id"]])).get(centre["id"], []) if centre else []
    return _recipients(admins) + managers


async def users(user_ids: list[int]) -> dict[int, Recipient]:
    rows = await User.select(*_USER).where(User.id.is_in(user_ids or [0]))
    return {r.user_id: r for r in _recipients(rows)}
