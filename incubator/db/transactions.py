"""Write transactions that hold the rules under concurrency, row locks, shared read snapshots."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Awaitable
from typing import Any, TypeVar

import asyncpg
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.table import Table

from incubator.db.engines import current_engine, is_postgres

T = TypeVar("T")

# What a write that lost a race to a concurrent one raises: a unique key taken meanwhile.
UNIQUE_VIOLATIONS = (sqlite3.IntegrityError, asyncpg.exceptions.UniqueViolationError)


# Each SQLite write transaction has a connection of its own; concurrent writers in one process
# queue here instead of racing for SQLite's write lock (see STYLE.md, "SQLite writes").
_sqlite_write_lock: asyncio.Lock | None = None


_sqlite_write_loop: asyncio.AbstractEventLoop | None = None


def in_transaction() -> bool:
    """Whether this task is inside a transaction (its statements share one connection)."""
    return current_engine().current_transaction.get() is not None


async def alongside(work: Awaitable[T]) -> asyncio.Future[T]:
    """Start `work` to run beside the caller's own, on its own connection; inside a
    transaction, where every statement shares the transaction's connection, run it now."""
    if not in_transaction():
        return asyncio.ensure_future(work)
    done: asyncio.Future[T] = asyncio.get_running_loop().create_future()
    done.set_result(await work)
    return done


def sqlite_write_lock() -> asyncio.Lock:
    global _sqlite_write_lock, _sqlite_write_loop
    loop = asyncio.get_running_loop()
    if _sqlite_write_lock is None or _sqlite_write_loop is not loop:
        _sqlite_write_lock, _sqlite_write_loop = asyncio.Lock(), loop
    return _sqlite_write_lock


@contextlib.asynccontextmanager
async def write_transaction() -> AsyncIterator[Any]:
    """One write transaction: BEGIN IMMEDIATE on SQLite (serialised in-process), plain on PG.

    Rules that must hold under concurrency are checked inside it.
    """
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        outer = engine.current_transaction.get()
        if outer is not None:
            yield outer
            return
        async with (
            sqlite_write_lock(),
            engine.transaction(transaction_type=TransactionType.immediate) as transaction,
        ):
            yield transaction
    else:
        async with engine.transaction() as transaction:
            yield transaction


async def lock_row(table: type[Table], row_id: int, columns: str = "id") -> dict | None:
    """Inside write_transaction(): read a row and hold it until the transaction ends, so that
    changes to what hangs off it (a unit's leases, an event's seats) happen one at a time.
    PostgreSQL locks the row (FOR UPDATE); SQLite's single writer already holds everything."""
    lock = " FOR UPDATE" if is_postgres() else ""
    rows = await table.raw(
        f'SELECT {columns} FROM "{table._meta.tablename}" WHERE id = {{}}{lock}', row_id
    )
    return rows[0] if rows else None


@contextlib.asynccontextmanager
async def read_snapshot() -> AsyncIterator[None]:
    """Several SQLite reads that see one snapshot (one connection, one read transaction).
    PostgreSQL reads come from the pool as they are."""
    engine = current_engine()
    if isinstance(engine, SQLiteEngine) and engine.current_transaction.get() is None:
        async with engine.transaction(transaction_type=TransactionType.deferred):
            yield
    else:
        yield
