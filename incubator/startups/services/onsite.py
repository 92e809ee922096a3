"""The one definition of onsite: a start-up is onsite on a day when it holds a lease in force.

A lease is in force on a day when it is not a draft and the day lies between its first and
last day. The lease table belongs to centres; it is named here in SQL so that the
start-up core needs no import of the tenancy package (which depends on it). The directory
filter, profiles, the park's figures and the centre pages all use these functions.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from incubator.startups.tables import NOT_ACTIVE_SQL, Startup


def in_force(lease: str = "l", day: str = "{}") -> str:
    """SQL true for a lease (its alias) in force on a day (an SQL expression: a placeholder,
    or a column such as a summary row's day)."""
    return f"{lease}.status <> 'draft' AND {lease}.starts_on <= {day} AND {lease}.ends_on >= {day}"


IN_FORCE = in_force()
ONSITE_IDS = f"SELECT l.startup FROM lease l WHERE {IN_FORCE}"
# The same start-ups once each, to drive a join from (figures that count onsite start-ups).
ONSITE_STARTUPS = f"SELECT DISTINCT l.startup FROM lease l WHERE {IN_FORCE}"
DERIVED_MESSAGE = (
    "follows the start-up's leases: it is onsite while it holds a lease in force; "
    "lease it a unit (or end its lease) instead"
)


def onsite_condition(
    day: date, column: str = "s.id", correlated: bool = False
) -> tuple[str, list[Any]]:
    """A WHERE condition (with its arguments) true for start-ups onsite on `day`: a list of
    the onsite start-ups, or (`correlated`) a lookup of one start-up's leases, which is what a
    query that stops after a page of rows wants."""
    if correlated:
        return f"EXISTS (SELECT 1 FROM lease l WHERE l.startup = {column} AND {IN_FORCE})", [
            day,
            day,
        ]
    return f"{column} IN ({ONSITE_IDS})", [day, day]


async def count_onsite(day: date) -> int:
    """Active start-ups onsite on `day`: those holding a lease in force, counted from the
    leases (one range of the in-force index), less the few not active (archived) among them,
    found from the start-ups' side. A third faster than testing every active start-up at
    100,000 (38 ms against 24 on SQLite)."""
    rows = await Startup.raw(
        f"SELECT (SELECT COUNT(DISTINCT l.startup) FROM lease l WHERE {IN_FORCE}) - "
        f"(SELECT COUNT(*) FROM startup s WHERE s.status IN ({NOT_ACTIVE_SQL}) AND "
        f"EXISTS (SELECT 1 FROM lease l WHERE l.startup = s.id AND {IN_FORCE})) AS n",
        day,
        day,
        day,
        day,
    )
    return int(rows[0]["n"])
