"""Applying Piccolo migrations, finding pending ones, and migrations of hand-written SQL."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Sequence
from typing import Any

from piccolo.table import Table


async def migrate(quiet: bool = True) -> None:
    """Apply every Piccolo migration that has not run yet, on the current engine."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    sink = io.StringIO()
    with contextlib.redirect_stdout(sink) if quiet else contextlib.nullcontext():
        result = await run_forwards(app_name="all")
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}\n{sink.getvalue()}")


async def pending_migrations() -> list[str]:
    """Migration ids that exist in the code but have not run (for readiness checks)."""
    from piccolo.apps.migrations.commands.base import BaseMigrationManager
    from piccolo.apps.migrations.tables import Migration

    manager = BaseMigrationManager()
    if not await Migration.table_exists():
        return ["piccolo_migration"]
    pending: list[str] = []
    for app_name in manager.get_sorted_app_names():
        app_config = manager.get_app_config(app_name)
        modules = manager.get_migration_modules(app_config.resolved_migrations_folder_path)
        ran = set(await Migration.get_migrations_which_ran(app_name=app_name))
        pending += [
            f"{app_name}:{mid}" for mid in manager.get_migration_ids(modules) if mid not in ran
        ]
    return pending


class _RawSQL(Table):
    """No table of its own: a handle for running a raw migration's SQL on its engine."""


def raw_migration(
    app_name: str,
    migration_id: str,
    description: str,
    common: Sequence[str] = (),
    postgres: Sequence[str] = (),
    sqlite: Sequence[str] = (),
) -> Any:
    """A Piccolo migration of hand-written SQL: `common` on both engines, then the engine's
    own statements (constraints and triggers Piccolo cannot express)."""
    from piccolo.apps.migrations.auto.migration_manager import MigrationManager
    from piccolo.engine import engine_finder

    manager = MigrationManager(
        migration_id=migration_id, app_name=app_name, description=description
    )

    async def run() -> None:
        engine = engine_finder()
        _RawSQL._meta.db = engine
        statements = [*common, *(postgres if engine.engine_type == "postgres" else sqlite)]
        for statement in statements:
            await _RawSQL.raw(statement).run()

    manager.add_raw(run)
    return manager
