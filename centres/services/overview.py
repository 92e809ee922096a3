"""The centres' and hubs' pages: who runs them, their start-ups, space and figures."""

from __future__ import annotations

import msgspec

from centres import policy
from centres.schemas import CentreCard, CentreCommunity, CentreOverview, CentreRow, Manager
from centres.services import lease_register, occupancy
from incubator.auth.schemas import Viewer
from incubator.errors import NotFound
from incubator.startups.tables import Centre, ManagerAssignment


async def get_centre(slug: str) -> CentreRow:
    row = await Centre.select().where(Centre.slug == slug).first()
    if row is None:
        raise NotFound(f"no centre or hub called {slug}")
    return msgspec.convert(row, CentreRow)


async def managers(centre_id: int) -> list[Manager]:
    rows = (
        await ManagerAssignment.select(
            ManagerAssignment.user.name.as_alias("name"),
            ManagerAssignment.user.email.as_alias("email"),
        )
        .where((ManagerAssignment.centre == centre_id) & (ManagerAssignment.user.is_active == True))  # noqa: E712
        .order_by(ManagerAssignment.user.name)
    )
    return msgspec.convert(rows, list[Manager])


async def centre_overview(viewer: Viewer, slug: str, vacant_page: int = 1) -> CentreOverview:
    """Everything a centre's page shows; tenants' names only to those who manage its space."""
    centre = await get_centre(slug)
    can_manage = viewer.is_authenticated and await policy.can_manage_centre(viewer, centre.id)
    ending = []
    if can_manage:
        query = lease_register.LeaseQuery(centre=slug, ending_within=180, per_page=100)
        ending = (await lease_register.list_leases(viewer, query)).items
    return CentreOverview(
        centre=centre,
        managers=await managers(centre.id),
        community=await occupancy.centre_figures(centre.id),
        occupancy=await occupancy.occupancy(centres=[centre.id]),
        vacant=await occupancy.vacant_units(centre.id, page=vacant_page),
        can_manage=can_manage,
        ending=ending,
    )


async def centres_overview() -> list[CentreCard]:
    """Each centre and hub with its community and occupancy figures (the /centres page)."""
    figures = await occupancy.occupancy()
    space = {c.id: c for c in figures.centres}
    community = await occupancy.community_figures()
    rows = await Centre.select().order_by(Centre.sort_order).order_by(Centre.id)
    return [
        msgspec.convert(
            row
            | {
                "community": community.get(row["id"], CentreCommunity()),
                "space": space.get(row["id"]),
            },
            CentreCard,
        )
        for row in rows
    ]
