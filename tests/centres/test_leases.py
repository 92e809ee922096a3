"""Leases: in force makes a start-up onsite, no overlaps under concurrency, the life cycle, input rules, who sees them."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from datetime import date, timedelta

import httpx
import pytest

from centres.tables import Lease
from tests.centres.conftest import TODAY, day, lease_body, onsite_in_directory
from tests.conftest import api, login, make_client, post_form, text_of
from tests.server import running_server


async def test_a_lease_in_force_makes_a_startup_onsite_everywhere(client, park):
    assert await onsite_in_directory(client) == ["harbour-pay"]
    home = text_of((await client.get("/")).text)
    assert "1 onsite" in home and "2 offsite" in home
    await login(client, park.users["manager"])
    response = await api(client, "POST", "/api/leases", json=lease_body(park))
    assert response.status_code == 201, response.text
    assert response.json()["state"] == "active"
    assert await onsite_in_directory(client) == ["bamboo-home", "harbour-pay"]
    profile = (await client.get(f"/api/startups/{park.startups['bamboo-home']}")).json()
    assert profile["onsite"] is True
    figures = (await client.get("/api/centres/entrepreneurship")).json()["community"]
    assert figures == {"startups": 2, "onsite": 2, "offsite": 0}
    offsite = (await client.get("/api/startups?onsite=false")).json()["items"]
    assert [s["slug"] for s in offsite] == ["lantern-chain"]


@pytest.mark.parametrize(
    ("status", "starts", "ends"),
    [("draft", -10, 300), ("active", 10, 300), ("active", -400, -1), ("ended", -400, -30)],
    ids=["draft", "not-yet-started", "past", "ended"],
)
async def test_leases_not_in_force_today_do_not_make_a_startup_onsite(
    client, park, status, starts, ends
):
    await Lease.insert(
        Lease(
            unit=park.units["3F-02"],
            startup=park.startups["bamboo-home"],
            starts_on=TODAY + timedelta(days=starts),
            ends_on=TODAY + timedelta(days=ends),
            contract_ends_on=TODAY + timedelta(days=ends),
            monthly_rent_cents=100,
            status=status,
        )
    )
    assert await onsite_in_directory(client) == ["harbour-pay"]


async def test_an_overlapping_lease_is_refused_naming_the_unit_holder_and_end(client, park):
    await login(client, park.users["manager"])
    before = await Lease.count()
    response = await api(
        client, "POST", "/api/leases", json=lease_body(park, unit="3F-01", starts=50, ends=400)
    )
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert "3F-01" in detail and "Harbour Pay" in detail and day(100) in detail
    assert await Lease.count() == before
    # The day after the current lease ends is free.
    ok = await api(
        client, "POST", "/api/leases", json=lease_body(park, unit="3F-01", starts=101, ends=400)
    )
    assert ok.status_code == 201, ok.text


async def test_the_database_itself_refuses_overlapping_leases(park):
    from incubator.db import write_transaction

    with pytest.raises(Exception) as caught:
        async with write_transaction():
            await Lease.insert(
                Lease(
                    unit=park.units["3F-01"],
                    startup=park.startups["bamboo-home"],
                    starts_on=TODAY,
                    ends_on=TODAY + timedelta(days=10),
                    contract_ends_on=TODAY + timedelta(days=10),
                    monthly_rent_cents=1,
                    status="draft",
                )
            )
    assert "overlap" in str(caught.value) or "lease_no_overlap" in str(caught.value)
    assert await Lease.count() == 1


async def test_fifty_concurrent_requests_for_one_unit_and_period_make_one_lease(app, park):
    async with make_client(app) as manager:
        await login(manager, park.users["manager"])

        async def attempt(n: int) -> int:
            body = lease_body(park, startup=("bamboo-home", "lantern-chain")[n % 2])
            return (await api(manager, "POST", "/api/leases", json=body)).status_code

        statuses = await asyncio.gather(*(attempt(n) for n in range(50)))
    assert statuses.count(201) == 1 and statuses.count(409) == 49, statuses
    assert await Lease.count().where(Lease.unit == park.units["3F-02"]) == 1


async def test_fifty_concurrent_requests_across_three_worker_processes_make_one_lease(
    settings, park
):
    with running_server(settings.database_url, workers=3) as url:
        async with httpx.AsyncClient(base_url=url, timeout=60) as manager:
            await login(manager, park.users["manager"])

            async def attempt(n: int) -> int:
                # A fresh connection each time, so the kernel spreads them over the workers.
                async with httpx.AsyncClient(
                    base_url=url, cookies=manager.cookies, timeout=60
                ) as fresh:
                    body = lease_body(park, starts=30, ends=200)
                    return (await api(fresh, "POST", "/api/leases", json=body)).status_code

            statuses = await asyncio.gather(*(attempt(n) for n in range(50)))
    assert statuses.count(201) == 1 and statuses.count(409) == 49, statuses
    assert await Lease.count().where(Lease.unit == park.units["3F-02"]) == 1


async def test_draft_activate_notice_and_renewal_link_the_leases(client, park):
    await login(client, park.users["manager"])
    draft = await api(client, "POST", "/api/leases", json=lease_body(park, status="draft"))
    lease_id = draft.json()["id"]
    assert draft.json()["state"] == "draft"
    assert "bamboo-home" not in await onsite_in_directory(client)
    active = await api(client, "POST", f"/api/leases/{lease_id}/activate")
    assert active.status_code == 200 and active.json()["state"] == "active"
    assert "bamboo-home" in await onsite_in_directory(client)

    renewal = await api(
        client,
        "POST",
        f"/api/leases/{lease_id}/renew",
        json={"ends_on": day(364 + 730), "monthly_rent_cents": 22_000_00},
    )
    assert renewal.status_code == 201, renewal.text
    new = renewal.json()
    assert new["renewal_of"] == lease_id and new["starts_on"] == day(365)
    assert new["monthly_rent_cents"] == 22_000_00 and new["deposit_cents"] == 42_000_00
    assert new["state"] == "upcoming"
    old = (await api(client, "GET", f"/api/leases/{lease_id}")).json()
    assert old["renewed_by"] == new["id"]
    again = await api(client, "POST", f"/api/leases/{lease_id}/renew", json={"ends_on": day(900)})
    assert again.status_code == 409 and f"renewed by lease {new['id']}" in again.json()["detail"]

    notice = await api(client, "POST", f"/api/leases/{new['id']}/notice", json={})
    assert notice.status_code == 200 and notice.json()["status"] == "notice_given"
    assert notice.json()["notice_given_on"] == TODAY.isoformat()


async def test_early_termination_records_the_day_and_reason_and_frees_the_unit(client, park):
    lease_id = park.leases["harbour-pay"]
    await login(client, park.users["manager"])
    no_reason = await api(
        client,
        "POST",
        f"/api/leases/{lease_id}/terminate",
        json={"last_day": day(-1), "reason": ""},
    )
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["errors"]
    outside = await api(
        client,
        "POST",
        f"/api/leases/{lease_id}/terminate",
        json={"last_day": day(500), "reason": "Moving"},
    )
    assert outside.status_code == 422 and "last_day" in outside.json()["errors"]
    ended = await api(
        client,
        "POST",
        f"/api/leases/{lease_id}/terminate",
        json={"last_day": day(-1), "reason": "Moved to Shenzhen"},
    )
    assert ended.status_code == 200, ended.text
    body = ended.json()
    assert body["state"] == "ended" and body["terminated_on"] == day(-1)
    assert body["termination_reason"] == "Moved to Shenzhen"
    assert body["contract_ends_on"] == day(100) and body["ends_on"] == day(-1)
    assert await onsite_in_directory(client) == []
    relet = await api(client, "POST", "/api/leases", json=lease_body(park, unit="3F-01"))
    assert relet.status_code == 201, relet.text


async def test_termination_later_this_month_keeps_the_startup_onsite_until_then(client, park):
    lease_id = park.leases["harbour-pay"]
    await login(client, park.users["admin"])
    response = await api(
        client,
        "POST",
        f"/api/leases/{lease_id}/terminate",
        json={"last_day": day(20), "reason": "Downsizing"},
    )
    assert response.json()["state"] == "notice_given" and response.json()["ends_on"] == day(20)
    assert await onsite_in_directory(client) == ["harbour-pay"]


async def test_bad_lease_input_names_each_field_and_writes_nothing(client, park):
    await login(client, park.users["manager"])
    before = await Lease.count()
    response = await api(
        client,
        "POST",
        "/api/leases",
        json=lease_body(park, starts=10, ends=5, status="signed")
        | {"startup": "nobody-here", "monthly_rent_cents": -5},
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) >= {"startup", "ends_on", "monthly_rent", "status"}
    assert "nobody-here" in errors["startup"] and "on or after" in errors["ends_on"]
    bad_date = await api(
        client, "POST", "/api/leases", json=lease_body(park) | {"starts_on": "2026-02-30"}
    )
    assert bad_date.status_code == 400 and "starts_on" in bad_date.text
    assert await Lease.count() == before


async def test_discarding_a_draft_deletes_it_but_active_leases_stay(client, park):
    await login(client, park.users["manager"])
    draft = (await api(client, "POST", "/api/leases", json=lease_body(park, status="draft"))).json()
    assert (await api(client, "POST", f"/api/leases/{draft['id']}/discard")).status_code == 200
    assert not await Lease.exists().where(Lease.id == draft["id"])
    active = await api(client, "POST", f"/api/leases/{park.leases['harbour-pay']}/discard")
    assert active.status_code == 409
    assert await Lease.exists().where(Lease.id == park.leases["harbour-pay"])


@pytest.mark.parametrize(
    ("who", "sees"),
    [("member", True), ("other_member", False), ("partner", False), ("other_manager", False)],
)
async def test_a_startup_sees_its_own_leases_and_nobody_else_outside_its_centre(
    client, park, who, sees
):
    sid = park.startups["harbour-pay"]
    await login(client, park.users[who])
    lease = await api(client, "GET", f"/api/leases/{park.leases['harbour-pay']}")
    assert lease.status_code == (200 if sees else 404)
    page = await client.get(f"/startups/{sid}")
    assert ("Tenancy" in page.text and "3F-01" in page.text) is sees
    mine = (await api(client, "GET", "/api/leases")).json()["items"]
    assert bool(mine) is sees
    if sees:
        changed = await api(
            client, "POST", f"/api/leases/{park.leases['harbour-pay']}/notice", json={}
        )
        assert changed.status_code == 403


async def test_the_lease_register_exports_to_csv_with_formulas_neutralised(client, park):
    from incubator.startups.tables import Startup

    await Startup.update({Startup.name_en: '=HYPERLINK("http://evil","x")'}).where(
        Startup.id == park.startups["harbour-pay"]
    )
    await login(client, park.users["manager"])
    response = await client.get("/leases/export.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Lease", "Building", "Unit"]  # for people: labels, not keys
    assert len(rows) == 2
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["Start-up"].startswith("'=")
    assert record["Rent a month (HKD)"] == "27500" and record["State"] == "Active"
    client.cookies.set("lang", "zh-Hant")
    chinese = (await client.get("/leases/export.csv")).content.decode("utf-8-sig")
    assert chinese.splitlines()[0].startswith("租約,大樓,單位") and ",啟用," in chinese
    client.cookies.set("lang", "en")
    await login(client, park.users["other_manager"])
    assert len((await client.get("/leases/export.csv")).text.splitlines()) == 1
    await login(client, park.users["member"])
    assert (await client.get("/leases/export.csv")).status_code == 403


async def test_a_manager_leases_a_vacant_unit_through_the_forms(client, park):
    await login(client, park.users["manager"])
    form = await client.get(f"/leases/new?unit={park.units['3F-02']}")
    # No list of the park's start-ups in the page: the field asks the directory as one types.
    assert form.status_code == 200 and 'data-suggest="/api/startups"' in form.text
    assert '<datalist id="startup-names"></datalist>' in form.text
    bad = await post_form(
        client,
        "/leases/new",
        {
            "unit": park.units["3F-02"],
            "startup": "Nobody",
            "starts_on": day(0),
            "ends_on": day(-3),
            "monthly_rent": "twenty",
            "status": "active",
        },
    )
    assert bad.status_code == 422
    text = text_of(bad.text)
    assert "no start-up called Nobody" in text and "must be on or after the start date" in text
    assert "must be an amount in HKD" in text and 'value="Nobody"' in bad.text
    good = await post_form(
        client,
        "/leases/new",
        {
            "unit": park.units["3F-02"],
            "startup": "Bamboo Home (bamboo-home)",
            "starts_on": day(0),
            "ends_on": day(364),
            "monthly_rent": "21,000",
            "deposit": "42,000.50",
            "status": "active",
        },
    )
    assert good.status_code == 303, good.text
    lease = await Lease.select().where(Lease.unit == park.units["3F-02"]).first()
    assert lease["monthly_rent_cents"] == 21_000_00 and lease["deposit_cents"] == 42_000_50
    shown = text_of((await client.get(good.headers["location"])).text)
    assert "HK$21,000" in shown and "HK$42,000.50" in shown and "Active" in shown
    clash = await post_form(
        client,
        "/leases/new",
        {
            "unit": park.units["3F-02"],
            "startup": "lantern-chain",
            "starts_on": day(100),
            "ends_on": day(200),
            "monthly_rent": "1",
            "status": "draft",
        },
    )
    assert clash.status_code == 409 and "is leased to Bamboo Home" in text_of(clash.text)


def test_lease_state_reads_the_day():
    from centres.services.lease_register import lease_state

    row = {"status": "active", "starts_on": date(2026, 1, 1), "ends_on": date(2026, 12, 31)}
    assert lease_state(row, date(2025, 12, 31)) == "upcoming"
    assert lease_state(row, date(2026, 6, 1)) == "active"
    assert lease_state(row, date(2027, 1, 1)) == "ended"
    assert lease_state(row | {"status": "draft"}, date(2027, 1, 1)) == "draft"


async def test_the_lease_form_and_the_api_name_the_same_broken_rules(client, park):
    """One command read from a form or a JSON body: the same fields, the same rules."""
    await login(client, park.users["manager"])
    unit = park.units["3F-02"]
    starts, ends = day(10), day(5)
    from_api = await api(
        client,
        "POST",
        "/api/leases",
        json={
            "unit": unit,
            "startup": "nobody-here",
            "starts_on": starts,
            "ends_on": ends,
            "monthly_rent_cents": -100,
            "status": "signed",
        },
    )
    from_form = await post_form(
        client,
        "/leases/new",
        {
            "unit": unit,
            "startup": "nobody-here",
            "starts_on": starts,
            "ends_on": ends,
            "monthly_rent": "-1",
            "status": "signed",
        },
    )
    assert from_api.status_code == from_form.status_code == 422
    named = set(from_api.json()["errors"])
    assert named == {"startup", "ends_on", "monthly_rent", "status"}
    page = text_of(from_form.text)
    for rule in from_api.json()["errors"].values():
        if "cents" not in rule:  # the form reads HK$, and says so in its own words
            assert rule in page


async def test_the_new_lease_form_offers_the_managers_vacant_units_by_building(client, park):
    await login(client, park.users["manager"])
    form = await client.get("/leases/new")
    assert form.status_code == 200
    options = re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', form.text)
    offered = {int(value): text for value, text in options}
    assert '<optgroup label="Cyberport 1">' in form.text
    # 3F-02 is vacant and the manager's; 3F-01 is let; 5F-D01 is another centre's.
    assert offered[park.units["3F-02"]].startswith("3F-02 · Private office · 600 sq ft")
    assert park.units["3F-01"] not in offered and park.units["5F-D01"] not in offered
    missing = await post_form(client, "/leases/new", {"unit": "", "startup": "bamboo-home"})
    assert missing.status_code == 422 and 'id="unit-error"' in missing.text


async def test_the_new_lease_form_says_how_many_vacant_units_it_leaves_out(
    client, park, monkeypatch
):
    from centres import pages

    await login(client, park.users["manager"])
    for code in ("7F-20", "7F-21"):
        unit = {"building": "cyberport-1", "centre": "entrepreneurship", "code": code}
        unit |= {"floor": 7, "kind": "private_office", "area_sqft": 300, "list_rent_cents": 1}
        assert (await api(client, "POST", "/api/units", json=unit)).status_code == 201
    whole = await client.get("/leases/new")
    offered = re.findall(r'<option value="(\d+)"', whole.text)
    assert len(offered) == 3 and "space inventory" not in whole.text
    monkeypatch.setattr(pages, "VACANT_CHOICES", 1)
    cut = await client.get("/leases/new")
    assert len(re.findall(r'<option value="(\d+)"', cut.text)) == 1
    said = f"The first 1 of {len(offered)} vacant units of your centres"
    assert said in text_of(cut.text)
    assert '<a href="/space?state=vacant&amp;mine=1">Find another in the space inventory</a>' in (
        cut.text
    )
