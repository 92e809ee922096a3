"""Maker and checker: one person reviews a claim, another approves it; rejections and requests
for more evidence go back to the start-up with the reason; every step is recorded."""

import pytest

from incubator.auth.tables import User
from incubator.programmes.funding.tables import Claim, Grant
from tests.conftest import api, post_form, text_of
from tests.programmes.funding.conftest import PDF, claim, matching_grant


async def _claimed(people, park, spend: int = 10_000_00) -> tuple[dict, dict]:
    grant = await matching_grant(people["manager"], park)
    made = await claim(people["member"], grant["id"], spend_cents=spend)
    assert made.status_code == 201, made.text
    return grant, made.json()


async def test_the_reviewer_cannot_approve_their_own_review(people, park):
    _grant, made = await _claimed(people, park)
    url = f"/api/grants/claims/{made['id']}"
    reviewed = await api(people["manager"], "POST", f"{url}/review", json={"note": "Receipts ok"})
    assert reviewed.status_code == 200 and reviewed.json()["status"] == "reviewed"
    own = await api(people["manager"], "POST", f"{url}/approve", json={})
    assert own.status_code == 403
    assert own.json()["detail"] == "you reviewed this claim: another person must approve it"
    approved = await api(people["admin"], "POST", f"{url}/approve", json={"note": "Checked"})
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert body["status"] == "approved"
    assert (body["reviewed_by"], body["approved_by"]) == ("Manager", "Admin")
    assert [(s["step"], s["by"]) for s in body["steps"]] == [
        ("submitted", "Member"),
        ("reviewed", "Manager"),
        ("approved", "Admin"),
    ]


async def test_the_database_refuses_one_person_as_maker_and_checker(people, park):
    _grant, made = await _claimed(people, park)
    manager = await User.select(User.id).where(User.email == park.users["manager"]).first()
    await Claim.update({Claim.reviewed_by: manager["id"], Claim.status: "reviewed"}).where(
        Claim.id == made["id"]
    )
    with pytest.raises(Exception, match=r"other than its reviewer|grant_claim_maker_checker"):
        await Claim.update({Claim.approved_by: manager["id"]}).where(Claim.id == made["id"])


async def test_a_claim_is_approved_only_after_its_review(people, park):
    _grant, made = await _claimed(people, park)
    early = await api(people["admin"], "POST", f"/api/grants/claims/{made['id']}/approve", json={})
    assert early.status_code == 409
    assert early.json()["detail"] == "this claim is submitted: it cannot be approved"


async def test_the_review_sets_the_spend_the_evidence_supports(people, park):
    grant, made = await _claimed(people, park, spend=10_000_00)
    url = f"/api/grants/claims/{made['id']}/review"
    too_much = await api(people["manager"], "POST", url, json={"approved_spend_cents": 12_000_00})
    assert too_much.status_code == 422
    assert "at most the HK$10,000 claimed" in too_much.json()["errors"]["approved_spend_cents"]
    reviewed = await api(people["manager"], "POST", url, json={"approved_spend_cents": 6_000_00})
    assert reviewed.json()["amount_cents"] == 3_000_00
    held = await Grant.select(Grant.held_cents).where(Grant.id == grant["id"]).first()
    assert held["held_cents"] == 3_000_00  # the other HK$2,000 went back to the grant


async def test_a_rejection_gives_back_what_the_claim_held_and_says_why(people, park):
    grant, made = await _claimed(people, park)
    url = f"/api/grants/claims/{made['id']}/reject"
    silent = await api(people["manager"], "POST", url, json={"reason": ""})
    assert silent.status_code == 422
    assert silent.json()["errors"]["reason"] == "say why: the start-up reads it"
    rejected = await api(people["manager"], "POST", url, json={"reason": "Invoices are undated"})
    assert rejected.json()["status"] == "rejected"
    seen = await api(people["member"], "GET", f"/api/grants/claims/{made['id']}")
    assert seen.json()["reason"] == "Invoices are undated"
    held = await Grant.select(Grant.held_cents).where(Grant.id == grant["id"]).first()
    assert held["held_cents"] == 0


