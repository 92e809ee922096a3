"""A start-up's latest reported figures (headcount, funds raised) on its profile: written by
programme funding as each quarterly progress report is kept, read with the profile."""

from __future__ import annotations

from incubator.startups.tables import Startup


async def record_progress(
    startup_id: int, quarter: str, headcount: int, funds_raised_cents: int
) -> None:
    """Keep a quarter's figures on the profile unless a later quarter's are there already.
    Call it inside the write transaction that keeps the report."""
    await Startup.update(
        {
            Startup.headcount: headcount,
            Startup.funds_raised_cents: funds_raised_cents,
            Startup.progress_quarter: quarter,
        }
    ).where((Startup.id == startup_id) & (Startup.progress_quarter <= quarter))
