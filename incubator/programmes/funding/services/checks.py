"""Maker and checker: a claim is reviewed by one of those who run its grant and approved by
another, never the same person (the database refuses it too). Either may reject it or send
it back for more evidence, with the reason the start-up reads. Every step is recorded."""

from __future__ import annotations

from incubator.auth.schemas import Viewer
from incubator.auth.services import audit
from incubator.auth.services.audit import Action
from incubator.db import is_postgres, lock_row, utcnow, write_transaction
from incubator.errors import Conflict, DomainError, Forbidden, ValidationFailed
from incubator.money import format_hkd
from incubator.programmes.funding import policy
from incubator.programmes.funding.schemas import ClaimOut, ReviewIn
from incubator.programmes.funding.services.claims import claim_row, get_claim, share_of, step
from incubator.programmes.funding.tables import OPEN_CLAIMS, Claim, Grant

# Where a claim may be sent back from, by where it goes.
FROM = {"rejected": ("submitted", "reviewed", "returned"), "returned": ("submitted", "reviewed")}


async def _run_claim(viewer: Viewer, claim_id: int, action: str) -> dict:
    row = await claim_row(viewer, claim_id)
    await policy.require_run(viewer, row["centre"], action)
    return row


async def _audit(
    viewer: Viewer, action: Action, claim_id: int, amount: int, reason: str = ""
) -> None:
    """A claim's decision in the audit trail, named by the claim and its start-up."""
    row = await Claim.select(Claim.startup.name_en).where(Claim.id == claim_id).first()
    detail = {"amount": format_hkd(amount)} | ({"reason": reason} if reason else {})
    await audit.record(viewer, action, f"{row['startup.name_en']}: claim #{claim_id}", detail)


async def _release(grant_id: int, cents: int) -> None:
    """Give back to the grant what a claim no longer holds (inside the claim's transaction)."""
    if cents:
        grant = await lock_row(Grant, grant_id, "id, held_cents")
        assert grant is not None
        await Grant.update(
            {Grant.held_cents: grant["held_cents"] - cents, Grant.updated_at: utcnow()}
        ).where(Grant.id == grant_id)


async def _locked(claim_id: int, allowed: tuple[str, ...], action: str) -> dict:
    current = await lock_row(Claim, claim_id, "*")
    assert current is not None
    if current["status"] not in allowed:
        raise Conflict(f"this claim is {current['status']}: it cannot be {action}")
    return current


async def review(viewer: Viewer, claim_id: int, data: ReviewIn) -> ClaimOut:
    """The maker's review: for a matching claim, the spend the evidence supports (the claim's
    amount becomes the grant's share of it, never more than it held)."""
    row = await _run_claim(viewer, claim_id, "review claims")
    grant = await Grant.select(Grant.kind, Grant.match_percent).where(Grant.id == row["grant"])
    kind, percent = grant[0]["kind"], grant[0]["match_percent"]
    approved_spend = None
    if kind == "matching":
        approved_spend = data.approved_spend_cents
        if approved_spend is None:
            approved_spend = row["spend_cents"]
        if not 0 < approved_spend <= row["spend_cents"]:
            raise ValidationFailed(
                {
                    "approved_spend_cents": "must be more than HK$0 and at most the "
                    f"{format_hkd(row['spend_cents'])} claimed"
                }
            )
    if len(data.note) > 2000:
        raise ValidationFailed({"note": "must be at most 2,000 characters"})
    async with write_transaction():
        current = await _locked(claim_id, ("submitted",), "reviewed")
        amount = current["amount_cents"]
        if approved_spend is not None:
            amount = min(amount, share_of(approved_spend, percent))
            await _release(current["grant"], current["amount_cents"] - amount)
        await Claim.update(
            {
                Claim.status: "reviewed",
                Claim.approved_spend_cents: approved_spend,
                Claim.amount_cents: amount,
                Claim.reviewed_by: viewer.user_id,
                Claim.reviewed_at: utcnow(),
                Claim.version: current["version"] + 1,
            }
        ).where(Claim.id == claim_id)
        await step(claim_id, "reviewed", viewer, data.note.strip(), amount)
    return await get_claim(viewer, claim_id)


async def approve(viewer: Viewer, claim_id: int, note: str = "") -> ClaimOut:
    """The checker's approval: someone other than the claim's reviewer."""
    await _approve(viewer, claim_id, note)
    return await get_claim(viewer, claim_id)


MOST_AT_ONCE = 100  # a page of the queue


