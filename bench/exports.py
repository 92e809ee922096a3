"""Referral export benchmark: every start-up of a demo park of N consents to one partner, then
one process builds the full export in each format and reads it back chunk by chunk, as a
download or a webhook does. Prints the log's time (written beside the file, until it has
committed), rows a second and the process's peak memory.

    uv run python bench/exports.py --startups 20000 --engine sqlite
    uv run python bench/exports.py --startups 100000 --engine postgres
    uv run python bench/exports.py --startups 100000 --url <a park built before> --formats csv,csv

The demo park is built by `incubator demo` in another process, so the peak memory printed is
the export's (plus the interpreter and the app's imports, shown as the baseline).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import resource
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.directory import park_arguments, park_database  # noqa: E402
from bench.load import consenting_partner  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def run(url: str, formats: list[str]) -> None:
    os.environ["INCUBATOR_DATABASE_URL"] = url
    os.environ.setdefault("PICCOLO_CONF", "incubator.piccolo_conf")
    from incubator import db
    from incubator.auth.schemas import Viewer
    from incubator.auth.tables import Role, User
    from incubator.partners.services import exports

    partner = await consenting_partner(url)  # every start-up consents to every field
    engine = db.make_engine(url)
    db.use_engine(engine)
    await db.prepare_engine(engine)
    await db.start_pool(engine, 1, 4)
    baseline = peak_mb()
    admin = await User.select(User.id).where(User.role == "admin").first()
    viewer = Viewer(user_id=admin["id"], name="bench", role=Role.admin)
    logged: list[float] = []
    beside = exports.write_beside_read

    @contextlib.asynccontextmanager
    async def timed_log(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        """The log's time: from its start until it has committed, beside the file's making."""
        started = time.perf_counter()
        async with beside(*args, **kwargs) as (rows, written):
            written.add_done_callback(lambda _: logged.append(time.perf_counter() - started))
            yield rows, written

    exports.write_beside_read = timed_log
    print(f"# baseline peak memory after imports and pool: {baseline:.0f} MB")
    print("format  rows     log s  build s  build rows/s  read s  read rows/s   MB   peak MB")
    for fmt in formats:
        started = time.perf_counter()
        export_id = await exports.create_export(viewer, partner, fmt)
        built = time.perf_counter() - started
        row = await exports.get_export(viewer, export_id)
        started = time.perf_counter()
        size = 0
        async for chunk in exports.stream_chunks(export_id):
            size += len(chunk)
        read = time.perf_counter() - started
        assert size == row["size_bytes"]
        rows = row["row_count"]
        print(
            f"{fmt:6}  {rows:<7,}  {logged[-1]:5.2f}  {built:7.2f}  {rows / built:12,.0f}  "
            f"{read:6.2f}  {rows / read:11,.0f}  {size / 1e6:5.1f}  {peak_mb():7.0f}"
        )
    await db.close_pool(engine)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    park_arguments(parser)
    parser.add_argument("--formats", default="csv,xlsx,json", help="comma-separated, in order")
    args = parser.parse_args()
    if args.engine == "sqlite" and not args.url:
        os.environ["INCUBATOR_VAR_DIR"] = tempfile.mkdtemp(prefix="bench-exports-")
    url = asyncio.run(park_database(args.engine, args.startups, args.url))
    asyncio.run(run(url, args.formats.split(",")))


if __name__ == "__main__":
    main()
