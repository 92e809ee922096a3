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
