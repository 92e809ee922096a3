"""The centres' and hubs' pages: who runs them, their start-ups, space and figures."""

from __future__ import annotations

import asyncio

import msgspec

from centres import policy
from centres.schemas import (
    CentreCard,
    CentreCommunity,
    CentreOverview,
    CentreRow,
    Manager,
    VacantPage,
)
from centres.services import lease_register, occupancy
from incubator.auth.schemas import Viewer
from incubator.errors import NotFound
from incubator.startups.tables import Centre, ManagerAssignment

# A centre's page lists the first leases ending within this many days (a window the
# occupancy keeps a count of), this many at most; the register lists them all.
ENDING_WITHIN = 180
ENDING_SHOWN = 100


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


async def centre_overview(
    viewer: Viewer, centre: CentreRow, vacant_page: int = 1
) -> CentreOverview:
    """Everything a centre's page shows; tenants' names only to those who manage its space.
    Its parts are read at once, each on a connection of its own, so the page waits for the
    slowest rather than for their sum; the vacant units' total is the occupancy's."""
    can_manage = viewer.is_authenticated and await policy.can_manage_centre(viewer, centre.id)

    async def ending() -> list:
        if not can_manage:
            return []
        query = lease_register.LeaseQuery(
            centre=centre.slug, ending_within=ENDING_WITHIN, per_page=ENDING_SHOWN
        )
        # How many there are is the occupancy's (kept for today): the list is not counted.
        return (await lease_register.list_leases(viewer, query, counted=False)).items

    people, community, space, vacant, leases_ending = await asyncio.gather(
        managers(centre.id),
        occupancy.centre_figures(centre.id),
        occupancy.occupancy(centres=[centre.id]),
        occupancy.vacant_rows([centre.id], page=vacant_page),
        ending(),
    )
    return CentreOverview(
        centre=centre,
        managers=people,
        community=community,
        occupancy=space,
        vacant=VacantPage(rows=vacant, total=space.park.vacant_units),
        can_manage=can_manage,
        ending=leases_ending,
    )


async def centres_overview() -> list[CentreCard]:
    """Each centre and hub with its community and occupancy figures (the /centres page),
    the two read at once."""
    figures, community, rows = await asyncio.gather(
        occupancy.occupancy(),
        occupancy.community_figures(),
        Centre.select().order_by(Centre.sort_order).order_by(Centre.id),
    )
    space = {c.id: c for c in figures.centres}
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
