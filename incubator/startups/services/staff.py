"""The park's accounts as administrators keep them: making an account with its role (and a
manager's centres), and deactivating or reactivating one. Each change is one transaction
with its entry in the audit trail."""

from __future__ import annotations

from incubator.auth.schemas import Viewer
from incubator.auth.services import accounts, audit
from incubator.auth.services.audit import Action
from incubator.auth.tables import Role, User
from incubator.db import write_transaction
from incubator.errors import Forbidden, NotFound, ValidationFailed
from incubator.startups.services.reference import list_centres, references
from incubator.startups.tables import ManagerAssignment


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
    unknown = [slug for slug in centres if slug not in refs.centres]
    if unknown:
        raise ValidationFailed({"centres": f"unknown centre or hub {', '.join(unknown)}"})
    async with write_transaction():
        user_id = await accounts.create_user(email, name, password, role, by=viewer)
        if centres:
            await assign_manager(viewer, user_id, centres)
    return user_id


async def assign_manager(viewer: Viewer, user_id: int, centre_slugs: list[str]) -> None:
    """Make a manager responsible for these centres or hubs (in addition to any they have)."""
    _require_admin(viewer)
    refs = await references()
    unknown = [s for s in centre_slugs if s not in refs.centres]
    if unknown:
        raise ValidationFailed({"centres": f"unknown centre or hub {', '.join(unknown)}"})
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
