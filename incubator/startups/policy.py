"""Who may see or change which start-up: the one place these rules live."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from incubator.auth.schemas import Viewer
from incubator.auth.tables import Role
from incubator.errors import Forbidden, NotAuthenticated
from incubator.startups.tables import ManagerAssignment, StartupAffiliation, StartupMembership


async def manager_centre_ids(viewer: Viewer) -> list[int]:
    if viewer.role is not Role.manager:
        return []
    rows = await ManagerAssignment.select(ManagerAssignment.centre).where(
        ManagerAssignment.user == viewer.user_id
    )
    return [r["centre"] for r in rows]


async def member_startup_ids(viewer: Viewer) -> list[int]:
    if viewer.role is not Role.member:
        return []
    rows = await StartupMembership.select(StartupMembership.startup).where(
        StartupMembership.user == viewer.user_id
    )
    return [r["startup"] for r in rows]


async def can_manage(viewer: Viewer, startup_id: int) -> bool:
    """Admins, and managers of a centre or hub the start-up is affiliated with."""
    if viewer.is_admin:
        return True
    if not viewer.is_manager:
        return False
    centres = await manager_centre_ids(viewer)
    if not centres:
        return False
    return await StartupAffiliation.exists().where(
        (StartupAffiliation.startup == startup_id) & StartupAffiliation.centre.is_in(centres)
    )


async def can_edit(viewer: Viewer, startup_id: int) -> bool:
    """Those who manage it, and its own members."""
    if viewer.is_member:
        return await StartupMembership.exists().where(
            (StartupMembership.startup == startup_id) & (StartupMembership.user == viewer.user_id)
        )
    return await can_manage(viewer, startup_id)


def require_login(viewer: Viewer) -> None:
    if not viewer.is_authenticated:
        raise NotAuthenticated("log in first")


async def require_edit(viewer: Viewer, startup_id: int) -> None:
    require_login(viewer)
    if not await can_edit(viewer, startup_id):
        raise Forbidden("you may not change this start-up's profile")


async def require_manage(viewer: Viewer, startup_id: int) -> None:
    require_login(viewer)
    if not await can_manage(viewer, startup_id):
        raise Forbidden("only the start-up's centre managers and administrators may do this")


# ---------------------------------------------------------------- who sees which fields

# The groups of a start-up's profile, and who sees each (docs/privacy.md):
#   public       name, descriptions, website, stage, year, size, clusters, tags, centres,
#                hubs, onsite, programmes, logo: everyone, signed in or not
#   contact      contact person, email, phone: the community (any signed-in member or staff),
#                and a partner only while the start-up consents to share "contact" with it
#   team         the team's names and roles: the community; never a partner
#   team_emails  the team's email addresses: those who edit the profile (its members, its
#                centres' managers, administrators)
#   history      the change history and the sharing page: those who edit it
#   headcount    the latest quarterly progress report's headcount, and
#   funds_raised its funds raised: those who edit it, and a partner while the start-up
#                consents to share that field with it
PUBLIC = frozenset({"public"})
COMMUNITY = frozenset({"public", "contact", "team"})
EDITORS = frozenset(
    {"public", "contact", "team", "team_emails", "history", "headcount", "funds_raised"}
)
# The groups beyond the public's that a partner may be given by consent.
CONSENTABLE = frozenset({"contact", "headcount", "funds_raised"})

# What a partner park may see of a start-up by its consent (registered by the partners
# package, which the start-up core does not import): the consented field groups.
ConsentSource = Callable[[Viewer, int], Awaitable[frozenset[str]]]
_consents: list[ConsentSource] = []


def set_consent_source(source: ConsentSource) -> None:
    _consents[:] = [source]


async def visible_groups(viewer: Viewer, startup_id: int) -> frozenset[str]:
    """The groups of this start-up's profile the viewer may see: the one rule every page and
    API answer about a start-up follows."""
    if not viewer.is_authenticated:
        return PUBLIC
    if viewer.is_partner:
        consented = await _consents[0](viewer, startup_id) if _consents else frozenset()
        return PUBLIC | (consented & CONSENTABLE)
    if await can_edit(viewer, startup_id):
        return EDITORS
    return COMMUNITY
