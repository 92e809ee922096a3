"""Bulk import of start-ups from CSV: every bad row reported, applied whole or not at all.

Rows are matched by `slug`, so importing the same file again changes nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from incubator.auth.schemas import Viewer
from incubator.db import analyze, write_transaction
from incubator.startups.services import profiles as services
from incubator.startups.services import reference
from incubator.startups.services.onsite import DERIVED_MESSAGE
from incubator.startups.services.validation import ALL_FIELDS, clean_profile, read_profile
from incubator.startups.tables import Startup

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
    errors: list[RowError] = field(default_factory=list)


@dataclass
class _Row:
    line: int
    slug: str
    clean: dict


def _parse(text: str, report: ImportReport, refs, today) -> list[_Row]:
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
    for record in reader:
        start, line = line + 1, reader.line_num
        report.rows += 1
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
    return rows


async def import_startups(
    text: str, apply: bool, actor: Viewer | None = None, progress: Progress | None = None
) -> ImportReport:
    report = ImportReport()
    refs = await reference.references()
    rows = _parse(text, report, refs, services.today_hk())
    if report.errors:
        return report
    existing = {
        r["slug"]: r["id"]
        for r in await Startup.select(Startup.id, Startup.slug).where(
            Startup.slug.is_in([r.slug for r in rows])
        )
    }

    async def run() -> None:
        for done, row in enumerate(rows, start=1):
            startup_id = existing.get(row.slug)
            if startup_id is None:
                report.created += 1
                if apply:
                    startup_id = await services.insert_startup(row.clean["name_en"], row.slug)
            if startup_id is not None:
                old = await services.current_values(startup_id, lock=apply)
                if apply:
                    changed = await services.apply_changes(startup_id, old, row.clean, refs, actor)
                else:
                    changed = [f for f, v in row.clean.items() if old.get(f) != v]
                if row.slug in existing:
                    if changed:
                        report.updated += 1
                    else:
                        report.unchanged += 1
            if progress:
                progress(done, len(rows))

    if apply:
        async with write_transaction():
            await run()
        report.applied = True
        if report.created > 1000:
            await analyze()
    else:
        await run()
    return report
