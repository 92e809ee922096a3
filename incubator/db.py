"""Database engines from a URL, binding them to the tables, migrations and write transactions."""

from __future__ import annotations

import asyncio
import contextlib
import io
import itertools
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import urlparse

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.table import Table

from incubator.sqlitepool import PooledSQLiteEngine, fetch_all

T = TypeVar("T")

PICCOLO_CONF = "incubator.piccolo_conf"

# Each SQLite write transaction has a connection of its own; concurrent writers in one process
# queue here instead of racing for SQLite's write lock (see STYLE.md, "SQLite writes").
_sqlite_write_lock: asyncio.Lock | None = None
_sqlite_write_loop: asyncio.AbstractEventLoop | None = None


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_engine(url: str) -> Engine:
    """An engine for `sqlite:///path` or `postgresql://...`; nothing is opened yet."""
    if url.startswith(("postgres://", "postgresql://")):
        # Every statement planned for its own arguments: a generic plan, made once for any
        # search term, counted 38,000 matches where the term's own plan stops at 1,001.
        return PostgresEngine(
            config={"dsn": url, "server_settings": {"plan_cache_mode": "force_custom_plan"}},
            log_queries=False,
        )
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        if path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        return PooledSQLiteEngine(path=path, timeout=60)
    raise ValueError(
        "INCUBATOR_DATABASE_URL must start with sqlite:/// or postgresql://, "
        f"not {urlparse(url).scheme!r}"
    )


def is_postgres(engine: Engine | None = None) -> bool:
    return isinstance(engine or current_engine(), PostgresEngine)


def like_pattern(text: str) -> str:
    """A LIKE pattern for "contains `text`". LIKE's wildcards are dropped from the text:
    SQLite has no default escape character."""
    return "%" + text.replace("%", "").replace("_", "") + "%"


def contains(column: Any, text: str) -> Any:
    """A case-insensitive substring condition on both engines (SQLite's LIKE already is)."""
    pattern = like_pattern(text)
    return column.ilike(pattern) if is_postgres() else column.like(pattern)


def among(column: str, ids: Sequence[int] | None) -> tuple[str, list[int]]:
    """A condition " AND column IN (...)" and its arguments, for raw SQL: nothing when `ids`
    is None (no restriction), and a condition that holds for no row when it is empty."""
    if ids is None:
        return "", []
    if not ids:
        return " AND 1 = 0", []
    return f" AND {column} IN ({', '.join('{}' for _ in ids)})", list(ids)


def all_tables() -> list[type[Table]]:
    from piccolo.apps.migrations.tables import Migration
    from piccolo.conf.apps import Finder

    return [*Finder().get_table_classes(), Migration]


def current_engine() -> Engine:
    from piccolo.conf.apps import Finder

    engine = Finder().get_engine()
    assert engine is not None
    return engine


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


def use_engine(engine: Engine) -> None:
    """Point piccolo_conf and every table at `engine` (tests switch engines this way)."""
    os.environ.setdefault("PICCOLO_CONF", PICCOLO_CONF)
    from piccolo.conf.apps import Finder

    conf = Finder().get_piccolo_conf_module()
    conf.DB = engine  # type: ignore[union-attr]
    for table in all_tables():
        table._meta.db = engine


async def prepare_engine(engine: Engine) -> None:
    """Per-database settings that must hold before the first request."""
    if isinstance(engine, SQLiteEngine):
        # WAL lets readers run beside the single writer; it is stored in the file.
        await engine._run_in_new_connection("PRAGMA journal_mode=WAL")


async def analyze() -> None:
    """Refresh the planner's statistics after a bulk load (outside any transaction).

    Without them PostgreSQL took 20,000 start-ups for 33 and chose plans 20x slower; VACUUM
    also sets the visibility map, so counts become index-only (20 ms -> 2 ms at 20,000).
    """
    from piccolo.apps.migrations.tables import Migration

    await Migration.raw("VACUUM ANALYZE" if is_postgres() else "ANALYZE").run()


async def start_pool(engine: Engine, min_size: int, max_size: int) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=min_size, max_size=max_size)
    elif isinstance(engine, PooledSQLiteEngine):
        await engine.start_pool(max_idle=max_size)


