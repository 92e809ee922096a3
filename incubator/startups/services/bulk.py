"""Many profiles at once, for the import: read by slug with one statement a table, written with
one statement a table, with the same history rows and search text as one change at a time.

Statement by statement, a 100,000-row import took 574 s on SQLite, holding the database's
writer all along, and PostgreSQL refused its IN list of 100,000 slugs (more than 32,767
arguments); `db.one_of` passes any number of values as one argument.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from incubator.auth.schemas import Viewer
from incubator.db import fetch, is_postgres, one_of, tallies
from incubator.db.bulk import bulk_execute, bulk_insert, search_rows_added_after
from incubator.startups.services.profiles import Change
from incubator.startups.services.terms import search_document
from incubator.startups.services.validation import SCALAR_FIELDS, References, display_value
from incubator.startups.tables import (
    ProfileChange,
    Startup,
    StartupAffiliation,
    StartupCluster,
    StartupProgramme,
)

# What a start-up holds before its first change: its columns' defaults and no links.
EMPTY: dict[str, Any] = {f: getattr(Startup, f).default for f in SCALAR_FIELDS} | {
    "tags": [],
    "clusters": [],
    "centres": [],
    "programmes": [],
    "status": "active",
    "version": 1,
}
_ROW_COLUMNS = (*SCALAR_FIELDS, "tags", "search_document", "updated_at")
_SETS = {
    "clusters": (StartupCluster, ("startup", "cluster")),
    "centres": (StartupAffiliation, ("startup", "centre")),
    "programmes": (StartupProgramme, ("startup", "programme", "status", "started_on", "ended_on")),
}


async def stored(slugs: Sequence[str], refs: References, lock: bool = False) -> dict[str, dict]:
    """The stored profiles among `slugs`, each as `profiles.current_values` reads one, with
    its "id" and "slug". `lock` (inside a write transaction): hold the rows until it ends
    (PostgreSQL's FOR UPDATE; SQLite's single writer already holds them)."""
    if not slugs:
        return {}
    where, args = one_of("slug", slugs)
    columns = ", ".join(f'"{f}"' for f in SCALAR_FIELDS)
    rows = await fetch(
        f"SELECT id, slug, status, version, tags, {columns} FROM startup WHERE {where}"
        + (" ORDER BY id FOR UPDATE" if lock and is_postgres() else ""),
        args,
    )
    by_id: dict[int, dict] = {}
    for row in rows:
        values = {f: row[f] for f in SCALAR_FIELDS}
        values |= {
            "id": row["id"],
            "slug": row["slug"],
            "status": row["status"],
            "version": row["version"],
            "tags": [t for t in row["tags"].split(",") if t],
            "clusters": [],
            "centres": [],
            "programmes": [],
        }
        by_id[row["id"]] = values
    if by_id:
        await _attach_sets(by_id, refs)
    return {values["slug"]: values for values in by_id.values()}


async def _attach_sets(by_id: dict[int, dict], refs: References) -> None:
    where, args = one_of("startup", list(by_id))
    clusters = {v: k for k, v in refs.clusters.items()}
    centres = {v[0]: k for k, v in refs.centres.items()}
    programmes = {v: k for k, v in refs.programmes.items()}
    for row in await fetch(f"SELECT startup, cluster FROM startup_cluster WHERE {where}", args):
        by_id[row["startup"]]["clusters"].append(clusters[row["cluster"]])
    for row in await fetch(f"SELECT startup, centre FROM startup_affiliation WHERE {where}", args):
        by_id[row["startup"]]["centres"].append(centres[row["centre"]])
    for row in await fetch(
        "SELECT startup, programme, status, started_on, ended_on FROM startup_programme "
        f"WHERE {where}",
        args,
    ):
        by_id[row["startup"]]["programmes"].append(
            {
                "programme": programmes[row["programme"]],
                "status": row["status"],
                "started_on": row["started_on"],
                "ended_on": row["ended_on"],
            }
        )
    for values in by_id.values():
        values["clusters"].sort()
        values["centres"].sort()
        values["programmes"].sort(key=lambda e: (e["started_on"], e["programme"]))


async def versions(slugs: Sequence[str], lock: bool = False) -> dict[str, int]:
    """The stored version of each of `slugs` that exists; `lock` as in `stored`."""
    if not slugs:
        return {}
    where, args = one_of("slug", slugs)
    rows = await fetch(
        f"SELECT slug, version FROM startup WHERE {where}"
        + (" ORDER BY id FOR UPDATE" if lock and is_postgres() else ""),
        args,
    )
    return {row["slug"]: row["version"] for row in rows}


def changes_between(old: dict, clean: dict) -> list[Change]:
    return [Change(f, old.get(f), v) for f, v in clean.items() if old.get(f) != v]


@dataclass
class Writes:
    """What one bulk write does, its rows made before the write transaction begins. A start-up
    created by it is named by its slug (a str) until the write knows its id."""

    refs: References
    created: list[tuple] = field(default_factory=list)  # start-up rows (_NEW_COLUMNS)
    changed: list[tuple] = field(default_factory=list)  # (*_ROW_COLUMNS, id) of changed rows
    held: dict[str, int] = field(default_factory=dict)  # changed slugs -> version read
    replaced: dict[str, list[int]] = field(default_factory=lambda: {n: [] for n in _SETS})
    links: dict[str, list[tuple]] = field(default_factory=lambda: {n: [] for n in _SETS})
    history: list[tuple] = field(default_factory=list)  # (start-up, *_HISTORY_COLUMNS[1:])

    def create(self, slug: str, clean: dict, actor: Viewer | None, now: datetime) -> None:
        """A new start-up: its row, its sets, and one history row saying who created it (each
        later change records the value it replaced, so the first values are not lost)."""
        self.created.append((slug, "active", 1, now, *_row(EMPTY | clean, now)))
        self.history.append(_history(slug, actor, "created", "", clean["name_en"], now))
        for name in _SETS:
            if clean.get(name):
                self.links[name] += _links(name, slug, clean[name], self.refs)

    def change(self, old: dict, changes: list[Change], actor: Viewer | None, now: datetime):
        """A stored start-up's `changes`: its row, the sets that changed, one history row each."""
        self.changed.append((*_row(old | {c.field: c.new for c in changes}, now), old["id"]))
        self.held[old["slug"]] = old["version"]
        for c in changes:
            new = display_value(c.field, c.new)
            self.history.append(
                _history(old["id"], actor, c.field, display_value(c.field, c.old), new, now)
            )
            if c.field in _SETS:
                self.replaced[c.field].append(old["id"])
                self.links[c.field] += _links(c.field, old["id"], c.new, self.refs)


