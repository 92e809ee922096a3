"""The park's accounts as administrators keep them: making an account with its role (and a
manager's centres), changing its role and centres, and deactivating or reactivating one.
Each change is one transaction with its entry in the audit trail."""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from incubator.auth.schemas import Viewer
from incubator.auth.services import accounts, audit
from incubator.auth.services.audit import Action
from incubator.auth.tables import Role, User
from incubator.db import lock_row, write_transaction
from incubator.errors import Forbidden, NotFound, ValidationFailed
from incubator.startups.services.reference import list_centres, references
from incubator.startups.tables import ManagerAssignment


def _known_centres(known: Mapping[str, object], slugs: list[str]) -> None:
    unknown = [slug for slug in slugs if slug not in known]
    if unknown:
        raise ValidationFailed({"centres": f"unknown centre or hub {', '.join(unknown)}"})


def _require_admin(viewer: Viewer) -> None:
    if not viewer.is_admin:
        raise Forbidden("only administrators may manage accounts")


async def create_account(
    viewer: Viewer, email: str, name: str, password: str, role: Role, centres: list[str]
) -> int:
    """A new account with its role; a manager's centres and hubs are assigned with it."""
    _require_admin(viewer)
    centres = centres if role is Role.manager else []
    refs = await references()
    _known_centres(refs.centres, centres)
    async with write_transaction():
        user_id = await accounts.create_user(email, name, password, role, by=viewer)
        if centres:
            await assign_manager(viewer, user_id, centres)
    return user_id


async def assign_manager(viewer: Viewer, user_id: int, centre_slugs: list[str]) -> None:
    """Make a manager responsible for these centres or hubs (in addition to any they have)."""
    _require_admin(viewer)
    refs = await references()
    _known_centres(refs.centres, centre_slugs)
    async with write_transaction():
        user = await User.select(User.email, User.name).where(User.id == user_id).first()
        if user is None:
            raise NotFound(f"no user {user_id}")
        added = []
        for slug in centre_slugs:
            centre_id = refs.centres[slug][0]
            if not await ManagerAssignment.exists().where(
                (ManagerAssignment.user == user_id) & (ManagerAssignment.centre == centre_id)
            ):
                await ManagerAssignment.insert(ManagerAssignment(user=user_id, centre=centre_id))
                added.append(slug)
        if added:
            names = {centre.slug: centre.name_en for centre in await list_centres()}
            await audit.record(
                viewer,
                Action.centres_assigned,
                f"{user['name']} <{user['email']}>",
                {"centres": [names[slug] for slug in added]},
            )


async def set_active(viewer: Viewer, user_id: int, active: bool) -> None:
    """Deactivate an account (its sessions end at once) or let it in again."""
    _require_admin(viewer)
    if user_id == viewer.user_id and not active:
        raise Forbidden("you cannot deactivate your own account")
    await accounts.set_active(user_id, active, by=viewer)


class Access(msgspec.Struct, kw_only=True):
    """An account as the administrators' edit page shows it."""

    id: int
    email: str
    name: str
    role: str
    is_active: bool
    centres: list[str]  # slugs of the centres and hubs a manager looks after


async def access_of(viewer: Viewer, user_id: int) -> Access:
    _require_admin(viewer)
    user = await User.select(User.id, User.email, User.name, User.role, User.is_active).where(
        User.id == user_id
    )
    if not user:
        raise NotFound(f"no user {user_id}")
    rows = await ManagerAssignment.select(ManagerAssignment.centre.slug).where(
        ManagerAssignment.user == user_id
    )
    return Access(**user[0], centres=sorted(r["centre.slug"] for r in rows))


async def change_access(viewer: Viewer, user_id: int, role: Role, centres: list[str]) -> None:
    """Change an account's role and, for a manager, the centres and hubs it looks after (any
    other role looks after none). Partner users belong to a partner park and are managed on
    its page, so the partner role is neither given nor taken here. Takes effect at the
    account's next request."""
    _require_admin(viewer)
    refs = await references()
    _known_centres(refs.centres, centres)
    wanted = set(centres) if role is Role.manager else set()
    async with write_transaction():
        user = await lock_row(User, user_id, "id, role, email, name")
        if user is None:
            raise NotFound(f"no user {user_id}")
        if Role.partner in (role, Role(user["role"])) and role.value != user["role"]:
            raise ValidationFailed(
                {"role": "partner users are added and removed on their partner park's page"}
            )
        if user_id == viewer.user_id and role is not Role.admin:
            raise ValidationFailed({"role": "you cannot take away your own administrator role"})
        subject = f"{user['name']} <{user['email']}>"
        if role.value != user["role"]:
            await User.update({User.role: role.value}).where(User.id == user_id)
            detail = {"from": user["role"], "role": role.value}
            await audit.record(viewer, Action.role_changed, subject, detail)
        rows = await ManagerAssignment.select(
            ManagerAssignment.id, ManagerAssignment.centre.slug
        ).where(ManagerAssignment.user == user_id)
        held = {r["centre.slug"]: r["id"] for r in rows}
        added, removed = sorted(wanted - set(held)), sorted(set(held) - wanted)
        if removed:
            ids = [held[slug] for slug in removed]
            await ManagerAssignment.delete().where(ManagerAssignment.id.is_in(ids))
        for slug in added:
            await ManagerAssignment.insert(
                ManagerAssignment(user=user_id, centre=refs.centres[slug][0])
            )
        if added or removed:
            names = {centre.slug: centre.name_en for centre in await list_centres()}
            detail = {
                "added": [names[slug] for slug in added],
                "removed": [names[slug] for slug in removed],
            }
            await audit.record(viewer, Action.centres_changed, subject, detail)
