"""Who may run which event and book which venue: managers of the organising centre or hub
(and of the venue's centre) and administrators. Drafts are seen only by those who run them."""

from __future__ import annotations

from centres.policy import managed_centres
from incubator.auth.schemas import Viewer
from incubator.errors import Forbidden
from incubator.startups.policy import require_login


async def can_run(viewer: Viewer, centre_id: int) -> bool:
    if not viewer.is_authenticated:
        return False
    centres = await managed_centres(viewer)
    return centres is None or centre_id in centres


async def require_run(viewer: Viewer, centre_id: int, action: str) -> None:
    require_login(viewer)
    if not await can_run(viewer, centre_id):
        raise Forbidden(f"only the organising centre's managers and administrators may {action}")


def require_organiser(viewer: Viewer, action: str) -> None:
    require_login(viewer)
    if not (viewer.is_admin or viewer.is_manager):
        raise Forbidden(f"only centre managers and administrators may {action}")
