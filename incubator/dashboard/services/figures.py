"""The park's figures: the one definition of each number the dashboard, the API, the CSV
downloads and the quarterly report show. Every figure is aggregated in SQL for a `Scope`
(some centres or the whole park, and a range of days) and returned as a `Figure`: labelled
rows of values, the series a chart draws, and the totals."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from incubator.dashboard.schemas import Figure, Scope
from incubator.dashboard.services.activity import academy, events, mous_expiring, referrals
from incubator.dashboard.services.community import (
    leases_ending,
    occupancy,
    onsite_offsite,
    startups_by_centre,
    startups_by_cluster,
    startups_by_stage,
)
from incubator.dashboard.services.funding import funding_by_programme, progress_per_quarter
from incubator.dashboard.services.programmes import programme_intake
from incubator.dashboard.services.rooms import room_use, room_use_by_hour

FIGURES: dict[str, Callable[[Scope], Awaitable[Figure]]] = {
    "startups-by-centre": startups_by_centre,
    "startups-by-cluster": startups_by_cluster,
    "startups-by-stage": startups_by_stage,
    "onsite-offsite": onsite_offsite,
    "occupancy": occupancy,
    "leases-ending": leases_ending,
    "events": events,
    "academy": academy,
    "referrals": referrals,
    "mous-expiring": mous_expiring,
    "room-use": room_use,
    "room-use-by-hour": room_use_by_hour,
    "programme-intake": programme_intake,
    "funding-by-programme": funding_by_programme,
    "funded-progress": progress_per_quarter,
}


async def all_figures(scope: Scope) -> list[Figure]:
    """Every figure, computed at once: each query on a connection of its own (PostgreSQL's
    pool, or SQLite's reused connections, each with its own thread), so the page waits for
    the slowest figure rather than for their sum."""
    return list(await asyncio.gather(*(compute(scope) for compute in FIGURES.values())))