async def approve_many(
    viewer: Viewer, claim_ids: list[int], note: str = ""
) -> tuple[list[int], dict[int, str]]:
    """The checker's approval of several reviewed claims, each on its own as if approved one
    at a time (its own transaction, every rule checked): those approved, and why each of the
    others was not (its reviewer, a claim no longer waiting, one not theirs to approve)."""
    if not (viewer.is_admin or viewer.is_manager):
        raise Forbidden("claims are approved by those who run their grants")
    ids = list(dict.fromkeys(claim_ids))
    if any(not 0 < i < 2**31 for i in ids):
        raise ValidationFailed({"claims": "must be claims' ids, whole numbers from 1"})
    if not ids:
        raise ValidationFailed({"claims": "choose the claims to approve"})
    if len(ids) > MOST_AT_ONCE:
        raise ValidationFailed({"claims": f"at most {MOST_AT_ONCE} claims at once"})
    approved, refused = [], {}
    for claim_id in ids:
        try:
            await _approve(viewer, claim_id, note)
        except DomainError as exc:
            refused[claim_id] = exc.message
        else:
            approved.append(claim_id)
    return approved, refused


async def _approve(viewer: Viewer, claim_id: int, note: str) -> None:
    await _run_claim(viewer, claim_id, "approve claims")
    async with write_transaction():
        current = await _locked(claim_id, ("reviewed",), "approved")
        if current["reviewed_by"] == viewer.user_id:
            raise Forbidden("you reviewed this claim: another person must approve it")
        await Claim.update(
            {
                Claim.status: "approved",
                Claim.approved_by: viewer.user_id,
                Claim.approved_at: utcnow(),
                Claim.version: current["version"] + 1,
            }
        ).where(Claim.id == claim_id)
        await step(claim_id, "approved", viewer, note.strip()[:2000], current["amount_cents"])
        await _audit(viewer, Action.claim_approved, claim_id, current["amount_cents"])


async def reject(viewer: Viewer, claim_id: int, reason: str) -> ClaimOut:
    """Refuse a claim, with the reason: what it held goes back to the grant."""
    return await _send_back(viewer, claim_id, reason, "rejected")


async def ask_for_evidence(viewer: Viewer, claim_id: int, reason: str) -> ClaimOut:
    """Send a claim back to the start-up for more evidence (what is needed, as the reason)."""
    return await _send_back(viewer, claim_id, reason, "returned")


async def _send_back(viewer: Viewer, claim_id: int, reason: str, status: str) -> ClaimOut:
    action = "reject claims" if status == "rejected" else "ask for more evidence"
    await _run_claim(viewer, claim_id, action)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed({"reason": "say why: the start-up reads it"})
    if len(reason) > 2000:
        raise ValidationFailed({"reason": "must be at most 2,000 characters"})
    allowed = FROM[status]
    async with write_transaction():
        current = await _locked(claim_id, allowed, status)
        if status == "rejected":
            await _release(current["grant"], current["amount_cents"])
        await Claim.update(
            {
                Claim.status: status,
                Claim.reason: reason,
                # A returned claim is reviewed afresh when it comes back.
                Claim.reviewed_by: None,
                Claim.reviewed_at: None,
                Claim.version: current["version"] + 1,
            }
        ).where(Claim.id == claim_id)
        await step(claim_id, status, viewer, reason)
        if status == "rejected":
            await _audit(viewer, Action.claim_rejected, claim_id, current["amount_cents"], reason)
    return await get_claim(viewer, claim_id)


async def lock_open_claims(grant_id: int) -> list[dict]:
    """Inside write_transaction(): a grant's claims still being decided, held until the
    transaction ends. Taken before the grant's own lock, in the order a review takes them
    (the claim, then its grant), so that ending a grant and reviewing its claim cannot wait
    on each other."""
    lock = " ORDER BY id FOR UPDATE" if is_postgres() else " ORDER BY id"
    marks = ", ".join("{}" for _ in OPEN_CLAIMS)
    return await Claim.raw(
        f'SELECT id, amount_cents, version FROM "{Claim._meta.tablename}" '
        f'WHERE "grant" = {{}} AND status IN ({marks}){lock}',
        grant_id,
        *OPEN_CLAIMS,
    )


async def reject_open_claims(viewer: Viewer, grant_id: int, reason: str) -> int:
    """A terminated grant's undecided claims, rejected with the termination's reason (the
    start-up hears of each); what they held goes back to the grant. Approved claims stay:
    the park owes them. Inside the termination's transaction, after the grant's lock.
    Returns how many were rejected."""
    claims = await lock_open_claims(grant_id)  # again: one may have come in meanwhile
    why = f"the grant was terminated: {reason}"
    for claim in claims:
        await Claim.update(
            {
                Claim.status: "rejected",
                Claim.reason: why,
                Claim.reviewed_by: None,
                Claim.reviewed_at: None,
                Claim.version: claim["version"] + 1,
            }
        ).where(Claim.id == claim["id"])
        await step(claim["id"], "rejected", viewer, why)
    await _release(grant_id, sum(claim["amount_cents"] for claim in claims))
    return len(claims)
