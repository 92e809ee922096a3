"""Summary rows the database keeps: counts that pages read far more often than the rows they
count change (seats taken per event, certificates per course run), kept by triggers in the
same transaction as each change. A figure read from them therefore never disagrees with the
rows beside it, whatever code, import or console wrote those rows, and a reader pays for a
few summary rows instead of counting hundreds of thousands.

A `Tally` names its summary table, the tables whose rows it counts (`Source`) and how to
count everything again (`rebuild`). Each source's `apply` gives the statements that add one
row's share (`sign` +1, from NEW) or take it away (-1, from OLD); an update of a watched
column takes the old row's share away and adds the new one's. The same statements run in
SQLite's trigger bodies and PostgreSQL's trigger functions. Bulk loads switch the triggers
off and rebuild afterwards (`db.bulk.indexes_deferred`); the tests compare every tally with a
count made from the rows (`tests/db/test_tallies.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

Apply = Callable[[str, int], Sequence[str]]


@dataclass(frozen=True)
class Source:
    table: str
    apply: Apply
    watched: tuple[str, ...] = ()  # columns whose update moves the counts; none: no update


@dataclass(frozen=True)
class Tally:
    name: str
    table: str
    sources: tuple[Source, ...]
    rebuild: tuple[str, ...] = field(default=())

    def trigger_names(self, source: Source) -> str:
        return f"tally_{self.name}_{source.table}"

    def postgres(self) -> list[str]:
        """A trigger function and a row trigger per source."""
        statements = []
        for source in self.sources:
            name = self.trigger_names(source)
            taken = "".join(f"{s}; " for s in source.apply("OLD", -1))
            added = "".join(f"{s}; " for s in source.apply("NEW", 1))
            statements.append(
                f"CREATE FUNCTION {name}() RETURNS trigger AS $$ BEGIN "
                f"IF TG_OP <> 'INSERT' THEN {taken}END IF; "
                f"IF TG_OP <> 'DELETE' THEN {added}END IF; "
                "RETURN NULL; END $$ LANGUAGE plpgsql"
            )
            events = "INSERT OR DELETE" + (
                f" OR UPDATE OF {', '.join(source.watched)}" if source.watched else ""
            )
            statements.append(
                f"CREATE TRIGGER {name} AFTER {events} ON {source.table} "
                f"FOR EACH ROW EXECUTE FUNCTION {name}()"
            )
        return statements

    def sqlite(self) -> list[str]:
        """Triggers after insert, delete and (for watched columns) update, per source."""
        statements = []
        for source in self.sources:
            name = self.trigger_names(source)
            taken = "".join(f"{s}; " for s in source.apply("OLD", -1))
            added = "".join(f"{s}; " for s in source.apply("NEW", 1))
            statements.append(
                f"CREATE TRIGGER {name}_insert AFTER INSERT ON {source.table} BEGIN {added}END"
            )
            statements.append(
                f"CREATE TRIGGER {name}_delete AFTER DELETE ON {source.table} BEGIN {taken}END"
            )
            if source.watched:
                statements.append(
                    f"CREATE TRIGGER {name}_update AFTER UPDATE OF {', '.join(source.watched)} "
                    f"ON {source.table} BEGIN {taken}{added}END"
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
