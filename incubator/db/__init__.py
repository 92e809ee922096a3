"""The database: engines from a URL, write transactions that hold the rules under concurrency,
raw reads through the driver, and migrations. Bulk loads (`db.bulk`) and long streamed reads
(`db.streaming`) live in modules of their own, named for what they do."""

from incubator.db.engines import (
    PICCOLO_CONF,
    all_tables,
    analyze,
    close_pool,
    current_engine,
    is_postgres,
    make_engine,
    pool_stats,
    prepare_engine,
    start_pool,
    use_engine,
    utcnow,
    wait_until_reachable,
)
from incubator.db.migrations import migrate, pending_migrations, raw_migration
from incubator.db.reads import (
    among,
    contains,
    fetch,
    fetch_planned,
    in_order,
    like_pattern,
    one_of,
)
from incubator.db.transactions import (
    UNIQUE_VIOLATIONS,
    alongside,
    in_transaction,
    lock_row,
    read_snapshot,
    write_transaction,
)

__all__ = [
    "PICCOLO_CONF",
    "UNIQUE_VIOLATIONS",
    "all_tables",
    "alongside",
    "among",
    "analyze",
    "close_pool",
    "contains",
    "current_engine",
    "fetch",
    "fetch_planned",
    "in_order",
    "in_transaction",
    "is_postgres",
    "like_pattern",
    "lock_row",
    "make_engine",
    "migrate",
    "one_of",
    "pending_migrations",
    "pool_stats",
    "prepare_engine",
    "raw_migration",
    "read_snapshot",
    "start_pool",
    "use_engine",
    "utcnow",
    "wait_until_reachable",
    "write_transaction",
]
