"""The community's headline figures, for the home page."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import msgspec

from incubator.db import among, is_postgres
from incubator.i18n import today_hk
from incubator.startups.schemas import ParkFigures
from incubator.startups.services.onsite import count_onsite
from incubator.startups.tables import NOT_ACTIVE_SQL, Startup

# Each centre's and hub's active start-ups: its affiliations (counted off their index) less
# those of start-ups not active (few, found from the start-ups' side: SQLite is told to start
# there with CROSS JOIN, since its statistics cannot tell how few). Joining every affiliation
# to its start-up to test the status took 228 ms at 100,000 start-ups on SQLite; this, 15.
_BY_UNIT = (
    "SELECT c.id, c.slug, c.kind, c.name_en, c.name_zh, "
    "COALESCE(t.n, 0) - COALESCE(x.n, 0) AS n FROM centre c "
    "LEFT JOIN (SELECT centre, COUNT(*) AS n FROM startup_affiliation GROUP BY centre) t "
    "ON t.centre = c.id "
    "LEFT JOIN (SELECT a.centre, COUNT(*) AS n FROM startup s {join} startup_affiliation a "
    "ON a.startup = s.id WHERE s.status IN ({others}) GROUP BY a.centre) x ON x.centre = c.id "
    "WHERE 1 = 1{within} ORDER BY c.sort_order, c.id"
)


async def active_by_centre(centres: Sequence[int] | None = None) -> list[dict]:
    """Each centre's or hub's (or these centres' only) active start-ups (`n`), with its
    slug, kind and names, in the park's order."""
    join = "JOIN" if is_postgres() else "CROSS JOIN"
    within, ids = among("c.id", centres)
    return await Startup.raw(_BY_UNIT.format(join=join, others=NOT_ACTIVE_SQL, within=within), *ids)


async def park_figures() -> ParkFigures:
    """Headline figures of the community for the home page."""
    # three counts at once, each on a connection of its own
    total, onsite, by_unit = await asyncio.gather(
        Startup.count().where(Startup.status == "active").run(),
        count_onsite(today_hk()),
        active_by_centre(),
    )
    return msgspec.convert(
        {"total": total, "onsite": onsite, "offsite": total - onsite, "units": by_unit},
        ParkFigures,
    )
