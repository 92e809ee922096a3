"""Raw reads straight through the driver, and the small SQL helpers that build them."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from incubator.db.engines import current_engine, is_postgres
from incubator.db.sqlite import PooledSQLiteEngine, fetch_all


def instant(value: Any) -> datetime | None:
    """A timestamp column's value from a raw read: SQLite's come back as ISO text,
    PostgreSQL's as datetimes; None stays None."""
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


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


def in_order(rows: list[dict], ids: Sequence[Any], key: str = "id") -> list[dict]:
    """`rows` in the order of `ids`: a page chosen (and ordered) by one narrow query, then
    read in full by id with `among`, which returns them in no particular order."""
    by_key = {row[key]: row for row in rows}
    return [by_key[i] for i in ids]


def hk_month(column: str, instant: bool) -> str:
    """SQL for the Hong Kong month (YYYY-MM) of a timestamp (`instant`) or date column."""
    if is_postgres():
        local = f"({column} AT TIME ZONE 'Asia/Hong_Kong')" if instant else column
        return f"to_char({local}, 'YYYY-MM')"
    # Hong Kong has kept UTC+8 all year since 1979.
    return f"strftime('%Y-%m', {column}, '+8 hours')" if instant else f"strftime('%Y-%m', {column})"


def hk_quarter(column: str) -> str:
    """SQL for the Hong Kong quarter ("2026 Q3") of a timestamp column."""
    if is_postgres():
        return f"to_char({column} AT TIME ZONE 'Asia/Hong_Kong', 'YYYY \"Q\"Q')"
    local = f"{column}, '+8 hours'"
    return (
        f"strftime('%Y', {local}) || ' Q' || ((CAST(strftime('%m', {local}) AS INTEGER) + 2) / 3)"
    )


def one_of(column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
    """A condition "column is one of `values`" for raw SQL (`{}` placeholders) and its one
    argument, however many values: both engines cap a statement's arguments (32,767 on
    PostgreSQL, 32,766 on SQLite), which an IN list of a 100,000-row import passed. An array on
    PostgreSQL, a JSON list read by `json_each` on SQLite."""
    if is_postgres():
        return f"{column} = ANY({{}})", [list(values)]
    return f"{column} IN (SELECT value FROM json_each({{}}))", [json.dumps(list(values))]


@contextlib.asynccontextmanager
async def driver(
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
    async with driver(sql, args) as (connection, query):
        if is_postgres():
            return [dict(row) for row in await connection.fetch(query, *args)]
        # Piccolo's connections (and the pool's) make their rows dicts.
        return await fetch_all(connection, query, list(args))


async def fetch_planned(planner: str, sql: str, args: Sequence[Any]) -> list[dict]:
    """PostgreSQL: one read (`{}` placeholders) as a list of dicts, planned with `planner`'s
    settings (`SET LOCAL` statements), in a transaction of its own (a savepoint inside the
    caller's) rolled back after it, which ends the settings too."""
    async with driver(sql, args) as (connection, query):
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
