"""Who may run which call and see which application: the one place these rules live.

- Calls are public: anyone sees a call's title, dates, eligibility and questions.
- A call is opened and changed by the managers of its centre, and by administrators; they
  see every application to it.
- An application is seen and changed by the members of the start-up that makes it; no one
  else (other members, partners, managers of other centres) sees anything of it."""

from __future__ import annotations

from incubator.auth.schemas import Viewer
from incubator.errors import Forbidden
from incubator.startups.policy import manager_centre_ids, member_startup_ids, require_login


async def runs_centre(viewer: Viewer, centre_id: int) -> bool:
    """Administrators, and the managers of the centre (or hub) that runs the call."""
    if viewer.is_admin:
        return True
    return viewer.is_manager and centre_id in await manager_centre_ids(viewer)


async def require_run(viewer: Viewer, centre_id: int, action: str) -> None:
    require_login(viewer)
    if not await runs_centre(viewer, centre_id):
        raise Forbidden(f"only the centre's managers and administrators may {action}")


async def applies_for(viewer: Viewer, startup_id: int) -> bool:
    """Whether the viewer is a member of the start-up (who makes its applications)."""
    return viewer.is_member and startup_id in await member_startup_ids(viewer)
