"""A grant's life after it is made: activated, amended (the terms before and after, and why,
kept as its history), completed or terminated."""

from __future__ import annotations

import json
from typing import Any

from incubator.auth.schemas import Viewer
from incubator.auth.services.audit import Action
from incubator.db import lock_row, utcnow, write_transaction
from incubator.errors import Conflict, ValidationFailed
from incubator.money import format_hkd
from incubator.programmes.funding.schemas import AmendmentIn, GrantOut
from incubator.programmes.funding.services.checks import lock_open_claims, reject_open_claims
from incubator.programmes.funding.services.grants import (
    audit_grant,
    get_grant,
    milestone_values,
    run_grant,
    terms_problems,
)
from incubator.programmes.funding.tables import HOLDING, Claim, Grant, GrantAmendment, Milestone

ACTIONS = {
    "active": Action.grant_activated,
    "completed": Action.grant_completed,
    "terminated": Action.grant_terminated,
}
MOVES = {
    "active": ("draft",),
    "completed": ("active",),
    "terminated": ("draft", "active"),
}


async def move_grant(viewer: Viewer, grant_id: int, status: str, reason: str = "") -> GrantOut:
    """Activate a draft, complete an active grant, or terminate one (with the reason, which
    the history keeps). A grant is completed once its claims are decided; a terminated grant
    takes no new claims and its undecided ones are rejected with the reason (approved claims
    are still paid)."""
    if status not in MOVES:
        raise ValidationFailed({"status": "must be one of active, completed, terminated"})
    if status == "terminated" and not reason.strip():
        raise ValidationFailed({"reason": "say why the grant is terminated"})
    await run_grant(viewer, grant_id, "change a grant")
    async with write_transaction():
        open_claims = await lock_open_claims(grant_id)
        row = await lock_row(Grant, grant_id, "id, status, version")
        assert row is not None
        if row["status"] not in MOVES[status]:
            raise Conflict(f"this grant is {row['status']}: it cannot become {status}")
        if status == "completed" and open_claims:
            raise Conflict(
                f"this grant has claims still being decided ({len(open_claims)}): approve, "
                "reject or wait for them before completing it"
            )
        await Grant.update(
            {Grant.status: status, Grant.updated_at: utcnow(), Grant.version: row["version"] + 1}
        ).where(Grant.id == grant_id)
        detail = {}
        if status == "terminated":
            detail = {"reason": reason.strip()}
            rejected = await reject_open_claims(viewer, grant_id, reason.strip())
            if rejected:
                detail["claims_rejected"] = rejected
        await audit_grant(viewer, ACTIONS[status], grant_id, detail)
        if status == "terminated":
            await GrantAmendment.insert(
                GrantAmendment(
                    grant=grant_id,
                    version=row["version"] + 1,
                    reason=reason.strip(),
                    before=json.dumps({"status": row["status"]}),
                    after=json.dumps({"status": status}),
                    changed_by=viewer.user_id,
                )
            )
    return await get_grant(viewer, grant_id)


def _terms(row: dict, milestones: list[dict]) -> dict[str, Any]:
    """A grant's terms as its history keeps them (money in cents, dates ISO)."""
    return {
        "total_cents": row["total_cents"],
        "starts_on": str(row["starts_on"]),
        "ends_on": str(row["ends_on"]),
        "notes": row["notes"],
        "milestones": [
            {
                "title_en": m["title_en"],
                "due_on": str(m["due_on"]),
                "tranche_cents": m["tranche_cents"],
            }
            for m in milestones
        ],
    }


async def amend_grant(viewer: Viewer, grant_id: int, data: AmendmentIn) -> GrantOut:
    """New terms for a draft or active grant. Milestones are matched by position: one that a
    claim holds keeps its tranche; the total never falls below what claims hold."""
    current = await run_grant(viewer, grant_id, "amend a grant")
    errors = terms_problems(
        current["kind"],
        data.total_cents,
        current["match_percent"],
        data.starts_on,
        data.ends_on,
        data.milestones,
    )
    if not data.reason.strip():
        errors["reason"] = "say why the grant changes: the history keeps it"
    if errors:
        raise ValidationFailed(errors)
    async with write_transaction():
        row = await lock_row(Grant, grant_id, "*")
        assert row is not None
        if row["status"] not in ("draft", "active"):
            raise Conflict(f"this grant is {row['status']}: its terms no longer change")
        if data.total_cents < row["held_cents"]:
            raise ValidationFailed(
                {
                    "total_cents": f"must be at least {format_hkd(row['held_cents'])}, "
                    "what its claims already hold"
                }
            )
        old = (
            await Milestone.select().where(Milestone.grant == grant_id).order_by(Milestone.position)
        )
        claimed = {
            c["milestone"]
            for c in await Claim.select(Claim.milestone).where(
                (Claim.grant == grant_id) & Claim.status.is_in(list(HOLDING))
            )
        }
        for n, m in enumerate(old, start=1):
            if m["id"] not in claimed:
                continue
            new = data.milestones[n - 1] if n <= len(data.milestones) else None
            if new is None or new.tranche_cents != m["tranche_cents"]:
                raise ValidationFailed(
                    {f"milestones.{n}.tranche_cents": "is claimed: it keeps its tranche"}
                )
        for n, m in enumerate(data.milestones, start=1):
            values = milestone_values(m, n)
            if n <= len(old):
                await Milestone.update({getattr(Milestone, k): v for k, v in values.items()}).where(
                    Milestone.id == old[n - 1]["id"]
                )
            else:
                await Milestone.insert(Milestone(grant=grant_id, **values))
        gone = [m["id"] for m in old[len(data.milestones) :]]
        if gone and await Claim.exists().where(Claim.milestone.is_in(gone)):
            raise ValidationFailed(
                {"milestones": "a milestone that has been claimed stays: keep its row"}
            )
        if gone:
            await Milestone.delete().where(Milestone.id.is_in(gone))
        changes = {
            Grant.total_cents: data.total_cents,
            Grant.starts_on: data.starts_on,
            Grant.ends_on: data.ends_on,
            Grant.notes: data.notes.strip(),
        }
        await Grant.update(
            changes | {Grant.updated_at: utcnow(), Grant.version: row["version"] + 1}
        ).where(Grant.id == grant_id)
        new_row = row | {c._meta.name: v for c, v in changes.items()}
        new_milestones = [milestone_values(m, n) for n, m in enumerate(data.milestones, 1)]
        await GrantAmendment.insert(
            GrantAmendment(
                grant=grant_id,
                version=row["version"] + 1,
                reason=data.reason.strip(),
                before=json.dumps(_terms(row, old)),
                after=json.dumps(_terms(new_row, new_milestones)),
                changed_by=viewer.user_id,
            )
        )
        await audit_grant(
            viewer,
            Action.grant_amended,
            grant_id,
            {"total": format_hkd(data.total_cents), "reason": data.reason.strip()},
        )
    return await get_grant(viewer, grant_id)