async def close_pool(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()
    elif isinstance(engine, PooledSQLiteEngine):
        await engine.close_pool()


async def migrate(quiet: bool = True) -> None:
    """Apply every Piccolo migration that has not run yet, on the current engine."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    sink = io.StringIO()
    with contextlib.redirect_stdout(sink) if quiet else contextlib.nullcontext():
        result = await run_forwards(app_name="all")
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}\n{sink.getvalue()}")


async def pending_migrations() -> list[str]:
    """Migration ids that exist in the code but have not run (for readiness checks)."""
    from piccolo.apps.migrations.commands.base import BaseMigrationManager
    from piccolo.apps.migrations.tables import Migration

    manager = BaseMigrationManager()
    if not await Migration.table_exists():
        return ["piccolo_migration"]
    pending: list[str] = []
    for app_name in manager.get_sorted_app_names():
        app_config = manager.get_app_config(app_name)
        modules = manager.get_migration_modules(app_config.resolved_migrations_folder_path)
        ran = set(await Migration.get_migrations_which_ran(app_name=app_name))
        pending += [
            f"{app_name}:{mid}" for mid in manager.get_migration_ids(modules) if mid not in ran
        ]
    return pending


def _write_lock() -> asyncio.Lock:
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
            _write_lock(),
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
async def _driver(
    sql: str, args: Sequence[Any], own: bool = False
) -> AsyncIterator[tuple[Any, str]]:
    """The driver's connection for one raw statement (the transaction's, or one from the
    pool; `own`: one from the pool even inside a transaction), and the statement with the
    driver's placeholders for Piccolo's `{}`."""
    engine = current_engine()
    parts = sql.split("{}")
    if len(parts) != len(args) + 1:
        raise ValueError(f"{len(parts) - 1} placeholders for {len(args)} arguments")
    transaction = None if own else engine.current_transaction.get()
    if isinstance(engine, PostgresEngine):
        query = parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], 1))
        if transaction is not None:
            yield transaction.connection, query
        elif engine.pool is not None:
            async with engine.pool.acquire() as connection:
                yield connection, query
        else:
            connection = await engine.get_new_connection()
            try:
                yield connection, query
            finally:
                await connection.close()
        return
    query = "?".join(parts)
    if transaction is not None:
        yield transaction.connection, query
        return
    connection = await engine.get_connection()  # an idle one, when the pool is on
    try:
        yield connection, query
    except BaseException:
        await connection.close()
        raise
    if isinstance(engine, PooledSQLiteEngine) and engine.pooled:
        await engine.give_back(connection)
    else:
        await connection.close()


async def fetch(sql: str, args: Sequence[Any]) -> list[dict]:
    """One read statement (`{}` placeholders, as Piccolo's raw queries) as a list of dicts,
    straight through the driver on the transaction's connection or a pooled one. For hot
    reads: Piccolo's `raw()` compiles the statement and converts its arguments in Python
    first, which was a third of the directory's own time on SQLite."""
    async with _driver(sql, args) as (connection, query):
        if is_postgres():
            return [dict(row) for row in await connection.fetch(query, *args)]
        # Piccolo's connections (and the pool's) make their rows dicts.
        return await fetch_all(connection, query, list(args))


async def fetch_planned(planner: str, sql: str, args: Sequence[Any]) -> list[dict]:
    """PostgreSQL: one read (`{}` placeholders) as a list of dicts, planned with `planner`'s
    settings (`SET LOCAL` statements), in a transaction of its own (a savepoint inside the
    caller's) rolled back after it, which ends the settings too."""
    async with _driver(sql, args) as (connection, query):
        read = connection.transaction(readonly=not connection.is_in_transaction())
        await read.start()
        try:
            await connection.execute(planner)
            rows = [dict(row) for row in await connection.fetch(query, *args)]
        except BaseException:
            # Cancelled mid-statement the connection cannot roll back yet: the pool resets
            # it, and the cancellation (or the failure) is what the caller must see.
            with contextlib.suppress(Exception):
                await read.rollback()
            raise
        await read.rollback()
        return rows


async def stream_rows(
    sql: str, *args: Any, size: int = 1000, copy_csv: bool = False
) -> AsyncIterator[Any]:
    """Run one read statement (`{}` placeholders, as Piccolo's raw queries) through the
    driver's cursor and yield its rows as tuples, `size` at a time: one plan and one snapshot
    for the whole read, however long, and no dicts (Piccolo's cost more than an export's
    other work on a row). Read in pages of separate queries, a table whose statistics had not
    caught up with 100,000 new rows was scanned whole for every page. Close it with
    `contextlib.aclosing` if it may be left before the end. `copy_csv`: see `_batches`."""
    async with _driver(sql, args) as (connection, query):
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
        async with _driver(*write) as (connection, query):
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
        async with _driver(*write, own=True) as (connection, query):
            if postgres:
                async with connection.transaction(isolation="repeatable_read"):
                    snapshot.set_result(await connection.fetchval("SELECT pg_export_snapshot()"))
                    await pinned.wait()
                    await share_trigger_plans(connection)
                    await connection.execute(query, *write[1])
                return
            async with _write_lock():
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
        async with _driver(*read, own=True) as (connection, query):
            if postgres:
                async with connection.transaction(isolation="repeatable_read", readonly=True):
                    await connection.execute(f"SET TRANSACTION SNAPSHOT '{snapshot.result()}'")
                    # A read this long is planned as costly enough to compile to machine
                    # code, which took 0.65 s of an export's 2 s read and saved nothing, and
                    # to share among parallel workers, which only took the writer's core. Its
                    # sort of 100,000 rows went to disk in the default 4 MB (0.3 s more).
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


async def bulk_insert(
    table: type[Table], columns: Sequence[str], rows: Iterable[Sequence[Any]], chunk: int = 5000
) -> int:
    """Insert many rows at once, inside the current write transaction (or one of its own):
    COPY on PostgreSQL, executemany on SQLite, `chunk` rows at a time.

    Piccolo's query builder converts and checks every value in Python (it took most of
    `demo --startups 100000`). The values go to the driver as they are, so they must be of the
    columns' types: dates as `date`, instants as aware `datetime`. On SQLite, Piccolo's
    adapters (registered with the sqlite3 module) store them as Piccolo would.
    """
    engine = current_engine()
    transaction = engine.current_transaction.get()
    if transaction is None:
        async with write_transaction():
            return await bulk_insert(table, columns, rows, chunk)
    connection = transaction.connection
    await share_trigger_plans()
    name = table._meta.tablename
    quoted = ", ".join(f'"{column}"' for column in columns)
    insert = f'INSERT INTO "{name}" ({quoted}) VALUES ({", ".join("?" for _ in columns)})'
    count = 0
    iterator = iter(rows)
    while batch := [tuple(row) for row in itertools.islice(iterator, chunk)]:
        if isinstance(engine, PostgresEngine):
            await connection.copy_records_to_table(name, records=batch, columns=list(columns))
        else:
            await connection.executemany(insert, batch)
        count += len(batch)
    return count


async def share_trigger_plans(connection: Any = None) -> None:
    """Inside a PostgreSQL write transaction that inserts many rows with foreign keys (the
    current one, or the driver's `connection`'s): let each key's check reuse one plan until
    the transaction ends. The engine's connections plan every statement for its own arguments
    (`make_engine`), and a foreign key is checked by a statement its trigger runs for every
    row, so 100,000 export log rows were planned 200,000 times (8 s where sharing the plans
    takes 2.7 s). Nothing to do on SQLite."""
    engine = current_engine()
    if connection is None and (transaction := engine.current_transaction.get()) is not None:
        connection = transaction.connection
    if isinstance(engine, PostgresEngine) and connection is not None:
        await connection.execute("SET LOCAL plan_cache_mode = auto")


@contextlib.asynccontextmanager
async def bulk_load_cache(megabytes: int = 256) -> AsyncIterator[None]:
    """Inside a SQLite write transaction, around a load of hundreds of megabytes: a page
    cache big enough to hold what it changes. With the default 2 MB, changed pages are written
    to the WAL again each time they leave the cache (the demo's start-ups took twice as long
    to insert). Back to the default afterwards, and the memory freed, since the connection
    goes back to the pool. Nothing changes on PostgreSQL."""
    if is_postgres():
        yield
        return
    from piccolo.apps.migrations.tables import Migration

    await Migration.raw(f"PRAGMA cache_size = -{megabytes * 1024}")
    try:
        yield
    finally:
        await Migration.raw("PRAGMA cache_size = -2000")
        await Migration.raw("PRAGMA shrink_memory")


@contextlib.asynccontextmanager
async def indexes_deferred(*tables: type[Table]) -> AsyncIterator[None]:
    """Inside a write transaction, around a bulk load into these tables: their indexes are
    built once afterwards instead of row by row, as pg_restore does. Kept up row by row, the
    search index alone took most of loading 100,000 start-ups on either engine.

    PostgreSQL: foreign keys and exclusion constraints are dropped with the indexes that no
    constraint owns (the search index among them), then created again, which checks every
    row at once: a row that breaks one fails the transaction, as it would have row by row.
    Primary keys and unique constraints stay. SQLite: the triggers that copy each inserted row
    into an FTS5 table (`<table>_fts_ai`) are dropped and the FTS table is rebuilt from its
    content table afterwards; the triggers that enforce a rule on insert (no overlapping
    leases or venue bookings) are dropped and their condition is checked on every row at once
    afterwards (a broken rule fails the load with the trigger's message); then the triggers
    are created again. The indexes made by CREATE INDEX are dropped and created again before
    those checks (the 562,000 registrations of the demo's Academy and events, each in four
    indexes, loaded 30% faster); those of PRIMARY KEY and UNIQUE columns cannot be dropped
    and stay, as foreign-key checks do. DDL is part of the transaction on both engines, so a
    failed load leaves the schema as it was."""
    if not tables:
        yield
        return
    names = [table._meta.tablename for table in tables]
    run = tables[0].raw
    if is_postgres():
        constraints = await run(
            "SELECT conrelid::regclass::text AS tbl, conname AS name, contype AS kind, "
            "pg_get_constraintdef(oid) AS sql FROM pg_constraint "
            "WHERE conrelid = ANY({}::text[]::regclass[]) AND contype IN ('f', 'x') "
            "ORDER BY contype, conrelid::regclass::text, conname",
            names,
        )
        indexes = await run(
            "SELECT i.tablename AS tbl, i.indexname AS name, i.indexdef AS sql "
            "FROM pg_indexes i WHERE i.schemaname = current_schema() "
            "AND i.tablename = ANY({}) AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
            "WHERE c.conname = i.indexname AND c.conrelid = i.tablename::regclass) "
            "ORDER BY i.tablename, i.indexname",
            names,
        )
        for constraint in constraints:  # foreign keys first ('f' < 'x')
            await run(f'ALTER TABLE "{constraint["tbl"]}" DROP CONSTRAINT "{constraint["name"]}"')
        for index in indexes:
            await run(f'DROP INDEX "{index["name"]}"')
        yield
        for index in indexes:
            await run(index["sql"])
        for constraint in reversed(constraints):  # exclusion constraints, then foreign keys
            await run(
                f'ALTER TABLE "{constraint["tbl"]}" ADD CONSTRAINT "{constraint["name"]}" '
                f"{constraint['sql']}"
            )
        return
    triggers = [
        trigger
        for name in names
        for trigger in await run(
            "SELECT name, tbl_name AS tbl, sql FROM sqlite_master "
            "WHERE type = 'trigger' AND tbl_name = {}",
            name,
        )
    ]
    search = [t for t in triggers if t["name"].endswith("_fts_ai")]
    rules = [(t, rule) for t in triggers if (rule := _insert_rule(t["sql"])) is not None]
    indexes = [
        index
        for name in names
        for index in await run(
            "SELECT name, sql FROM sqlite_master "
            "WHERE type = 'index' AND tbl_name = {} AND sql IS NOT NULL",
            name,
        )
    ]
    for trigger in [*search, *(t for t, _ in rules)]:
        await run(f'DROP TRIGGER "{trigger["name"]}"')
    for index in indexes:
        await run(f'DROP INDEX "{index["name"]}"')
    yield
    for index in indexes:
        await run(index["sql"])
    for trigger in search:
        fts = trigger["name"].removesuffix("_ai")
        await run(f'INSERT INTO "{fts}" ("{fts}") VALUES (\'rebuild\')')
        await run(trigger["sql"])
    for trigger, (condition, message) in rules:
        # The rule, checked on every row at once: each row in the place of the one inserted.
        broken = await run(f'SELECT 1 AS broken FROM "{trigger["tbl"]}" AS NEW WHERE {condition}')
        if broken:
            raise sqlite3.IntegrityError(message)
        await run(trigger["sql"])


# A SQLite trigger that enforces a rule on insert: BEFORE INSERT ... WHEN <condition over NEW>
# BEGIN SELECT RAISE(ABORT, '<message>'); END (the overlap rules of leases and venues).
_INSERT_RULE = re.compile(
    r"^CREATE TRIGGER \w+ BEFORE INSERT ON \w+\s+WHEN (?P<condition>.+?)\s+"
    r"BEGIN SELECT RAISE\(ABORT, '(?P<message>[^']*)'\); END$",
    re.DOTALL,
)


def _insert_rule(sql: str) -> tuple[str, str] | None:
    """(condition, message) of a rule trigger on insert, or None for any other trigger."""
    found = _INSERT_RULE.match(sql.strip())
    return (found["condition"], found["message"]) if found else None


class _RawSQL(Table):
    """No table of its own: a handle for running a raw migration's SQL on its engine."""


def raw_migration(
    app_name: str,
    migration_id: str,
    description: str,
    common: Sequence[str] = (),
    postgres: Sequence[str] = (),
    sqlite: Sequence[str] = (),
) -> Any:
    """A Piccolo migration of hand-written SQL: `common` on both engines, then the engine's
    own statements (constraints and triggers Piccolo cannot express)."""
    from piccolo.apps.migrations.auto.migration_manager import MigrationManager
    from piccolo.engine import engine_finder

    manager = MigrationManager(
        migration_id=migration_id, app_name=app_name, description=description
    )

    async def run() -> None:
        engine = engine_finder()
        _RawSQL._meta.db = engine
        statements = [*common, *(postgres if engine.engine_type == "postgres" else sqlite)]
        for statement in statements:
            await _RawSQL.raw(statement).run()

    manager.add_raw(run)
    return manager
