"""Directory benchmark: builds a demo park of N start-ups, serves it with one worker, and
measures the directory (JSON and HTML) and a profile page over loopback.

    uv run python bench/directory.py --startups 2000 --engine sqlite
    uv run python bench/directory.py --startups 20000 --engine postgres

Each scenario runs twice: unloaded (one request at a time, latency) and loaded (a closed
loop of --concurrency clients, throughput). The load is bounded by --requests per scenario.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.server import running_server  # noqa: E402

PG_ADMIN = os.environ.get("INCUBATOR_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/test")


def build_park(url: str, startups: int) -> float:
    env = os.environ | {"INCUBATOR_DATABASE_URL": url}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "incubator.cli", "demo", "--startups", str(startups)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return time.perf_counter() - started


async def recreate_pg(name: str) -> str:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN)
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


def park_arguments(parser: argparse.ArgumentParser) -> None:
    """--startups, --engine and --url: what park_database() takes."""
    parser.add_argument("--startups", type=int, default=2000)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--url", default="", help="a database built before")


async def park_database(engine: str, startups: int, url: str = "") -> str:
    """The database to measure: `url` when given (built before), else a new demo park."""
    if url:
        return url
    if engine == "postgres":
        url = await recreate_pg(f"incubator_bench_{startups}")
    else:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='incubator-bench-')}/bench.sqlite3"
    seconds = build_park(url, startups)
    print(f"# {startups} start-ups on {engine}; demo built in {seconds:.1f} s")
    return url


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def measure(
    base: str, paths: list[str], requests: int, concurrency: int, cookies: dict | None = None
) -> dict:
    latencies: list[float] = []
    errors = 0
    counter = iter(range(requests))

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        for i in counter:
            path = paths[i % len(paths)]
            started = time.perf_counter()
            response = await client.get(path)
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                errors += 1

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=base, limits=limits, timeout=60, cookies=cookies
    ) as client:
        for path in paths[:3]:  # warm-up
            await client.get(path)
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {
        "rps": len(latencies) / elapsed,
        "p50": percentile(latencies, 0.50) * 1000,
        "p99": percentile(latencies, 0.99) * 1000,
        "mean": statistics.fmean(latencies) * 1000,
        "errors": errors,
    }


SCENARIOS = {
    "framework floor (/health/live)": ["/health/live"],
    "directory JSON, no search": ["/api/startups?per_page=20", "/api/startups?page=7&sort=name"],
    "directory JSON, common term": [
        "/api/startups?q=pay",
        "/api/startups?q=smart",
        "/api/startups?q=games",
    ],
    "directory JSON, rare term": ["/api/startups?q=typhoon+vault", "/api/startups?q=翡翠"],
    "directory JSON, filters": [
        "/api/startups?hub=web3hub&onsite=true",
        "/api/startups?cluster=fintech&stage=seed",
    ],
    "directory HTML, common term": ["/startups?q=pay", "/startups?q=smart"],
    "directory HTML, rare term": ["/startups?q=typhoon+vault"],
    "profile page": [f"/startups/{n}" for n in (1, 17, 250, 999)],
    "occupancy JSON (park)": ["/api/occupancy"],
    "centre page (HTML)": ["/centres/campus-development", "/centres/web3hub"],
}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    park_arguments(parser)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    url = await park_database(args.engine, args.startups, args.url)
    print(
        f"# {args.requests} requests per scenario; loaded = {args.concurrency} concurrent clients"
    )
    print(
        f"{'scenario':<34} {'p50 ms':>7} {'p99 ms':>7} | {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'err':>4}"
    )
    with running_server(url) as base:
        for name, paths in SCENARIOS.items():
            idle = await measure(base, paths, max(50, args.requests // 4), 1)
            busy = await measure(base, paths, args.requests, args.concurrency)
            print(
                f"{name:<34} {idle['p50']:>7.1f} {idle['p99']:>7.1f} | {busy['rps']:>7.0f} "
                f"{busy['p50']:>7.1f} {busy['p99']:>7.1f} {idle['errors'] + busy['errors']:>4}"
            )


if __name__ == "__main__":
    asyncio.run(main())
