"""The database helpers the services share, on each engine."""

from __future__ import annotations

import contextlib

import pytest

from incubator import db
from incubator.db import bulk, streaming
from incubator.startups.tables import Cluster


async def rows_of(sql: str, *args, size: int = 1000) -> list[list[tuple]]:
    return [batch async for batch in streaming.stream_rows(sql, *args, size=size)]


async def test_stream_rows_reads_tuples_in_batches_in_and_out_of_a_transaction(settings):
    await Cluster.insert(*(Cluster(slug=f"c{n}", name_en=f"Cluster {n}") for n in range(5)))
    query = "SELECT slug, name_en FROM cluster WHERE slug <> {} ORDER BY slug"
    assert await rows_of(query, "c2", size=2) == [
        [("c0", "Cluster 0"), ("c1", "Cluster 1")],
        [("c3", "Cluster 3"), ("c4", "Cluster 4")],
    ]
    async with db.write_transaction():
        await Cluster.insert(Cluster(slug="c5", name_en="Cluster 5"))
        # Inside a transaction it reads on the transaction's connection: its own write shows.
        assert [len(batch) for batch in await rows_of(query, "c0", size=3)] == [3, 2]
    assert await rows_of("SELECT COUNT(*) FROM cluster WHERE slug = {}", "c5") == [[(1,)]]
    assert await rows_of("SELECT slug FROM cluster WHERE slug = {}", "none") == []


async def test_a_stream_left_early_gives_its_connection_back(settings):
    query = "SELECT id FROM cluster WHERE id > {} ORDER BY id"
    await Cluster.insert(*(Cluster(slug=f"c{n}", name_en=f"Cluster {n}") for n in range(5)))
    for _ in range(30):  # more than the pool holds, were any left behind
        async with contextlib.aclosing(streaming.stream_rows(query, 0, size=1)) as batches:
            assert len(await anext(batches)) == 1
    assert len(await rows_of(query, 0)) == 1


async def test_a_copy_read_is_the_servers_csv_and_one_left_early_gives_its_connection_back(
    settings, engine_name
):
    """PostgreSQL writes a read as CSV itself (COPY), every cell quoted, what cells hold kept
    exactly; SQLite has no COPY and says so."""
    query = "SELECT slug, name_en FROM cluster WHERE slug LIKE {} ORDER BY slug"
    if engine_name == "sqlite":
        with pytest.raises(ValueError, match="COPY is PostgreSQL's"):
            await anext(streaming.stream_rows(query, "c%", copy_csv=True))
        return
    await Cluster.insert(
        Cluster(slug="c0", name_en='A "quoted", two-line\nname'),
        Cluster(slug="c1", name_en="香港"),
    )
    copied = b"".join([data async for data in streaming.stream_rows(query, "c%", copy_csv=True)])
    assert copied == '"c0","A ""quoted"", two-line\nname"\n"c1","香港"\n'.encode()
    long = "SELECT n, repeat('x', 200) FROM generate_series(1, {}) n"  # ~4 MB
    for _ in range(30):  # more than the pool holds, were any left behind mid-copy
        async with contextlib.aclosing(streaming.stream_rows(long, 20_000, copy_csv=True)) as read:
            assert (await anext(read)).startswith(b'"1","xxx')
    assert await Cluster.count() == 2


async def test_a_planned_read_keeps_its_planner_settings_to_itself(settings, engine_name):
    """A search's count is planned with PostgreSQL settings of its own (SET LOCAL), which end
    with it, inside a caller's transaction too; SQLite's directory plans nothing so."""
    from incubator.startups.services.search import DirectoryQuery, directory_sql

    planner = directory_sql(DirectoryQuery(q="pay")).count_planner
    if engine_name == "sqlite":
        assert planner == ""
        return
    assert planner == "SET LOCAL random_page_cost = 1.1"
    show = "SELECT current_setting('random_page_cost') AS cost"
    default = (await Cluster.raw(show))[0]["cost"]
    assert default != "1.1"
    assert await db.fetch_planned(planner, show, []) == [{"cost": "1.1"}]
    async with db.write_transaction():
        assert await db.fetch_planned(planner, show, []) == [{"cost": "1.1"}]
        assert (await Cluster.raw(show))[0]["cost"] == default
    for _ in range(30):  # more than the pool holds: every connection is back, as it was
        assert (await Cluster.raw(show))[0]["cost"] == default
        await db.fetch_planned(planner, show, [])


