"""Backups that restore: `incubator backup FILE` and `incubator restore FILE`.

A backup is one tar file: the database as its engine copies it, and `manifest.json` beside it
(when it was made, the engine, the schema as the list of migrations applied, every table's
rows, the copy's size and SHA-256). Both engines copy a consistent snapshot while the app
serves and writes:

- SQLite through its online backup API, in one step (the copy is the database as of one
  moment; writers wait at most for that step, readers not at all in WAL mode);
- PostgreSQL through `pg_dump --format=custom` reading a snapshot exported by a transaction
  that counts the rows in the same snapshot, so the manifest's counts are the dump's.

A restore goes into an empty database only, refuses a backup whose schema has a migration
this release does not know (a newer release made it), checks the copy's SHA-256 and the row
counts, then applies the migrations that came after the backup was made.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import shutil
import sqlite3
import tarfile
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio

FORMAT = "incubator-backup/1"
MANIFEST = "manifest.json"


class BackupRefused(Exception):
    """A backup that cannot be made or restored, and why, said plainly."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def _is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupRefused(
            f"{name} (PostgreSQL's client tools) is needed to back up and restore PostgreSQL: "
            "install postgresql-client of the server's version"
        )
    return found


# ------------------------------------------------------------------------------ SQLite


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    ).fetchall()
    return [name for (name,) in rows]


def _sqlite_facts(conn: sqlite3.Connection) -> tuple[list[str], dict[str, int]]:
    tables = _sqlite_tables(conn)
    migrations = (
        [
            f"{app}:{name}"
            for app, name in conn.execute("SELECT app_name, name FROM migration ORDER BY id")
        ]
        if "migration" in tables
        else []
    )
    counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    return migrations, counts


def _sqlite_backup(url: str, copy: Path) -> tuple[list[str], dict[str, int]]:
    source = sqlite3.connect(_sqlite_path(url), timeout=60)
    target = sqlite3.connect(copy)
    try:
        source.backup(target)  # every page in one step: the database as of one moment
        target.execute("PRAGMA journal_mode=DELETE")  # one file, no WAL beside it
        return _sqlite_facts(target)
    finally:
        target.close()
        source.close()


def _sqlite_restore(copy: Path, url: str, manifest: dict[str, Any]) -> None:
    path = _sqlite_path(url)
    if path.exists():
        conn = sqlite3.connect(path)
        try:
            held = _sqlite_tables(conn)
        finally:
            conn.close()
        if held:
            raise BackupRefused(
                f"{path} already holds tables: restore into an empty database (a new "
                "file, or set INCUBATOR_DATABASE_URL to one)"
            )
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".restoring")
    shutil.copyfile(copy, partial)
    try:
        conn = sqlite3.connect(partial)
        try:
            _check_counts(_sqlite_facts(conn)[1], manifest)
            conn.execute("PRAGMA journal_mode=WAL")
        finally:
            conn.close()
    except BaseException:
        partial.unlink(missing_ok=True)  # nothing half-restored is left behind
        raise
    partial.rename(path)


# -------------------------------------------------------------------------- PostgreSQL


async def _pg_backup(url: str, copy: Path) -> tuple[list[str], dict[str, int]]:

    conn = await _connect(url)
    try:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            snapshot = await conn.fetchval("SELECT pg_export_snapshot()")
            migrations, counts = await _pg_facts(conn)
            dump = await asyncio.create_subprocess_exec(
                _tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={copy}",
                f"--dbname={url}",
                stderr=asyncio.subprocess.PIPE,
            )
            _, error = await dump.communicate()
            if dump.returncode != 0:
                raise BackupRefused(f"pg_dump failed: {error.decode(errors='replace').strip()}")
    finally:
        await conn.close()
    return migrations, counts


async def _connect(url: str):
    import asyncpg

    try:
        return await asyncpg.connect(url, timeout=30)
    except (OSError, asyncpg.PostgresError) as exc:
        raise BackupRefused(f"cannot open the database: {exc}") from exc


async def _pg_tables(conn) -> list[str]:
    rows = await conn.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    )
    return [r["tablename"] for r in rows]


async def _pg_facts(conn) -> tuple[list[str], dict[str, int]]:
    tables = await _pg_tables(conn)
    migrations = (
        [
            f"{r['app_name']}:{r['name']}"
            for r in await conn.fetch("SELECT app_name, name FROM migration ORDER BY id")
        ]
        if "migration" in tables
        else []
    )
    counts = {t: await conn.fetchval(f'SELECT count(*) FROM "{t}"') for t in tables}
    return migrations, counts


