"""The dashboard's typed results: the scope a figure covers, its rows, values and names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import msgspec

from incubator.i18n import HONG_KONG, today_hk

# A count, a rate or nothing; declared as a JSON number (an integer is one too).
Value = float | None


# A figure's and a series' names, in English; pages and reports translate them.
TITLES = {
    "startups-by-centre": "Start-ups by centre and hub",
    "startups-by-cluster": "Start-ups by cluster",
    "startups-by-stage": "Start-ups by stage",
    "onsite-offsite": "Onsite and offsite start-ups",
    "occupancy": "Occupancy by centre",
    "leases-ending": "Leases ending per month",
    "events": "Events and attendance per month",
    "academy": "Academy participants and completions per quarter",
    "referrals": "Referrals per partner park",
    "mous-expiring": "MOUs expiring in the next 180 days",
    "room-use": "Meeting room use by centre",
    "room-use-by-hour": "Meeting room use by hour of the week",
    "programme-intake": "Programme intake by call",
    "funding-by-programme": "Funds committed, paid and remaining by programme",
    "funded-progress": "Programme start-ups' headcount and funds raised per quarter",
}


SERIES = {
    "startups": "Start-ups",
    "onsite": "Onsite",
    "offsite": "Offsite",
    "units": "Units",
    "occupied_units": "Occupied units",
    "vacant_units": "Vacant units",
    "unit_rate": "Units occupied",
    "area_rate": "Area occupied",
    "ending": "Leases ending",
    "renewed": "Renewed",
    "not_renewed": "Not renewed",
    "events": "Events",
    "registered": "Registered",
    "attended": "Attended",
    "runs": "Runs",
    "participants": "Participants",
    "certificates": "Certificates",
    "completion_rate": "Completion rate",
    "outbound": "Outbound",
    "inbound": "Inbound",
    "landed": "Landed",
    "days_left": "Days left",
    "share": "Share",
    "open_hours": "Open hours",
    "booked_hours": "Hours held",
    "free_hours": "Hours free",
    "use_rate": "Used",
    "mon": "Mon",
    "tue": "Tue",
    "wed": "Wed",
    "thu": "Thu",
    "fri": "Fri",
    "sat": "Sat",
    "sun": "Sun",
    "all": "All week",
    "started": "Started",
    "submitted": "Submitted",
    "reviewed": "Reviewed",
    "admitted": "Admitted",
    "acceptance_rate": "Acceptance rate",
    "grants": "Grants",
    "committed_hkd": "Committed (HK$)",
    "paid_hkd": "Paid (HK$)",
    "remaining_hkd": "Remaining (HK$)",
    "reports": "Reports",
    "headcount": "Headcount",
    "funds_raised_hkd": "Funds raised (HK$)",
}


@dataclass(frozen=True, slots=True)
class Scope:
    """What a figure covers: the centres (None: the whole park) and the days, both included.

    Snapshot figures (start-ups, onsite, occupancy) describe the range's last day, or today
    when the range runs into the future."""

    centres: tuple[int, ...] | None
    starts_on: date
    ends_on: date

    @property
    def day(self) -> date:
        return min(self.ends_on, today_hk())

    @property
    def instants(self) -> tuple[datetime, datetime]:
        """From the first day's Hong Kong midnight to the midnight after the last day."""
        return midnight_utc(self.starts_on), midnight_utc(self.ends_on + timedelta(days=1))

    def months(self) -> list[str]:
        """Every month the range touches, as YYYY-MM."""
        months, year, month = [], self.starts_on.year, self.starts_on.month
        while (year, month) <= (self.ends_on.year, self.ends_on.month):
            months.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months


class Row(msgspec.Struct):
    key: str
    name_en: str
    name_zh: str = ""
    values: dict[str, Value] = {}


class Figure(msgspec.Struct):
    key: str
    title: str
    chart: str  # "bars" (one bar a row), "stacked" (a row's series end to end), "columns"
    series: list[str]  # the values of each row, in column order
    plotted: list[str]  # the series the chart draws
    rows: list[Row]
    total: dict[str, Value]
    note: str = ""


def value_text(value: Value, blank: str = "—") -> str:
    """A figure's value as people read it: a rate (a float up to 1) as a percentage, other
    numbers with thousands separators; the page, the chart summaries and the PDF use it."""
    if value is None:
        return blank
    if isinstance(value, float):
        return f"{value:.1%}" if value <= 1 else f"{value:,.1f}"
    return f"{value:,}"


def midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time(0), HONG_KONG).astimezone(UTC)
