"""Events in venues: creating, editing, publishing, cancelling and duplicating them, and the
rule that a venue holds one event at a time (the venues themselves: venues.py).

The venue is held from the event's start minus the venue's set-up buffer to its end plus the
tear-down buffer (`venue_from`, `venue_until`). The check runs inside the write transaction
after the venue's row is locked (PostgreSQL) or the writer lock is taken (SQLite); the
database refuses a double booking on its own as well (exclusion constraint or trigger).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import msgspec

from events import policy
from events.schemas import EventIn, EventOut
from events.services import holds
from events.services.times import local_input, parse_local
from events.tables import Event, EventCluster, EventKind, EventStatus, Registration, Venue
from incubator.auth.schemas import Viewer
from incubator.db import among, utcnow, write_transaction
from incubator.errors import Conflict, Forbidden, NotFound, ValidationFailed
from incubator.fields import read_whole_number
from incubator.i18n import hk_text
from incubator.startups.tables import Centre, Cluster
from incubator.versions import held_version, next_version

EVENT_FIELDS = (
    "title_en",
    "title_zh",
    "description_en",
    "description_zh",
    "centre",
    "clusters",
    "venue",
    "online_url",
    "starts_at",
    "ends_at",
    "capacity",
    "registration_opens_at",
    "registration_closes_at",
    "allow_guests",
)
MAX_DURATION = timedelta(days=14)
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


# ---------------------------------------------------------------- reading events


EVENT_COLUMNS = (
    Event.all_columns(),
    Event.centre.slug.as_alias("centre_slug"),
    Event.centre.kind.as_alias("centre_kind"),
    Event.centre.name_en.as_alias("centre_en"),
    Event.centre.name_zh.as_alias("centre_zh"),
    Event.venue.name_en.as_alias("venue_en"),
    Event.venue.name_zh.as_alias("venue_zh"),
    Event.venue.location.as_alias("venue_location"),
    Event.venue.location_zh.as_alias("venue_location_zh"),
    Event.venue.capacity.as_alias("venue_capacity"),
)


async def with_clusters_and_seats(rows: list[dict]) -> list[EventOut]:
    """The events with their clusters' slugs and their seat counts (confirmed, waitlisted,
    checked in, left)."""
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    by_id = {r["id"]: r | {"clusters": []} for r in rows}
    for link in await EventCluster.select(EventCluster.event, EventCluster.cluster.slug).where(
        EventCluster.event.is_in(ids)
    ):
        by_id[link["event"]]["clusters"].append(link["cluster.slug"])
    within, args = among("event", ids)
    counts = await Registration.raw(
        "SELECT event, confirmed, waitlisted, confirmed_checked_in + waitlisted_checked_in "
        f"AS checked_in FROM event_tally WHERE 1 = 1{within}",
        *args,
    )
    for row in by_id.values():
        row |= {"confirmed": 0, "waitlisted": 0, "checked_in": 0}
    for c in counts:
        by_id[c["event"]] |= {k: int(c[k]) for k in ("confirmed", "waitlisted", "checked_in")}
    for row in by_id.values():
        row["seats_left"] = max(0, row["capacity"] - row["confirmed"])
        row["clusters"].sort()
    return msgspec.convert([by_id[i] for i in ids], list[EventOut])


async def get_event(viewer: Viewer, event_id: int) -> EventOut:
    """An event as the viewer may see it; drafts only for those who run them."""
    row = await Event.select(*EVENT_COLUMNS).where(Event.id == event_id).first()
    if row is None:
        raise NotFound(f"no event with id {event_id}")
    can_run = await policy.can_run(viewer, row["centre"])
    if row["status"] == EventStatus.draft.value and not can_run:
        raise NotFound(f"no event with id {event_id}")
    event = (await with_clusters_and_seats([row]))[0]
    event.can_run = can_run
    return event


async def first_start(event: EventOut) -> datetime:
    """When an event begins for those registered: a course run with its first session."""
    if event.kind != EventKind.course_run.value:
        return event.starts_at
    first = (
        await Event.select(Event.starts_at)
        .where(Event.parent == event.id)
        .order_by(Event.starts_at)
        .first()
    )
    return first["starts_at"] if first else event.starts_at


def registration_open(event: EventOut, now: datetime | None = None) -> tuple[bool, str]:
    """Whether registration is open now, and if not, why (for pages and errors)."""
    now = now or utcnow()
    if event.status == EventStatus.cancelled.value:
        return False, "the event is cancelled"
    if event.status != EventStatus.published.value:
        return False, "the event is not published yet"
    if event.registration_opens_at and now < event.registration_opens_at:
        return False, f"registration opens {hk_text(event.registration_opens_at)}"
    closes = event.registration_closes_at or event.starts_at
    if now >= closes:
        return False, "registration has closed"
    return True, ""


# ---------------------------------------------------------------- writing events


async def _clean_event(
    viewer: Viewer, data: Mapping[str, Any], old: EventOut | None
) -> tuple[dict[str, Any], list[int], dict[str, str]]:
    """(values for the event row, cluster ids, errors by field) for an event's values, typed
    as EventIn holds them (all of them, or those a form could read)."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for name, limit, required in (
        ("title_en", 200, True),
        ("title_zh", 200, False),
        ("description_en", 10000, False),
        ("description_zh", 10000, False),
    ):
        text = str(data.get(name) or "").strip()
        if required and not text:
            errors[name] = "is required"
        elif len(text) > limit:
            errors[name] = f"must be at most {limit:,} characters"
        clean[name] = text
    centre = (
        await Centre.select(Centre.id).where(Centre.slug == str(data.get("centre") or "")).first()
    )
    if centre is None:
        errors["centre"] = "choose the organising centre or hub"
    elif not await policy.can_run(viewer, centre["id"]):
        errors["centre"] = "must be one of the centres or hubs you manage"
    else:
        clean["centre"] = centre["id"]
    cluster_slugs = data.get("clusters") or []
    clusters = {c["slug"]: c["id"] for c in await Cluster.select(Cluster.id, Cluster.slug)}
    unknown = [s for s in cluster_slugs if s not in clusters]
    if unknown:
        errors["clusters"] = f"unknown cluster {', '.join(unknown)}"
    cluster_ids = sorted({clusters[s] for s in cluster_slugs if s in clusters})
    venue = None
    venue_id = data.get("venue")
    if venue_id is not None:
        venue = await Venue.select().where(Venue.id == venue_id).first()
        if venue is None or not venue["is_active"]:
            errors["venue"] = "choose one of the park's venues"
            venue = None
        elif not await policy.can_run(viewer, venue["centre"]):
            errors["venue"] = "must be a venue of a centre or hub you manage"
    clean["venue"] = venue["id"] if venue else None
    url = str(data.get("online_url") or "").strip()
    if url and not _URL.match(url):
        errors["online_url"] = "must be a web address starting with http:// or https://"
    clean["online_url"] = url
    if venue_id is None and not url and "venue" not in errors:
        errors["venue"] = "choose a venue, give an online link, or both"
    for name in ("starts_at", "ends_at"):
        try:
            clean[name] = parse_local(data.get(name))
        except ValueError as exc:
            errors[name] = str(exc)
    if "starts_at" in clean and "ends_at" in clean:
        if clean["ends_at"] <= clean["starts_at"]:
            errors["ends_at"] = "must be after the start"
        elif clean["ends_at"] - clean["starts_at"] > MAX_DURATION:
            errors["ends_at"] = "must be within 14 days of the start"
        if old is None and clean["starts_at"] < utcnow() - timedelta(days=1):
            errors["starts_at"] = "must not be in the past"
    capacity = read_whole_number(data, "capacity", errors, 1, 100_000)
    if venue and capacity is not None and capacity > venue["capacity"]:
        errors["capacity"] = f"must be at most the venue's capacity of {venue['capacity']:,}"
    clean["capacity"] = capacity
    for name in ("registration_opens_at", "registration_closes_at"):
        raw = data.get(name)
        clean[name] = None
        if raw not in (None, ""):
            try:
                clean[name] = parse_local(raw)
            except ValueError as exc:
                errors[name] = str(exc)
    opens, closes = clean["registration_opens_at"], clean["registration_closes_at"]
    if opens and closes and closes <= opens:
        errors["registration_closes_at"] = "must be after registration opens"
    if closes and clean.get("ends_at") and closes > clean["ends_at"]:
        errors["registration_closes_at"] = "must be before the event ends"
    clean["allow_guests"] = bool(data.get("allow_guests"))
    if venue:
        clean["venue_from"] = clean.get("starts_at", utcnow()) - timedelta(
            minutes=venue["setup_minutes"]
        )
        clean["venue_until"] = clean.get("ends_at", utcnow()) + timedelta(
            minutes=venue["teardown_minutes"]
        )
    else:
        clean["venue_from"] = clean["venue_until"] = None
    return clean, cluster_ids, errors


