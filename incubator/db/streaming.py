"""Long reads in batches through the driver's cursor or COPY; a write beside a read's snapshot."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

from incubator.db.bulk import share_trigger_plans
from incubator.db.engines import is_postgres
from incubator.db.reads import driver
from incubator.db.transactions import in_transaction, sqlite_write_lock


async def stream_rows(
    sql: str, *args: Any, size: int = 1000, copy_csv: bool = False
) -> AsyncIterator[Any]:
    """Run one read statement (`{}` placeholders, as Piccolo's raw queries) through the
    driver's cursor and yield its rows as tuples, `size` at a time: one plan and one snapshot
    for the whole read, however long, and no dicts (Piccolo's cost more than an export's
    other work on a row). Read in pages of separate queries, a table whose statistics had not
    caught up with 100,000 new rows was scanned whole for every page. Close it with
    `contextlib.aclosing` if it may be left before the end. `copy_csv`: see `_batches`."""
    async with driver(sql, args) as (connection, query):
        # Closed here, not when collected: a copy must end before its connection is used again.
        batches = contextlib.aclosing(_batches(connection, query, args, size, copy_csv))
        if is_postgres() and not connection.is_in_transaction():
            async with connection.transaction(readonly=True), batches as rows:  # a cursor needs one
                async for batch in rows:
                    yield batch
            return
        async with batches as rows:
            async for batch in rows:
                yield batch


async def _batches(
    connection: Any, query: str, args: Sequence[Any], size: int, copy_csv: bool = False
) -> AsyncIterator[Any]:
    """A read statement's rows as tuples, `size` at a time, through the driver's cursor.
    `copy_csv` (PostgreSQL only): instead, the bytes of `COPY (query) TO STDOUT` in CSV with
    every cell quoted, as the server sends them (rows end with LF), so no row becomes Python
    objects at all."""
    if copy_csv:
        if not is_postgres():
            raise ValueError("COPY is PostgreSQL's: read rows on SQLite")
        async with contextlib.aclosing(_copied(connection, query, args)) as copied:
            async for data in copied:
                yield data
        return
    if is_postgres():
        cursor = await connection.cursor(query, *args)
        while rows := await cursor.fetch(size):
            yield [tuple(row) for row in rows]
        return
    async with connection.execute(query, args) as cursor:
        cursor.row_factory = None
        while rows := await cursor.fetchmany(size):
            yield rows


async def _copied(connection: Any, query: str, args: Sequence[Any]) -> AsyncIterator[bytes]:
    """COPY (query) TO STDOUT as CSV, every cell quoted, as the server sends it. The driver
    pushes chunks (~10 kB) to a callback; a queue turns them into an iterator, what came
    meanwhile going out as one, and the callback waits while the reader is far behind.
    Left early, the copy runs to its end with what still comes dropped: the driver cannot
    stop a copy it has started and keep its connection usable."""
    chunks: asyncio.Queue[bytes | None] = asyncio.Queue()
    room = asyncio.Semaphore(64)  # chunks the server may be ahead of the reader
    dropping = False

    async def sink(data: bytes) -> None:
        if not dropping:
            await room.acquire()
            chunks.put_nowait(data)

    async def copy() -> None:
        try:
            await connection.copy_from_query(
                query, *args, output=sink, format="csv", force_quote=True
            )
        finally:
            chunks.put_nowait(None)  # the end, or a failure the task raises below

    copying = asyncio.ensure_future(copy())
    try:
        end = False
        while not end:
            parts = [await chunks.get()]
            while not chunks.empty():
                parts.append(chunks.get_nowait())
            if end := parts[-1] is None:
                parts.pop()
            for _ in parts:
                room.release()
            if parts:
                yield b"".join(parts)
    finally:
        if not copying.done():
            dropping = True
            room.release()  # a chunk waiting for room is let through, into the queue
        await copying


async def _execute(connection: Any, query: str, args: Sequence[Any]) -> None:
    """Run one statement on the driver's connection, its rows (if any) unread."""
    if is_postgres():
        await connection.execute(query, *args)
    else:
        async with connection.execute(query, args):
            pass


@contextlib.asynccontextmanager
async def write_beside_read(
    write: tuple[str, Sequence[Any]],
    read: tuple[str, Sequence[Any]],
    size: int = 1000,
    copy_csv: bool = False,
) -> AsyncIterator[tuple[AsyncIterator[Any], asyncio.Future[None]]]:
    """One write statement, committed in a transaction of its own, and one long read on
    another connection, run side by side and seeing the same snapshot, so they agree as if
    one ran after the other (an export's log and its file). Both take `{}` placeholders.
    Yields the read's batches (as `stream_rows`; `copy_csv` too) and a future done when the
    write has committed; leaving early cancels a write still running, which rolls it back.

    SQLite: the writer takes the write lock (BEGIN IMMEDIATE) before the reader's snapshot
    is taken, so nothing can commit in between, and writes only after; its INSERT ... SELECT
    runs in SQLite's C code, beside the Python that handles the read. PostgreSQL: the
    writer's REPEATABLE READ snapshot is exported and the reader's transaction takes it
    (SET TRANSACTION SNAPSHOT) before the write starts; the write shares its foreign-key
    plans (`share_trigger_plans`). Inside a caller's transaction everything shares its
    connection, so the write runs first and the read after it."""
    loop = asyncio.get_running_loop()
    if in_transaction():
        async with driver(*write) as (connection, query):
            await _execute(connection, query, write[1])
        written: asyncio.Future[None] = loop.create_future()
        written.set_result(None)
        async with contextlib.aclosing(
            stream_rows(read[0], *read[1], size=size, copy_csv=copy_csv)
        ) as rows:
            yield rows, written
        return
    snapshot: asyncio.Future[str] = loop.create_future()
    pinned = asyncio.Event()
    postgres = is_postgres()

    async def writer() -> None:
        # Not write_transaction(): Piccolo's PostgreSQL transaction keeps its connection from
        # the pool when it is cancelled mid-statement, and this write may be cancelled.
        async with driver(*write, own=True) as (connection, query):
            if postgres:
                async with connection.transaction(isolation="repeatable_read"):
                    snapshot.set_result(await connection.fetchval("SELECT pg_export_snapshot()"))
                    await pinned.wait()
                    await share_trigger_plans(connection)
                    await connection.execute(query, *write[1])
                return
            async with sqlite_write_lock():
                await _execute(connection, "BEGIN IMMEDIATE", ())
                try:
                    snapshot.set_result("")
                    await pinned.wait()
                    await _execute(connection, query, write[1])
                    await _execute(connection, "COMMIT", ())
                except BaseException:
                    if connection.in_transaction:
                        await _execute(connection, "ROLLBACK", ())
                    raise

    writing = asyncio.ensure_future(writer())
    try:
        await asyncio.wait([snapshot, writing], return_when=asyncio.FIRST_COMPLETED)
        if not snapshot.done():
            await writing  # it failed before it could share its snapshot: raise why
        async with driver(*read, own=True) as (connection, query):
            if postgres:
                async with connection.transaction(isolation="repeatable_read", readonly=True):
                    await connection.execute(f"SET TRANSACTION SNAPSHOT '{snapshot.result()}'")
                    # A read this long is planned as costly enough to compile to machine
                    # code, which costs more than it saves, and to share among parallel
                    # workers, which only take the writer's core; its sort needs more than
                    # the default 4 MB to stay in memory.
                    await connection.execute(
                        "SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0; "
                        "SET LOCAL work_mem = '64MB'"
                    )
                    pinned.set()
                    async with contextlib.aclosing(
                        _batches(connection, query, read[1], size, copy_csv)
                    ) as rows:
                        yield rows, writing
            else:
                await _execute(connection, "BEGIN", ())
                try:
                    await _execute(connection, "SELECT count(*) FROM sqlite_master", ())
                    pinned.set()  # the read transaction holds its snapshot from here
                    async with contextlib.aclosing(
                        _batches(connection, query, read[1], size, copy_csv)
                    ) as rows:
                        yield rows, writing
                finally:
                    if connection.in_transaction:
                        await _execute(connection, "ROLLBACK", ())
        await writing
    finally:
        if not writing.done():
            writing.cancel()
            with contextlib.suppress(BaseException):
                await writing
