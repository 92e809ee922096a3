"""The park's reference data: centres and hubs, clusters, programmes, and their choice lists."""

from __future__ import annotations

import time

import msgspec

from incubator.db import fetch
from incubator.startups.schemas import CentreOut, ChoiceLists, ClusterOut, ProgrammeOut
from incubator.startups.services.validation import References
from incubator.startups.tables import Centre, Cluster, Programme


async def references() -> References:
    clusters = await Cluster.select(Cluster.id, Cluster.slug)
    centres = await Centre.select(Centre.id, Centre.slug, Centre.kind)
    programmes = await Programme.select(Programme.id, Programme.slug)
    return References(
        clusters={c["slug"]: c["id"] for c in clusters},
        centres={c["slug"]: (c["id"], c["kind"]) for c in centres},
        programmes={p["slug"]: p["id"] for p in programmes},
    )


async def list_centres() -> list[CentreOut]:
    rows = await Centre.select().order_by(Centre.sort_order).order_by(Centre.id)
    return msgspec.convert(rows, list[CentreOut])


async def list_clusters() -> list[ClusterOut]:
    return msgspec.convert(await Cluster.select().order_by(Cluster.name_en), list[ClusterOut])


async def list_programmes() -> list[ProgrammeOut]:
    rows = await Programme.select(
        Programme.id, Programme.slug, Programme.name_en, Programme.name_zh
    ).order_by(Programme.name_en)
    return msgspec.convert(rows, list[ProgrammeOut])


# Centres, hubs, clusters and programmes are the park's reference data: only `incubator demo`
# and migrations write them, never a request. Each worker keeps the choice lists for a
# minute (an operator's change by hand shows within it) and forgets them at once when told;
# reading them was a sixth of a directory page under load on SQLite.
CHOICES_SECONDS = 60.0


def forget_choice_lists() -> None:
    """Read the choice lists afresh next time (after reference data changed in-process)."""
    _choices_cache.clear()


async def choice_lists() -> ChoiceLists:
    """What the directory's filters and the profile forms offer: centres and hubs in their
    order, clusters and programmes by name (id, slug, kind, names), read in one statement and
    kept for CHOICES_SECONDS."""
    now = time.monotonic()
    if not _choices_cache or now - _choices_cache[0][0] > CHOICES_SECONDS:
        _choices_cache[:] = [(now, await _read_choice_lists())]
    return _choices_cache[0][1]


async def _read_choice_lists() -> ChoiceLists:
    """The three lists in one statement, straight through the driver."""
    rows = await fetch(
        """
        SELECT 'centres' AS list, id, slug, kind, name_en, name_zh,
               sort_order AS position, '' AS by_name
        FROM centre
        UNION ALL SELECT 'clusters', id, slug, '', name_en, name_zh, 0, name_en FROM cluster
        UNION ALL SELECT 'programmes', id, slug, '', name_en, name_zh, 0, name_en FROM programme
        ORDER BY list, position, by_name, id
        """,
        [],
    )
    lists: dict[str, list[dict]] = {"centres": [], "clusters": [], "programmes": []}
    for row in rows:
        del row["position"], row["by_name"]
        lists[row.pop("list")].append(row)
    return msgspec.convert(lists, ChoiceLists)


_choices_cache: list[tuple[float, ChoiceLists]] = []
