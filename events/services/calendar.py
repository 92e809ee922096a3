"""The calendar: events in a period for month, week and list views, filtered by centre, hub
and cluster; published (and cancelled) events for everyone, drafts for those who run them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import msgspec

from centres.policy import managed_centres
from events.schemas import EventChip, EventOut
from events.services.schedule import EVENT_COLUMNS, MAX_DURATION, with_clusters_and_seats
from events.tables import Event, EventCluster
from incubator.auth.schemas import Viewer
from incubator.errors import BadParameter
from incubator.i18n import HONG_KONG, today_hk
from incubator.startups.tables import Centre, Cluster

VIEWS = ("list", "month", "week")
PER_DAY = 4  # events shown in a day of the month or week grid
_GRID_COLUMNS = (
    Event.id,
    Event.title_en,
    Event.title_zh,
    Event.starts_at,
    Event.ends_at,
    Event.status,
)


@dataclass
class CalendarQuery:
    view: str = "list"
    day: date | None = None
    centre: str = ""
    hub: str = ""
    cluster: str = ""
    page: int = 1
    per_page: int = 20


def calendar_query(**raw: str) -> CalendarQuery:
    errors: dict[str, str] = {}
    query = CalendarQuery(
        view=raw.get("view", "").strip() or "list",
        centre=raw.get("centre", "").strip(),
        hub=raw.get("hub", "").strip(),
        cluster=raw.get("cluster", "").strip(),
    )
    if query.view not in VIEWS:
        errors["view"] = f"must be one of {', '.join(VIEWS)}"
    text = raw.get("date", "").strip()
    if text:
        try:
            query.day = date.fromisoformat(text)
        except ValueError:
            errors["date"] = "must be a date written YYYY-MM-DD"
    page = raw.get("page", "").strip()
    if page:
        if not page.isdigit() or int(page) < 1:
            errors["page"] = "must be a whole number from 1"
        else:
            query.page = int(page)
    if errors:
        raise BadParameter(errors)
    return query


def period(query: CalendarQuery) -> tuple[date, date]:
    """The first day and the day after the last of the view's period (Hong Kong days)."""
    day = query.day or today_hk()
    if query.view == "month":
        first = day.replace(day=1)
        start = first - timedelta(days=first.weekday())  # the grid starts on a Monday
        following = (first + timedelta(days=32)).replace(day=1)
        end = following + timedelta(days=(7 - following.weekday()) % 7)
        return start, end
    if query.view == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=7)
    return day, day + timedelta(days=366)


def _instant(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=HONG_KONG).astimezone(UTC)


async def events_between(
    viewer: Viewer,
    start: datetime,
    end: datetime,
    centre: str = "",
    hub: str = "",
    cluster: str = "",
    limit: int | None = None,
    offset: int = 0,
    detail: bool = True,
) -> tuple[list[dict], int]:
    """Events overlapping [start, end), in start order, as the viewer may see them: with
    `detail`, each with its centre, venue, clusters and registration counts, else only what
    a calendar grid shows (id, titles, times, status)."""
    # Academy sessions are in the calendar; the course run they belong to is not (it is a
    # period, not a time). An event lasts at most MAX_DURATION, so only those that start that
    # long before the period can reach into it: the start-time index then reads the period,
    # not every event since the park opened.
    period = (
        (Event.starts_at < end)
        & (Event.starts_at > start - MAX_DURATION)
        & (Event.ends_at > start)
        & (Event.kind != "course_run")
    )
    managed = await managed_centres(viewer) if viewer.is_authenticated else []
    if managed is None:
        visible = None
    else:
        visible = (Event.status != "draft") | Event.centre.is_in(managed or [0])
    conditions = [] if visible is None else [visible]
    for slug, kind in ((centre, "centre"), (hub, "hub")):
        if slug:
            conditions.append(
                Event.centre.is_in(
                    Centre.select(Centre.id).where((Centre.slug == slug) & (Centre.kind == kind))
                )
            )
    if cluster:
        conditions.append(
            Event.id.is_in(
                EventCluster.select(EventCluster.event).where(
                    EventCluster.cluster.is_in(
                        Cluster.select(Cluster.id).where(Cluster.slug == cluster)
                    )
                )
            )
        )
    columns = EVENT_COLUMNS if detail else _GRID_COLUMNS
    query = (
        Event.select(*columns)
        .where(period, *conditions)
        .order_by(Event.starts_at)
        .order_by(Event.id)
    )
    if limit is None:  # the whole period: its length is the count
        rows = await query
        total = len(rows)
    else:
        rows = await query.limit(limit).offset(offset)
        total = await Event.count().where(period, *conditions)
    if detail:
        return await with_clusters_and_seats(rows), total
    return msgspec.convert(rows, list[EventChip]), total


@dataclass
class CalendarView:
    """A calendar page: its events (in full for the list view, as chips for the grids), by
    day, and the period with its neighbours."""

    rows: list[EventOut] | list[EventChip]
    total: int
    pages: int
    page: int
    days: dict[date, list[Any]]
    more: dict[date, int]  # a busy day's events beyond those shown
    weeks: list[list[date]]
    start: date
    end: date
    last: date
    anchor: date
    previous: date
    following: date
    today: date


async def calendar(viewer: Viewer, query: CalendarQuery) -> CalendarView:
    start, end = period(query)
    limit = query.per_page if query.view == "list" else None
    offset = (query.page - 1) * query.per_page
    rows, total = await events_between(
        viewer,
        _instant(start),
        _instant(end),
        query.centre,
        query.hub,
        query.cluster,
        limit,
        offset,
        detail=query.view == "list",  # the grid's chips show a time and a title
    )
    days: dict[date, list[dict]] = {}
    for row in rows:
        first = row.starts_at.astimezone(HONG_KONG).date()
        last = (row.ends_at - timedelta(seconds=1)).astimezone(HONG_KONG).date()
        day = max(first, start)
        while day <= last and day < end:
            days.setdefault(day, []).append(row)
            day += timedelta(days=1)
    # A busy day shows its first events and how many more (a park of 100,000 start-ups has
    # forty events and sessions on some days); the list view from that day has them all.
    more = {day: len(events) - PER_DAY for day, events in days.items() if len(events) > PER_DAY}
    days = {day: events[:PER_DAY] for day, events in days.items()}
    weeks = []
    if query.view in ("month", "week"):
        day = start
        while day < end:
            weeks.append([(day + timedelta(days=i)) for i in range(7)])
            day += timedelta(days=7)
    anchor = query.day or today_hk()
    step = {"month": 31, "week": 7, "list": 30}[query.view]
    if query.view == "month":
        previous = (anchor.replace(day=1) - timedelta(days=1)).replace(day=1)
        following = (anchor.replace(day=1) + timedelta(days=32)).replace(day=1)
    else:
        previous, following = anchor - timedelta(days=step), anchor + timedelta(days=step)
    return CalendarView(
        rows=rows,
        total=total,
        pages=max(1, -(-total // query.per_page)),
        page=query.page,
        days=days,
        more=more,
        weeks=weeks,
        start=start,
        end=end,
        last=end - timedelta(days=1),
        anchor=anchor,
        previous=previous,
        following=following,
        today=today_hk(),
    )