_NEW_COLUMNS = ("slug", "status", "version", "created_at", *_ROW_COLUMNS)
_HISTORY_COLUMNS = (
    "startup",
    "actor",
    "actor_name",
    "field",
    "old_value",
    "new_value",
    "changed_at",
)


def _history(startup: int | str, actor: Viewer | None, name: str, old: str, new: str, now):
    return (
        startup,
        actor.user_id if actor else None,
        actor.name if actor else "import",
        name,
        old,
        new,
        now,
    )


# Above this many rows written, the tallies of start-ups (`db.tallies`) are counted once after
# the write instead of row by row by their triggers (an import of 100,000 start-ups writes
# 220,000 affiliations: minutes of triggers on PostgreSQL, a second counted afresh).
COUNT_AFTER = 2000


async def write(writes: Writes) -> None:
    """Inside a write transaction: create and change the start-ups of `writes`, replace the
    sets that changed, and add the history rows, with one statement a table (and a chunk)."""
    rows = len(writes.created) + len(writes.changed) + sum(map(len, writes.links.values()))
    counted_after = rows > COUNT_AFTER
    async with (
        tallies.deferred(Startup, *(table for table, _ in _SETS.values()))
        if counted_after
        else contextlib.nullcontext()
    ):
        await _write(writes)


async def _write(writes: Writes) -> None:
    ids: dict[str, int] = {}
    if writes.created:
        async with search_rows_added_after(Startup) as added:
            await bulk_insert(Startup, _NEW_COLUMNS, writes.created)
            where, args = one_of("slug", [row[0] for row in writes.created])
            created = await fetch(f"SELECT id, slug FROM startup WHERE {where}", args)
            ids = {r["slug"]: r["id"] for r in created}
            added += ids.values()
    if writes.changed:
        assignments = ", ".join(f'"{c}" = {{}}' for c in _ROW_COLUMNS)
        await bulk_execute(
            f"UPDATE startup SET {assignments}, version = version + 1 WHERE id = {{}}",
            writes.changed,
        )

    def resolved(rows: list[tuple]) -> list[tuple]:
        return [(ids[r[0]], *r[1:]) if isinstance(r[0], str) else r for r in rows]

    for name, (table, columns) in _SETS.items():
        if writes.replaced[name]:
            where, args = one_of("startup", writes.replaced[name])
            await table.raw(f'DELETE FROM "{table._meta.tablename}" WHERE {where}', *args)
        if writes.links[name]:
            await bulk_insert(table, columns, resolved(writes.links[name]))
    await bulk_insert(ProfileChange, _HISTORY_COLUMNS, resolved(writes.history))


def _row(values: dict, now: datetime) -> tuple:
    """The start-up row's stored columns (`_ROW_COLUMNS`) for a profile's values."""
    tags = ",".join(values["tags"])
    text = search_document(
        values["name_en"],
        values["name_zh"],
        values["description_en"],
        values["description_zh"],
        tags,
    )
    return (*(values[f] for f in SCALAR_FIELDS), tags, text, now)


def _links(name: str, startup_id: int | str, new: list, refs: References) -> list[tuple]:
    if name == "clusters":
        return [(startup_id, refs.clusters[slug]) for slug in new]
    if name == "centres":
        return [(startup_id, refs.centres[slug][0]) for slug in new]
    return [
        (startup_id, refs.programmes[e["programme"]], e["status"], e["started_on"], e["ended_on"])
        for e in new
    ]
