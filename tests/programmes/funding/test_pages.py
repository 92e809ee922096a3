"""The funding pages: a grant made and activated through its form, a claim with its evidence
through the grant's page, reviewed and approved by two people, batched, exported and paid;
broken rules shown beside their fields with nothing lost."""

from incubator.programmes.funding.tables import Claim, Grant
from tests.conftest import post_form, text_of
from tests.programmes.funding.conftest import PDF, programme_id


async def _grant_form(people, park, **extra) -> dict:
    return {
        "admission": f"{park.startups['harbour-pay']}:{await programme_id()}",
        "kind": "matching",
        "match_percent": "50",
        "total_cents": "50,000",
        "starts_on": "2026-01-01",
        "ends_on": "2027-12-31",
        "notes": "",
    } | extra


async def test_a_grant_goes_from_its_form_to_a_paid_claim(people, park):
    manager, member, admin = people["manager"], people["member"], people["admin"]
    form = await manager.get("/grants/new")
    assert form.status_code == 200
    assert "Harbour Pay · Cyberport Incubation Programme" in text_of(form.text)
    made = await post_form(manager, "/grants/new", await _grant_form(people, park))
    assert made.status_code == 303, made.text
    grant_url = made.headers["location"]
    again = await manager.get("/grants/new")  # it has a grant under the programme now
    assert "Harbour Pay · Cyberport Incubation Programme" not in text_of(again.text)
    activated = await post_form(manager, f"{grant_url}/status", {"status": "active"})
    assert activated.status_code == 303

    page = await member.get(grant_url)
    assert "Make a claim" in page.text and "HK$50,000" in text_of(page.text)
    await member.get(grant_url)
    claimed = await post_form(
        member,
        f"{grant_url}/claims",
        {"spend": "HK$30,000", "report": "A year of cloud hosting"},
        files=[("evidence", ("invoice.pdf", PDF))],
    )
    assert claimed.status_code == 303, claimed.text
    claim_url = claimed.headers["location"]
    shown = text_of((await member.get(claim_url)).text)
    assert "Waiting for review" in shown and "HK$15,000" in shown and "invoice.pdf" in shown

    await manager.get(claim_url)
    reviewed = await post_form(manager, f"{claim_url}/review", {"approved_spend": "28,000"})
    assert reviewed.status_code == 303
    own = text_of((await manager.get(claim_url)).text)
    assert "You reviewed this claim: another person approves it." in own
    await admin.get(claim_url)
    approved = await post_form(admin, f"{claim_url}/approve", {"note": ""})
    assert approved.status_code == 303

    payments = await admin.get("/grants/payments")
    assert "1 approved claim waits for payment: HK$14,000" in text_of(payments.text)
    batched = await post_form(admin, "/grants/payments", {})
    assert batched.status_code == 303
    listed = await admin.get("/grants/payments")
    batch = (await Claim.select(Claim.batch).first())["batch"]
    exported = await admin.get(f"/grants/payments/{batch}/export?format=csv")
    assert exported.status_code == 200 and "14000.00" in exported.text
    assert "Mark PB-" in listed.text
    paid = await post_form(admin, f"/grants/payments/{batch}/paid", {})
    assert paid.status_code == 303
    history = text_of((await member.get(claim_url)).text)
    for step in ("Claimed", "Reviewed", "Approved", "Added to a payment batch", "Paid"):
        assert step in history
    assert (await Grant.select(Grant.paid_cents).first())["paid_cents"] == 14_000_00
    trail = text_of((await admin.get("/admin/audit")).text)
    for entry in ("Grant made", "Grant activated", "Claim approved", "Payment batch made"):
        assert entry in trail, entry
    assert "Payment batch marked paid" in trail and "Harbour Pay: claim #" in trail


async def test_a_refused_grant_form_keeps_every_value_and_names_each_field(people, park):
    manager = people["manager"]
    await manager.get("/grants/new")
    sent = await _grant_form(
        people,
        park,
        kind="milestones",
        total_cents="300,000",
        **{
            "milestones.1.title_en": "Prototype",
            "milestones.1.due_on": "2026-06-30",
            "milestones.1.tranche_cents": "100,000",
            "milestones.2.title_en": "Pilot",
            "milestones.2.due_on": "2026-13-01",
            "milestones.2.tranche_cents": "lots",
        },
    )
    refused = await post_form(manager, "/grants/new", sent)
    assert refused.status_code == 422
    html = refused.text
    assert 'value="Prototype"' in html and 'value="Pilot"' in html and 'value="lots"' in html
    assert "must be an amount in HKD" in html
    assert "must be a date written YYYY-MM-DD" in html
    assert await Grant.count() == 0


async def test_a_claim_without_evidence_is_refused_beside_the_field(people, park):
    manager, member = people["manager"], people["member"]
    await manager.get("/grants/new")
    made = await post_form(manager, "/grants/new", await _grant_form(people, park))
    grant_url = made.headers["location"]
    await post_form(manager, f"{grant_url}/status", {"status": "active"})
    await member.get(grant_url)
    refused = await post_form(
        member,
        f"{grant_url}/claims",
        {"spend": "abc", "report": "Hosting"},
        files=[("evidence", ("", b""))],
    )
    assert refused.status_code == 422
    html = refused.text
    assert 'id="spend-error"' in html and 'id="evidence-error"' in html
    assert 'value="abc"' in html and "Hosting" in html
    assert await Claim.count() == 0


async def test_the_grant_pages_show_nothing_to_those_who_may_not_see_them(people, park):
    manager = people["manager"]
    await manager.get("/grants/new")
    made = await post_form(manager, "/grants/new", await _grant_form(people, park))
    grant_url = made.headers["location"]
    for who in ("other_member", "other_manager", "partner"):
        assert (await people[who].get(grant_url)).status_code == 404, who
    for who in ("member", "partner"):
        assert (await people[who].get("/grants/payments")).status_code == 403, who
    refused = await people["partner"].get("/grants")
    assert refused.status_code == 403
    assert "seen by start-ups' members and the park's staff" in refused.text.replace("&#39;", "'")
    assert (await people["member"].get("/grants/claims")).status_code == 403


async def test_the_grant_page_says_why_it_cannot_be_completed_yet(people, park):
    from tests.programmes.funding.conftest import claim, matching_grant

    grant = await matching_grant(people["manager"], park)
    assert (await claim(people["member"], grant["id"], spend_cents=4_000_00)).status_code == 201
    url = f"/grants/{grant['id']}"
    page = await people["manager"].get(url)
    assert "still being decided are rejected with this reason" in text_of(page.text)
    shown = text_of(page.text)
    assert "once its 1 claim still being decided is approved or rejected" in shown
    assert "Mark completed" not in shown  # the page offers no button that would be refused
    refused = await post_form(people["manager"], f"{url}/status", {"status": "completed"})
    assert refused.status_code == 409  # sent anyway (a stale page): the grant's page says why
    assert "this grant has claims still being decided (1)" in text_of(refused.text)
    assert "Terminate the grant" in refused.text
