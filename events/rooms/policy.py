"""Who may book which room and manage what: members of start-ups with a lease in force book
rooms for those start-ups; a booking is seen and changed by its start-up's members and by the
room's managers (`events.policy.can_run`); managers and administrators set rooms' terms and
grant credits (`credits.manages`: those of the start-ups leasing their space). The one place
these rules live."""

from __future__ import annotations

from incubator.auth.schemas import Viewer
from incubator.errors import Forbidden
from incubator.i18n import today_hk
from incubator.startups.policy import member_startup_ids, require_login
from incubator.startups.services.onsite import IN_FORCE
from incubator.startups.tables import Startup


async def member_startups(viewer: Viewer) -> list[int]:
    """The start-ups the viewer is a member of."""
    if not viewer.is_authenticated:
        return []
    return await member_startup_ids(viewer)


async def onsite_member_startups(viewer: Viewer) -> list[int]:
    """Those of the viewer's start-ups that are active and hold a lease in force today."""
    startups = await member_startups(viewer)
    if not startups:
        return []
    today = today_hk()
    marks = ", ".join("{}" for _ in startups)
    rows = await Startup.raw(
        f"SELECT s.id FROM startup s WHERE s.id IN ({marks}) AND s.status = 'active' "
        f"AND EXISTS (SELECT 1 FROM lease l WHERE l.startup = s.id AND {IN_FORCE}) "
        "ORDER BY s.name_en",
        *startups,
        today,
        today,
    )
    return [r["id"] for r in rows]


def require_member(viewer: Viewer) -> None:
    require_login(viewer)
    if not viewer.is_member:
        raise Forbidden("rooms are booked by members of start-ups with a lease in force")
