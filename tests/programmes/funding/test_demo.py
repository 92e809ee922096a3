"""The demo park's funding: grants at every stage, claims at every step, money that adds up,
and a founder's demo login that has a grant to claim against."""

from __future__ import annotations

from incubator.demo.park import build_demo_park
from incubator.programmes.funding.tables import Claim, ClaimStep, Grant, PaymentBatch
from incubator.startups.tables import Startup, StartupMembership


async def test_the_demo_has_grants_at_every_stage_and_money_that_adds_up(settings):
    await build_demo_park(startups=400, seed=3)
    grants = await Grant.select()
    assert {g["status"] for g in grants} == {"draft", "active", "completed", "terminated"}
    assert {g["kind"] for g in grants} == {"milestones", "matching"}
    claims = await Claim.select()
    assert {c["status"] for c in claims} == {
        "submitted", "returned", "reviewed", "approved", "rejected", "paid",
    }  # fmt: skip
    for grant in grants:
        mine = [c for c in claims if c["grant"] == grant["id"]]
        holding = [c for c in mine if c["status"] != "rejected"]
        assert (
            grant["held_cents"] == sum(c["amount_cents"] for c in holding) <= grant["total_cents"]
        )
        paid = sum(c["amount_cents"] for c in mine if c["status"] == "paid")
        assert grant["paid_cents"] == paid
    assert all(c["reviewed_by"] != c["approved_by"] for c in claims if c["approved_by"])
    [batch] = await PaymentBatch.select()
    paid = [c for c in claims if c["status"] == "paid"]
    assert (batch["claims"], batch["total_cents"]) == (
        len(paid),
        sum(c["amount_cents"] for c in paid),
    )
    assert await ClaimStep.count().where(ClaimStep.step == "paid") == len(paid)
    # A founder with a demo login has a grant, and its profile the latest figures.
    members = {r["startup"] for r in await StartupMembership.select(StartupMembership.startup)}
    funded = [g for g in grants if g["startup"] in members and g["status"] == "active"]
    assert funded
    figures = await Startup.select(Startup.headcount).where(Startup.headcount.is_not_null())
    assert figures
