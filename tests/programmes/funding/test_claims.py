"""Claims: a milestone report claims its tranche, a matching claim half its spend; evidence is
checked by what it holds; the SME's cap holds across all its claims, however many arrive at
once."""

import asyncio

from incubator.programmes.funding.tables import Claim, Grant
from tests.conftest import api
from tests.programmes.funding.conftest import (
    PDF,
    PNG,
    claim,
    make_grant,
    matching_grant,
    milestones_body,
)


async def test_a_matching_claim_holds_half_the_spend(people, park):
    grant = await matching_grant(people["manager"], park)
    made = await claim(people["member"], grant["id"], spend_cents=12_000_00)
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["status"], body["spend_cents"], body["amount_cents"]) == (
        "submitted",
        12_000_00,
        6_000_00,
    )
    assert [e["filename"] for e in body["evidence"]] == ["receipt.pdf"]
    assert [s["step"] for s in body["steps"]] == ["submitted"]
    seen = await api(people["member"], "GET", f"/api/grants/{grant['id']}")
    assert seen.json()["held_cents"] == 6_000_00
    assert seen.json()["remaining_cents"] == 44_000_00


async def test_the_last_claim_under_the_cap_is_paid_only_what_is_left(people, park):
    grant = await matching_grant(people["manager"], park, cap_cents=10_000_00)
    first = await claim(people["member"], grant["id"], spend_cents=16_000_00)
    assert first.json()["amount_cents"] == 8_000_00
    second = await claim(people["member"], grant["id"], spend_cents=16_000_00)
    assert second.json()["amount_cents"] == 2_000_00
    assert second.json()["steps"][0]["note"] == "capped: HK$2,000 of the grant was left"
    third = await claim(people["member"], grant["id"], spend_cents=1_000_00)
    assert third.status_code == 409
    assert third.json()["detail"] == "this grant's HK$10,000 is fully claimed"


async def test_twenty_claims_at_once_never_pass_the_cap(people, park):
    grant = await matching_grant(people["manager"], park, cap_cents=50_000_00)

    async def one(n: int):
        return await claim(people["member"], grant["id"], spend_cents=8_000_00)

    answers = await asyncio.gather(*(one(n) for n in range(20)))
    codes = [a.status_code for a in answers]
    assert set(codes) <= {201, 409}, [a.text for a in answers if a.status_code not in (201, 409)]
    # 12 claims of HK$4,000, one of the HK$2,000 left, and 7 refused.
    assert codes.count(201) == 13 and codes.count(409) == 7
    amounts = sorted(a.json()["amount_cents"] for a in answers if a.status_code == 201)
    assert amounts == [2_000_00] + [4_000_00] * 12
    held = await Grant.select(Grant.held_cents).where(Grant.id == grant["id"]).first()
    rows = await Claim.select(Claim.amount_cents).where(Claim.grant == grant["id"])
    assert held["held_cents"] == sum(r["amount_cents"] for r in rows) == 50_000_00


async def test_a_milestone_report_claims_its_tranche_once(people, park):
    grant = await make_grant(people["manager"], milestones_body(park))
    first = grant["milestones"][0]["id"]
    made = await claim(people["member"], grant["id"], milestone=first)
    assert made.status_code == 201, made.text
    assert made.json()["amount_cents"] == 100_000_00
    assert made.json()["milestone_en"] == "Prototype"
    again = await claim(people["member"], grant["id"], milestone=first)
    assert again.status_code == 409
    assert again.json()["detail"] == "milestone 1 is already claimed"
    shown = await api(people["member"], "GET", f"/api/grants/{grant['id']}")
    assert shown.json()["milestones"][0]["claim_status"] == "submitted"


