"""Summary rows the database keeps: counts that pages read far more often than the rows they
count change (seats taken per event, certificates per course run), kept by triggers in the
same transaction as each change. A figure read from them therefore never disagrees with the
rows beside it, whatever code, import or console wrote those rows, and a reader pays for a
few summary rows instead of counting hundreds of thousands.

A `Tally` names its summary table, the tables whose rows it counts (`Source`) and how to
count everything again (`rebuild`). Each source's `apply` gives the statements that add one
row's share (`sign` +1, from NEW) or take it away (-1, from OLD); an update of a watched
column takes the old row's share away and adds the new one's. The same statements run in
SQLite's trigger bodies and PostgreSQL's trigger functions. Bulk writes set the triggers
aside and count once afterwards (`deferred`: `db.bulk.indexes_deferred`, large imports).
Tallies kept for a day are read through `rows_for_day`. The tests compare every tally with a
count made from the rows (`tests/db/test_tallies.py`, `tests/centres/test_*_tally.py`,
`tests/startups/test_centre_startups.py`).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from piccolo.table import Table

from incubator.db.engines import is_postgres
from incubator.db.transactions import write_transaction

Apply = Callable[[str, int], Sequence[str]]


def switch(name: str) -> str:
    """The setting that sets a tally's PostgreSQL triggers aside while a bulk write holds it
    'off' for its transaction (`deferred`): read by the triggers' WHEN, before any function
    is called."""
    return f"incubator.tally_{name}"


@dataclass(frozen=True)
class Source:
    table: str
    apply: Apply
    watched: tuple[str, ...] = ()  # columns whose update moves the counts; none: no update
    operations: tuple[str, ...] = ("insert", "delete", "update")
    # A share that depends on the source's other rows (a start-up is onsite while any of its
    # leases is in force) needs each row's change counted with the rows changed before it in
    # the same statement: SQLite's row triggers always see that; PostgreSQL's AFTER row
    # triggers run when the whole statement is done, its BEFORE ones row by row.
    postgres_timing: str = "AFTER"
    # A row whose share must be taken away before what its deletion cascades to goes (a
    # start-up's, read through its affiliations and clusters) is counted BEFORE on both.
    sqlite_timing: str = "AFTER"


@dataclass(frozen=True)
class Tally:
    name: str
    table: str
    sources: tuple[Source, ...]
    rebuild: tuple[str, ...] = field(default=())

    def trigger_names(self, source: Source) -> str:
        return f"tally_{self.name}_{source.table}"

    def _parts(self, source: Source) -> tuple[str, str, str]:
        """A source's trigger name, and the statements that take an old row's share away and
        add a new row's."""
        taken = "".join(f"{s}; " for s in source.apply("OLD", -1))
        added = "".join(f"{s}; " for s in source.apply("NEW", 1))
        return self.trigger_names(source), taken, added

    def _operations(self, source: Source) -> list[tuple[str, str, str]]:
        """(operation, the trigger's event, its condition) of each trigger of a source; an
        update counts only when a watched column changes."""
        found = []
        for operation in source.operations:
            if operation == "update":
                if not source.watched:
                    continue
                event = f"UPDATE OF {', '.join(source.watched)}"
                changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in source.watched)
                found.append((operation, event, changed))
            else:
                found.append((operation, operation.upper(), ""))
        return found

    def postgres(self) -> list[str]:
        """A trigger function per source and a row trigger per operation."""
        statements = []
        for source in self.sources:
            name, taken, added = self._parts(source)
            statements.append(
                f"CREATE FUNCTION {name}() RETURNS trigger AS $$ BEGIN "
                f"IF TG_OP <> 'INSERT' THEN {taken}END IF; "
                f"IF TG_OP <> 'DELETE' THEN {added}END IF; "
                "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$ "
                "LANGUAGE plpgsql"
            )
            for operation, event, changed in self._operations(source):
                on = f"current_setting('{switch(self.name)}', true) IS DISTINCT FROM 'off'"
                when = f" WHEN ({on}{f' AND ({changed})' if changed else ''})"
                statements.append(
                    f"CREATE TRIGGER {name}_{operation} {source.postgres_timing} {event} "
                    f"ON {source.table} FOR EACH ROW{when} EXECUTE FUNCTION {name}()"
                )
        return statements

    def sqlite(self) -> list[str]:
        """A trigger for each operation, per source (after it, or before: `sqlite_timing`)."""
        statements = []
        for source in self.sources:
            name, taken, added = self._parts(source)
            body = {"insert": added, "delete": taken, "update": taken + added}
            for operation, event, changed in self._operations(source):
                when = f" WHEN {changed.replace('IS DISTINCT FROM', 'IS NOT')}" if changed else ""
                statements.append(
                    f"CREATE TRIGGER {name}_{operation} {source.sqlite_timing} {event} "
                    f"ON {source.table}{when} BEGIN {body[operation]}END"
                )
        return statements