async def test_stream_rows_refuses_a_placeholder_without_its_argument(settings):
    with pytest.raises(ValueError, match="2 placeholders for 1 arguments"):
        await rows_of("SELECT {} + {}", 1)


COPY_CLUSTERS = (
    "INSERT INTO cluster (slug, name_en) SELECT 'copy-' || slug, name_en FROM cluster "
    "WHERE slug LIKE {}",
    ["c%"],
)
READ_SLUGS = ("SELECT slug FROM cluster WHERE slug <> {} ORDER BY slug", [""])


async def slugs_of(batches) -> list[str]:
    return [slug async for batch in batches for (slug,) in batch]


async def test_a_write_beside_a_read_and_the_read_both_see_the_snapshot_they_began_with(settings):
    """An export writes its log while it reads its file from the same snapshot: neither sees
    the other's work, nor a commit made while they run."""
    await Cluster.insert(*(Cluster(slug=f"c{n}", name_en=f"Cluster {n}") for n in range(3)))
    async with streaming.write_beside_read(COPY_CLUSTERS, READ_SLUGS, size=2) as (batches, written):
        async with db.write_transaction():  # SQLite: waits for the write to commit
            await Cluster.insert(Cluster(slug="c9", name_en="Late"))
        read = await slugs_of(batches)
        await written
    assert read == ["c0", "c1", "c2"]
    copies = await Cluster.select(Cluster.slug).where(Cluster.slug.like("copy-%"))
    assert sorted(row["slug"] for row in copies) == ["copy-c0", "copy-c1", "copy-c2"]


async def test_a_failed_write_beside_a_read_is_raised_and_leaves_nothing_locked(settings):
    await Cluster.insert(*(Cluster(slug=f"c{n}", name_en=f"Cluster {n}") for n in range(3)))
    duplicates = ("INSERT INTO cluster (slug, name_en) SELECT slug, name_en FROM cluster", [])
    with pytest.raises(Exception, match=r"(?i)unique"):
        async with streaming.write_beside_read(duplicates, READ_SLUGS) as (batches, written):
            assert await slugs_of(batches) == ["c0", "c1", "c2"]
            await written
    assert await Cluster.count() == 3
    with pytest.raises(ZeroDivisionError):  # the caller's own failure, with the write pending
        async with streaming.write_beside_read(COPY_CLUSTERS, READ_SLUGS) as (batches, written):
            raise ZeroDivisionError
    async with db.write_transaction():  # the write lock and the connections were given back
        await Cluster.insert(Cluster(slug="c3", name_en="Cluster 3"))
    assert await Cluster.exists().where(Cluster.slug == "c3")


async def test_inside_a_transaction_the_write_runs_first_and_the_read_sees_it(settings):
    await Cluster.insert(Cluster(slug="c0", name_en="Cluster 0"))
    async with (
        db.write_transaction(),
        streaming.write_beside_read(COPY_CLUSTERS, READ_SLUGS) as (batches, written),
    ):
        assert written.done()
        assert await slugs_of(batches) == ["c0", "copy-c0"]
    assert await Cluster.count() == 2


LEASE_COLUMNS = (
    "unit",
    "startup",
    "starts_on",
    "ends_on",
    "contract_ends_on",
    "monthly_rent_cents",
)


