"""Bulk import of start-ups from CSV: every bad row reported, applied whole or not at all.

Rows are matched by `slug`, so importing the same file again changes nothing.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from incubator.auth.schemas import Viewer
from incubator.db import UNIQUE_VIOLATIONS, analyze, utcnow, write_transaction
from incubator.db.bulk import bulk_load_cache
from incubator.i18n import today_hk
from incubator.startups.services import bulk, reference
from incubator.startups.services.onsite import DERIVED_MESSAGE
from incubator.startups.services.validation import (
    ALL_FIELDS,
    References,
    clean_profile,
    read_profile,
)

REQUIRED = ("slug", "name_en", "centres")
COLUMNS = ("slug", *ALL_FIELDS)
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field} {self.message}"


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    applied: bool = False
    writer_seconds: float = 0.0  # how long the write transaction held the database's writer
    errors: list[RowError] = field(default_factory=list)


@dataclass
class _Row:
    line: int
    slug: str
    clean: dict


def _parse(
    text: str, report: ImportReport, refs, today, progress: Progress | None = None
) -> list[_Row]:
    """The file's rows checked (run in a thread: 100,000 rows take seconds)."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c not in COLUMNS and c != "onsite"]
    if missing:
        report.errors.append(RowError(1, "header", f"is missing the columns {', '.join(missing)}"))
    if unknown:
        report.errors.append(
            RowError(
                1,
                "header",
                f"has unknown columns {', '.join(unknown)}; known: {', '.join(COLUMNS)}",
            )
        )
    if "onsite" in header:
        report.errors.append(RowError(1, "onsite", f"is not imported: it {DERIVED_MESSAGE}"))
    if report.errors:
        return []
    rows: list[_Row] = []
    seen: dict[str, int] = {}
    line = 1
    expected = max(1, len(text.splitlines()) - 1)  # rows, unless a quoted cell spans lines
    for record in reader:
        start, line = line + 1, reader.line_num
        report.rows += 1
        if progress and report.rows % 1000 == 0 and report.rows < expected:
            progress(report.rows, expected)
        if None in record:
            report.errors.append(RowError(start, "row", "has more values than the header"))
            continue
        slug = (record.pop("slug") or "").strip()
        read = read_profile({k: ("" if v is None else v) for k, v in record.items()})
        clean, errors = clean_profile(read.values, refs, today)
        errors |= read.errors
        if not _SLUG.match(slug):
            errors = {"slug": "must be 1-80 lower-case letters, digits or hyphens"} | errors
        elif slug in seen:
            errors = {"slug": f"repeats line {seen[slug]}"} | errors
        else:
            seen[slug] = start
        report.errors += [RowError(start, f, m) for f, m in errors.items()]
        if not errors:
            rows.append(_Row(start, slug, clean))
    if report.rows == 0:
        report.errors.append(RowError(2, "file", "has no rows below the header"))
    if progress:
        progress(report.rows, report.rows)
    return rows


async def import_startups(
    text: str, apply: bool, actor: Viewer | None = None, progress: Progress | None = None
) -> ImportReport:
    """Check every row, then apply the file in one write transaction (`apply`), or report what
    it would do. The rows are read and checked and the stored profiles read before the
    transaction begins, so the writer is held only for the bulk writes: inside it, rows that
    someone changed since are read again, held and compared afresh."""
    report = ImportReport()
    refs = await reference.references()
    rows = await asyncio.to_thread(_parse, text, report, refs, today_hk(), progress)
    if report.errors:
        return report
    slugs = [row.slug for row in rows]
    found = await bulk.stored(slugs, refs)
    writes = _plan(rows, found, refs, actor, report)
    if not apply:
        return report
    if not (writes.created or writes.changed):
        report.applied = True  # nothing to write: every row is as stored
        return report
    started = time.perf_counter()
    try:
        async with write_transaction(), bulk_load_cache():
            moved = _moved(rows, found, await bulk.versions(slugs))
            if moved:
                fresh = await bulk.stored(moved, refs, lock=True)
                found = {k: v for k, v in found.items() if k not in moved} | fresh
                writes = _plan(rows, found, refs, actor, report)
            # The rows to change, held (PostgreSQL) and still as read: one changed after the
            # first read was among `moved` and read again.
            if await bulk.versions(list(writes.held), lock=True) != writes.held:
                raise _Moved
            await bulk.write(writes)
    except (_Moved, *UNIQUE_VIOLATIONS):
        report.created = report.updated = report.unchanged = 0
        report.errors.append(RowError(0, "file", _RACED))
        return report
    report.writer_seconds = time.perf_counter() - started
    report.applied = True
    if report.created > 1000:
        await analyze()
    return report


_RACED = "met changes made while it ran; nothing was applied: import it again"


class _Moved(Exception):
    """A start-up the import changes was changed by someone else inside the transaction."""


def _moved(rows: list[_Row], found: dict[str, dict], now: dict[str, int]) -> list[str]:
    """The slugs whose stored version is not the one read (or that now exist, or no longer)."""
    return [
        row.slug
        for row in rows
        if (found[row.slug]["version"] if row.slug in found else None) != now.get(row.slug)
    ]


def _plan(
    rows: list[_Row],
    found: dict[str, dict],
    refs: References,
    actor: Viewer | None,
    report: ImportReport,
) -> bulk.Writes:
    """What applying `rows` to the `found` profiles writes, counted in `report`."""
    writes, now = bulk.Writes(refs), utcnow()
    report.created = report.updated = report.unchanged = 0
    for row in rows:
        old = found.get(row.slug)
        if old is None:
            report.created += 1
            writes.create(row.slug, row.clean, actor, now)
        elif changes := bulk.changes_between(old, row.clean):
            report.updated += 1
            writes.change(old, changes, actor, now)
        else:
            report.unchanged += 1
    return writes
