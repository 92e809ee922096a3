"""Who may see or change partners' data: the one place these rules live.

Partnership staff (administrators and the managers of the Collaboration Centre, which runs
the park's partner network) manage partner parks, MOUs, referrals, exports and deliveries.
Other centre managers see partner parks and MOUs and may propose referrals of the start-ups
they manage. A partner user sees only their own park; a start-up's members manage its
consents and see who received its data.
"""

from __future__ import annotations

from dataclasses import dataclass

from incubator.auth.schemas import Viewer
from incubator.errors import Forbidden
from incubator.partners.tables import PartnerMembership
from incubator.startups.policy import manager_centre_ids, require_login
from incubator.startups.tables import Centre

PARTNERSHIP_CENTRE = "collaboration"


@dataclass(frozen=True, slots=True)
class PartnerCaller:
    """A partner park acting through one of its users or one of its API tokens."""

    partner_id: int
    user_id: int | None
    name: str
    token_id: int | None = None


async def is_partnership_staff(viewer: Viewer) -> bool:
    if viewer.is_admin:
        return True
    if not viewer.is_manager:
        return False
    centres = await manager_centre_ids(viewer)
    return bool(centres) and await Centre.exists().where(
        Centre.id.is_in(centres) & (Centre.slug == PARTNERSHIP_CENTRE)
    )


async def require_partnership_staff(viewer: Viewer, action: str) -> None:
    require_login(viewer)
    if not await is_partnership_staff(viewer):
        raise Forbidden(f"only administrators and the Collaboration Centre's managers may {action}")


def require_staff(viewer: Viewer, action: str) -> None:
    require_login(viewer)
    if not (viewer.is_admin or viewer.is_manager):
        raise Forbidden(f"only centre managers and administrators may {action}")


async def partner_of(viewer: Viewer) -> PartnerCaller | None:
    """The partner park a partner user acts for; None for everyone else."""
    if not viewer.is_partner:
        return None
    row = (
        await PartnerMembership.select(PartnerMembership.partner)
        .where(PartnerMembership.user == viewer.user_id)
        .first()
    )
    if row is None:
        return None
    return PartnerCaller(partner_id=row["partner"], user_id=viewer.user_id, name=viewer.name)


async def require_partner(viewer: Viewer) -> PartnerCaller:
    require_login(viewer)
    caller = await partner_of(viewer)
    if caller is None:
        raise Forbidden("only users of a partner park may use the partner portal")
    return caller


def require_staff_or_partner(viewer: Viewer) -> None:
    require_login(viewer)
    if not (viewer.is_admin or viewer.is_manager or viewer.is_partner):
        raise Forbidden("only staff and the partner's own users may see a partner park")
