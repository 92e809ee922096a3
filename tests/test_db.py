"""The database helpers the services share, on each engine."""

from __future__ import annotations

import pytest

from incubator import db
from incubator.startups.tables import Cluster


async def test_fetch_rows_reads_tuples_in_and_out_of_a_transaction(settings):
    await Cluster.insert(
        Cluster(slug="fintech", name_en="FinTech"), Cluster(slug="web3", name_en="Web3")
    )
    query = "SELECT slug, name_en FROM cluster WHERE slug <> {} ORDER BY slug"
    assert await db.fetch_rows(query, "none") == [("fintech", "FinTech"), ("web3", "Web3")]
    async with db.write_transaction():
        await Cluster.insert(Cluster(slug="ai", name_en="AI"))
        # Inside a transaction it reads on the transaction's connection: its own write shows.
        assert [r[0] for r in await db.fetch_rows(query, "web3")] == ["ai", "fintech"]
    assert await db.fetch_rows("SELECT COUNT(*) FROM cluster WHERE slug = {}", "ai") == [(1,)]


async def test_fetch_rows_refuses_a_placeholder_without_its_argument(settings):
    with pytest.raises(ValueError, match="2 placeholders for 1 arguments"):
        await db.fetch_rows("SELECT {} + {}", 1)


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

    from incubator.centres.tables import Lease
    from tests.conftest import schema_objects

    unit, startup = next(iter(park.units.values())), park.startups["bamboo-home"]
    before, leases = await schema_objects(), await Lease.count()
    apart = [
        (unit, startup, date(2030, 1, 1), date(2030, 12, 31), date(2030, 12, 31), 100),
        (unit, startup, date(2031, 1, 1), date(2031, 12, 31), date(2031, 12, 31), 100),
    ]
    async with db.write_transaction(), db.indexes_deferred(Lease):
        await db.bulk_insert(Lease, LEASE_COLUMNS, apart)
    assert await Lease.count() == leases + 2
    assert await schema_objects() == before

    overlapping = [
        (unit, startup, date(2032, 1, 1), date(2032, 12, 31), date(2032, 12, 31), 100),
        (unit, startup, date(2032, 6, 1), date(2033, 5, 31), date(2033, 5, 31), 100),
    ]
    with pytest.raises(Exception, match="lease_no_overlap"):
        async with db.write_transaction(), db.indexes_deferred(Lease):
            await db.bulk_insert(Lease, LEASE_COLUMNS, overlapping)
    assert await Lease.count() == leases + 2
    assert await schema_objects() == before
