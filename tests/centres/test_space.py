"""The park's space: units within managers' centres, retiring units, occupancy figures, centre pages, staff-only pages."""

from __future__ import annotations

from centres.tables import Lease, Unit
from tests.centres.conftest import day, lease_body
from tests.conftest import api, login, post_form, text_of


async def test_managers_work_only_on_units_of_their_centres(client, park):
    await login(client, park.users["other_manager"])  # Technology Centre
    refused = await api(client, "POST", "/api/leases", json=lease_body(park))
    assert refused.status_code == 403
    hidden = await api(client, "GET", f"/api/leases/{park.leases['harbour-pay']}")
    assert hidden.status_code == 404
    own = await api(client, "POST", "/api/leases", json=lease_body(park, unit="5F-D01"))
    assert own.status_code == 201, own.text
    listed = (await api(client, "GET", "/api/leases")).json()
    assert [item["unit_code"] for item in listed["items"]] == ["5F-D01"]
    units = (await api(client, "GET", "/api/units?state=occupied")).json()["items"]
    tenants = {u["code"]: u["startup_id"] for u in units}
    # 3F-01 is occupied, but who holds it is for the Entrepreneurship Centre to know.
    assert tenants == {"3F-01": None, "5F-D01": park.startups["bamboo-home"]}


async def test_the_public_sees_vacancy_and_figures_but_no_tenants(client, park):
    sid = park.startups["harbour-pay"]
    assert "Tenancy" not in (await client.get(f"/startups/{sid}")).text
    assert (await client.get("/api/leases")).status_code == 401
    assert (await client.get(f"/api/leases/{park.leases['harbour-pay']}")).status_code == 401
    assert (await client.get("/api/units")).status_code == 401
    page = await client.get("/centres/entrepreneurship")
    assert page.status_code == 200 and "3F-02" in page.text
    assert "Leases ending" not in page.text


async def test_units_are_added_and_edited_within_the_managers_centres(client, park):
    await login(client, park.users["manager"])
    body = {
        "building": "cyberport-1",
        "centre": "entrepreneurship",
        "code": "7f-20",
        "floor": 7,
        "kind": "lab",
        "area_sqft": 900,
        "list_rent_cents": 40_000_00,
    }
    created = await api(client, "POST", "/api/units", json=body)
    assert created.status_code == 201, created.text
    unit = await Unit.select().where(Unit.id == created.json()["id"]).first()
    assert unit["code"] == "7F-20" and unit["list_rent_cents"] == 40_000_00
    duplicate = await api(client, "POST", "/api/units", json=body)
    assert duplicate.status_code == 422 and "already exists" in duplicate.json()["errors"]["code"]
    elsewhere = await api(client, "POST", "/api/units", json=body | {"centre": "technology"})
    assert elsewhere.status_code == 422 and "you manage" in elsewhere.json()["errors"]["centre"]
    bad = await api(
        client, "POST", "/api/units", json=body | {"code": "??", "area_sqft": 0, "kind": "castle"}
    )
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"code", "area_sqft", "kind"}
    other = await api(client, "PATCH", f"/api/units/{park.units['5F-D01']}", json={"area_sqft": 60})
    assert other.status_code == 403


async def test_a_unit_with_lease_history_is_retired_never_deleted(client, park):
    await login(client, park.users["manager"])
    held = await api(client, "POST", f"/api/units/{park.units['3F-01']}/retire")
    assert held.status_code == 422 and "Harbour Pay" in held.json()["errors"]["unit"]
    await api(
        client,
        "POST",
        f"/api/leases/{park.leases['harbour-pay']}/terminate",
        json={"last_day": day(-1), "reason": "Left"},
    )
    retired = await api(client, "POST", f"/api/units/{park.units['3F-01']}/retire")
    assert retired.json() == {"outcome": "retired"}
    assert await Unit.exists().where(Unit.id == park.units["3F-01"])
    assert await Lease.exists().where(Lease.id == park.leases["harbour-pay"])
    relet = await api(client, "POST", "/api/leases", json=lease_body(park, unit="3F-01"))
    assert relet.status_code == 422 and "retired" in relet.json()["errors"]["unit"]
    never_leased = await api(client, "POST", f"/api/units/{park.units['3F-02']}/retire")
    assert never_leased.json() == {"outcome": "deleted"}
    assert not await Unit.exists().where(Unit.id == park.units["3F-02"])