async def _refuse_double_booking(values: dict[str, Any], event_id: int | None) -> None:
    """Inside the write transaction: the venue is free for the whole hold (of events and
    members' room bookings alike: `holds.py`), or a 409 that names what holds it and when."""
    if values.get("venue") is None:
        return
    clash = await holds.first_clash(
        values["venue"], values["venue_from"], values["venue_until"], event=event_id
    )
    if clash is None:
        return
    if clash.event is None:
        message = (
            f"{clash.venue_name} is booked by a member from {hk_text(clash.starts_at)} to "
            f"{hk_text(clash.ends_at, '%H:%M')} Hong Kong time (room booking {clash.booking}); "
            "cancel or move that booking first"
        )
    else:
        message = (
            f"{clash.venue_name} is booked for “{clash.event_title}” (event {clash.event}) "
            f"from {hk_text(clash.starts_at)} to {hk_text(clash.ends_at, '%H:%M')} "
            f"Hong Kong time; with set-up and tear-down it is held from "
            f"{hk_text(clash.held_from, '%H:%M')} to {hk_text(clash.held_until, '%H:%M')}"
        )
    raise Conflict(message, {"starts_at": message})


def _status_problem(status: str, errors: dict[str, str]) -> None:
    if status not in (EventStatus.draft.value, EventStatus.published.value):
        errors["status"] = "must be draft or published"