async def test_a_bulk_load_checks_the_rules_it_deferred_and_a_broken_one_undoes_it(park):
    """indexes_deferred drops the overlap rule (PostgreSQL's exclusion constraint, SQLite's
    trigger) for a bulk load and checks every row against it afterwards: leases that overlap
    fail the load with the rule's name, and the schema and the table are as before."""
    from datetime import date

    from centres.tables import Lease
    from tests.conftest import schema_objects

    unit, startup = next(iter(park.units.values())), park.startups["bamboo-home"]
    before, leases = await schema_objects(), await Lease.count()
    apart = [
        (unit, startup, date(2030, 1, 1), date(2030, 12, 31), date(2030, 12, 31), 100),
        (unit, startup, date(2031, 1, 1), date(2031, 12, 31), date(2031, 12, 31), 100),
    ]
    async with db.write_transaction(), bulk.indexes_deferred(Lease):
        await bulk.bulk_insert(Lease, LEASE_COLUMNS, apart)
    assert await Lease.count() == leases + 2
    assert await schema_objects() == before

    overlapping = [
        (unit, startup, date(2032, 1, 1), date(2032, 12, 31), date(2032, 12, 31), 100),
        (unit, startup, date(2032, 6, 1), date(2033, 5, 31), date(2033, 5, 31), 100),
    ]
    with pytest.raises(Exception, match="lease_no_overlap"):
        async with db.write_transaction(), bulk.indexes_deferred(Lease):
            await bulk.bulk_insert(Lease, LEASE_COLUMNS, overlapping)
    assert await Lease.count() == leases + 2
    assert await schema_objects() == before


async def test_a_bulk_load_builds_the_indexes_it_deferred_and_a_duplicate_undoes_it(park):
    """indexes_deferred drops the tables' own indexes for a bulk load and builds them once
    afterwards: a unique index broken by the load fails it, and the schema and the table
    are as before."""
    from incubator.startups.tables import StartupCluster
    from tests.conftest import schema_objects

    startup, cluster = park.startups["bamboo-home"], park.clusters["web3"]
    before, links = await schema_objects(), await StartupCluster.count()
    twice = [(startup, cluster), (startup, cluster)]
    with pytest.raises(Exception, match=r"(?i)unique|startup_cluster_pair"):
        async with db.write_transaction(), bulk.indexes_deferred(StartupCluster):
            during = await schema_objects()
            await bulk.bulk_insert(StartupCluster, ("startup", "cluster"), twice)
    assert any("startup_cluster_pair" in str(item) for item in before - during)
    assert await StartupCluster.count() == links
    assert await schema_objects() == before


async def test_a_bulk_write_shares_trigger_plans_for_its_own_transaction_only(
    settings, engine_name
):
    """Foreign keys are checked by a statement their trigger runs for every row: planned
    again for each of 100,000 rows, an export's log took three times as long. A bulk write
    lets the checks share plans until its transaction ends; everything else keeps its own."""

    async def mode() -> str:
        return (await Cluster.raw("SHOW plan_cache_mode"))[0]["plan_cache_mode"]

    if engine_name == "sqlite":  # no plan cache to speak of: nothing to change
        async with db.write_transaction():
            await bulk.share_trigger_plans()
            await Cluster.insert(Cluster(slug="c1", name_en="Cluster 1"))
        assert await Cluster.count() == 1
        return
    async with db.write_transaction():
        assert await mode() == "force_custom_plan"
        await bulk.share_trigger_plans()
        assert await mode() == "auto"
    assert await mode() == "force_custom_plan"


async def test_postgres_connections_plan_every_statement_for_its_own_arguments():
    """A generic plan, made once for any search term, counted `smart`'s 38,000 matches at
    100,000 start-ups in 18 ms where a plan for `smart` itself stops at the 1,001st after a
    few: so the engine's connections plan every statement with its own arguments. (SQLite
    keeps no generic plans.)"""
    from tests.conftest import PG_ADMIN_DSN

    engine = db.make_engine(PG_ADMIN_DSN)
    connection = await engine.get_new_connection()
    try:
        assert await connection.fetchval("SHOW plan_cache_mode") == "force_custom_plan"
    finally:
        await connection.close()
