"""Dashboard benchmark: the park dashboard, each of its figures, a manager's dashboard and
the quarterly report (page and PDF), served by one worker over loopback, signed in.

    uv run python bench/dashboard.py --startups 100000 --engine sqlite
    uv run python bench/dashboard.py --startups 100000 --engine postgres

--url reuses a database built before (skips building the demo park). Requests go one at a
time (the dashboard's target is a latency: under 500 ms at 100,000 start-ups). With
--concurrency N the whole park's dashboard is then served to N clients at once, with the
worker's peak memory and what it holds once the load has ended (issue 29, point 4: a
worker stays under 250 MB).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.directory import measure, park_arguments, park_database  # noqa: E402
from incubator.dashboard.services.figures import FIGURES  # noqa: E402
from incubator.demo.park import DEMO_PASSWORD  # noqa: E402
from tests.server import serving  # noqa: E402


def signed_in(base: str, email: str) -> dict:
    with httpx.Client(base_url=base) as client:
        client.get("/login")
        token = client.cookies["csrftoken"]
        answer = client.post(
            "/login",
            data={"email": email, "password": DEMO_PASSWORD, "next": "/", "_csrf_token": token},
        )
        assert answer.status_code == 303, answer.text
        client.get("/")  # a signed-in page: the new session's CSRF token (log-in drops the old)
        return dict(client.cookies)


def scenarios() -> dict[str, tuple[str, list[str]]]:
    admin, manager = "admin@cyberport.example", "manager.campus-development@cyberport.example"
    found = {
        "dashboard HTML, whole park": (admin, ["/dashboard"]),
        "dashboard JSON, whole park": (admin, ["/api/dashboard"]),
        "dashboard HTML, one centre": (admin, ["/dashboard?centre=web3hub"]),
        "dashboard HTML, a manager": (manager, ["/dashboard"]),
        "dashboard HTML, five years": (admin, ["/dashboard?from=2022-01-01"]),
        "quarterly report HTML": (admin, ["/reports/quarterly"]),
        "quarterly report PDF": (admin, ["/reports/quarterly.pdf"]),
    }
    for key in FIGURES:
        found[f"  figure {key}"] = (admin, [f"/api/dashboard/{key}"])
    return found


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    park_arguments(parser)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=0, help="then N clients at once")
    parser.add_argument("--only", default="", help="the scenarios whose names contain this")
    args = parser.parse_args()
    url = await park_database(args.engine, args.startups, args.url)
    print(f"# {args.requests} requests per scenario, one at a time, signed in")
    print(f"{'scenario':<38} {'p50 ms':>7} {'p99 ms':>7} {'err':>4}")
    with serving(url, extra_env={"INCUBATOR_SCHEDULER": "0"}) as (base, process):
        cookies: dict[str, dict] = {}
        for name, (email, paths) in scenarios().items():
            if args.only not in name:
                continue
            if email not in cookies:
                cookies[email] = signed_in(base, email)
            result = await measure(base, paths, args.requests, 1, cookies[email])
            print(f"{name:<38} {result['p50']:>7.1f} {result['p99']:>7.1f} {result['errors']:>4}")
        if args.concurrency:
            await many_clients(base, process.pid, args.concurrency, args.requests)


async def many_clients(base: str, pid: int, clients: int, requests: int) -> None:
    """The whole park's dashboard (page and JSON) to `clients` at once: throughput, latency,
    the worker's peak memory, and its memory 5 s after the load ended."""
    from bench.load import peak_rss_mb

    cookies = signed_in(base, "admin@cyberport.example")
    print(f"# {clients} clients, {requests * clients // 4} requests, the whole park")
    print(f"{'scenario':<28} {'req/s':>6} {'p50 ms':>7} {'p99 ms':>7} {'err':>4} {'peak MB':>8}")
    for name, path in (("dashboard HTML", "/dashboard"), ("dashboard JSON", "/api/dashboard")):
        result = await measure(base, [path], requests * clients // 4, clients, cookies)
        print(
            f"{name:<28} {result['rps']:>6.1f} {result['p50']:>7.1f} {result['p99']:>7.1f} "
            f"{result['errors']:>4} {peak_rss_mb(pid):>8.0f}"
        )
    time.sleep(5)
    print(
        f"# 5 s after: {peak_rss_mb(pid, 'VmRSS'):.0f} MB resident, peak {peak_rss_mb(pid):.0f} MB"
    )


if __name__ == "__main__":
    asyncio.run(main())