async def event_problems(
    viewer: Viewer, values: Mapping[str, Any], event_id: int | None = None
) -> dict[str, str]:
    """The rules an event's values break (a new event's, or event `event_id`'s), for a form
    that could not read all of them."""
    if event_id is None:
        policy.require_organiser(viewer, "schedule events")
        old = None
    else:
        old = await get_event(viewer, event_id)
        await policy.require_run(viewer, old.centre, "change this event")
    errors = (await _clean_event(viewer, values, old))[2]
    if event_id is None and "status" in values:
        _status_problem(values["status"], errors)
    return errors


async def create_event(
    viewer: Viewer,
    event: EventIn,
    *,
    kind: str = "event",
    parent: int | None = None,
    within: tuple[datetime, datetime] | None = None,
) -> int:
    """Schedule an event, or (for the academy) a session of a course run: `kind="session"`,
    its run as `parent`, and the run's period as `within`. Both obey the same venue rules."""
    policy.require_organiser(viewer, "schedule events")
    clean, cluster_ids, errors = await _clean_event(viewer, msgspec.structs.asdict(event), None)
    timed = "starts_at" in clean and "ends_at" in clean
    if within and timed and (clean["starts_at"] < within[0] or clean["ends_at"] > within[1]):
        errors["starts_at"] = (
            f"must fall within the run, {hk_text(within[0], '%Y-%m-%d')} to "
            f"{hk_text(within[1], '%Y-%m-%d')}"
        )
    status = event.status
    _status_problem(status, errors)
    if errors:
        raise ValidationFailed(errors)
    async with write_transaction():
        await _refuse_double_booking(clean, None)
        rows = await Event.insert(
            Event(**clean, status=status, created_by=viewer.user_id, kind=kind, parent=parent)
        ).returning(Event.id)
        event_id = rows[0]["id"]
        if cluster_ids:
            await EventCluster.insert(
                *[EventCluster(event=event_id, cluster=c) for c in cluster_ids]
            )
    return event_id


