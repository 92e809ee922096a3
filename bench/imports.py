"""Import benchmark: a CSV of --rows start-ups imported into a demo park of --startups while the
same database serves log-ins, on one engine.

    uv run python bench/imports.py --rows 100000 --engine sqlite
    uv run python bench/imports.py --rows 100000 --engine postgres

The file changes every start-up of the park (a new description) and adds the rest as new ones,
each with clusters, centres, tags and, for one in five, a programme. `incubator import` runs it
in a process of its own beside `incubator serve` (one worker); a client signs in once a second
meanwhile, one log-in at a time. Printed: the import's wall time and how long it held the
database's writer (its own report), the log-ins' p50, p99 and slowest, and then the same file
again (every row unchanged). A log-in writes a session row, so it waits while the import holds
the writer.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.directory import park_arguments, park_database, percentile  # noqa: E402
from incubator.demo.park import DEMO_PASSWORD  # noqa: E402
from incubator.demo.reference import CLUSTERS, PROGRAMMES  # noqa: E402
from tests.server import running_server  # noqa: E402

HEADER = (
    "slug,name_en,name_zh,description_en,website,founded_year,stage,team_size,"
    "contact_email,clusters,centres,tags,programmes"
)
CENTRES = ["campus-development", "collaboration", "entrepreneurship", "knowledge", "technology"]
HUBS = ["web3hub", "fintech-hub", "smart-living-hub", "ai-data-hub", "digital-entertainment-hub"]
STAGES = ["idea", "pre_seed", "seed", "series_a", "series_b_plus", "growth"]
WORDS = (
    "payments ledger harbour typhoon robotics sensor wallet token custody clinic learning "
    "retail logistics carbon energy games studio vision speech translation insurance lending "
    "compliance identity cloud edge drone port tram ferry market tea dim sum"
).split()


def write_csv(path: Path, rows: int, existing: list[str], seed: int = 7) -> None:
    """`rows` rows: every slug of `existing` (changed) first, then new start-ups."""
    rng = random.Random(seed)
    slugs = existing[:rows] + [f"imported-{n:06d}" for n in range(rows - len(existing[:rows]))]
    with path.open("w", newline="", encoding="utf-8") as file:
        out = csv.writer(file)
        out.writerow(HEADER.split(","))
        for n, slug in enumerate(slugs):
            words = rng.sample(WORDS, 6)
            programme = ""
            if n % 5 == 0:
                programme = f"{rng.choice(PROGRAMMES)[0]}:incubating:2024-0{1 + n % 9}-01"
            out.writerow(
                [
                    slug,
                    f"{words[0].title()} {words[1].title()} {n}",
                    "",
                    f"{' '.join(words)} for the park, imported row {n}",
                    f"https://{slug}.example" if n % 3 else "",
                    2010 + n % 16,
                    STAGES[n % len(STAGES)],
                    1 + n % 60,
                    f"hello@{slug}.example",
                    ";".join(sorted({rng.choice(CLUSTERS)[0] for _ in range(1 + n % 2)})),
                    ";".join(sorted({rng.choice(CENTRES), rng.choice(HUBS)})),
                    ";".join(words[3:5]),
                    programme,
                ]
            )


async def existing_slugs(url: str) -> list[str]:
    os.environ["INCUBATOR_DATABASE_URL"] = url
    os.environ.setdefault("PICCOLO_CONF", "incubator.piccolo_conf")
    from incubator import db
    from incubator.startups.tables import Startup

    engine = db.make_engine(url)
    db.use_engine(engine)
    await db.prepare_engine(engine)
    rows = await Startup.select(Startup.slug).order_by(Startup.id)
    return [r["slug"] for r in rows]


class LogIns(threading.Thread):
    """Signs in once a second until stopped, one at a time; keeps each log-in's seconds."""

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.base, self.seconds, self.failed = base, [], 0
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(1.0):
            with httpx.Client(base_url=self.base, timeout=120) as client:
                client.get("/login")
                started = time.perf_counter()
                answer = client.post(
                    "/login",
                    data={
                        "email": "admin@cyberport.example",
                        "password": DEMO_PASSWORD,
                        "next": "/",
                        "_csrf_token": client.cookies["csrftoken"],
                    },
                )
                self.seconds.append(time.perf_counter() - started)
                self.failed += answer.status_code != 303


def run_import(url: str, path: Path, base: str) -> None:
    logins = LogIns(base)
    logins.start()
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "incubator.cli", "import", "startups", str(path)],
        env=os.environ | {"INCUBATOR_DATABASE_URL": url},
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    logins.stopping.set()
    logins.join()
    print(f"# import of {path.name}: {wall:.1f} s, exit {done.returncode}")
    for line in done.stdout.splitlines() + done.stderr.splitlines()[-3:]:
        if line.strip() and not line.strip().startswith("["):
            print(f"#   {line.strip()[-150:]}")
    if logins.seconds:
        ms = [s * 1000 for s in logins.seconds]
        print(
            f"# {len(ms)} log-ins during it: p50 {percentile(ms, 0.5):.0f} ms, "
            f"p99 {percentile(ms, 0.99):.0f} ms, slowest {max(ms):.0f} ms, "
            f"{logins.failed} failed"
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    park_arguments(parser)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    url = await park_database(args.engine, args.startups, args.url)
    path = Path(tempfile.mkdtemp(prefix="incubator-import-")) / f"startups-{args.rows}.csv"
    write_csv(path, args.rows, await existing_slugs(url))
    print(f"# {args.rows} rows, {path.stat().st_size / 1e6:.1f} MB")
    with running_server(url) as base:
        run_import(url, path, base)
        print("# the same file again")
        run_import(url, path, base)


if __name__ == "__main__":
    asyncio.run(main())
