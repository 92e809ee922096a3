"""Every GET route the app has, measured as the people who open it: one worker on loopback,
unloaded (one request at a time), p50 and p99 per route and viewer, flagged over its target.

    uv run python bench/routes.py --startups 100000 --engine sqlite
    uv run python bench/routes.py --url sqlite:////tmp/bench/park.sqlite3 --engine sqlite

The routes come from the app itself (its HTTP routes, the pages and the API alike), so a new
page is measured without anyone adding it here; each route's path parameters are filled
with rows of the park (a start-up, a lease, an event, ...), and each is opened by every kind
of viewer that gets a page from it (a member, a centre manager, a partner, an
administrator). The directory is measured again over a grid of filters, sorts, common and
rare terms and a deep page. Targets (issue 29): 50 ms p99 for what members, managers and
partners open, 150 ms for the dashboard and the quarterly report of the whole park, each at
the framework floor they were set at and scaled to the floor measured first in the same run
(bench/floor.py); the table gives the scaled target, and a route over it is flagged OVER.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.dashboard import signed_in  # noqa: E402
from bench.directory import measure, park_arguments, park_database  # noqa: E402
from bench.floor import Targets, floor_ms  # noqa: E402
from tests.server import serving  # noqa: E402

VIEWERS = {
    "member": "founder@phoenix-arena-studio.example",
    "manager": "manager.entrepreneurship@cyberport.example",
    "partner": "partner@lingang.example",
    "admin": "admin@cyberport.example",
}
# Not pages anyone waits on: the static files, the API's reference, the benchmark's own
# reference endpoints, files people download (measured by bench/exports.py and
# bench/dashboard.py), and the scrape.
SKIPPED = ("/static", "/schema", "/bench", "/metrics", "/lang")
DOWNLOADS = re.compile(r"(\.csv|\.xlsx|\.pdf|\.ics|/download|qr\.svg)$")
SLOWER = ("/dashboard", "/api/dashboard", "/reports/")  # 150 ms: the whole park's figures


def routes() -> list[str]:
    from litestar.routes import HTTPRoute

    from incubator.app import create_app

    os.environ.setdefault("INCUBATOR_SCHEDULER", "0")
    app = create_app(manage_engine=False)
    return sorted(
        route.path
        for route in app.routes
        if isinstance(route, HTTPRoute)
        and "GET" in route.methods
        and not route.path.startswith(SKIPPED)
    )


async def fills(url: str) -> dict[str, str]:
    """A row of the park for each path parameter: the member's start-up and its lease, the
    manager's centre, events and courses that exist, the partner's park and its MOU."""
    from incubator import db

    db.use_engine(db.make_engine(url))  # no pool: a connection a query is enough here

    async def one(sql: str) -> str:
        from piccolo.apps.migrations.tables import Migration

        rows = await Migration.raw(sql).run()
        return str(next(iter(rows[0].values()))) if rows else ""

    member_startup = await one(
        "SELECT m.startup FROM startup_membership m JOIN app_user u ON u.id = m.user "
        f"WHERE u.email = '{VIEWERS['member']}' LIMIT 1"
    )
    return {
        "startup_id": member_startup,
        "lease_id": await one(f"SELECT id FROM lease WHERE startup = {member_startup} LIMIT 1")
        or await one("SELECT id FROM lease LIMIT 1"),
        "unit_id": await one("SELECT id FROM unit LIMIT 1"),
        "event_id": await one(
            "SELECT id FROM event WHERE kind = 'event' ORDER BY starts_at DESC LIMIT 1"
        ),
        "course_id": await one("SELECT id FROM course LIMIT 1"),
        "run_id": await one("SELECT id FROM event WHERE kind = 'course_run' LIMIT 1"),
        "venue_id": await one("SELECT id FROM venue LIMIT 1"),
        "user_id": await one(f"SELECT id FROM app_user WHERE email = '{VIEWERS['member']}'"),
        "mou_id": await one("SELECT id FROM mou LIMIT 1"),
        "partner_id": await one("SELECT id FROM partner_park ORDER BY id LIMIT 1"),
        "export_id": await one("SELECT id FROM referral_export LIMIT 1"),
        "referral_id": await one("SELECT id FROM referral LIMIT 1"),
        "key": "occupancy",
        "slug": "entrepreneurship",
        "code": await one("SELECT code FROM certificate LIMIT 1"),
        "registration": await one("SELECT code FROM registration LIMIT 1"),
        "message_id": await one("SELECT id FROM outbox_message LIMIT 1") or "1",
        "token": "not-a-feed",
        "room_id": await one("SELECT venue FROM bookable_room ORDER BY venue LIMIT 1"),
        "booking_id": await one(
            f"SELECT id FROM room_booking WHERE startup = {member_startup} LIMIT 1"
        )
        or await one("SELECT id FROM room_booking LIMIT 1"),
    }


NAMED = {
    ("/registrations/{code:str}", "code"): "registration",
    ("/registrations/{code:str}/qr.svg", "code"): "registration",
}


def filled(route: str, values: dict[str, str]) -> str | None:
    url = route
    for name in re.findall(r"{(\w+):\w+}", route):
        value = values.get(NAMED.get((route, name), name), "")
        if not value:
            return None
        url = re.sub("{" + name + r":\w+}", value, url)
    return url


def directory_grid() -> list[str]:
    """The directory's filter combinations people use (those of centre, cluster, stage and
    onsite, a hub, a programme), each sort, common and rare terms, a deep page."""
    filters = ["centre=entrepreneurship", "cluster=fintech", "stage=seed", "onsite=true"]
    found = []
    for n in (1, 2, 3):
        for combo in itertools.combinations(filters, n):
            found.append("&".join(combo))
    urls = [f"/startups?{f}" for f in found] + [f"/api/startups?{f}" for f in found]
    for sort in ("name", "newest", "updated"):
        urls += [f"/startups?sort={sort}", f"/startups?q=pay&sort={sort}"]
    urls += ["/startups?q=smart", "/startups?q=typhoon+vault", "/startups?q=翡翠"]
    others = ["hub=web3hub", "hub=web3hub&onsite=true", "programme=cyberport-incubation"]
    urls += [f"/startups?{f}" for f in others] + [f"/api/startups?{f}" for f in others]
    urls += ["/startups?page=200", "/api/startups?page=400&per_page=20"]
    return urls


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    park_arguments(parser)
    parser.add_argument("--requests", type=int, default=30, help="requests per route")
    parser.add_argument(
        "--only", default="", help="these routes alone, comma-separated (e.g. /,/leases)"
    )
    args = parser.parse_args()
    url = await park_database(args.engine, args.startups, args.url)
    values = await fills(url)
    walked = [u for u in (filled(r, values) for r in routes()) if u and not DOWNLOADS.search(u)]
    if args.only:
        walked = [u for u in walked if u in args.only.split(",")]
    env = {"INCUBATOR_SCHEDULER": "0"}
    over: list[str] = []
    with serving(url, extra_env=env) as (base, _process):
        cookies = {kind: signed_in(base, email) for kind, email in VIEWERS.items()}
        targets = Targets(await floor_ms(base))
        print(targets.line())
        print(f"# {len(walked)} routes, {args.requests} requests each, one at a time")
        print(f"{'viewer':<8} {'route':<58} {'p50':>7} {'p99':>7} {'target':>6}")
        grid = [(kind, u) for kind in ("member", "manager") for u in directory_grid()]
        grid = [(k, u) for k, u in grid if u in args.only.split(",")] if args.only else grid
        for kind, path in [(k, u) for k in VIEWERS for u in walked] + grid:
            result = await measure(base, [path], args.requests, 1, cookies=cookies[kind])
            if result["errors"] == args.requests:
                continue  # not this viewer's page (403, 404): nobody waits on it
            target = targets.ms(150 if path.startswith(SLOWER) else 50)
            flag = "OVER" if result["p99"] > target else ""
            if flag:
                over.append(f"{kind} {path}")
            print(
                f"{kind:<8} {path[:58]:<58} {result['p50']:>7.1f} {result['p99']:>7.1f} "
                f"{target:>6.0f} {flag}",
                flush=True,
            )
    print(f"# over target: {len(over)}")


if __name__ == "__main__":
    asyncio.run(main())
