"""Fixtures and helpers shared by the tests of events."""

from __future__ import annotations

from datetime import timedelta

import pytest

from events.tables import Venue
from incubator.i18n import today_hk
from tests.conftest import api

DAY = today_hk() + timedelta(days=10)


def at(hour: int, minute: int = 0, days: int = 0) -> str:
    return f"{DAY + timedelta(days=days)}T{hour:02d}:{minute:02d}"


@pytest.fixture
async def venue(park) -> int:
    rows = await Venue.insert(
        Venue(
            centre=park.centres["entrepreneurship"],
            name_en="Innovation Hall",
            name_zh="創新廳",
            location="Cyberport 3, level 1",
            capacity=120,
            setup_minutes=30,
            teardown_minutes=30,
        )
    ).returning(Venue.id)
    return rows[0]["id"]


def event_body(venue: int | None, **extra) -> dict:
    return {
        "title_en": "FinTech Forum",
        "title_zh": "金融科技論壇",
        "centre": "entrepreneurship",
        "clusters": ["fintech"],
        "venue": venue,
        "starts_at": at(14),
        "ends_at": at(16),
        "capacity": 100,
        "status": "published",
        **extra,
    }


async def schedule(client, venue, **extra):
    return await api(client, "POST", "/api/events", json=event_body(venue, **extra))


def venue_form(**extra) -> dict:
    return {
        "name_en": "Innovation Hall",
        "capacity": "120",
        "setup_minutes": "30",
        "teardown_minutes": "30",
    } | extra