async def test_occupancy_by_building_centre_and_park_with_leases_ending(client, park):
    await login(client, park.users["admin"])
    await api(client, "POST", "/api/leases", json=lease_body(park, unit="5F-D01", ends=20))
    figures = (await client.get("/api/occupancy")).json()
    assert figures["park"] | {"ending": None} == {
        "units": 4,
        "occupied_units": 2,
        "vacant_units": 2,
        "area_sqft": 2650,
        "occupied_sqft": 850,
        "vacant_sqft": 1800,
        "unit_rate": 0.5,
        "area_rate": round(850 / 2650, 4),
        "ending": None,
    }
    # Harbour Pay's lease ends in 100 days, the desk's in 20.
    assert figures["park"]["ending"] == {"30": 1, "90": 1, "180": 2}
    assert [b["slug"] for b in figures["buildings"]] == ["cyberport-1"]
    by_centre = {c["slug"]: (c["units"], c["occupied_units"]) for c in figures["centres"]}
    assert by_centre == {"entrepreneurship": (2, 1), "technology": (1, 1), "web3hub": (1, 0)}
    centre = (await client.get("/api/centres/entrepreneurship")).json()
    assert centre["occupancy"]["park"]["unit_rate"] == 0.5
    assert [u["code"] for u in centre["vacant_units"]] == ["3F-02"]


async def test_centre_page_shows_figures_chart_vacancy_and_leases_ending_to_managers(client, park):
    await login(client, park.users["manager"])
    page = await client.get("/centres/entrepreneurship")
    text = text_of(page.text)
    assert page.status_code == 200 and 'class="chart"' in page.text
    assert "50.0%" in text and "3F-02" in text
    assert "Leases ending in the next 180 days (1)" in text and "Harbour Pay" in text
    assert "Manager" in text  # the centre's manager is named
    assert "All of them in the lease register" not in text  # the one is shown


async def test_centre_page_counts_every_lease_ending_and_lists_the_first(client, park, monkeypatch):
    """The heading counts them all (the occupancy's figure, as the register counts them);
    the list stops at ENDING_SHOWN and links to the register for the rest."""
    from centres.services import overview

    await login(client, park.users["manager"])
    body = lease_body(park, starts=-10, ends=50)
    assert (await api(client, "POST", "/api/leases", json=body)).status_code == 201
    monkeypatch.setattr(overview, "ENDING_SHOWN", 1)
    page = (await client.get("/centres/entrepreneurship")).text
    text = text_of(page)
    register = await api(client, "GET", "/api/leases?centre=entrepreneurship&ending_within=180")
    assert register.json()["total"] == 2
    assert "Leases ending in the next 180 days (2)" in text
    assert "The first 1, by the day they end. All of them in the lease register" in text
    assert '<a href="/leases?centre=entrepreneurship&amp;ending_within=180">' in page
    listed = text_of(page.split("Leases ending in the next 180 days")[1].split("</table>")[0])
    assert "Bamboo Home" in listed and "Harbour Pay" not in listed  # the first to end


async def test_space_and_register_pages_for_staff_only(client, park):
    for path in ("/space", "/leases", f"/space/units/{park.units['3F-01']}", "/leases/new"):
        assert (await client.get(path)).status_code == 303  # to the log-in page
    await login(client, park.users["member"])
    for path in ("/space", "/leases", "/leases/new"):
        assert (await client.get(path)).status_code == 403
    await login(client, park.users["manager"])
    inventory = text_of((await client.get("/space")).text)
    assert "3F-01" in inventory and "Harbour Pay" in inventory and "5F-D01" in inventory
    register = text_of((await client.get("/leases?ending_within=180")).text)
    assert "Harbour Pay" in register and "Leases found: 1" in register
    assert (await client.get("/leases?state=sideways")).status_code == 400


async def test_unit_form_shows_errors_beside_fields_and_saves(client, park):
    await login(client, park.users["manager"])
    bad = await post_form(
        client,
        "/space/units/new",
        {
            "building": "cyberport-1",
            "centre": "technology",
            "code": "9F-01",
            "floor": "9",
            "kind": "lab",
            "area_sqft": "-3",
            "list_rent": "abc",
        },
    )
    assert bad.status_code == 422
    text = text_of(bad.text)
    assert "must be one of the centres or hubs you manage" in text
    assert "square feet" in text and "must be an amount in HKD" in text
    good = await post_form(
        client,
        "/space/units/new",
        {
            "building": "cyberport-1",
            "centre": "entrepreneurship",
            "code": "9F-01",
            "floor": "9",
            "kind": "lab",
            "area_sqft": "1000",
            "list_rent": "45,000",
        },
    )
    assert good.status_code == 303
    assert await Unit.exists().where(Unit.code == "9F-01")


