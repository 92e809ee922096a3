"""Every directory combination under load against its raw-SQL reference (issue 29, point 1:
each at 60% or more of the same queries served raw).

    uv run python bench/grid.py --url sqlite:////tmp/bench/park.sqlite3 --engine sqlite
    uv run python bench/grid.py --url postgresql://postgres@127.0.0.1:5432/incubator_bench_routes \\
        --engine postgres

For each query of the route walk's directory grid (every filter combination, each sort,
common and rare terms, a deep page: `bench.routes.directory_grid`), the same query string
is served three ways by one worker (bench/reference.py's server): raw (the directory's own
SQL, encoded, nothing else), the JSON API and the HTML page, each by a closed loop of
--concurrency clients. The three run one after another, --rounds times over, and a share
is the median of the rounds' throughput against raw in the same round, so a slower minute
of the machine falls on all three alike.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.directory import measure, park_arguments, park_database  # noqa: E402
from bench.routes import directory_grid  # noqa: E402
from tests.server import serving  # noqa: E402

TARGET = 0.60


def queries() -> list[str]:
    """The grid's query strings, each once (the walk lists some as page and API both)."""
    found = [url.split("?", 1)[1] for url in directory_grid() if "?" in url]
    return list(dict.fromkeys(found))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    park_arguments(parser)
    parser.add_argument("--requests", type=int, default=120, help="per query, way and round")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    url = await park_database(args.engine, args.startups, args.url)
    env = {"INCUBATOR_SCHEDULER": "0"}
    command = [sys.executable, "-m", "bench.reference"]
    below = 0
    print(f"# {args.concurrency} clients, {args.requests} requests a way, {args.rounds} rounds")
    print(f"{'query':<52} {'raw/s':>6} {'JSON/s':>6} {'share':>6} {'HTML/s':>6} {'share':>6}")
    with serving(url, extra_env=env, command=command, cwd=str(ROOT)) as (base, _process):
        for query in queries():
            ways = {"raw": "/bench/directory-raw", "json": "/api/startups", "html": "/startups"}
            rates: dict[str, list[float]] = {way: [] for way in ways}
            for _ in range(args.rounds):
                for way, path in ways.items():
                    result = await measure(
                        base, [f"{path}?{query}"], args.requests, args.concurrency
                    )
                    assert result["errors"] == 0, f"{path}?{query} answered errors"
                    rates[way].append(result["rps"])
            shares = {
                way: statistics.median(
                    r / raw for r, raw in zip(rates[way], rates["raw"], strict=True)
                )
                for way in ("json", "html")
            }
            flag = "BELOW" if min(shares.values()) < TARGET else ""
            below += bool(flag)
            print(
                f"{query[:52]:<52} {statistics.median(rates['raw']):>6.0f} "
                f"{statistics.median(rates['json']):>6.0f} {shares['json']:>6.0%} "
                f"{statistics.median(rates['html']):>6.0f} {shares['html']:>6.0%} {flag}",
                flush=True,
            )
    print(f"# below {TARGET:.0%} of raw: {below} of {len(queries())}")


if __name__ == "__main__":
    asyncio.run(main())
