"""Bulk loads: many rows at once, shared trigger plans, a big cache, indexes built after."""

from __future__ import annotations

import contextlib
import itertools
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from typing import Any

from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

from incubator.db import tallies
from incubator.db.engines import current_engine, is_postgres
from incubator.db.reads import one_of
from incubator.db.transactions import write_transaction


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


async def bulk_execute(sql: str, rows: Iterable[Sequence[Any]], chunk: int = 5000) -> int:
    """Run one statement (`{}` placeholders, as Piccolo's raw queries) once for each of
    `rows`, inside the current write transaction: the driver's executemany on both engines,
    `chunk` rows at a time. The values go to the driver as they are (see `bulk_insert`)."""
    engine = current_engine()
    transaction = engine.current_transaction.get()
    if transaction is None:
        raise RuntimeError("bulk_execute runs inside a write transaction")
    parts = sql.split("{}")
    if isinstance(engine, PostgresEngine):
        query = parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], 1))
    else:
        query = "?".join(parts)
    count = 0
    iterator = iter(rows)
    while batch := [tuple(row) for row in itertools.islice(iterator, chunk)]:
        await transaction.connection.executemany(query, batch)
        count += len(batch)
    return count


@contextlib.asynccontextmanager
async def search_rows_added_after(table: type[Table]) -> AsyncIterator[list[int]]:
    """Inside a SQLite write transaction, around inserting many rows into `table` while it
    serves: its FTS5 table (`<table>_fts`, of the `search_document` column) is given the rows
    whose ids the caller adds to the yielded list in one statement afterwards, instead of one
    trigger run a row (four times faster at 100,000 rows), and the trigger is created again.
    DDL is part of the transaction, so a failed load leaves the trigger as it was. Nothing to
    do on PostgreSQL, whose search index is an expression index."""
    name = table._meta.tablename
    trigger = (
        []
        if is_postgres()
        else await table.raw(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = {}", f"{name}_fts_ai"
        )
    )
    added: list[int] = []
    if not trigger:
        yield added
        return
    await table.raw(f'DROP TRIGGER "{name}_fts_ai"')
    yield added
    if added:
        where, args = one_of("id", added)
        await table.raw(
            f'INSERT INTO "{name}_fts" (rowid, search_document) '
            f'SELECT id, search_document FROM "{name}" WHERE {where}',
            *args,
        )
    await table.raw(trigger[0]["sql"])


async def share_trigger_plans(connection: Any = None) -> None:
    """Inside a PostgreSQL write transaction that inserts many rows with foreign keys (the
    current one, or the driver's `connection`'s): let each key's check reuse one plan until
    the transaction ends. The engine's connections plan every statement for its own arguments
    (`make_engine`), and a foreign key is checked by a statement its trigger runs for every
    row, so each row's checks were planned again. Nothing to do on SQLite."""
    engine = current_engine()
    if connection is None and (transaction := engine.current_transaction.get()) is not None:
        connection = transaction.connection
    if isinstance(engine, PostgresEngine) and connection is not None:
        await connection.execute("SET LOCAL plan_cache_mode = auto")


@contextlib.asynccontextmanager
async def bulk_load_cache(megabytes: int = 256) -> AsyncIterator[None]:
    """Inside a SQLite write transaction, around a load of hundreds of megabytes: a page
    cache big enough to hold what it changes. With the default 2 MB, changed pages are written
    to the WAL again each time they leave the cache. Back to the default afterwards, and the
    memory freed, since the connection goes back to the pool. Nothing changes on PostgreSQL."""
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
    """Inside a write transaction, around a bulk load into these tables: their indexes and
    rules are built and checked once afterwards (`_indexes_dropped`), and their tallies
    counted once (`db.tallies.deferred`)."""
    async with tallies.deferred(*tables), _indexes_dropped(*tables):
        yield


@contextlib.asynccontextmanager
async def _indexes_dropped(*tables: type[Table]) -> AsyncIterator[None]:
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
    those checks; those of PRIMARY KEY and UNIQUE columns cannot be dropped
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