async def test_the_unit_edit_form_keeps_a_blank_number_from_passing_as_unchanged(client, park):
    await login(client, park.users["manager"])
    unit = park.units["3F-02"]
    before = await Unit.select(Unit.floor, Unit.notes).where(Unit.id == unit).first()
    edit = await client.get(f"/space/units/{unit}/edit")
    assert edit.status_code == 200
    blank_floor = await post_form(
        client,
        f"/space/units/{unit}/edit",
        {
            "building": "cyberport-1",
            "centre": "entrepreneurship",
            "code": "3F-02",
            "floor": "",
            "kind": "lab",
            "area_sqft": "-1",
            "list_rent": "30,000",
            "notes": "",
        },
    )
    assert blank_floor.status_code == 422
    text = text_of(blank_floor.text)
    assert "is required" in text and "square feet" in text  # read and rule errors at once
    assert await Unit.select(Unit.floor, Unit.notes).where(Unit.id == unit).first() == before


async def test_everyone_pages_through_a_centres_vacant_units(client, park):
    """The centre page's vacant units page fifty at a time for anyone (the space inventory
    the page once linked to is for staff only)."""
    from centres.tables import Building, Unit

    building = (await Building.select(Building.id).first())["id"]
    await Unit.insert(
        *[
            Unit(
                building=building,
                centre=park.centres["technology"],
                code=f"9F-{n:02d}",
                floor=9,
                kind="coworking_desk",
                area_sqft=40,
                list_rent_cents=2_000_00,
            )
            for n in range(60)
        ]
    )
    first = await client.get("/centres/technology")
    assert first.status_code == 200 and "/space?" not in first.text
    assert 'href="?vacant_page=2#vacant"' in first.text
    second = text_of((await client.get("/centres/technology?vacant_page=2")).text)
    assert "9F-59" in second and "Previous" in second
    assert "9F-00" not in second  # it was on the first page


async def test_the_lease_register_pages_in_the_order_of_the_whole_list(park):
    """Each page's leases are chosen with the joins the filters need, then read in full:
    pages one lease long, put together, are the whole list in its order, for each filter.
    Three buildings, two sharing a place in the order (units then order them across both):
    on PostgreSQL a page is chosen from each building's first leases."""
    from datetime import timedelta

    from centres.services.lease_register import lease_query, list_leases
    from centres.tables import Building, Lease, Unit
    from incubator.auth.schemas import Viewer
    from incubator.auth.tables import Role
    from incubator.i18n import today_hk

    today, units, startups = today_hk(), dict(park.units), park.startups
    centre = (await Unit.select(Unit.centre).where(Unit.id == units["3F-02"]).first())["centre"]
    for slug, order, codes in (("cyberport-2", 0, ["1F-01", "4F-01"]), ("cyberport-0", -1, ["9F-01"])):  # fmt: skip
        building = Building(slug=slug, name_en=slug, sort_order=order)
        made = await Building.insert(building).returning(Building.id)
        for code in codes:
            unit = Unit(building=made[0]["id"], centre=centre, code=code, floor=1, kind="lab")
            units[code] = (await Unit.insert(unit).returning(Unit.id))[0]["id"]
    for n, (unit, startup, starts, days, status) in enumerate(
        [
            ("3F-02", "bamboo-home", -30, 300, "active"),
            ("5F-D01", "lantern-chain", 10, 200, "active"),
            ("2F-L01", "harbour-pay", -400, 100, "ended"),
            ("3F-02", "lantern-chain", -700, 300, "ended"),
            ("2F-L01", "bamboo-home", 200, 100, "draft"),
            ("1F-01", "lantern-chain", -10, 100, "active"),
            ("4F-01", "bamboo-home", -10, 100, "active"),
            ("9F-01", "harbour-pay", -900, 100, "ended"),
            ("1F-01", "harbour-pay", 120, 100, "active"),
        ]
    ):
        begin = today + timedelta(days=starts)
        await Lease.insert(
            Lease(
                unit=units[unit],
                startup=startups[startup],
                starts_on=begin,
                ends_on=begin + timedelta(days=days),
                contract_ends_on=begin + timedelta(days=days),
                monthly_rent_cents=10_000_00 + n,
                status=status,
            )
        )
    admin = Viewer(user_id=1, role=Role.admin)
    for filters in ({}, {"state": "in_force"}, {"q": "lantern"}, {"centre": "entrepreneurship"},
                    {"building": "cyberport-1", "state": "ended"}, {"ending_within": "400"},
                    {"building": "cyberport-2"}, {"state": "active", "q": "harbour"}):  # fmt: skip
        whole = await list_leases(admin, lease_query(**filters), paged=False)
        pages = [
            await list_leases(admin, lease_query(**filters, page=str(n), per_page="1"))
            for n in range(1, whole.total + 2)
        ]
        assert [p.total for p in pages] == [whole.total] * len(pages), filters
        assert [lease.id for p in pages for lease in p.items] == [
            lease.id for lease in whole.items
        ], filters
        assert whole.total == len(whole.items) and pages[-1].items == [], filters
    assert (await list_leases(admin, lease_query(q="lantern"), paged=False)).total == 3


