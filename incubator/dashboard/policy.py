"""Who may see which figures, and the range they ask for: the dashboard's one gate.

Administrators see the whole park or any one centre or hub; centre managers see the centres
they manage (all of them, or one); nobody else sees the dashboard.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from centres.policy import managed_centres, require_staff
from incubator.auth.schemas import Viewer
from incubator.dashboard.schemas import Scope
from incubator.errors import BadParameter, Forbidden
from incubator.i18n import today_hk
from incubator.startups.schemas import CentreOut
from incubator.startups.services.reference import list_centres

MAX_DAYS = 5 * 366
QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Choice:
    """A scope as a person chose it, with what the page offers them to choose from."""

    scope: Scope
    centre: str  # the chosen slug, "" for all the viewer may see
    centres: list[CentreOut]  # the centres and hubs the viewer may choose
    whole_park: bool  # an administrator's view of the park

    @property
    def chosen(self) -> list[CentreOut]:
        """The centres the scope covers, among those offered (none for the whole park)."""
        return [c for c in self.centres if c.id in (self.scope.centres or ())]


def month_start(day: date, back: int = 0) -> date:
    """The first day of the month `back` months before the day's month."""
    month = day.month - back
    return date(day.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def months_back(today: date, months: int) -> date:
    """The first day of the last `months` months to today: the day after the same day that
    many months ago (the month's last day where it is shorter)."""
    first_of = month_start(today, months)
    following = month_start(today, months - 1)
    same_day = min(today.day, (following - first_of).days)
    return date(first_of.year, first_of.month, same_day) + timedelta(days=1)


def default_range(today: date | None = None) -> tuple[date, date]:
    """The last twelve months, to today (2026-12-04: from 2025-12-05)."""
    today = today or today_hk()
    return months_back(today, 12), today


def parse_range(start: str, end: str) -> tuple[date, date]:
    errors: dict[str, str] = {}
    first, last = default_range()
    values = {}
    for name, text, default in (("from", start, first), ("to", end, last)):
        text = (text or "").strip()
        try:
            values[name] = date.fromisoformat(text) if text else default
        except ValueError:
            errors[name] = f"must be a date like 2026-01-31, not {text[:40]!r}"
    if not errors:
        if values["to"] < values["from"]:
            errors["to"] = "must be on or after the first day of the range"
        elif (values["to"] - values["from"]).days >= MAX_DAYS:
            errors["to"] = "a range may span at most five years"
    if errors:
        raise BadParameter(errors)
    return values["from"], values["to"]


def parse_quarter(text: str, today: date | None = None) -> tuple[str, date, date]:
    """A quarter such as 2026-Q3: its label, first and last days; blank means the last
    quarter that has ended."""
    text = (text or "").strip()
    if not text:
        today = today or today_hk()
        year, quarter = today.year, (today.month - 1) // 3  # the one before today's
        if quarter == 0:
            year, quarter = year - 1, 4
    else:
        match = QUARTER.match(text)
        if not match or not 2000 <= int(match.group(1)) <= 2100:
            raise BadParameter({"quarter": f"must be a quarter like 2026-Q3, not {text[:40]!r}"})
        year, quarter = int(match.group(1)), int(match.group(2))
    first = date(year, 3 * quarter - 2, 1)
    after = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return f"{year}-Q{quarter}", first, after - timedelta(days=1)


async def choose(viewer: Viewer, centre: str, first: date, last: date) -> Choice:
    """The scope the viewer asked for, refused when it reaches beyond what they may see."""
    require_staff(viewer, "see the park's dashboard and reports")
    managed = await managed_centres(viewer)
    everything = await list_centres()
    allowed = [c for c in everything if managed is None or c.id in managed]
    centre = (centre or "").strip()
    if not centre:
        ids = None if managed is None else tuple(managed)
        return Choice(Scope(ids, first, last), "", allowed, managed is None)
    match = next((c for c in everything if c.slug == centre), None)
    if match is None:
        raise BadParameter({"centre": f"no centre or hub has the slug {centre[:60]!r}"})
    if match not in allowed:
        raise Forbidden("centre managers see the figures of their own centres and hubs only")
    return Choice(Scope((match.id,), first, last), centre, allowed, False)
