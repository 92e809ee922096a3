"""Piccolo's SQLite engine with reused connections: Piccolo opens a connection (and its
thread) for every query and every transaction, several times a request."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from typing import Any

import aiosqlite
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory
from piccolo.table import Table


class PooledSQLiteEngine(SQLiteEngine):
    """Between start_pool() and close_pool(), queries and transactions take an idle
    connection, or open one when none is idle and fewer than `max_open` are open, or wait
    for one to come back; at most `max_idle` are kept. Each connection is a thread and a page
    cache, so the cap is what bounds a worker's memory under many clients (without it, 256
    clients opened 256). Connections are in autocommit mode (as Piccolo's are), so a query
    outside a transaction sees the latest commit and holds no snapshot after it. A
    connection whose statement failed, or that is still inside a transaction, is closed
    rather than given back."""

    def __init__(self, path: str, timeout: float) -> None:
        super().__init__(path=path, timeout=timeout)
        self._idle: list[aiosqlite.Connection] | None = None
        self.max_idle = 0
        self.max_open = 0  # 0: no cap
        self.open_connections = 0  # open or being opened
        self.peak_connections = 0
        # Those waiting for a connection, each a future on its own event loop (tests share
        # the engine between loops), woken one at a time as connections come back.
        self._waiters: deque[asyncio.Future[None]] = deque()

    async def start_pool(self, max_idle: int, max_open: int = 0) -> None:
        self._idle, self.max_idle, self.max_open = [], max_idle, max_open

    async def close_pool(self) -> None:
        idle, self._idle = self._idle or [], None
        for connection in idle:
            await connection.close()

    @property
    def pooled(self) -> bool:
        return self._idle is not None

    async def _open(self) -> aiosqlite.Connection:
        """A new connection, its slot counted before it is opened (so that concurrent opens
        cannot pass the cap) and given up when it closes, however it closes."""
        self.open_connections += 1
        self.peak_connections = max(self.peak_connections, self.open_connections)
        try:
            connection = aiosqlite.connect(**self.connection_kwargs)
            # A connection left open by a crash must not keep the process alive at exit.
            connection._thread.daemon = True
            await connection
            connection.row_factory = dict_factory  # type: ignore[assignment]
            await connection.execute("PRAGMA foreign_keys = 1")
        except BaseException:
            self._slot_freed()
            raise
        close = connection.close

        async def closing() -> None:  # every way a connection ends passes here
            if not getattr(connection, "_counted_out", False):
                connection._counted_out = True  # type: ignore[attr-defined]
                self._slot_freed()
            await close()

        connection.close = closing  # type: ignore[method-assign]
        return connection

    def _slot_freed(self) -> None:
        self.open_connections -= 1
        self._wake_one()

    def _wake_one(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.get_loop().call_soon_threadsafe(_release, waiter)
                return

    def stats(self) -> dict[str, int]:
        idle = len(self._idle or [])
        return {"in_use": max(self.open_connections - idle, 0), "idle": idle}

    async def take(self) -> aiosqlite.Connection:
        while True:
            # list.pop and append are atomic: tests share the engine between event loops.
            try:
                return (self._idle or []).pop()
            except IndexError:
                pass
            if not self.max_open or self.open_connections < self.max_open:
                return await self._open()
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            except BaseException:  # cancelled while waiting, or after being woken
                if waiter.done() and not waiter.cancelled():
                    self._wake_one()  # pass on the wake this one will not use
                waiter.cancel()
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)
                raise
            # Then try again: a connection came back (or another request took it first).

    async def give_back(self, connection: aiosqlite.Connection) -> None:
        idle = self._idle
        if idle is not None and len(idle) < self.max_idle and not connection.in_transaction:
            idle.append(connection)
            self._wake_one()
        else:
            await connection.close()

    async def get_connection(self) -> aiosqlite.Connection:
        return await self.take() if self.pooled else await super().get_connection()

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.deferred,
        allow_nested: bool = True,
    ) -> SQLiteTransaction:
        if not self.pooled:
            return super().transaction(transaction_type, allow_nested)
        return PooledTransaction(self, transaction_type, allow_nested)

    async def _run_in_new_connection(
        self,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: type[Table] | None = None,
    ) -> Any:
        if not self.pooled:
            return await super()._run_in_new_connection(query, args, query_type, table)
        return await self.fetch(query, args or [])

    async def _run_in_existing_connection(
        self,
        connection: aiosqlite.Connection,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: type[Table] | None = None,
    ) -> Any:
        """A statement inside a transaction, in one trip to the connection's thread where
        Piccolo makes four: it turns foreign keys on before every
        statement, a no-op inside a transaction on connections that have them on from the
        start, and runs, fetches and closes the cursor in three trips."""
        if query_type == "insert" and self.get_version_sync() < 3.35:  # no RETURNING
            return await super()._run_in_existing_connection(
                connection, query, args, query_type, table
            )
        return await fetch_all(connection, query, args or [])

    async def fetch(self, query: str, args: list[Any]) -> list[dict]:
        """Run one statement (`?` placeholders) on a pooled connection and return its rows."""
        connection = await self.take()
        try:
            rows = await fetch_all(connection, query, args)
        except BaseException:
            await connection.close()
            raise
        await self.give_back(connection)
        return rows


def _release(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


async def fetch_all(connection: aiosqlite.Connection, query: str, args: list[Any]) -> list:
    """Run a statement and fetch its rows in one trip to the connection's thread."""
    return await connection.execute_fetchall(query, args)  # type: ignore[return-value]


class PooledTransaction(SQLiteTransaction):
    """Piccolo's transaction on a connection taken from the pool and given back after it.
    Unlike Piccolo's, a BEGIN that fails (the database stays locked past the timeout)
    closes its connection instead of leaving it and its thread behind."""

    engine: PooledSQLiteEngine

    async def __aenter__(self) -> SQLiteTransaction:
        if self._parent is not None:
            return self._parent
        self.connection = await self.engine.take()
        try:
            await self.begin()
        except BaseException:
            await self.connection.close()
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        except BaseException:
            await self.connection.close()
            raise
        finally:
            self.engine.current_transaction.reset(self.context)
        await self.engine.give_back(self.connection)
        return exception is None
