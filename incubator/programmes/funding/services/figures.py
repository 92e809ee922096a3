"""Programme funding in numbers: the money committed to grants in force and paid on them, per
programme; the reporting community's headcount and funds raised, per quarter (one grouped read
each, for some centres or the whole park)."""

from __future__ import annotations

from datetime import date

from incubator.db import among
from incubator.programmes.funding.services.reports import quarter_of, quarter_start
from incubator.programmes.funding.tables import Grant


async def funds_by_programme(
    starts_on: date, ends_on: date, centres: tuple[int, ...] | None
) -> list[dict]:
    """Per programme, its grants in force at some time in the range (active or completed):
    how many, their totals (committed) and what has been paid on them to date (cents). A
    terminated grant counts for what its approved and paid claims hold: the park still
    pays those."""
    within, ids = among("g.centre", centres)
    rows = await Grant.raw(
        "SELECT p.id, p.name_en, p.name_zh, COUNT(g.id) AS grants, "
        "SUM(CASE WHEN g.status = 'terminated' THEN g.held_cents ELSE g.total_cents END) "
        "AS committed, SUM(g.paid_cents) AS paid "
        "FROM programme_grant g JOIN programme p ON p.id = g.programme "
        "WHERE (g.status IN ('active', 'completed') "
        "OR (g.status = 'terminated' AND g.held_cents > 0)) "
        "AND g.starts_on <= {} AND g.ends_on >= {}"
        f"{within} GROUP BY p.id, p.name_en, p.name_zh ORDER BY p.name_en, p.id",
        ends_on,
        starts_on,
        *ids,
    )
    return [r | {k: int(r[k] or 0) for k in ("grants", "committed", "paid")} for r in rows]


def quarters_between(starts_on: date, ends_on: date) -> list[str]:
    """Every quarter the range touches, as "2026 Q3"."""
    quarters, day = [], quarter_start(quarter_of(starts_on))
    while day <= ends_on:
        quarters.append(quarter_of(day))
        day = date(day.year + (day.month > 9), (day.month + 2) % 12 + 1, 1)
    return quarters


async def progress_by_quarter(
    starts_on: date, ends_on: date, centres: tuple[int, ...] | None
) -> list[dict]:
    """Per quarter of the range, the progress reports sent for it: how many, and the sums of
    their headcounts and funds raised (cents). For some centres: the start-ups with a grant
    that one of them runs, or in a programme of theirs."""
    quarters = quarters_between(starts_on, ends_on)
    marks = ", ".join("{}" for _ in quarters)
    granted, ids = among("g.centre", centres)
    admitted, more = among("p.centre", centres)
    scope = (
        f" AND r.startup IN (SELECT g.startup FROM programme_grant g WHERE 1 = 1{granted} "
        "UNION SELECT sp.startup FROM startup_programme sp "
        f"JOIN programme p ON p.id = sp.programme WHERE 1 = 1{admitted})"
        if centres is not None
        else ""
    )
    ids += more
    rows = await Grant.raw(
        "SELECT r.quarter, COUNT(*) AS reports, SUM(r.headcount) AS headcount, "
        "SUM(r.funds_raised_cents) AS funds_raised FROM progress_report r "
        f"WHERE r.quarter IN ({marks}){scope} GROUP BY r.quarter",
        *quarters,
        *ids,
    )
    found = {r["quarter"]: r for r in rows}
    return [
        {
            "quarter": q,
            **{
                k: int((found.get(q) or {}).get(k) or 0)
                for k in ("reports", "headcount", "funds_raised")
            },
        }
        for q in quarters
    ]
