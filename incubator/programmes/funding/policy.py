"""Who may see and do what with programme funding: the one place these rules live.

- A grant, its claims and its progress reports are seen by the members of its start-up and
  by those who run it: the managers of its centre, and administrators. No one else (other
  members, partners, managers of other centres) sees anything of them.
- Those who run a grant make, amend and end it, and review and approve its claims; a claim
  is approved by someone other than its reviewer.
- The start-up's members claim, send evidence and report progress.
- Payment batches are finance's: administrators make them, export them and mark them paid."""

from __future__ import annotations

from incubator.auth.schemas import Viewer
from incubator.errors import Forbidden
from incubator.programmes.policy import applies_for, runs_centre
from incubator.startups.policy import require_login

__all__ = ["applies_for", "may_see", "require_finance", "require_run", "runs_centre"]


async def require_run(viewer: Viewer, centre_id: int, action: str) -> None:
    require_login(viewer)
    if not await runs_centre(viewer, centre_id):
        raise Forbidden(f"only the centre's managers and administrators may {action}")


async def may_see(viewer: Viewer, startup_id: int, centre_id: int) -> bool:
    return await applies_for(viewer, startup_id) or await runs_centre(viewer, centre_id)


def require_finance(viewer: Viewer, action: str) -> None:
    require_login(viewer)
    if not viewer.is_admin:
        raise Forbidden(f"only administrators (finance) may {action}")
