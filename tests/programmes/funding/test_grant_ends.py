"""How a grant ends: it is completed once its claims are decided; when it is terminated its
undecided claims are rejected with the reason (what they held goes back to the grant) and
its approved claims are still paid."""

import asyncio

import httpx
import pytest

from incubator.auth.tables import AuditEntry
from incubator.db import lock_row, write_transaction
from incubator.programmes.funding.tables import Claim, Grant
from tests.conftest import api
from tests.programmes.funding.conftest import claim, matching_grant


async def _claims(people, grant_id: int, *spends: int) -> list[int]:
    ids = []
    for spend in spends:
        made = await claim(people["member"], grant_id, spend_cents=spend)
        assert made.status_code == 201, made.text
        ids.append(made.json()["id"])
    return ids


async def _until_a_request_waits_for_a_lock() -> None:
    """Inside a PostgreSQL transaction: wait until another connection of this database waits
    for a row lock (the request started beside the test has reached it)."""
    for _ in range(200):
        # Within a transaction PostgreSQL keeps the first view of its activity: drop it.
        await Claim.raw("SELECT pg_stat_clear_snapshot()")
        waiting = await Claim.raw(
            "SELECT COUNT(*) AS n FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        if waiting[0]["n"]:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("no request came to wait for the lock within 10 s")


async def _approved(people, claim_id: int) -> None:
    url = f"/api/grants/claims/{claim_id}"
    assert (await api(people["manager"], "POST", f"{url}/review", json={})).status_code == 200
    assert (await api(people["admin"], "POST", f"{url}/approve", json={})).status_code == 200


async def test_a_grant_with_claims_still_being_decided_is_not_completed(people, park):
    grant = await matching_grant(people["manager"], park)
    waiting, approved = await _claims(people, grant["id"], 4_000_00, 6_000_00)
    await _approved(people, approved)
    url = f"/api/grants/{grant['id']}/complete"
    early = await api(people["manager"], "POST", url)
    assert early.status_code == 409
    assert early.json()["detail"] == (
        "this grant has claims still being decided (1): approve, reject or wait for them "
        "before completing it"
    )
    status = await Grant.select(Grant.status).where(Grant.id == grant["id"]).first()
    assert status["status"] == "active"  # nothing changed
    rejected = await api(
        people["manager"],
        "POST",
        f"/api/grants/claims/{waiting}/reject",
        json={"reason": "Duplicate of an earlier claim"},
    )
    assert rejected.status_code == 200
    done = await api(people["manager"], "POST", url)
    assert done.status_code == 200 and done.json()["status"] == "completed"


async def test_terminating_a_grant_rejects_its_undecided_claims_and_keeps_approved_ones(
    people, park
):
    grant = await matching_grant(people["manager"], park)
    submitted, reviewed, returned, approved = await _claims(
        people, grant["id"], 2_000_00, 4_000_00, 6_000_00, 8_000_00
    )
    base = "/api/grants/claims"
    await api(people["manager"], "POST", f"{base}/{reviewed}/review", json={})
    await api(people["manager"], "POST", f"{base}/{returned}/return", json={"reason": "Stamp"})
    await _approved(people, approved)

    ended = await api(
        people["manager"],
        "POST",
        f"/api/grants/{grant['id']}/terminate",
        json={"reason": "The company was dissolved"},
    )
    assert ended.status_code == 200, ended.text
    rows = await Claim.select(Claim.id, Claim.status, Claim.reason).where(
        Claim.grant == grant["id"]
    )
    by_id = {r["id"]: (r["status"], r["reason"]) for r in rows}
    why = "the grant was terminated: The company was dissolved"
    assert by_id == {
        submitted: ("rejected", why),
        reviewed: ("rejected", why),
        returned: ("rejected", why),
        approved: ("approved", ""),
    }
    held = await Grant.select(Grant.held_cents).where(Grant.id == grant["id"]).first()
    assert held["held_cents"] == 4_000_00  # only the approved claim's half of HK$8,000
    seen = await api(people["member"], "GET", f"{base}/{returned}")
    assert seen.json()["steps"][-1] == seen.json()["steps"][-1] | {
        "step": "rejected",
        "note": why,
        "by": "Manager",
    }
    entry = (
        await AuditEntry.select(AuditEntry.detail)
        .where(AuditEntry.action == "grant_terminated")
        .first()
    )
    assert '"claims_rejected":3' in entry["detail"]


@pytest.mark.one_engine("postgres")  # SQLite's single writer never interleaves the two
async def test_ending_a_grant_waits_for_a_review_holding_its_claim(people, park):
    """A review locks the claim, then its grant (to give back what the review lowered). Ending
    the grant takes its undecided claims before the grant, so it waits for the review instead
    of holding the grant the review needs (PostgreSQL would abort one of them, a deadlock)."""
    grant = await matching_grant(people["manager"], park)
    (made,) = await _claims(people, grant["id"], 4_000_00)
    go = asyncio.Event()

    async def end() -> httpx.Response:
        await go.wait()
        return await api(
            people["admin"],
            "POST",
            f"/api/grants/{grant['id']}/terminate",
            json={"reason": "Programme closed"},
        )

    ending = asyncio.create_task(end())  # made outside the review's transaction
    async with write_transaction():  # a review, between its two locks
        await lock_row(Claim, made)
        go.set()
        await _until_a_request_waits_for_a_lock()  # the termination, on the claim
        await lock_row(Grant, grant["id"])
        await Claim.update({Claim.status: "reviewed"}).where(Claim.id == made)
    ended = await ending
    assert ended.status_code == 200, ended.text
    final = await Claim.select(Claim.status, Claim.reason).where(Claim.id == made).first()
    assert final == {"status": "rejected", "reason": "the grant was terminated: Programme closed"}
    held = await Grant.select(Grant.held_cents).where(Grant.id == grant["id"]).first()
    assert held["held_cents"] == 0


@pytest.mark.one_engine("postgres")  # SQLite's single writer never deadlocks
async def test_a_request_the_database_deadlocks_answers_503_and_saves_nothing(people, park):
    """Whatever the lock order, PostgreSQL may still abort a transaction for another (a
    deadlock, a serialisation failure): the caller is told to try again, not shown a 500.
    Here another transaction holds the grant and then wants the claim a review has locked."""
    grant = await matching_grant(people["manager"], park)
    (made,) = await _claims(people, grant["id"], 4_000_00)
    go = asyncio.Event()

    async def review() -> httpx.Response:
        await go.wait()
        return await api(
            people["manager"],
            "POST",
            f"/api/grants/claims/{made}/review",
            json={"approved_spend_cents": 2_000_00},  # gives part back: locks the grant
        )

    reviewing = asyncio.create_task(review())  # made outside the other transaction
    async with write_transaction():
        # This side waits longest before it looks for a deadlock: the review is the one aborted.
        await Grant.raw("SET LOCAL deadlock_timeout = '30s'")
        await lock_row(Grant, grant["id"])
        go.set()
        await _until_a_request_waits_for_a_lock()  # the review, holding its claim
        await lock_row(Claim, made)
    answer = await reviewing
    assert answer.status_code == 503, answer.text
    assert answer.headers["retry-after"] == "1"
    assert answer.json()["detail"] == (
        "the database set this change aside for another made at the same moment; nothing was "
        "saved: try again"
    )
    row = await Claim.select(Claim.status, Claim.amount_cents).where(Claim.id == made).first()
    assert row == {"status": "submitted", "amount_cents": 2_000_00}
    again = await api(
        people["manager"],
        "POST",
        f"/api/grants/claims/{made}/review",
        json={"approved_spend_cents": 2_000_00},
    )
    assert again.status_code == 200 and again.json()["amount_cents"] == 1_000_00


async def test_a_rejection_by_termination_reads_in_the_start_up_s_language(people, park):
    grant = await matching_grant(people["manager"], park)
    (made,) = await _claims(people, grant["id"], 4_000_00)
    await api(
        people["manager"],
        "POST",
        f"/api/grants/{grant['id']}/terminate",
        json={"reason": "公司已解散"},
    )
    member = people["member"]
    member.cookies.set("lang", "zh-Hant")
    page = await member.get(f"/grants/claims/{made}")
    assert "資助已終止：公司已解散" in page.text
    assert "the grant was terminated" not in page.text
