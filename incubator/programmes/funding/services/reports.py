"""Quarterly progress reports: each start-up admitted to a programme (incubating) or with an
active grant reports after every quarter (headcount, funds raised, revenue band, customers,
patents, a short update in either language), by the 15th of the month after the quarter
ends. A second report for a quarter
corrects the first. The latest quarter's headcount and funds raised go onto the profile."""

from __future__ import annotations

from datetime import date, timedelta

import msgspec

from incubator.auth.schemas import Viewer
from incubator.db import utcnow, write_transaction
from incubator.errors import Conflict, NotFound, ValidationFailed
from incubator.i18n import today_hk
from incubator.programmes.funding import policy
from incubator.programmes.funding.schemas import ReportIn, ReportOut
from incubator.programmes.funding.services.grants import MOST_CENTS
from incubator.programmes.funding.tables import Grant, ProgressReport, RevenueBand
from incubator.startups.policy import require_login
from incubator.startups.services.progress import record_progress
from incubator.startups.tables import StartupProgramme

DUE_DAY = 15  # of the month after the quarter ends
REVENUE_BANDS = tuple(b.value for b in RevenueBand)


def quarter_of(day: date) -> str:
    """A day's quarter as the dashboard names quarters: "2026 Q3"."""
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


def quarter_start(quarter: str) -> date:
    year, q = quarter.split(" Q")
    return date(int(year), (int(q) - 1) * 3 + 1, 1)


def quarter_end(quarter: str) -> date:
    start = quarter_start(quarter)
    following = date(start.year + (start.month + 3 > 12), (start.month + 2) % 12 + 1, 1)
    return following - timedelta(days=1)


def due_on(quarter: str) -> date:
    return quarter_end(quarter) + timedelta(days=DUE_DAY)


def last_ended(today: date | None = None) -> str:
    """The quarter most recently ended: the one a report is now due for."""
    today = today or today_hk()
    return quarter_of(quarter_start(quarter_of(today)) - timedelta(days=1))


def _valid_quarter(text: str) -> bool:
    year, _, q = text.partition(" Q")
    return year.isdigit() and len(year) == 4 and q in ("1", "2", "3", "4")


# Who reports: a start-up in a programme now, or one still paid under a grant (a graduate's
# grant may run on). As SQL over start-up ids, for one start-up or for the reminders.
REPORTING = (
    "SELECT sp.startup FROM startup_programme sp JOIN startup s ON s.id = sp.startup "
    "WHERE sp.status = 'incubating' AND s.status = 'active' "
    "UNION SELECT g.startup FROM programme_grant g WHERE g.status = 'active'"
)


async def reporting_startups() -> set[int]:
    """Every start-up asked for its quarterly report."""
    return {r["startup"] for r in await Grant.raw(REPORTING)}


async def asked_to_report(startup_id: int) -> bool:
    rows = await Grant.raw(f"SELECT 1 FROM ({REPORTING}) r WHERE r.startup = {{}}", startup_id)
    return bool(rows)


async def _centres_of(startup_id: int) -> set[int]:
    """The centres that run the start-up's grants or the programmes it is in."""
    granted = await Grant.select(Grant.centre).where(Grant.startup == startup_id)
    programmes = await StartupProgramme.select(
        StartupProgramme.programme.centre.as_alias("centre")
    ).where(StartupProgramme.startup == startup_id)
    return {r["centre"] for r in granted + programmes if r["centre"] is not None}


async def may_see_reports(viewer: Viewer, startup_id: int) -> bool:
    """The start-up's members, and those who run its grants or its programmes."""
    if await policy.applies_for(viewer, startup_id):
        return True
    return any([await policy.runs_centre(viewer, c) for c in await _centres_of(startup_id)])


def report_problems(data: ReportIn, latest: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not 0 <= data.headcount <= 100_000:
        errors["headcount"] = "must be a whole number from 0 to 100,000"
    if not 0 <= data.funds_raised_cents <= MOST_CENTS * 100:
        errors["funds_raised_cents"] = "must be HK$0 or more, at most HK$2,000,000,000"
    if data.revenue_band not in REVENUE_BANDS:
        errors["revenue_band"] = "must be one of " + ", ".join(REVENUE_BANDS)
    for name in ("customers", "patents"):
        if not 0 <= getattr(data, name) <= 10_000_000:
            errors[name] = "must be a whole number, 0 or more"
    if len(data.summary) > 2000:
        errors["summary"] = "must be at most 2,000 characters"
    quarter = data.quarter.strip() or latest
    if not _valid_quarter(quarter):
        errors["quarter"] = "must be a quarter written like 2026 Q3"
    elif quarter > latest:
        errors["quarter"] = f"must be a quarter that has ended: {latest} or earlier"
    return errors


def report_problems_of(values: dict) -> dict[str, str]:
    """The rules broken by the values of a report's form that could be read."""
    readable = {k: v for k, v in values.items() if k in ReportIn.__struct_fields__}
    return report_problems(ReportIn(**({"headcount": 0} | readable)), last_ended())


async def submit_report(viewer: Viewer, startup_id: int, data: ReportIn) -> ReportOut:
    """Keep a quarter's report (replacing one sent before for that quarter)."""
    require_login(viewer)
    if not await policy.applies_for(viewer, startup_id):
        raise NotFound(f"there is no start-up {startup_id} of yours")
    if not await asked_to_report(startup_id):
        raise Conflict(
            "progress reports are asked of start-ups in a programme or with an active grant"
        )
    latest = last_ended()
    errors = report_problems(data, latest)
    if errors:
        raise ValidationFailed(errors)
    quarter = data.quarter.strip() or latest
    values = {
        ProgressReport.headcount: data.headcount,
        ProgressReport.funds_raised_cents: data.funds_raised_cents,
        ProgressReport.revenue_band: data.revenue_band,
        ProgressReport.customers: data.customers,
        ProgressReport.patents: data.patents,
        ProgressReport.summary: data.summary.strip(),
        ProgressReport.submitted_by: viewer.user_id,
        ProgressReport.submitted_at: utcnow(),
    }
    async with write_transaction():
        where = (ProgressReport.startup == startup_id) & (ProgressReport.quarter == quarter)
        if await ProgressReport.exists().where(where):
            await ProgressReport.update(values).where(where)
        else:
            await ProgressReport.insert(
                ProgressReport(
                    startup=startup_id,
                    quarter=quarter,
                    **{column._meta.name: value for column, value in values.items()},
                )
            )
        await record_progress(startup_id, quarter, data.headcount, data.funds_raised_cents)
    return next(r for r in await reports_of(viewer, startup_id) if r.quarter == quarter)


async def reports_of(viewer: Viewer, startup_id: int) -> list[ReportOut]:
    """A start-up's reports, the latest quarter first: to its members and those who run its
    grants or its programmes."""
    require_login(viewer)
    if not await may_see_reports(viewer, startup_id):
        raise NotFound(f"there is no start-up {startup_id} of yours")
    rows = (
        await ProgressReport.select()
        .where(ProgressReport.startup == startup_id)
        .order_by(ProgressReport.quarter, ascending=False)
    )
    return msgspec.convert(rows, list[ReportOut], strict=False)
