"""Engines from a URL, bound to the tables; connection pools; the planner's statistics."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlparse

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.table import Table

from incubator.db.sqlite import PooledSQLiteEngine

PICCOLO_CONF = "incubator.piccolo_conf"


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_engine(url: str) -> Engine:
    """An engine for `sqlite:///path` or `postgresql://...`; nothing is opened yet."""
    if url.startswith(("postgres://", "postgresql://")):
        # Every statement planned for its own arguments: a generic plan, made once for any
        # search term, counted 38,000 matches where the term's own plan stops at 1,001.
        return PostgresEngine(
            config={"dsn": url, "server_settings": {"plan_cache_mode": "force_custom_plan"}},
            log_queries=False,
        )
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        if path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        return PooledSQLiteEngine(path=path, timeout=60)
    raise ValueError(
        "INCUBATOR_DATABASE_URL must start with sqlite:/// or postgresql://, "
        f"not {urlparse(url).scheme!r}"
    )


def is_postgres(engine: Engine | None = None) -> bool:
    return isinstance(engine or current_engine(), PostgresEngine)


def all_tables() -> list[type[Table]]:
    from piccolo.apps.migrations.tables import Migration
    from piccolo.conf.apps import Finder

    return [*Finder().get_table_classes(), Migration]


def current_engine() -> Engine:
    from piccolo.conf.apps import Finder

    engine = Finder().get_engine()
    assert engine is not None
    return engine


def use_engine(engine: Engine) -> None:
    """Point piccolo_conf and every table at `engine` (tests switch engines this way)."""
    os.environ.setdefault("PICCOLO_CONF", PICCOLO_CONF)
    from piccolo.conf.apps import Finder

    conf = Finder().get_piccolo_conf_module()
    conf.DB = engine  # type: ignore[union-attr]
    for table in all_tables():
        table._meta.db = engine


async def wait_until_reachable(
    engine: Engine, label: str, say: Callable[[str], None] = print, every: float = 5.0
) -> None:
    """Return once the database answers. A database that is not there yet when a process
    starts (an outage, a restart, containers starting in any order) is waited for: tried
    again after a little longer each time (up to 5 s), saying so once every `every` seconds."""
    delay, said_at = 0.5, None
    while True:
        try:
            await engine._run_in_new_connection("SELECT 1")
        except Exception as exc:  # whatever keeps it from answering, said and tried again
            now = time.monotonic()
            if said_at is None or now - said_at >= every:
                say(f"Waiting for the database ({label}): {type(exc).__name__}: {exc}")
                said_at = now
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
            continue
        if said_at is not None:
            say("The database answers now.")
        return


async def prepare_engine(engine: Engine) -> None:
    """Per-database settings that must hold before the first request."""
    if isinstance(engine, SQLiteEngine):
        # WAL lets readers run beside the single writer; it is stored in the file.
        await engine._run_in_new_connection("PRAGMA journal_mode=WAL")


async def analyze() -> None:
    """Refresh the planner's statistics after a bulk load (outside any transaction).

    Without them PostgreSQL misjudges the tables' sizes and chooses slow plans; VACUUM also
    sets the visibility map, so counts become index-only.
    """
    from piccolo.apps.migrations.tables import Migration

    await Migration.raw("VACUUM ANALYZE" if is_postgres() else "ANALYZE").run()


async def start_pool(engine: Engine, min_size: int, max_size: int) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=min_size, max_size=max_size)
    elif isinstance(engine, PooledSQLiteEngine):
        await engine.start_pool(max_idle=max_size, max_open=max_size)


def pool_stats() -> dict[str, int]:
    """The current engine's connections by state (`in_use`, `idle`), for /metrics."""
    engine = current_engine()
    if isinstance(engine, PostgresEngine):
        pool = engine.pool
        if pool is None:
            return {"in_use": 0, "idle": 0}
        idle = pool.get_idle_size()
        return {"in_use": pool.get_size() - idle, "idle": idle}
    if isinstance(engine, PooledSQLiteEngine):
        return engine.stats()
    return {"in_use": 0, "idle": 0}


async def close_pool(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()
    elif isinstance(engine, PooledSQLiteEngine):
        await engine.close_pool()
