"""The community's headline figures, for the home page."""

from __future__ import annotations

import msgspec

from incubator.i18n import today_hk
from incubator.startups.schemas import ParkFigures
from incubator.startups.services.onsite import count_onsite
from incubator.startups.tables import Startup


async def park_figures() -> ParkFigures:
    """Headline figures of the community for the home page."""
    total = await Startup.count().where(Startup.status == "active")
    onsite = await count_onsite(today_hk())
    by_unit = await Startup.raw(
        "SELECT c.slug, c.kind, c.name_en, c.name_zh, COUNT(s.id) AS n FROM centre c "
        "LEFT JOIN startup_affiliation a ON a.centre = c.id "
        "LEFT JOIN startup s ON s.id = a.startup AND s.status = 'active' "
        "GROUP BY c.id, c.slug, c.kind, c.name_en, c.name_zh, c.sort_order "
        "ORDER BY c.sort_order, c.id"
    )
    return msgspec.convert(
        {"total": total, "onsite": onsite, "offsite": total - onsite, "units": by_unit},
        ParkFigures,
    )
