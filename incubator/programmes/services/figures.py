"""Programme intake in numbers: each call's applications started, submitted, reviewed and
admitted, for the calls of some centres that were open during a range (one grouped read)."""

from __future__ import annotations

from datetime import datetime

from incubator.db import among
from incubator.programmes.schemas import IntakeFigures
from incubator.programmes.tables import Call


async def intake(
    starts: datetime, until: datetime, centres: tuple[int, ...] | None
) -> list[IntakeFigures]:
    """The calls open at some time in [starts, until), their earliest closing first."""
    within, ids = among("c.centre", centres)
    rows = await Call.raw(
        "SELECT c.id AS call, c.title_en, c.title_zh, COUNT(a.id) AS started, "
        "SUM(CASE WHEN a.submitted_at IS NOT NULL THEN 1 ELSE 0 END) AS submitted, "
        "SUM(CASE WHEN a.reviews_done > 0 THEN 1 ELSE 0 END) AS reviewed, "
        "SUM(CASE WHEN a.status = 'admitted' THEN 1 ELSE 0 END) AS admitted "
        "FROM programme_call c LEFT JOIN programme_application a ON a.call = c.id "
        f"WHERE c.opens_at < {{}} AND c.closes_at >= {{}}{within} "
        "GROUP BY c.id, c.title_en, c.title_zh, c.closes_at ORDER BY c.closes_at, c.id",
        until,
        starts,
        *ids,
    )
    return [
        IntakeFigures(
            **{k: row[k] for k in ("call", "title_en", "title_zh")},
            **{k: int(row[k] or 0) for k in ("started", "submitted", "reviewed", "admitted")},
        )
        for row in rows
    ]
