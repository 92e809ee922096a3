"""What every figure's SQL shares: Hong Kong months, the scope's start-ups, rates, totals."""

from __future__ import annotations

from typing import Any

import msgspec

from incubator import db
from incubator.dashboard.schemas import Row, Scope, Value
from incubator.i18n import gettext
from incubator.startups.schemas import CentreOut
from incubator.startups.tables import Centre

MOU_WINDOW_DAYS = 180


def zh(text: str) -> str:
    return gettext("zh-Hant", text)


def whole(value: Any) -> int:
    return int(value or 0)


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def totals(rows: list[Row], series: list[str]) -> dict[str, Value]:
    return {s: sum(whole(r.values.get(s)) for r in rows) for s in series}


def in_scope(scope: Scope, column: str = "s.id") -> tuple[str, list[Any]]:
    """Active start-ups affiliated with one of the scope's centres (any, for the park)."""
    if scope.centres is None:
        return "", []
    within, ids = db.among("a.centre", scope.centres)
    return (
        f" AND {column} IN (SELECT a.startup FROM startup_affiliation a WHERE 1 = 1{within})",
        ids,
    )


async def centres_in(scope: Scope) -> list[CentreOut]:
    query = Centre.select()
    if scope.centres is not None:
        query = query.where(Centre.id.is_in(list(scope.centres) or [-1]))
    return msgspec.convert(
        await query.order_by(Centre.sort_order).order_by(Centre.id), list[CentreOut]
    )


def month_rows(scope: Scope, found: dict[str, dict], series: list[str]) -> list[Row]:
    """One row per month of the range, zero where nothing happened."""
    rows = []
    for month in scope.months():
        values = found.get(month, {})
        rows.append(Row(month, month, month, {s: whole(values.get(s)) for s in series}))
    return rows