def flag(condition: str) -> str:
    """1 where the condition holds, else 0, on both engines."""
    return f"(CASE WHEN {condition} THEN 1 ELSE 0 END)"


def moved(column: str, sign: int, amount: str) -> str:
    """`column = column + amount` (or minus), for an UPDATE's SET list."""
    return f"{column} = {column} {'+' if sign > 0 else '-'} {amount}"


# Every tally, by name, registered by the package that defines it (its tables' package).
TALLIES: dict[str, Tally] = {}


def register(tally: Tally) -> Tally:
    TALLIES[tally.name] = tally
    return tally


def tallies_of(tables: Sequence[str]) -> list[Tally]:
    """The tallies that count rows of any of these tables."""
    return [t for t in TALLIES.values() if any(s.table in tables for s in t.sources)]


async def rebuild(tallies: Sequence[Tally], run: Callable) -> None:
    """Count everything again, with `run` (a table's `raw`), inside the caller's transaction."""
    for tally in tallies:
        for statement in tally.rebuild:
            await run(statement)


@contextlib.asynccontextmanager
async def deferred(*tables: type[Table]) -> AsyncIterator[None]:
    """Inside a write transaction, around a bulk write into these tables: the triggers that
    keep the tallies of these tables stand aside, and the tallies are counted again once
    afterwards, in the same transaction. Row by row, an import's 220,000 affiliations ran
    three upserts each: minutes on PostgreSQL. PostgreSQL: a setting per tally, local to the
    transaction, which its triggers' WHEN reads (no lock taken: readers go on); the tallies
    of other tables go on being kept. SQLite: the triggers of these tables are dropped and
    created again (its one writer is held anyway)."""
    names = [table._meta.tablename for table in tables]
    counted = tallies_of(names)
    if not counted:
        yield
        return
    run = tables[0].raw
    if is_postgres():
        for tally in counted:
            await run(f"SELECT set_config('{switch(tally.name)}', 'off', true)")
        yield
        for tally in counted:
            await run(f"SELECT set_config('{switch(tally.name)}', 'on', true)")
        await rebuild(counted, run)
        return
    triggers = [
        trigger
        for name in names
        for trigger in await run(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = {} "
            "AND name LIKE 'tally\\_%' ESCAPE '\\'",
            name,
        )
    ]
    for trigger in triggers:
        await run(f'DROP TRIGGER "{trigger["name"]}"')
    yield
    await rebuild(counted, run)
    for trigger in triggers:
        await run(trigger["sql"])


Counted = Callable[[date, set[tuple]], Awaitable[list[dict]]]


async def rows_for_day(
    table: type[Table], keys: Sequence[str], day: date, count: Counted
) -> list[dict]:
    """The rows of a tally kept for a day (`table`: one row per `keys`, with the `day` it
    holds), for `day`. When any row holds another day (the date moved on, or a row is new),
    the rows are counted afresh once, in a write transaction: SQLite's only writer, or on
    PostgreSQL with the rows locked, so that writers whose triggers touched them commit
    first and are counted, and writers after count against the new day. `count(day, keys)`
    returns every row to store, those of the keys already there included."""
    name = table._meta.tablename
    rows = await table.raw(f"SELECT * FROM {name}")
    if rows and all(_day(r["day"]) == day for r in rows):
        return rows
    async with write_transaction():
        lock = " FOR UPDATE" if is_postgres() else ""
        rows = await table.raw(f"SELECT * FROM {name}{lock}")
        if rows and all(_day(r["day"]) == day for r in rows):
            return rows  # counted meanwhile by another request
        fresh = await count(day, {tuple(r[k] for k in keys) for r in rows})
        if fresh:
            columns = list(fresh[0])
            updated = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in keys)
            marks = "(" + ", ".join("{}" for _ in columns) + ")"
            await table.raw(
                f"INSERT INTO {name} ({', '.join(columns)}) VALUES "
                + ", ".join(marks for _ in fresh)
                + f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updated}",
                *(row[c] for row in fresh for c in columns),
            )
        return fresh


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value
