"""The figure of programme intake: per call open during the range, its applications
started, submitted, reviewed and admitted, and the share of submitted ones admitted."""

from __future__ import annotations

from incubator.dashboard.schemas import TITLES, Figure, Row, Scope
from incubator.programmes.services.figures import intake

SERIES = ["started", "submitted", "reviewed", "admitted", "acceptance_rate"]


def _rate(admitted: int, submitted: int) -> float | None:
    return round(admitted / submitted, 4) if submitted else None


async def programme_intake(scope: Scope) -> Figure:
    starts, until = scope.instants
    calls = await intake(starts, until, scope.centres)
    rows = [
        Row(
            str(c.call),
            c.title_en,
            c.title_zh or c.title_en,
            {
                "started": c.started,
                "submitted": c.submitted,
                "reviewed": c.reviewed,
                "admitted": c.admitted,
                "acceptance_rate": _rate(c.admitted, c.submitted),
            },
        )
        for c in calls
    ]
    total = {k: sum(int(r.values[k] or 0) for r in rows) for k in SERIES[:4]}
    total["acceptance_rate"] = _rate(total["admitted"], total["submitted"])
    return Figure(
        "programme-intake",
        TITLES["programme-intake"],
        "bars",
        SERIES,
        ["submitted"],
        rows,
        total,
        "Calls for applications open at some time in the range: applications started, "
        "submitted, with a scored review, and admitted; the acceptance rate is admitted of "
        "submitted.",
    )