async def test_evidence_is_checked_by_what_it_holds_and_nothing_is_kept_if_refused(people, park):
    grant = await matching_grant(people["manager"], park)
    disguised = await claim(
        people["member"],
        grant["id"],
        files=[("invoice.pdf", b"MZ\x90\x00 this is a program, not a PDF")],
        spend_cents=1_000_00,
    )
    assert disguised.status_code == 422
    assert "invoice.pdf must be a PDF, PNG or JPEG file" in disguised.json()["errors"]["evidence"]
    # What a browser sends when no file was chosen: a part with no name and nothing in it.
    none = await claim(people["member"], grant["id"], files=[("", b"")], spend_cents=1_000_00)
    assert none.status_code == 422
    assert none.json()["errors"]["evidence"].startswith("attach the invoices")
    blank = await claim(people["member"], grant["id"], spend_cents="", report="")
    assert blank.status_code == 422
    assert set(blank.json()["errors"]) >= {"report", "spend_cents"}
    assert await Claim.count() == 0
    held = await Grant.select(Grant.held_cents).where(Grant.id == grant["id"]).first()
    assert held["held_cents"] == 0


async def test_evidence_downloads_to_those_who_see_the_claim_only(people, park):
    grant = await matching_grant(people["manager"], park)
    made = await claim(
        people["member"],
        grant["id"],
        files=[("../../receipt 1.png", PNG), ("發票.pdf", PDF)],
        spend_cents=2_000_00,
    )
    body = made.json()
    assert [e["filename"] for e in body["evidence"]] == ["receipt 1.png", "發票.pdf"]
    url = f"/api/grants/claims/{body['id']}/evidence/{body['evidence'][1]['id']}"
    for who in ("member", "manager", "admin"):
        got = await api(people[who], "GET", url)
        assert got.status_code == 200 and got.content == PDF, who
        assert got.headers["content-disposition"].startswith("attachment;")
    for who in ("other_member", "other_manager", "partner"):
        assert (await api(people[who], "GET", url)).status_code == 404, who


async def test_only_the_start_up_s_members_claim(people, park):
    grant = await matching_grant(people["manager"], park)
    by_manager = await claim(people["manager"], grant["id"], spend_cents=1_000_00)
    assert by_manager.status_code == 403
    by_stranger = await claim(people["other_member"], grant["id"], spend_cents=1_000_00)
    assert by_stranger.status_code == 404


async def test_the_queue_narrows_to_a_programme_and_a_start_up_or_claim_number(people, park):
    from incubator.startups.tables import Programme
    from tests.conftest import text_of

    grant = await matching_grant(people["manager"], park)
    first = (await claim(people["member"], grant["id"], spend_cents=2_000_00)).json()["id"]
    second = (await claim(people["member"], grant["id"], spend_cents=4_000_00)).json()["id"]
    other = (
        await Programme.insert(
            Programme(slug="smart-living", name_en="Smart Living Fund")
        ).returning(Programme.id)
    )[0]
    manager = people["manager"]

    async def ids(**query) -> list[int]:
        answer = await api(manager, "GET", "/api/grants/claims", params=query)
        assert answer.status_code == 200, answer.text
        return [c["id"] for c in answer.json()]

    assert await ids() == [first, second]  # the longest waiting first
    assert await ids(programme=grant["programme"]) == [first, second]
    assert await ids(programme=other["id"]) == []
    assert await ids(q="harbour") == [first, second]
    assert await ids(q=f"#{second}") == [second]
    assert await ids(q="Lantern") == []
    refused = await api(manager, "GET", "/api/grants/claims", params={"programme": "x"})
    assert refused.status_code == 400 and "programme" in refused.json()["errors"]
    unknown = await api(manager, "GET", "/api/grants/claims", params={"status": "nope"})
    assert unknown.status_code == 400 and "status" in unknown.json()["errors"]
    grants = await api(manager, "GET", "/api/grants", params={"q": "HARBOUR"})
    assert [g["id"] for g in grants.json()] == [grant["id"]]
    none = await api(manager, "GET", "/api/grants", params={"programme": other["id"]})
    assert none.json() == []

    page = await manager.get("/grants/claims", params={"q": str(first)})
    shown = text_of(page.text)
    assert f"Claim {first}" in shown and f"Claim {second}" not in shown
    assert "Cyberport Incubation Programme" in shown  # the programme column, and its filter
    empty = await manager.get("/grants/claims", params={"programme": other["id"]})
    assert "No claims here match the filters." in text_of(empty.text)
    tabs = await manager.get("/grants/claims", params={"q": "harbour", "status": "reviewed"})
    assert 'href="/grants/claims?status=paid&amp;q=harbour"' in tabs.text  # keep the search
