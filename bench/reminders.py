"""Reminder sweep benchmark: one sweep of every reminder source over a built park, timed in
process, first when everything due in the grace period is new (it records the ledger rows),
then again (every row exists: the sweep must add nothing), and a 30-day preview.

    uv run python bench/reminders.py --url sqlite:///path/to/park.sqlite3
    uv run python bench/reminders.py --url postgresql://postgres@127.0.0.1:5432/incubator_bench_100000

Build the park first with `incubator demo --startups 100000` (or bench/load.py). The sweep is
run at 09:05 Hong Kong time today, when day reminders (lease ends) fall due.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    args = parser.parse_args()
    os.environ["INCUBATOR_DATABASE_URL"] = args.url
    os.environ.setdefault("PICCOLO_CONF", "incubator.piccolo_conf")
    from incubator import db
    from incubator.app import register_reminders
    from incubator.centres.tables import Lease
    from incubator.i18n import HONG_KONG, today_hk
    from incubator.reminders import engine
    from incubator.reminders.tables import ReminderLedger
    from incubator.settings import get_settings

    settings = get_settings()
    database = db.make_engine(args.url)
    db.use_engine(database)
    await db.prepare_engine(database)
    await db.start_pool(database, 1, 4)
    register_reminders(settings)
    now = datetime.combine(today_hk(), datetime.min.time().replace(hour=9, minute=5))
    now = now.replace(tzinfo=HONG_KONG).astimezone(UTC)
    await ReminderLedger.delete(force=True)
    leases = await Lease.count()
    print(
        f"# {leases:,} leases; grace {settings.reminder_grace_hours} h; sources: "
        f"{', '.join(engine._sources)}"
    )
    for label in ("first sweep (records)", "second sweep (nothing new)"):
        started = time.perf_counter()
        counts = await engine.sweep(settings, now)
        print(f"{label:<28} {time.perf_counter() - started:6.2f} s  {counts}")
    started = time.perf_counter()
    rows = await engine.preview(settings, 30, now)
    print(f"{'30-day preview':<28} {time.perf_counter() - started:6.2f} s  {len(rows):,} rows")
    await ReminderLedger.delete(force=True)
    await db.close_pool(database)


if __name__ == "__main__":
    asyncio.run(main())
