"""Grants: made for an admitted start-up by those who run the programme, with milestones whose
tranches add up to the total; amended with the history kept; seen only by the start-up and
those who run it."""

from incubator.programmes.funding.tables import GrantAmendment
from tests.conftest import api
from tests.programmes.funding.conftest import make_grant, milestones_body, programme_id


async def test_a_grant_is_made_with_milestones_and_activated(people, park):
    grant = await make_grant(people["manager"], milestones_body(park), active=False)
    assert grant["status"] == "draft"
    assert [m["title_en"] for m in grant["milestones"]] == ["Prototype", "First pilot"]
    assert grant["total_cents"] == 300_000_00 and grant["remaining_cents"] == 300_000_00
    activated = await api(people["manager"], "POST", f"/api/grants/{grant['id']}/activate")
    assert activated.status_code == 200 and activated.json()["status"] == "active"
    again = await api(people["manager"], "POST", f"/api/grants/{grant['id']}/activate")
    assert again.status_code == 409
    assert "this grant is active" in again.json()["detail"]


async def test_every_broken_term_is_named_by_its_field(people, park):
    body = milestones_body(
        park,
        programme=await programme_id(),
        total_cents=0,
        ends_on="2025-12-31",
        milestones=[{"title_en": " ", "due_on": "2030-01-01", "tranche_cents": -5}],
    )
    refused = await api(people["manager"], "POST", "/api/grants", json=body)
    assert refused.status_code == 422
    errors = refused.json()["errors"]
    assert errors["total_cents"].startswith("must be more than HK$0")
    assert errors["ends_on"] == "must be on or after the start"
    assert errors["milestones.1.title_en"] == "is required"
    assert errors["milestones.1.tranche_cents"] == "must be more than HK$0"
    assert errors["milestones.1.due_on"] == "must fall within the grant's dates"


async def test_tranches_must_add_up_to_the_total(people, park):
    body = milestones_body(park, programme=await programme_id(), total_cents=250_000_00)
    refused = await api(people["manager"], "POST", "/api/grants", json=body)
    assert refused.status_code == 422
    assert refused.json()["errors"]["milestones"] == (
        "the tranches add up to HK$300,000, not the total HK$250,000"
    )


async def test_only_a_start_up_admitted_to_the_programme_gets_a_grant(people, park):
    body = milestones_body(
        park, programme=await programme_id(), startup=park.startups["bamboo-home"]
    )
    refused = await api(people["manager"], "POST", "/api/grants", json=body)
    assert refused.status_code == 422
    assert refused.json()["errors"]["startup"] == "must be admitted to the programme first"


async def test_only_those_who_run_the_programme_make_grants(people, park):
    body = milestones_body(park, programme=await programme_id())
    for who in ("other_manager", "member", "partner"):
        refused = await api(people[who], "POST", "/api/grants", json=body)
        assert refused.status_code == 403, who


async def test_an_amendment_keeps_the_terms_before_and_after(people, park):
    grant = await make_grant(people["manager"], milestones_body(park))
    change = {
        "total_cents": 350_000_00,
        "starts_on": "2026-01-01",
        "ends_on": "2028-06-30",
        "milestones": [
            {"title_en": "Prototype", "due_on": "2026-06-30", "tranche_cents": 100_000_00},
            {"title_en": "First pilot", "due_on": "2027-06-30", "tranche_cents": 150_000_00},
            {"title_en": "Launch", "due_on": "2028-03-31", "tranche_cents": 100_000_00},
        ],
        "reason": "Board approved a third milestone",
    }
    unexplained = await api(
        people["manager"], "PUT", f"/api/grants/{grant['id']}", json=change | {"reason": ""}
    )
    assert unexplained.status_code == 422
    assert "reason" in unexplained.json()["errors"]
    amended = await api(people["manager"], "PUT", f"/api/grants/{grant['id']}", json=change)
    assert amended.status_code == 200, amended.text
    body = amended.json()
    assert body["total_cents"] == 350_000_00 and body["version"] == 3
    assert [m["title_en"] for m in body["milestones"]] == ["Prototype", "First pilot", "Launch"]
    (history,) = body["amendments"]
    assert history["reason"] == "Board approved a third milestone"
    assert history["before"]["total_cents"] == 300_000_00
    assert history["after"]["total_cents"] == 350_000_00
    assert len(history["after"]["milestones"]) == 3
    assert history["changed_by"] == park.users["manager"]
    assert await GrantAmendment.count() == 1


async def test_a_terminated_grant_says_why_and_takes_no_claims(people, park):
    grant = await make_grant(people["manager"], milestones_body(park))
    url = f"/api/grants/{grant['id']}/terminate"
    unexplained = await api(people["manager"], "POST", url, json={"reason": " "})
    assert unexplained.status_code == 422
    ended = await api(people["manager"], "POST", url, json={"reason": "The company closed"})
    assert ended.json()["status"] == "terminated"
    assert ended.json()["amendments"][-1]["reason"] == "The company closed"
    milestone = ended.json()["milestones"][0]["id"]
    from tests.programmes.funding.conftest import claim

    refused = await claim(people["member"], grant["id"], milestone=milestone)
    assert refused.status_code == 409
    assert refused.json()["detail"] == "this grant is terminated: it takes no claims"


async def test_a_grant_is_seen_by_its_start_up_and_those_who_run_it_only(people, park):
    grant = await make_grant(people["manager"], milestones_body(park))
    for who in ("member", "manager", "admin"):
        seen = await api(people[who], "GET", f"/api/grants/{grant['id']}")
        assert seen.status_code == 200, who
        listed = await api(people[who], "GET", "/api/grants")
        assert [g["id"] for g in listed.json()] == [grant["id"]], who
    for who in ("other_member", "other_manager", "partner"):
        hidden = await api(people[who], "GET", f"/api/grants/{grant['id']}")
        assert hidden.status_code == 404, who
        listed = await api(people[who], "GET", "/api/grants")
        assert listed.json() == [], who
