"""The figures of programme funding: money committed, paid and remaining per programme, and
the reporting community's headcount and funds raised per quarter (amounts in whole HKD)."""

from __future__ import annotations

from incubator.dashboard.schemas import TITLES, Figure, Row, Scope
from incubator.programmes.funding.services.figures import funds_by_programme, progress_by_quarter

FUNDS = ["grants", "committed_hkd", "paid_hkd", "remaining_hkd"]
PROGRESS = ["reports", "headcount", "funds_raised_hkd"]


async def funding_by_programme(scope: Scope) -> Figure:
    rows = []
    for p in await funds_by_programme(scope.starts_on, scope.ends_on, scope.centres):
        committed, paid = p["committed"] // 100, p["paid"] // 100
        values = {
            "grants": p["grants"],
            "committed_hkd": committed,
            "paid_hkd": paid,
            "remaining_hkd": committed - paid,
        }
        rows.append(Row(str(p["id"]), p["name_en"], p["name_zh"] or p["name_en"], values))
    total = {k: sum(int(r.values[k] or 0) for r in rows) for k in FUNDS}
    return Figure(
        "funding-by-programme",
        TITLES["funding-by-programme"],
        "stacked",
        FUNDS,
        ["paid_hkd", "remaining_hkd"],
        rows,
        total,
        "Grants in force at some time in the range (active or completed), per programme: "
        "their totals committed, what has been paid on them to date, and what remains, in HKD. "
        "A terminated grant counts for the claims approved or paid on it, which are still paid.",
    )


async def progress_per_quarter(scope: Scope) -> Figure:
    quarters = await progress_by_quarter(scope.starts_on, scope.ends_on, scope.centres)
    rows = [
        Row(
            q["quarter"],
            q["quarter"],
            q["quarter"],
            {
                "reports": q["reports"],
                "headcount": q["headcount"],
                "funds_raised_hkd": q["funds_raised"] // 100,
            },
        )
        for q in quarters
    ]
    total = {
        "reports": sum(q["reports"] for q in quarters),
        "headcount": rows[-1].values["headcount"] if rows else 0,
        "funds_raised_hkd": sum(q["funds_raised"] for q in quarters) // 100,
    }
    return Figure(
        "funded-progress",
        TITLES["funded-progress"],
        "columns",
        PROGRESS,
        ["headcount"],
        rows,
        total,
        "The quarterly progress reports of start-ups in a programme or with a grant: how many "
        "were sent for each quarter, their total headcount and the funds they raised in it "
        "(HKD). The total's headcount is the last quarter's.",
    )