async def test_the_unit_inventory_pages_in_the_order_of_the_whole_list(park):
    """As the lease register: one unit a page, put together, is every unit in order, with
    its tenant, under each filter (vacant and occupied join the current lease to choose)."""
    from centres.services.space import list_units, unit_query
    from centres.tables import Building, Unit
    from incubator.auth.schemas import Viewer
    from incubator.auth.tables import Role

    admin = Viewer(user_id=1, role=Role.admin)
    # A second building sharing the first one's place: its units fall between the first's.
    centre = await Unit.select(Unit.centre).where(Unit.id == park.units["5F-D01"]).first()
    second = await Building.insert(Building(slug="cyberport-2", name_en="Cyberport 2"))
    for code, floor in (("1F-01", 1), ("4F-01", 4), ("12F-01", 12)):
        unit = Unit(building=second[0]["id"], centre=centre["centre"], code=code, floor=floor)
        await Unit.insert(unit)
    listed = await list_units(admin, unit_query(per_page="500"))
    assert [u.code for u in listed.items] == [
        "1F-01", "2F-L01", "3F-01", "3F-02", "4F-01", "5F-D01", "12F-01"
    ]  # fmt: skip
    for filters in ({}, {"state": "vacant"}, {"state": "occupied"}, {"centre": "technology"},
                    {"q": "3F"}, {"kind": "lab"}):  # fmt: skip
        whole = await list_units(admin, unit_query(**filters, per_page="500"))
        shown = []
        for n in range(1, whole.total + 1):
            (unit,) = (
                await list_units(admin, unit_query(**filters, page=str(n), per_page="1"))
            ).items
            shown.append((unit.id, unit.code, unit.startup_en))
        assert shown == [(u.id, u.code, u.startup_en) for u in whole.items], filters
    occupied = await list_units(admin, unit_query(state="occupied"))
    assert [(u.code, u.startup_en) for u in occupied.items] == [("3F-01", "Harbour Pay")]


async def test_vacant_units_page_in_their_order_across_buildings(park):
    """Vacant units by building's place, floor and number, a page at a time the same as all
    at once (on PostgreSQL each building's first are read off its index, then merged): three
    buildings, two sharing a place, let units left out, one centre's alone."""
    from datetime import timedelta

    from centres.services.occupancy import vacant_rows
    from centres.tables import Building, Lease, Unit
    from incubator.i18n import today_hk

    centres = {}
    for code in ("3F-02", "5F-D01"):
        row = await Unit.select(Unit.centre).where(Unit.id == park.units[code]).first()
        centres[code] = row["centre"]
    made = {}
    for slug, order, units in (
        ("cyberport-2", 0, [("1F-01", 1, "3F-02"), ("12F-01", 12, "5F-D01"), ("4F-02", 4, "3F-02")]),
        ("cyberport-0", -1, [("9F-01", 9, "3F-02"), ("2F-07", 2, "5F-D01")]),
    ):  # fmt: skip
        building = (await Building.insert(Building(slug=slug, name_en=slug, sort_order=order))
                    .returning(Building.id))[0]["id"]  # fmt: skip
        for code, floor, like in units:
            unit = Unit(building=building, centre=centres[like], code=code, floor=floor, kind="lab")
            made[code] = (await Unit.insert(unit).returning(Unit.id))[0]["id"]
    today = today_hk()
    await Lease.insert(
        Lease(unit=made["4F-02"], startup=park.startups["bamboo-home"], status="active",
              starts_on=today, ends_on=today + timedelta(days=30),
              contract_ends_on=today + timedelta(days=30), monthly_rent_cents=1)
    )  # fmt: skip
    whole = [u.code for u in await vacant_rows(None, limit=100)]
    # cyberport-0 first; then cyberport-1 and -2 (both 0) by floor and number together.
    assert whole == ["2F-07", "9F-01", "1F-01", "2F-L01", "3F-02", "5F-D01", "12F-01"]
    one_by_one = [(await vacant_rows(None, limit=1, page=n))[0].code for n in range(1, 8)]
    assert one_by_one == whole and await vacant_rows(None, limit=1, page=8) == []
    theirs = [u.code for u in await vacant_rows([centres["3F-02"]], limit=2, page=2)]
    assert theirs == ["3F-02"]  # 9F-01, 1F-01, then 3F-02 of the centre's vacant units
