"""The load benchmark's reference: the directory's own queries (`search.directory_rows`: the
count, the page in the order it allows, the page's links, straight through the driver) run
as the app's directory runs them and encoded with msgspec, served by the same server. It has
no read snapshot around the three reads, no access rules, no response types and no template:
what one worker could serve if the app added nothing to its SQL, so bench/ can say how much
the app's layers cost. It is not part of the app: `python -m bench.reference serve --port N`
serves the app with it mounted (bench/load.py does), on a database built before."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import msgspec
from litestar import Controller, Litestar, Request, Response, get

from incubator.startups.api import DIRECTORY_PARAMS, directory_query
from incubator.startups.services.search import directory_rows


class BenchReference(Controller):
    path = "/bench"
    include_in_schema = False

    @get("/directory-raw")
    async def directory_raw(self, request: Request) -> Response:
        """The directory's query string as the API reads it (terms, filters, sort, page)."""
        raw = {name: request.query_params.get(name, "") for name in DIRECTORY_PARAMS}
        result = await directory_rows(directory_query(**raw))
        body = msgspec.json.encode({"rows": result.rows, "total": result.total})
        return Response(content=body, media_type="application/json")


def create_app() -> Litestar:
    """The app, as `incubator serve` makes it, with the reference mounted beside it."""
    from incubator.app import create_app as create_incubator_app

    app = create_incubator_app()
    app.register(BenchReference)
    return app


def main() -> None:
    """Takes what tests.server.serving passes to `incubator`: serve --port N --workers 1."""
    import uvicorn

    parser = argparse.ArgumentParser(description="the app with the raw-SQL reference mounted")
    parser.add_argument("command", choices=["serve"])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    uvicorn.run("bench.reference:create_app", factory=True, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
