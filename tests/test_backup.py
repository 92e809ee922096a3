"""Backups that restore, on both engines: a backup taken while rows are being written holds
every row acknowledged before it began, and `incubator restore` puts it into an empty
database, checks it and migrates it forward; a backup of an older schema restores into this
release; a newer release's backup, a damaged one and a database that is not empty are
refused with the reason."""

from __future__ import annotations

import asyncio
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import asyncpg
import pytest

from incubator.backup import known_migrations, make_backup
from incubator.db import utcnow
from incubator.reminders.tables import ReminderLedger
from tests.conftest import PG_ADMIN_DSN, recreate_pg_database
from tests.db.test_old_layout_migrations import FIXTURES


def incubator(*args: str, url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "incubator.cli", *args],
        env={"INCUBATOR_DATABASE_URL": url, "INCUBATOR_SECRET_KEY": "x", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.fixture
async def empty_database(engine_name, tmp_path):
    """The URL of an empty database of the engine under test, dropped afterwards."""
    if engine_name == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    # One name per test process: two of these tests on two workers at once must not share it.
    name = f"incubator_restored_{os.getpid()}"
    yield await recreate_pg_database(name)
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()


async def rows_of(url: str, query: str) -> list[tuple]:
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            return conn.execute(query).fetchall()
    conn = await asyncpg.connect(url)
    try:
        return [tuple(r) for r in await conn.fetch(query)]
    finally:
        await conn.close()


def _reminder(n: int) -> ReminderLedger:
    return ReminderLedger(
        source="burst",
        subject=f"write:{n}",
        recipient="user:1",
        occurrence="1",
        channel="inapp",
        due_at=utcnow(),
    )


async def test_a_backup_during_writes_restores_every_row_acknowledged_before_it(
    settings, park, empty_database, tmp_path
):
    acknowledged: list[int] = []
    stop = asyncio.Event()

    async def writer() -> None:  # one row a transaction, as requests write them
        n = 0
        while not stop.is_set():
            n += 1
            (row,) = await ReminderLedger.insert(_reminder(n)).returning(ReminderLedger.id)
            acknowledged.append(row["id"])
            await asyncio.sleep(0)

    writing = asyncio.create_task(writer())
    while len(acknowledged) < 50:
        await asyncio.sleep(0.01)
    before = list(acknowledged)  # acknowledged before the backup began
    file = tmp_path / "backup.tar"
    manifest = await make_backup(settings.database_url, file)
    during = len(acknowledged) - len(before)
    stop.set()
    await writing
    assert during > 0, "rows were written while the backup ran"
    assert manifest["engine"] == settings.engine_name
    assert set(manifest["schema"]) == known_migrations()
    assert manifest["tables"]["startup"] == len(park.startups)
    in_backup = manifest["tables"]["reminder_ledger"]
    assert len(before) <= in_backup <= len(acknowledged)

    restored = incubator("restore", str(file), url=empty_database)
    assert restored.returncode == 0, restored.stderr
    assert "Schema current" in restored.stdout
    ids = {i for (i,) in await rows_of(empty_database, "SELECT id FROM reminder_ledger")}
    assert set(before) <= ids and len(ids) == in_backup
    # A consistent copy: the rows it holds are a prefix of those written, no gaps.
    assert ids == set(acknowledged[:in_backup])
    (count,) = await rows_of(empty_database, "SELECT count(*) FROM startup")
    assert count == (len(park.startups),)


async def test_a_backup_of_an_older_schema_restores_and_migrates_forward(
    engine_name, empty_database, tmp_path
):
    """The layout of an earlier release (its 23 migrations, tests/fixtures), backed up and
    restored into this release: every later migration is applied, the old rows kept."""
    if engine_name == "sqlite":
        old = f"sqlite:///{tmp_path / 'old.sqlite3'}"
        with sqlite3.connect(tmp_path / "old.sqlite3") as conn:
            conn.executescript((FIXTURES / "old-layout.sqlite.sql").read_text())
    else:
        old = await recreate_pg_database("incubator_old_release")
        psql = shutil.which("psql")
        assert psql, "psql (PostgreSQL's client) loads the old layout's dump"
        dump = FIXTURES / "old-layout.postgres.sql"
        loaded = subprocess.run(
            [psql, "-q", "-v", "ON_ERROR_STOP=1", "-d", old, "-f", str(dump)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert loaded.returncode == 0, loaded.stderr
    try:
        old_migrations = await rows_of(old, "SELECT app_name, name FROM migration")
        old_rows = await rows_of(old, "SELECT count(*) FROM migration")
        made = incubator("backup", str(tmp_path / "old.tar"), url=old)
        assert made.returncode == 0, made.stderr
        # Backing up changes nothing: the old database keeps its old schema.
        assert await rows_of(old, "SELECT count(*) FROM migration") == old_rows
    finally:
        if engine_name == "postgres":
            admin = await asyncpg.connect(PG_ADMIN_DSN)
            await admin.execute('DROP DATABASE IF EXISTS "incubator_old_release" WITH (FORCE)')
            await admin.close()
    restored = incubator("restore", str(tmp_path / "old.tar"), url=empty_database)
    assert restored.returncode == 0, restored.stderr
    later = len(known_migrations()) - len(old_migrations)
    assert f"Applied the {later} migrations made since the backup" in restored.stdout
    now = {
        f"{a}:{n}" for a, n in await rows_of(empty_database, "SELECT app_name, name FROM migration")
    }
    assert now == known_migrations()
    assert {f"{a}:{n}" for a, n in old_migrations} <= now


async def test_a_newer_a_damaged_backup_and_a_full_database_are_refused(
    settings, park, empty_database, tmp_path
):
    good = tmp_path / "good.tar"
    await make_backup(settings.database_url, good)

    def rewritten(name: str, change) -> Path:
        """A copy of the backup with one member changed."""
        out = tmp_path / name
        with tarfile.open(good) as source, tarfile.open(out, "w") as target:
            for member in source.getmembers():
                data = source.extractfile(member).read()
                data = change(member.name, data)
                member.size = len(data)
                target.addfile(member, io.BytesIO(data))
        return out

    def newer_schema(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["schema"].append("startups:2099_01_01t00_00_00_000000")
        return json.dumps(manifest).encode()

    def damaged(name: str, data: bytes) -> bytes:
        return data if name == "manifest.json" else data[:-1] + bytes([data[-1] ^ 1])

    newer = incubator("restore", str(rewritten("newer.tar", newer_schema)), url=empty_database)
    assert newer.returncode == 1
    assert "made by a newer release" in newer.stderr and "2099_01_01" in newer.stderr
    broken = incubator("restore", str(rewritten("broken.tar", damaged)), url=empty_database)
    assert broken.returncode == 1 and "damaged" in broken.stderr
    # Nothing of either reached the database.
    assert (
        await rows_of(
            empty_database,
            "SELECT name FROM sqlite_master WHERE type = 'table'"
            if empty_database.startswith("sqlite")
            else "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
        )
        == []
    )
    full = incubator("restore", str(good), url=settings.database_url)
    assert full.returncode == 1 and "already holds tables" in full.stderr
    if settings.engine_name == "postgres":
        wrong = incubator("restore", str(good), url=f"sqlite:///{tmp_path / 'x.sqlite3'}")
        assert wrong.returncode == 1 and "backup of a postgres database" in wrong.stderr
    notatar = tmp_path / "notes.txt"
    notatar.write_text("hello")
    odd = incubator("restore", str(notatar), url=empty_database)
    assert odd.returncode == 1 and "not a backup made by `incubator backup`" in odd.stderr