async def _pg_restore(copy: Path, url: str, manifest: dict[str, Any]) -> None:

    conn = await _connect(url)
    try:
        if await _pg_tables(conn):
            raise BackupRefused(
                "the database already holds tables: restore into an empty database "
                "(createdb a new one and set INCUBATOR_DATABASE_URL to it)"
            )
        restore = await asyncio.create_subprocess_exec(
            _tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={url}",
            str(copy),
            stderr=asyncio.subprocess.PIPE,
        )
        _, error = await restore.communicate()
        if restore.returncode != 0:
            raise BackupRefused(f"pg_restore failed: {error.decode(errors='replace').strip()}")
        _check_counts((await _pg_facts(conn))[1], manifest)
    finally:
        await conn.close()


# ------------------------------------------------------------------------------- both


def _check_counts(counts: dict[str, int], manifest: dict[str, Any]) -> None:
    if counts != manifest["tables"]:
        differ = sorted(
            t for t in {*counts, *manifest["tables"]} if counts.get(t) != manifest["tables"].get(t)
        )
        raise BackupRefused(
            f"the restored rows differ from the backup's manifest in {', '.join(differ)}"
        )


def known_migrations() -> set[str]:
    """Every migration this release carries, as app:id."""
    from piccolo.apps.migrations.commands.base import BaseMigrationManager

    manager = BaseMigrationManager()
    known = set()
    for app_name in manager.get_sorted_app_names():
        folder = manager.get_app_config(app_name).resolved_migrations_folder_path
        known |= {
            f"{app_name}:{mid}"
            for mid in manager.get_migration_ids(manager.get_migration_modules(folder))
        }
    return known


async def make_backup(url: str, file: Path) -> dict[str, Any]:
    """Copy the database at `url` into the backup `file`; returns its manifest."""
    file = Path(file)
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / ("database.dump" if _is_postgres(url) else "database.sqlite3")
        if _is_postgres(url):
            migrations, counts = await _pg_backup(url, copy)
        else:
            if not _sqlite_path(url).is_file():
                raise BackupRefused(f"there is no database at {_sqlite_path(url)}")
            migrations, counts = await anyio.to_thread.run_sync(_sqlite_backup, url, copy)
        manifest = {
            "format": FORMAT,
            "made_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "engine": "postgres" if _is_postgres(url) else "sqlite",
            "schema": migrations,
            "tables": counts,
            "rows": sum(counts.values()),
            "data": {"name": copy.name, "bytes": copy.stat().st_size, "sha256": _sha256(copy)},
        }
        partial = file.with_name(file.name + ".partial")
        with tarfile.open(partial, "w") as tar:
            body = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(body), int(time.time())
            tar.addfile(info, io.BytesIO(body))
            tar.add(copy, arcname=copy.name)
        partial.replace(file)
    return manifest


def read_manifest(file: Path) -> dict[str, Any]:
    try:
        with tarfile.open(file) as tar:
            manifest = json.load(tar.extractfile(MANIFEST))  # type: ignore[arg-type]
    except (OSError, KeyError, tarfile.TarError, ValueError) as exc:
        raise BackupRefused(f"{file} is not a backup made by `incubator backup` ({exc})") from exc
    if manifest.get("format") != FORMAT:
        raise BackupRefused(f"{file} is a backup of another format ({manifest.get('format')})")
    return manifest


async def restore_backup(file: Path, url: str) -> dict[str, Any]:
    """Restore the backup `file` into the empty database at `url`, then migrate it forward;
    returns the manifest."""
    file = Path(file)
    manifest = read_manifest(file)
    engine = "postgres" if _is_postgres(url) else "sqlite"
    if manifest["engine"] != engine:
        raise BackupRefused(
            f"this is a backup of a {manifest['engine']} database; restore it into one "
            f"(INCUBATOR_DATABASE_URL names a {engine} database)"
        )
    newer = sorted(set(manifest["schema"]) - known_migrations())
    if newer:
        raise BackupRefused(
            "this backup was made by a newer release (its schema has migrations this release "
            f"does not know: {', '.join(newer)}); restore it with that release or a later one"
        )
    with tempfile.TemporaryDirectory() as folder:
        with tarfile.open(file) as tar:
            member = tar.getmember(manifest["data"]["name"])
            if not member.isfile() or "/" in member.name or member.name.startswith("."):
                raise BackupRefused(f"{file} holds an unexpected entry {member.name!r}")
            tar.extract(member, folder, filter="data")
        copy = Path(folder) / member.name
        if _sha256(copy) != manifest["data"]["sha256"]:
            raise BackupRefused(f"{file} is damaged: its database's SHA-256 is not the manifest's")
        if engine == "postgres":
            await _pg_restore(copy, url, manifest)
        else:
            await anyio.to_thread.run_sync(_sqlite_restore, copy, url, manifest)
    return manifest
