"""The SQLite engine's reused connections: queries and transactions share open connections,
and nothing a statement or a transaction did lingers on a connection given back."""

from __future__ import annotations

import asyncio
import contextvars
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest
from piccolo.engine.sqlite import TransactionType

from incubator import db
from incubator.db.sqlite import PooledSQLiteEngine


class CountingEngine(PooledSQLiteEngine):
    """The real engine; it only counts the connections it opens."""

    def __init__(self, path: str, timeout: float) -> None:
        super().__init__(path, timeout)
        self.connections: list[aiosqlite.Connection] = []

    @property
    def opened(self) -> int:
        return len(self.connections)

    async def _open(self) -> aiosqlite.Connection:
        self.connections.append(await super()._open())
        return self.connections[-1]

    def closed(self) -> int:
        return sum(connection._connection is None for connection in self.connections)


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[CountingEngine]:
    engine = CountingEngine(path=str(tmp_path / "pool.sqlite3"), timeout=0.2)
    await db.prepare_engine(engine)
    await engine.run_ddl("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT UNIQUE)")
    await db.start_pool(engine, 1, 4)
    yield engine
    await db.close_pool(engine)


async def names(engine: CountingEngine) -> list[str]:
    rows = await engine.run_ddl("SELECT name FROM item ORDER BY id")
    return [row["name"] for row in rows]


async def insert(engine: CountingEngine, name: str) -> None:
    # run_ddl goes through the engine as any query does: the transaction's connection
    # inside one, else the pool.
    await engine.run_ddl(f"INSERT INTO item (name) VALUES ('{name}')")


async def test_queries_one_after_another_reuse_one_connection(engine: CountingEngine) -> None:
    for name in ("a", "b", "c"):
        await insert(engine, name)
        assert await names(engine) == sorted(n for n in "abc" if n <= name)
    assert engine.opened == 1


async def test_concurrent_queries_open_more_but_never_more_than_the_pool_size(
    engine: CountingEngine,
) -> None:
    await asyncio.gather(*(names(engine) for _ in range(10)))
    assert 1 < engine.opened <= 4
    assert len(engine._idle or []) <= 4
    opened = engine.opened
    await asyncio.gather(*(names(engine) for _ in range(4)))
    assert engine.opened - opened <= 4 - len(engine._idle or [])


async def test_many_clients_wait_for_a_connection_instead_of_opening_one_each(
    engine: CountingEngine,
) -> None:
    """256 at once, reads and write transactions mixed, with some callers giving up while
    they wait: at most 4 connections (each is a thread and a page cache) are ever open,
    every caller that stays gets its answer, and no wake-up is lost to one that left."""

    async def write(n: int) -> None:
        async with engine.transaction(TransactionType.immediate):
            await insert(engine, f"w{n}")

    work = [asyncio.create_task(names(engine) if n % 4 else write(n)) for n in range(256)]
    await asyncio.sleep(0)
    quitters = [t for n, t in enumerate(work[:40]) if n % 4 and n % 3 == 1]  # waiting reads
    for task in quitters:
        task.cancel()
    done = await asyncio.gather(*work, return_exceptions=True)
    kept = [r for t, r in zip(work, done, strict=True) if t not in quitters]
    assert not [r for r in kept if isinstance(r, BaseException)]
    assert engine.peak_connections <= 4 and engine.opened <= 4
    assert len(await names(engine)) == 64  # every write went in
    assert engine.open_connections == len(engine._idle or [])  # all given back


async def test_autocommit_write_is_seen_by_a_new_connection_at_once(
    engine: CountingEngine,
) -> None:
    await insert(engine, "visible")
    async with aiosqlite.connect(engine.path) as other:
        rows = await (await other.execute("SELECT name FROM item")).fetchall()
    assert rows == [("visible",)]


async def test_a_failed_statement_leaves_no_transaction_or_lock_behind(
    engine: CountingEngine,
) -> None:
    await insert(engine, "unique")
    with pytest.raises(sqlite3.IntegrityError):
        await insert(engine, "unique")
    # Another connection can still take the write lock at once, and the pool still works.
    async with aiosqlite.connect(engine.path, timeout=0.1) as other:
        await other.execute("BEGIN IMMEDIATE")
        await other.execute("INSERT INTO item (name) VALUES ('after')")
        await other.commit()
    assert await names(engine) == ["unique", "after"]


async def test_transactions_take_a_connection_and_give_it_back(engine: CountingEngine) -> None:
    async with engine.transaction(TransactionType.immediate):
        await insert(engine, "inside")
        assert await names(engine) == ["inside"]
        # A read from outside the transaction (a fresh context) goes to the pool and does
        # not see the write before the commit.
        outside = asyncio.create_task(names(engine), context=contextvars.Context())
        assert await outside == []
    assert await names(engine) == ["inside"]
    assert engine.opened == 2 and engine.closed() == 0
    with pytest.raises(RuntimeError):
        async with engine.transaction(TransactionType.immediate):
            await insert(engine, "rolled back")
            raise RuntimeError
    assert await names(engine) == ["inside"]
    assert engine.opened == 2 and engine.closed() == 0


async def test_a_transaction_that_cannot_begin_closes_its_connection(
    engine: CountingEngine,
) -> None:
    async with aiosqlite.connect(engine.path) as other:
        await other.execute("BEGIN IMMEDIATE")
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            async with engine.transaction(TransactionType.immediate):
                pass
        await other.rollback()
    assert engine.opened == 1 and engine.closed() == 1
    assert not engine._idle
    await insert(engine, "later")
    assert await names(engine) == ["later"]


async def test_closing_the_pool_closes_idle_connections_and_falls_back(
    engine: CountingEngine,
) -> None:
    await names(engine)
    idle = list(engine._idle or [])
    await db.close_pool(engine)
    assert idle and all(connection._connection is None for connection in idle)
    await insert(engine, "after close")  # Piccolo's own connection per query again
    assert await names(engine) == ["after close"]
    assert engine.opened == 1