async def test_more_evidence_goes_back_to_the_start_up_and_returns_for_review(people, park):
    _grant, made = await _claimed(people, park)
    url = f"/api/grants/claims/{made['id']}"
    asked = await api(
        people["manager"], "POST", f"{url}/return", json={"reason": "Add the bank statement"}
    )
    assert asked.json()["status"] == "returned"
    empty = await api(
        people["member"],
        "POST",
        f"{url}/resubmit",
        data={"report": ""},
        files=[("evidence", ("", b""))],
    )
    assert empty.status_code == 422
    resent = await api(
        people["member"],
        "POST",
        f"{url}/resubmit",
        data={"report": "Bank statement attached"},
        files=[("evidence", ("statement.pdf", PDF))],
    )
    assert resent.status_code == 200, resent.text
    body = resent.json()
    assert body["status"] == "submitted"
    assert [e["filename"] for e in body["evidence"]] == ["receipt.pdf", "statement.pdf"]
    assert [(s["step"], s["note"]) for s in body["steps"]] == [
        ("submitted", ""),
        ("returned", "Add the bank statement"),
        ("resubmitted", "Bank statement attached"),
    ]


async def test_only_those_who_run_the_grant_review_it(people, park):
    _grant, made = await _claimed(people, park)
    url = f"/api/grants/claims/{made['id']}/review"
    assert (await api(people["member"], "POST", url, json={})).status_code == 403
    assert (await api(people["other_manager"], "POST", url, json={})).status_code == 404
    queue = await api(people["other_manager"], "GET", "/api/grants/claims")
    assert queue.json() == []
    mine = await api(people["manager"], "GET", "/api/grants/claims?status=submitted")
    assert [c["id"] for c in mine.json()] == [made["id"]]


async def test_the_start_up_hears_of_each_step_once_with_the_reason(people, park, settings):
    from datetime import timedelta

    from incubator.db import utcnow
    from incubator.reminders.services import engine
    from incubator.reminders.tables import ReminderLedger

    _grant, made = await _claimed(people, park)
    url = f"/api/grants/claims/{made['id']}"
    await api(people["manager"], "POST", f"{url}/return", json={"reason": "Add the contract"})
    later = utcnow() + timedelta(minutes=1)
    assert (await engine.sweep(settings, later))["claim_step"] == 2  # email and inbox
    assert (await engine.sweep(settings, later + timedelta(minutes=5)))["claim_step"] == 0
    rows = await ReminderLedger.select(ReminderLedger.title, ReminderLedger.body).where(
        ReminderLedger.source == "claim_step"
    )
    assert {(r["title"], r["body"]) for r in rows} == {
        (f"Claim {made['id']}: more evidence needed", "What is needed: Add the contract")
    }


async def test_a_returned_claim_asks_again_for_its_share_of_the_whole_spend(people, park):
    grant, made = await _claimed(people, park, spend=30_000_00)  # HK$15,000 asked
    url = f"/api/grants/claims/{made['id']}"
    await api(people["manager"], "POST", f"{url}/review", json={"approved_spend_cents": 20_000_00})
    await api(people["admin"], "POST", f"{url}/return", json={"reason": "Add the other invoice"})
    # Meanwhile another claim takes all but HK$3,000 of the HK$50,000 cap.
    other = await claim(people["member"], grant["id"], spend_cents=74_000_00)
    assert other.json()["amount_cents"] == 37_000_00
    resent = await api(
        people["member"],
        "POST",
        f"{url}/resubmit",
        data={"report": "The second invoice"},
        files=[("evidence", ("invoice.pdf", PDF))],
    )
    assert resent.status_code == 200, resent.text
    # HK$10,000 after the review, and the HK$3,000 left: not the whole HK$15,000.
    assert resent.json()["amount_cents"] == 13_000_00
    assert resent.json()["steps"][-1]["amount_cents"] == 13_000_00
    held = await Grant.select(Grant.held_cents).where(Grant.id == grant["id"]).first()
    assert held["held_cents"] == 50_000_00


