"""The load benchmark's reference: the directory's own queries (`search.directory_rows`: the
count, the page in the order it allows, the page's links, straight through the driver) run
as the app's directory runs them and encoded with msgspec, served by the same server. It has
no read snapshot around the three reads, no access rules, no response types and no template:
what one worker could serve if the app added nothing to its SQL, so bench/ can say how much
the app's layers cost. Mounted only when INCUBATOR_BENCH_ENDPOINTS=1."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Response, get
from litestar.params import QueryParameter

from incubator.startups.services.search import DirectoryQuery, directory_rows


class BenchReference(Controller):
    path = "/bench"
    include_in_schema = False

    @get("/directory-raw")
    async def directory_raw(
        self, q: Annotated[str, QueryParameter(description="search terms")] = ""
    ) -> Response:
        result = await directory_rows(DirectoryQuery(q=q))
        body = msgspec.json.encode({"rows": result.rows, "total": result.total})
        return Response(content=body, media_type="application/json")