async def update_event(
    viewer: Viewer, event_id: int, event: EventIn, expected_version: int | None = None
) -> list[int]:
    """Change an event; returns the registrations promoted because capacity grew. With
    `expected_version` (the edit form's), an event changed since is refused."""
    from events.services.seats import fill_seats

    old = await get_event(viewer, event_id)
    await policy.require_run(viewer, old.centre, "change this event")
    if old.status == EventStatus.cancelled.value:
        raise Conflict("the event is cancelled; duplicate it to schedule it again")
    clean, cluster_ids, errors = await _clean_event(viewer, msgspec.structs.asdict(event), old)
    if errors:
        raise ValidationFailed(errors)
    async with write_transaction():
        await held_version(Event, event_id, expected_version, "event")
        confirmed = await Registration.count().where(
            (Registration.event == event_id) & (Registration.status == "confirmed")
        )
        if clean["capacity"] < confirmed:
            raise ValidationFailed(
                {
                    "capacity": f"must be at least the {confirmed} seats already confirmed; "
                    "cancel registrations first"
                }
            )
        await _refuse_double_booking(clean, event_id)
        values = {getattr(Event, k): v for k, v in clean.items()}
        values |= {Event.updated_at: utcnow(), Event.sequence: Event.sequence + 1}
        values |= next_version(Event, viewer)
        await Event.update(values).where(Event.id == event_id)
        await EventCluster.delete().where(EventCluster.event == event_id)
        if cluster_ids:
            await EventCluster.insert(
                *[EventCluster(event=event_id, cluster=c) for c in cluster_ids]
            )
        return await fill_seats(event_id, clean["capacity"])


async def set_status(viewer: Viewer, event_id: int, status: str) -> None:
    """Publish a draft, or cancel an event (which releases its venue)."""
    event = await get_event(viewer, event_id)
    await policy.require_run(viewer, event.centre, "publish or cancel this event")
    allowed = {"published": ("draft",), "cancelled": ("draft", "published")}
    if event.status not in allowed.get(status, ()):
        raise Conflict(f"a {event.status} event cannot become {status}")
    async with write_transaction():
        changed = (
            await Event.update(
                {
                    Event.status: status,
                    Event.updated_at: utcnow(),
                    Event.sequence: Event.sequence + 1,
                }
                | next_version(Event, viewer)
            )
            .where((Event.id == event_id) & (Event.status == event.status))
            .returning(Event.id)
        )
        if not changed:
            raise Conflict("the event was changed at the same moment; reload and try again")


async def duplicate_event(viewer: Viewer, event_id: int, starts_at: Any = None) -> int:
    """A draft copy, by default one week later at the same time (the venue must be free)."""
    event = await get_event(viewer, event_id)
    await policy.require_run(viewer, event.centre, "duplicate this event")
    start = parse_local(starts_at) if starts_at else event.starts_at + timedelta(days=7)
    shift = start - event.starts_at
    centre = await Centre.select(Centre.slug).where(Centre.id == event.centre).first()

    def moved(name: str) -> str | None:
        when = getattr(event, name)
        return local_input(when + shift) if when else None

    copy = EventIn(
        title_en=event.title_en,
        title_zh=event.title_zh,
        description_en=event.description_en,
        description_zh=event.description_zh,
        centre=centre["slug"],
        clusters=event.clusters,
        venue=event.venue,
        online_url=event.online_url,
        starts_at=moved("starts_at") or "",
        ends_at=moved("ends_at") or "",
        capacity=event.capacity,
        registration_opens_at=moved("registration_opens_at"),
        registration_closes_at=moved("registration_closes_at"),
        allow_guests=event.allow_guests,
        status="draft",
    )
    return await create_event(viewer, copy)


def require_can_run(event: EventOut, action: str) -> None:
    if not event.can_run:
        raise Forbidden(f"only the organising centre's managers and administrators may {action}")
