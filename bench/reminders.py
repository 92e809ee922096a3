"""Reminder sweep benchmark: one sweep of every reminder source over a built park, timed in
process, first when everything due in the grace period is new (it records the ledger rows),
then again (every row exists: the sweep must add nothing), and a 30-day preview.

    uv run python bench/reminders.py --url sqlite:///path/to/park.sqlite3
    uv run python bench/reminders.py --url postgresql://postgres@127.0.0.1:5432/incubator_bench_100000

Build the park first with `incubator demo --startups 100000` (or bench/load.py). The sweep is
run at 09:05 Hong Kong time today, when day reminders (lease ends) fall due. `--leases N`
first tops the park up to N leases with copies of its leases twenty years earlier (ended
long ago: they fall due never, but the sweep has them to read past).
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
    parser.add_argument("--leases", type=int, default=0, help="top the park up to this many")
    args = parser.parse_args()
    os.environ["INCUBATOR_DATABASE_URL"] = args.url
    os.environ.setdefault("PICCOLO_CONF", "incubator.piccolo_conf")
    from centres.tables import Lease
    from incubator import db
    from incubator.app import register_reminders
    from incubator.i18n import HONG_KONG, today_hk
    from incubator.reminders.services import engine
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
    await top_up_leases(args.leases)
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


async def top_up_leases(wanted: int) -> None:
    """Copies of the park's leases, `20 * k` years earlier, until there are `wanted`."""
    from centres.tables import Lease
    from incubator import db

    years = 0
    while (have := await Lease.count()) < wanted:
        years += 20
        if db.is_postgres():
            shift = [f"({c} - interval '{years} years')::date" for c in ("starts_on", "ends_on")]
        else:
            shift = [f"date({c}, '-{years} years')" for c in ("starts_on", "ends_on")]
        async with db.write_transaction():
            await Lease.raw(
                "INSERT INTO lease (unit, startup, starts_on, ends_on, contract_ends_on, "
                "monthly_rent_cents, deposit_cents, status, termination_reason, created_at, "
                f"updated_at) SELECT unit, startup, {shift[0]}, {shift[1]}, {shift[1]}, "
                "monthly_rent_cents, deposit_cents, 'ended', '', created_at, updated_at "
                "FROM lease WHERE id IN (SELECT id FROM lease WHERE status <> 'draft' "
                "AND renewal_of IS NULL ORDER BY id LIMIT {})",
                wanted - have,
            )
    await db.analyze()


if __name__ == "__main__":
    asyncio.run(main())
