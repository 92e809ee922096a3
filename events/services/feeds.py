"""Calendar feeds: one public feed per centre or hub of its published (and cancelled) events,
and a private feed per user of the events they registered for, behind a secret URL that the
user can replace (which revokes the old one)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta
from urllib.parse import urlparse

from events.services import ical
from events.services.schedule import EVENT_COLUMNS
from events.tables import Event, FeedToken, Registration
from incubator.auth.schemas import Viewer
from incubator.db import utcnow, write_transaction
from incubator.errors import NotFound
from incubator.startups.policy import require_login
from incubator.startups.tables import Centre

HISTORY = timedelta(days=180)  # feeds carry events from the last six months on

# What else a person's private feed carries (a later package's items, such as their room
# bookings), registered when the app is built: (a user's id, how far back, the host for
# UIDs) -> items shaped as events.
FeedItems = Callable[[int, timedelta, str], Awaitable[list[dict]]]
_more_items: list[FeedItems] = []


def add_personal_items(source: FeedItems) -> None:
    if source not in _more_items:
        _more_items.append(source)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def centre_feed(slug: str, base_url: str) -> str:
    centre = await Centre.select(Centre.id, Centre.name_en).where(Centre.slug == slug).first()
    if centre is None:
        raise NotFound(f"no centre or hub called {slug}")
    rows = (
        await Event.select(*EVENT_COLUMNS)
        .where(
            (Event.centre == centre["id"])
            & (Event.kind != "course_run")  # a run is its sessions in a calendar
            & (Event.status != "draft")
            & (Event.ends_at > utcnow() - HISTORY)
        )
        .order_by(Event.starts_at)
    )
    host = urlparse(base_url).hostname or "localhost"
    return ical.calendar(f"{centre['name_en']} events", rows, base_url, host)


async def reset_token(viewer: Viewer) -> str:
    """A new secret for the viewer's private feed; the old URL stops working."""
    require_login(viewer)
    token = secrets.token_urlsafe(24)
    async with write_transaction():
        await FeedToken.delete().where(FeedToken.user == viewer.user_id)
        await FeedToken.insert(FeedToken(user=viewer.user_id, token_hash=_hash(token)))
    return token


async def revoke_token(viewer: Viewer) -> None:
    require_login(viewer)
    async with write_transaction():
        await FeedToken.delete().where(FeedToken.user == viewer.user_id)


async def has_token(viewer: Viewer) -> bool:
    return viewer.is_authenticated and await FeedToken.exists().where(
        FeedToken.user == viewer.user_id
    )


async def personal_feed(token: str, base_url: str) -> str:
    row = await FeedToken.select(FeedToken.user).where(FeedToken.token_hash == _hash(token)).first()
    if row is None:
        raise NotFound("no calendar feed at this address (it may have been replaced)")
    events = Registration.select(Registration.event).where(
        (Registration.user == row["user"]) & (Registration.status != "cancelled")
    )
    rows = (
        await Event.select(*EVENT_COLUMNS)
        .where(
            (Event.id.is_in(events) | Event.parent.is_in(events))  # an enrolment: its sessions
            & (Event.kind != "course_run")
            & (Event.status != "draft")
            & (Event.ends_at > utcnow() - HISTORY)
        )
        .order_by(Event.starts_at)
    )
    host = urlparse(base_url).hostname or "localhost"
    for more in _more_items:
        rows = [*rows, *await more(row["user"], HISTORY, host)]
    rows.sort(key=lambda item: item["starts_at"])
    return ical.calendar("My Cyberport events", rows, base_url, host)
