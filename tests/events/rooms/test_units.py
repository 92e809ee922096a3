"""Units of kind meeting room: never let, left out of occupancy and vacancy, and opened for
members' booking as a venue that is the unit."""

from __future__ import annotations

from datetime import timedelta

from centres.tables import Unit
from events.rooms.tables import BookableRoom
from events.tables import Venue
from incubator.i18n import today_hk
from tests.centres.conftest import lease_body
from tests.conftest import api, login, make_client, post_form, text_of
from tests.events.rooms.conftest import at, book


async def _meeting_room(park) -> int:
    rows = await Unit.insert(
        Unit(
            building=(await Unit.select(Unit.building).first())["building"],
            centre=park.centres["entrepreneurship"],
            code="3F-M1",
            floor=3,
            kind="meeting_room",
            area_sqft=300,
        )
    ).returning(Unit.id)
    return rows[0]["id"]


async def test_a_meeting_room_unit_is_never_let_nor_counted_as_vacant(client, park):
    before = (await client.get("/api/occupancy")).json()
    unit = await _meeting_room(park)
    after = (await client.get("/api/occupancy")).json()
    assert after["park"]["units"] == before["park"]["units"]
    assert after["park"]["vacant_units"] == before["park"]["vacant_units"]
    await login(client, park.users["manager"])
    centre = await client.get("/centres/entrepreneurship")
    assert "3F-M1" not in centre.text  # not among the vacant units
    vacant = await client.get("/space?state=vacant")
    assert "3F-M1" not in vacant.text
    listed = await client.get("/space")
    assert "3F-M1" in listed.text and "Booked by members, not let" in text_of(listed.text)
    refused = await api(client, "POST", "/api/leases", json=lease_body(park) | {"unit": unit})
    assert refused.status_code == 422
    assert "is a meeting room: members book it, it is not let" in refused.json()["errors"]["unit"]
    # A leased office does not become a meeting room.
    leased = await api(
        client, "PATCH", f"/api/units/{park.units['3F-01']}", json={"kind": "meeting_room"}
    )
    assert leased.status_code == 422 and "never let" in leased.json()["errors"]["kind"]


async def test_a_manager_opens_a_meeting_room_unit_for_members_to_book(app, park):
    unit = await _meeting_room(park)
    async with make_client(app) as manager, make_client(app) as member:
        await login(manager, park.users["manager"])
        listing = await manager.get("/rooms/manage")
        assert "3F-M1" in listing.text and f"/rooms/manage/units/{unit}" in listing.text
        assert "<title>Manage meeting rooms · " in listing.text
        assert listing.text.count('id="units-heading"') == 1
        bad = await post_form(manager, f"/rooms/manage/units/{unit}", {"capacity": "0"})
        assert bad.status_code == 422 and "from 1 to 500" in text_of(bad.text)
        opened = await post_form(manager, f"/rooms/manage/units/{unit}", {"capacity": "6"})
        assert opened.status_code == 303, text_of(opened.text)
        venue = await Venue.select().where(Venue.unit == unit).first()
        assert opened.headers["location"] == f"/rooms/manage/{venue['id']}"
        assert venue["name_en"] == "Meeting room 3F-M1" and venue["capacity"] == 6
        assert venue["location"] == "Cyberport 1, 3/F" and venue["setup_minutes"] == 0
        assert await BookableRoom.exists().where(BookableRoom.venue == venue["id"])
        twice = await post_form(manager, f"/rooms/manage/units/{unit}", {"capacity": "6"})
        assert twice.status_code == 409
        assert f"/rooms/manage/units/{unit}" not in (await manager.get("/rooms/manage")).text
        # While members book it, it stays a meeting room in the inventory.
        retire = await post_form(manager, f"/space/units/{unit}/retire", {})
        assert retire.status_code == 409 and "retire that venue first" in text_of(retire.text)
        office = await api(manager, "PATCH", f"/api/units/{unit}", json={"kind": "lab"})
        assert office.status_code == 422 and "retire that venue first" in office.text
        page = await manager.get(f"/space/units/{unit}")
        assert "Meeting rooms members book" in page.text and "/leases/new?unit" not in page.text

        await login(member, park.users["member"])
        # Booked on the default terms: weekdays only, so a weekday at 10:00.
        day = today_hk() + timedelta(days=1)
        while day.isoweekday() > 5:
            day += timedelta(days=1)
        booked = await book(member, venue["id"], at(10, day=day), at(11, day=day))
        assert booked.status_code == 201, booked.text
        assert booked.json()["room_en"] == "Meeting room 3F-M1"
    async with make_client(app) as other:
        await login(other, park.users["other_manager"])  # the Technology Centre's
        assert (
            await post_form(other, f"/rooms/manage/units/{unit}", {"capacity": "4"})
        ).status_code == 403
