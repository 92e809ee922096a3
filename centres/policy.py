"""Who may see or change which space and leases: the one place these rules live.

A unit is managed by one centre or hub. Its managers and the administrators manage the unit
and its leases; a start-up's own members see that start-up's leases; nobody else sees who
leases what (the public sees only vacancy and figures).
"""

from __future__ import annotations

from incubator.auth.schemas import Viewer
from incubator.errors import Forbidden
from incubator.startups.policy import manager_centre_ids, member_startup_ids, require_login


async def managed_centres(viewer: Viewer) -> list[int] | None:
    """The centres whose space the viewer manages: None for all (admins)."""
    if viewer.is_admin:
        return None
    return await manager_centre_ids(viewer)


async def can_manage_centre(viewer: Viewer, centre_id: int) -> bool:
    centres = await managed_centres(viewer)
    return centres is None or centre_id in centres


async def require_manage_centre(viewer: Viewer, centre_id: int, action: str) -> None:
    require_login(viewer)
    if not await can_manage_centre(viewer, centre_id):
        raise Forbidden(f"only the managers of the unit's centre and administrators may {action}")


def require_staff(viewer: Viewer, action: str) -> None:
    require_login(viewer)
    if not (viewer.is_admin or viewer.is_manager):
        raise Forbidden(f"only centre managers and administrators may {action}")


async def lease_scope(viewer: Viewer) -> tuple[list[int] | None, list[int]]:
    """(centres whose leases the viewer sees, start-ups whose leases they see).

    None for centres means every centre; both empty means no lease at all.
    """
    if viewer.is_admin:
        return None, []
    if viewer.is_manager:
        return await manager_centre_ids(viewer), []
    if viewer.is_member:
        return [], await member_startup_ids(viewer)
    return [], []


async def can_see_lease(viewer: Viewer, unit_centre: int, startup_id: int) -> bool:
    centres, startups = await lease_scope(viewer)
    return centres is None or unit_centre in centres or startup_id in startups
