"""Dashboard benchmark: the park dashboard, each of its figures, a manager's dashboard and
the quarterly report (page and PDF), served by one worker over loopback, signed in.

    uv run python bench/dashboard.py --startups 100000 --engine sqlite
    uv run python bench/dashboard.py --startups 100000 --engine postgres

--url reuses a database built before (skips building the demo park). Requests go one at a
time (the dashboard's target is a latency: under 500 ms at 100,000 start-ups).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.directory import measure, park_arguments, park_database  # noqa: E402
from incubator.dashboard.services.figures import FIGURES  # noqa: E402
from incubator.demo.park import DEMO_PASSWORD  # noqa: E402
from tests.server import running_server  # noqa: E402


def signed_in(base: str, email: str) -> dict:
    with httpx.Client(base_url=base) as client:
        client.get("/login")
        token = client.cookies["csrftoken"]
        answer = client.post(
            "/login",
            data={"email": email, "password": DEMO_PASSWORD, "next": "/", "_csrf_token": token},
        )
        assert answer.status_code == 303, answer.text
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
    args = parser.parse_args()
    url = await park_database(args.engine, args.startups, args.url)
    print(f"# {args.requests} requests per scenario, one at a time, signed in")
    print(f"{'scenario':<38} {'p50 ms':>7} {'p99 ms':>7} {'err':>4}")
    with running_server(url) as base:
        cookies: dict[str, dict] = {}
        for name, (email, paths) in scenarios().items():
            if email not in cookies:
                cookies[email] = signed_in(base, email)
            result = await measure(base, paths, args.requests, 1, cookies[email])
            print(f"{name:<38} {result['p50']:>7.1f} {result['p99']:>7.1f} {result['errors']:>4}")


if __name__ == "__main__":
    asyncio.run(main())
