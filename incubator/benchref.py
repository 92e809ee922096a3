"""The load benchmark's reference: the directory's own queries (`search.directory_rows`: the
count, the page in the order it allows, the page's links) run straight through the database
driver and encoded with msgspec, served by the same server. It has no session, no
middleware, no response types and no ORM in the way: what one worker could serve if the app
added nothing to its SQL, so bench/ can say how much the app's layers cost. Mounted only when
INCUBATOR_BENCH_ENDPOINTS=1."""

from __future__ import annotations

import re
from typing import Annotated

import msgspec
from litestar import Controller, Response, get
from litestar.params import QueryParameter
from piccolo.engine.postgres import PostgresEngine

from incubator import db
from incubator.startups.search import DirectoryQuery, directory_rows

_PLACEHOLDER = re.compile(r"\{\}")


def _numbered(sql: str) -> str:
    counter = iter(range(1, 10_000))
    return _PLACEHOLDER.sub(lambda _m: f"${next(counter)}", sql)


async def _fetch(sql: str, args: list, planner: str = "") -> list[dict]:
    """The statement straight through the driver, on the app's own connections (PostgreSQL's
    pool, or the SQLite engine's reused ones), planned as the app plans it."""
    engine = db.current_engine()
    if isinstance(engine, PostgresEngine):
        if planner:
            return await db.fetch_planned(planner, sql, args)
        async with engine.pool.acquire() as connection:
            return [dict(r) for r in await connection.fetch(_numbered(sql), *args)]
    return await engine.fetch(_PLACEHOLDER.sub("?", sql), args)


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
