"""Each centre's active start-ups, by stage and by cluster, as the database keeps them
(`incubator.startups.tallies`), agree with a count from the rows after edits through the
app (concurrent ones too), changes in SQL, archiving, deletion and a bulk load."""

from __future__ import annotations

import asyncio
from collections import Counter

from incubator.db import write_transaction
from incubator.db.bulk import indexes_deferred
from incubator.startups.tables import (
    CentreStartups,
    Startup,
    StartupAffiliation,
    StartupCluster,
)
from tests.conftest import api, login, make_client


async def counted() -> dict[tuple, int]:
    """Each (centre, kind, value) counted from the start-ups one by one."""
    active = {
        s["id"]: s["stage"]
        for s in await Startup.select(Startup.id, Startup.stage, Startup.status)
        if s["status"] == "active"
    }
    clusters: dict[int, list[int]] = {}
    for link in await StartupCluster.select(StartupCluster.startup, StartupCluster.cluster):
        clusters.setdefault(link["startup"], []).append(link["cluster"])
    found: Counter = Counter()
    for a in await StartupAffiliation.select(StartupAffiliation.startup, StartupAffiliation.centre):
        if a["startup"] not in active:
            continue
        found[(a["centre"], "all", "")] += 1
        found[(a["centre"], "stage", active[a["startup"]])] += 1
        for cluster in clusters.get(a["startup"], []):
            found[(a["centre"], "cluster", str(cluster))] += 1
    return dict(found)


async def kept() -> dict[tuple, int]:
    rows = await CentreStartups.select()
    return {(r["centre"], r["kind"], r["value"]): r["n"] for r in rows if r["n"]}


async def test_the_centres_counts_follow_every_change(app, client, park):
    assert await kept() == await counted()
    e, web3hub = park.centres["entrepreneurship"], park.centres["web3hub"]
    assert (await kept())[(e, "all", "")] == 2  # Harbour Pay and Bamboo Home

    # Edits through the API, four at once: stage, clusters and centres change.
    sid = park.startups["harbour-pay"]
    editors = [make_client(app) for _ in range(4)]
    for editor in editors:
        await login(editor, park.users["manager"])
    edits = [
        {"stage": "series_a", "clusters": ["web3"], "centres": ["entrepreneurship", "web3hub"]},
        {"stage": "growth", "clusters": ["fintech", "smart-living"]},
        {"stage": "seed", "centres": ["entrepreneurship"]},
        {"clusters": ["web3", "fintech"], "centres": ["web3hub", "entrepreneurship"]},
    ]
    answers = await asyncio.gather(
        *(api(editors[i], "PATCH", f"/api/startups/{sid}", json=edits[i]) for i in range(4))
    )
    assert [a.status_code for a in answers] == [200] * 4, [a.text for a in answers]
    assert await kept() == await counted()

    # In SQL: archived, back, its stage, a cluster removed, an affiliation moved.
    await Startup.update({Startup.status: "archived"}).where(Startup.id == sid)
    assert await kept() == await counted()
    assert (e, "all", "") in await kept() and (await kept())[(e, "all", "")] == 1
    await Startup.update({Startup.status: "active"}).where(Startup.id == sid)
    await Startup.update({Startup.stage: "idea"}, force=True)
    await StartupCluster.delete().where(StartupCluster.startup == sid)
    await StartupAffiliation.update({StartupAffiliation.centre: web3hub}).where(
        StartupAffiliation.startup == park.startups["bamboo-home"]
    )
    assert await kept() == await counted()

    # A start-up deleted (its links go with it) leaves every count.
    async with write_transaction():
        from incubator.startups.services import profiles

        extra = await profiles.insert_startup("Gone Soon", "gone-soon")
        await StartupAffiliation.insert(StartupAffiliation(startup=extra, centre=e))
        await StartupCluster.insert(StartupCluster(startup=extra, cluster=park.clusters["web3"]))
    assert await kept() == await counted()
    await Startup.delete().where(Startup.id == extra)
    assert await kept() == await counted()


async def test_a_bulk_load_counts_the_centres_again(park):
    e = park.centres["entrepreneurship"]
    before = (await kept())[(e, "all", "")]
    async with write_transaction(), indexes_deferred(Startup, StartupAffiliation):
        from incubator.startups.services import profiles

        for n in range(3):
            startup = await profiles.insert_startup(f"Loaded {n}", f"loaded-{n}")
            await StartupAffiliation.insert(StartupAffiliation(startup=startup, centre=e))
        assert (await kept())[(e, "all", "")] == before  # the triggers stood aside
    assert (await kept())[(e, "all", "")] == before + 3
    assert await kept() == await counted()


async def test_a_centres_directory_counts_from_the_kept_rows_as_the_list_does(park):
    """Each list the kept rows can count (a centre or hub alone, with a stage, a cluster or
    onsite) is counted from them, and agrees with the list's own count."""
    from centres.services.occupancy import onsite_today
    from incubator.db import fetch
    from incubator.startups.services.search import DirectoryQuery, directory_sql, kept_count

    await onsite_today()  # today's onsite rows counted
    lists = [
        DirectoryQuery(centre="entrepreneurship"),
        DirectoryQuery(centre="entrepreneurship", stage="seed"),
        DirectoryQuery(centre="entrepreneurship", stage="growth"),
        DirectoryQuery(centre="entrepreneurship", cluster="fintech"),
        DirectoryQuery(centre="entrepreneurship", onsite=True),
        DirectoryQuery(centre="entrepreneurship", onsite=False),
        DirectoryQuery(hub="web3hub"),
        DirectoryQuery(hub="web3hub", cluster="web3"),
        DirectoryQuery(centre="web3hub"),  # a hub asked for as a centre: nothing
    ]
    for query in lists:
        sql = directory_sql(query)
        listed = int((await fetch(sql.count_sql, sql.count_args))[0]["n"])
        assert await kept_count(query) == listed, query
    assert [await kept_count(q) for q in lists[:6]] == [2, 1, 0, 1, 1, 1]
    # Lists the rows cannot count are counted.
    assert await kept_count(DirectoryQuery(centre="entrepreneurship", q="pay")) is None
    assert (
        await kept_count(DirectoryQuery(centre="entrepreneurship", stage="seed", cluster="fintech"))
        is None
    )
    assert await kept_count(DirectoryQuery(cluster="fintech")) is None


async def test_a_small_import_is_counted_row_by_row(park):
    from incubator.startups.services import bulk
    from incubator.startups.services.importer import import_startups

    lines = ["slug,name_en,centres,clusters,stage"]
    lines += [f"small-{n},Small {n},entrepreneurship;web3hub,web3,growth" for n in range(5)]
    assert bulk.COUNT_AFTER > 5 * 3  # rows and links: the triggers count them
    report = await import_startups("\n".join(lines) + "\n", apply=True)
    assert report.applied and report.created == 5, report.errors
    assert await kept() == await counted()
    e = park.centres["entrepreneurship"]
    assert (await kept())[(e, "stage", "growth")] == 5
