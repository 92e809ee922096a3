"""The load benchmark's reference: the directory's own queries (`search.directory_rows`: the
count, the page in the order it allows, the page's links) run straight through the database
driver and encoded with msgspec, served by the same server. It has no session, no
middleware, no response types and no ORM in the way: what one worker could serve if the app
added nothing to its SQL, so bench/ can say how much the app's layers cost. Mounted only when
INCUBATOR_BENCH_ENDPOINTS=1."""

from __future__ import annotations

import asyncio
import re
from typing import Annotated, Any

import msgspec
from litestar import Controller, Response, get
from litestar.params import QueryParameter
from piccolo.engine.postgres import PostgresEngine

from incubator import db
from incubator.startups.search import DirectoryQuery, directory_rows

_PLACEHOLDER = re.compile(r"\{\}")
_connections: dict[str, Any] = {}
POOL = 4  # SQLite connections; PostgreSQL uses the app's pool


def _numbered(sql: str) -> str:
    counter = iter(range(1, 10_000))
    return _PLACEHOLDER.sub(lambda _m: f"${next(counter)}", sql)


async def _fetch(sql: str, args: list) -> list[dict]:
    engine = db.current_engine()
    if isinstance(engine, PostgresEngine):
        async with engine.pool.acquire() as connection:
            return [dict(r) for r in await connection.fetch(_numbered(sql), *args)]
    import aiosqlite

    pool = _connections.get(engine.path)
    if pool is None:  # a few long-lived connections per process, each with its own thread
        pool = asyncio.Queue()
        for _ in range(POOL):
            connection = await aiosqlite.connect(engine.path)
            connection.row_factory = aiosqlite.Row
            pool.put_nowait(connection)
        _connections[engine.path] = pool
    connection = await pool.get()
    try:
        cursor = await connection.execute(_PLACEHOLDER.sub("?", sql), args)
        return [dict(r) for r in await cursor.fetchall()]
    finally:
        pool.put_nowait(connection)


class BenchReference(Controller):
    path = "/bench"
    include_in_schema = False

    @get("/directory-raw")
    async def directory_raw(
        self, q: Annotated[str, QueryParameter(description="search terms")] = ""
    ) -> Response:
        result = await directory_rows(DirectoryQuery(q=q), _fetch)
        body = msgspec.json.encode({"rows": result.rows, "total": result.total})
        return Response(content=body, media_type="application/json")