async def test_the_checker_approves_several_claims_at_once_each_by_the_rules(people, park):
    grant = await matching_grant(people["manager"], park)
    ids = []
    for spend in (2_000_00, 4_000_00, 6_000_00):
        made = await claim(people["member"], grant["id"], spend_cents=spend)
        ids.append(made.json()["id"])
    by_manager, by_admin, waiting = ids
    await api(people["manager"], "POST", f"/api/grants/claims/{by_manager}/review", json={})
    await api(people["admin"], "POST", f"/api/grants/claims/{by_admin}/review", json={})
    url = "/api/grants/claims/approve"
    answer = await api(people["admin"], "POST", url, json={"claims": ids, "note": "Checked"})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "approved": [by_manager],
        "refused": {
            str(by_admin): "you reviewed this claim: another person must approve it",
            str(waiting): "this claim is submitted: it cannot be approved",
        },
    }
    rows = await Claim.select(Claim.id, Claim.status).where(Claim.id.is_in(ids))
    assert {r["id"]: r["status"] for r in rows} == {
        by_manager: "approved",
        by_admin: "reviewed",
        waiting: "submitted",
    }
    none = await api(people["admin"], "POST", url, json={"claims": []})
    assert none.status_code == 422 and none.json()["errors"]["claims"]
    beyond = await api(people["admin"], "POST", url, json={"claims": [2**40]})
    assert beyond.status_code == 422
    assert beyond.json()["errors"]["claims"] == "must be claims' ids, whole numbers from 1"
    member = await api(people["member"], "POST", url, json={"claims": [by_admin]})
    assert member.status_code == 403

    page = await people["manager"].get("/grants/claims?status=reviewed")
    assert 'name="claims"' in page.text and "Your review" not in page.text  # the admin's
    done = await post_form(people["manager"], "/grants/claims/approve", {"claims": str(by_admin)})
    assert done.status_code == 200
    shown = text_of(done.text)
    assert "1 claim approved." in shown and "No claims here." in shown
    # shown at /grants/claims/approve: its links lead back to the queue itself
    assert 'href="/grants/claims?status=submitted"' in done.text
    empty = await post_form(people["manager"], "/grants/claims/approve", {})
    assert empty.status_code == 422
    assert "choose the claims to approve" in text_of(empty.text)


async def test_managers_hear_each_morning_of_the_claims_waiting_on_them(people, park, settings):
    from datetime import timedelta

    from incubator.i18n import today_hk
    from incubator.reminders.services import engine
    from incubator.reminders.tables import ReminderLedger

    grant, made = await _claimed(people, park)
    await claim(people["member"], grant["id"], spend_cents=2_000_00)
    await api(people["manager"], "POST", f"/api/grants/claims/{made['id']}/review", json={})
    morning = engine.local_moment(today_hk(), settings.reminder_hour) + timedelta(minutes=1)
    assert (await engine.sweep(settings, morning))["claims_waiting"] == 2  # email and inbox
    assert (await engine.sweep(settings, morning + timedelta(minutes=5)))["claims_waiting"] == 0
    rows = await ReminderLedger.select(
        ReminderLedger.title, ReminderLedger.link, ReminderLedger.user
    ).where(ReminderLedger.source == "claims_waiting")
    manager = await User.select(User.id).where(User.email == park.users["manager"]).first()
    # The manager reviewed one of the two: it waits for someone else's approval.
    title = "Entrepreneurship Centre: claims waiting, 1 to review, 0 to approve"
    assert {(r["title"], r["link"], r["user"]) for r in rows} == {
        (title, "/grants/claims", manager["id"])
    }
    next_morning = morning + timedelta(days=1)
    assert (await engine.sweep(settings, next_morning))["claims_waiting"] == 2  # still waiting
