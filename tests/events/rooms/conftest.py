"""Fixtures of the meeting rooms: a bookable room open every day, and times to book in it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from events.rooms.schemas import RoomTermsIn
from events.rooms.services import rooms
from events.tables import Venue
from incubator.auth.schemas import Viewer
from incubator.auth.tables import Role
from incubator.i18n import today_hk
from tests.conftest import api

DAY = today_hk() + timedelta(days=3)


async def admin(park) -> Viewer:
    """The park's administrator, as a service sees them."""
    from incubator.auth.tables import User

    row = await User.select(User.id).where(User.email == park.users["admin"]).first()
    return Viewer(user_id=row["id"], role=Role.admin)


def at(hour: int, minute: int = 0, day: date | None = None) -> str:
    return f"{day or DAY}T{hour:02d}:{minute:02d}"


async def make_room(park, name: str = "Harbour Room", **terms) -> int:
    """A venue of the Entrepreneurship Centre, bookable every day 08:00-20:00 in 30-minute
    slots: 2 credits an hour from 10:00 to 17:00, 1 otherwise; free cancellation until 2 hours
    before."""
    rows = await Venue.insert(
        Venue(
            centre=park.centres["entrepreneurship"],
            name_en=name,
            name_zh="海港會議室",
            location="Cyberport 3, level 2",
            capacity=8,
            setup_minutes=0,
            teardown_minutes=0,
        )
    ).returning(Venue.id)
    venue = rows[0]["id"]
    values = {"weekdays": [1, 2, 3, 4, 5, 6, 7]} | terms
    await rooms.set_terms(await admin(park), venue, RoomTermsIn(**values))
    return venue


@pytest.fixture
async def room(park) -> int:
    return await make_room(park)


async def book(client, room: int, start: str, end: str, **extra):
    body = {"room": room, "starts_at": start, "ends_at": end, **extra}
    return await api(client, "POST", "/api/rooms/bookings", json=body)


async def credits_left(client, startup: int, month: str = "") -> int:
    query = f"/api/rooms/credits/{startup}" + (f"?month={month}" if month else "")
    answer = await api(client, "GET", query)
    assert answer.status_code == 200, answer.text
    return answer.json()["balance"]
