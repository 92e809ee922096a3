"""Two workers against one (issue 29, point 6): the directory's throughput on PostgreSQL with
one and with two worker processes, and where the machine's two cores went meanwhile.

    uv run python bench/workers.py --url postgresql://postgres@127.0.0.1:5432/incubator_bench_routes \\
        --engine postgres

Each run serves the park with `incubator serve --workers N` and a closed loop of
--concurrency clients sends the directory's requests (JSON: a common term, filters, a page;
HTML: a common term). While it runs, the CPU time of the server's processes, of PostgreSQL's
and of this load generator is read from /proc, so the table says what each took of the two
cores: a second worker can only add what the others leave.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.directory import measure, park_arguments, park_database  # noqa: E402
from tests.server import serving  # noqa: E402

PATHS = {
    "directory JSON": ["/api/startups?q=pay", "/api/startups?cluster=fintech&stage=seed"],
    "directory HTML": ["/startups?q=smart", "/startups?centre=entrepreneurship"],
}
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(match) -> float:
    """CPU time (user and system) of the processes `match(pid, name, ppid)` accepts."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            name = (entry / "comm").read_text().strip()
        except OSError:
            continue
        if match(int(entry.name), name, int(fields[1])):
            total += (int(fields[11]) + int(fields[12])) / TICK
    return total


def family(root: int):
    """A matcher for `root` and its children (uvicorn's workers are its children)."""
    return lambda pid, _name, ppid: pid == root or ppid == root


def postgres(_pid, name, _ppid) -> bool:
    return name.startswith("postgres")


async def run(url: str, workers: int, requests: int, concurrency: int) -> dict[str, dict]:
    env = {"INCUBATOR_SCHEDULER": "0"}
    found: dict[str, dict] = {}
    with serving(url, workers, extra_env=env) as (base, process):
        for name, paths in PATHS.items():
            await measure(base, paths, requests // 4, concurrency)  # every worker warm
            server, db = cpu_seconds(family(process.pid)), cpu_seconds(postgres)
            me, started = time.process_time(), time.perf_counter()
            result = await measure(base, paths, requests, concurrency)
            wall = time.perf_counter() - started
            found[name] = result | {
                "server": (cpu_seconds(family(process.pid)) - server) / wall,
                "db": (cpu_seconds(postgres) - db) / wall,
                "load": (time.process_time() - me) / wall,
            }
    return found


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    park_arguments(parser)
    parser.add_argument("--requests", type=int, default=800)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    url = await park_database(args.engine, args.startups, args.url)
    print(f"# {args.concurrency} clients, {args.requests} requests; cores busy in each part")
    print(
        f"{'scenario':<16} {'workers':>7} {'req/s':>6} {'p50':>6} {'server':>7} "
        f"{'db':>5} {'load':>5} {'idle':>5}"
    )
    rates: dict[tuple[str, int], list[float]] = {}
    for _ in range(args.rounds):
        for workers in (1, 2):
            for name, r in (await run(url, workers, args.requests, args.concurrency)).items():
                rates.setdefault((name, workers), []).append(r["rps"])
                idle = max(0.0, (os.cpu_count() or 2) - r["server"] - r["db"] - r["load"])
                print(
                    f"{name:<16} {workers:>7} {r['rps']:>6.0f} {r['p50']:>6.1f} "
                    f"{r['server']:>7.2f} {r['db']:>5.2f} {r['load']:>5.2f} {idle:>5.2f}",
                    flush=True,
                )
    for name in PATHS:
        one, two = (max(rates[(name, w)]) for w in (1, 2))
        print(f"# {name}: two workers {two:.0f} req/s, one {one:.0f}: {two / one:.2f}x")


if __name__ == "__main__":
    asyncio.run(main())
