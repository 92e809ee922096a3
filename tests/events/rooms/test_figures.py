"""How much the rooms are used: the share of their open hours held by bookings and events,
per centre and per hour of the week, on the dashboard and in its CSV."""

from __future__ import annotations

from datetime import timedelta

from events.rooms.services.figures import utilisation
from tests.conftest import api, login, make_client
from tests.events.rooms.conftest import DAY, at, book


async def test_room_use_counts_bookings_and_events_within_open_hours(app, park, room):
    async with make_client(app) as member, make_client(app) as manager:
        await login(member, park.users["member"])
        await login(manager, park.users["manager"])
        assert (await book(member, room, at(9), at(11))).status_code == 201
        event = {
            "title_en": "Founders' Breakfast",
            "centre": "entrepreneurship",
            "venue": room,
            "starts_at": at(14),
            "ends_at": at(15),
            "capacity": 8,
            "status": "published",
        }
        assert (await api(manager, "POST", "/api/events", json=event)).status_code == 201
        found = await utilisation(DAY, DAY, None)
        [(name, _zh, use)] = found.centres.values()
        assert name == "Entrepreneurship Centre"
        assert use.open == 12 * 60 and use.held == 3 * 60
        weekday = DAY.isoweekday()
        assert found.hours[(weekday, 9)].held == 60 and found.hours[(weekday, 10)].held == 60
        assert found.hours[(weekday, 14)].held == 60 and found.hours[(weekday, 12)].held == 0
        assert (await utilisation(DAY, DAY, (park.centres["technology"],))).centres == {}
        # A week around it: six more open days with nothing held.
        week = await utilisation(DAY - timedelta(days=3), DAY + timedelta(days=3), None)
        assert next(iter(week.centres.values()))[2].open == 7 * 12 * 60

        start, end = DAY - timedelta(days=1), DAY + timedelta(days=1)
        query = f"?from={start}&to={end}"
        dashboard = await api(manager, "GET", f"/api/dashboard/{query}")
        figures = {f["key"]: f for f in dashboard.json()["figures"]}
        rows = figures["room-use"]["rows"]
        assert [r["name_en"] for r in rows] == ["Entrepreneurship Centre"]
        assert rows[0]["values"]["booked_hours"] == 3.0 and rows[0]["values"]["open_hours"] == 36.0
        by_hour = {r["key"]: r["values"] for r in figures["room-use-by-hour"]["rows"]}
        names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        assert by_hour["09:00"][names[weekday - 1]] == 1.0
        assert by_hour["12:00"][names[weekday - 1]] == 0.0
        csv = await manager.get(f"/dashboard/csv/room-use{query}")
        assert csv.status_code == 200 and "Entrepreneurship Centre" in csv.text
