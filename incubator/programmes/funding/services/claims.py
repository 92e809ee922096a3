"""Claims on a grant: a milestone report (its tranche) or a matching claim (the grant's share
of the spend), each with its evidence. What a claim will be paid is held against the grant
in the claim's own transaction, with the grant's row locked, so concurrent claims never hold
more than the grant's total (and the database refuses a row that would)."""

from __future__ import annotations

import hashlib

import msgspec

from incubator.auth.schemas import Viewer
from incubator.db import in_order, lock_row, utcnow, write_transaction
from incubator.errors import Conflict, Forbidden, NotFound, ValidationFailed
from incubator.money import format_hkd
from incubator.programmes.funding import policy
from incubator.programmes.funding.schemas import ClaimIn, ClaimOut, ClaimRow
from incubator.programmes.funding.services.grants import MOST_CENTS, grant_row, named
from incubator.programmes.funding.tables import (
    HOLDING,
    Claim,
    ClaimEvidence,
    ClaimStep,
    Grant,
    Milestone,
)
from incubator.programmes.services.files import (
    KINDS_RULE,
    StoredFile,
    content_type_of,
    safe_filename,
)
from incubator.startups.policy import manager_centre_ids, require_login

Upload = tuple[str, bytes]  # a file's name and what it holds
MOST_FILES = 10
PER_PAGE = 100


def share_of(spend_cents: int, percent: int) -> int:
    """The grant's share of a spend, in whole cents (rounded down)."""
    return spend_cents * percent // 100


def evidence_problems(files: list[Upload], limit: int, needed: bool) -> dict[str, str]:
    files = [(name, data) for name, data in files if data]
    if needed and not files:
        return {"evidence": "attach the invoices, receipts or report that support the claim"}
    if len(files) > MOST_FILES:
        return {"evidence": f"at most {MOST_FILES} files a claim"}
    for name, data in files:
        if len(data) > limit:
            return {
                "evidence": f"{safe_filename(name)} must be at most {limit / 1024 / 1024:.0f} MB"
            }
        if content_type_of(data) is None:
            return {"evidence": f"{safe_filename(name)} {KINDS_RULE}"}
    return {}


async def _keep_evidence(viewer: Viewer, claim_id: int, files: list[Upload]) -> None:
    for name, data in files:
        if not data:
            continue
        await ClaimEvidence.insert(
            ClaimEvidence(
                claim=claim_id,
                filename=safe_filename(name),
                content_type=content_type_of(data),
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                data=data,
                uploaded_by=viewer.user_id,
            )
        )


async def step(
    claim_id: int, name: str, viewer: Viewer, note: str = "", amount: int | None = None
) -> None:
    await ClaimStep.insert(
        ClaimStep(claim=claim_id, step=name, by=viewer.user_id, note=note, amount_cents=amount)
    )


async def submit_claim(
    viewer: Viewer, grant_id: int, data: ClaimIn, files: list[Upload], limit: int
) -> ClaimOut:
    """A start-up's claim on its active grant, with its evidence."""
    require_login(viewer)
    grant = await grant_row(grant_id)
    if not await policy.applies_for(viewer, grant["startup"]):
        if await policy.runs_centre(viewer, grant["centre"]):
            raise Forbidden("claims are made by the start-up's members")
        raise NotFound(f"there is no grant {grant_id}")
    errors: dict[str, str] = {}
    if not data.report.strip():
        errors["report"] = "say what the claim is for: what was delivered or bought"
    elif len(data.report) > 5000:
        errors["report"] = "must be at most 5,000 characters"
    milestone = None
    if grant["kind"] == "matching":
        if data.milestone is not None:
            errors["milestone"] = "a matching grant pays against spend, not milestones"
        if not 0 < data.spend_cents <= MOST_CENTS:
            errors["spend_cents"] = "must be more than HK$0 and at most HK$20,000,000"
    else:
        milestone = (
            await Milestone.select()
            .where((Milestone.id == (data.milestone or 0)) & (Milestone.grant == grant_id))
            .first()
        )
        if milestone is None:
            errors["milestone"] = "choose one of this grant's milestones"
    errors |= evidence_problems(files, limit, needed=True)
    if errors:
        raise ValidationFailed(errors)
    async with write_transaction():
        locked = await lock_row(Grant, grant_id, "id, status, total_cents, held_cents")
        assert locked is not None
        if locked["status"] != "active":
            raise Conflict(f"this grant is {locked['status']}: it takes no claims")
        remaining = locked["total_cents"] - locked["held_cents"]
        note = ""
        if milestone is not None:
            # Read again under the grant's lock: an amendment may have changed it meanwhile.
            milestone = await Milestone.select().where(Milestone.id == milestone["id"]).first()
            if milestone is None:
                raise Conflict("the grant's milestones changed meanwhile: choose one again")
            if await Claim.exists().where(
                (Claim.milestone == milestone["id"]) & Claim.status.is_in(list(HOLDING))
            ):
                raise Conflict(f"milestone {milestone['position']} is already claimed")
            amount = milestone["tranche_cents"]
        else:
            share = share_of(data.spend_cents, grant["match_percent"])
            if remaining <= 0:
                raise Conflict(f"this grant's {format_hkd(locked['total_cents'])} is fully claimed")
            amount = min(share, remaining)
            if amount < share:
                left = format_hkd(remaining)
                note = f"capped: {left} of the grant was left"
        await Grant.update(
            {Grant.held_cents: locked["held_cents"] + amount, Grant.updated_at: utcnow()}
        ).where(Grant.id == grant_id)
        claim = (
            await Claim.insert(
                Claim(
                    grant=grant_id,
                    startup=grant["startup"],
                    centre=grant["centre"],
                    milestone=milestone["id"] if milestone else None,
                    report=data.report.strip(),
                    spend_cents=data.spend_cents if milestone is None else 0,
                    amount_cents=amount,
                    submitted_by=viewer.user_id,
                )
            ).returning(Claim.id)
        )[0]["id"]
        await _keep_evidence(viewer, claim, files)
        await step(claim, "submitted", viewer, note, amount)
    return await get_claim(viewer, claim)


async def claim_row(viewer: Viewer, claim_id: int) -> dict:
    """The claim, to those who may see it (to anyone else it does not exist)."""
    require_login(viewer)
    row = await Claim.select().where(Claim.id == claim_id).first()
    if row is None or not await policy.may_see(viewer, row["startup"], row["centre"]):
        raise NotFound(f"there is no claim {claim_id}")
    return row


async def resubmit(viewer: Viewer, claim_id: int, report: str, files: list[Upload], limit: int):
    """A returned claim back for review, with the evidence asked for."""
    row = await claim_row(viewer, claim_id)
    if not await policy.applies_for(viewer, row["startup"]):
        raise Forbidden("claims are sent back by the start-up's members")
    errors = evidence_problems(files, limit, needed=True)
    if len(report) > 5000:
        errors["report"] = "must be at most 5,000 characters"
    if errors:
        raise ValidationFailed(errors)
    async with write_transaction():
        current = await lock_row(
            Claim, claim_id, 'id, "grant", status, version, amount_cents, spend_cents'
        )
        assert current is not None
        if current["status"] != "returned":
            raise Conflict(f"this claim is {current['status']}: only a returned claim is resent")
        changes = {Claim.status: "submitted", Claim.version: current["version"] + 1}
        if report.strip():
            changes[Claim.report] = report.strip()
        amount = await _claim_again(current)
        changes[Claim.amount_cents] = amount
        await Claim.update(changes).where(Claim.id == claim_id)
        await _keep_evidence(viewer, claim_id, files)
        await step(claim_id, "resubmitted", viewer, report.strip(), amount)
    return await get_claim(viewer, claim_id)


async def _claim_again(claim: dict) -> int:
    """A returned matching claim comes back asking for the grant's share of all its spend
    again: a review may have lowered it before it was sent back, and the new evidence may
    support more. What it asks beyond what it holds is held again under the grant's lock (the
    claim's first, as a review takes them), up to what is left of the grant."""
    if not claim["spend_cents"]:
        return claim["amount_cents"]  # a milestone's tranche never changed
    grant = await lock_row(Grant, claim["grant"], "id, total_cents, held_cents, match_percent")
    assert grant is not None
    wanted = share_of(claim["spend_cents"], grant["match_percent"]) - claim["amount_cents"]
    more = max(0, min(wanted, grant["total_cents"] - grant["held_cents"]))
    if more:
        await Grant.update(
            {Grant.held_cents: grant["held_cents"] + more, Grant.updated_at: utcnow()}
        ).where(Grant.id == grant["id"])
    return claim["amount_cents"] + more


async def get_claim(viewer: Viewer, claim_id: int) -> ClaimOut:
    return await described(await claim_row(viewer, claim_id))


async def described(row: dict) -> ClaimOut:
    """A claim's row (as `claim_row` gives it to one who may see it) with its names, evidence
    and steps."""
    claim_id = row["id"]
    extra = (
        await Claim.select(
            Claim.grant.kind.as_alias("kind"),
            Claim.startup.name_en.as_alias("startup_en"),
            Claim.startup.name_zh.as_alias("startup_zh"),
            Claim.grant.programme.name_en.as_alias("programme_en"),
            Claim.grant.programme.name_zh.as_alias("programme_zh"),
            Claim.milestone.title_en.as_alias("milestone_en"),
            Claim.milestone.title_zh.as_alias("milestone_zh"),
            Claim.reviewed_by.name.as_alias("reviewer"),
            Claim.approved_by.name.as_alias("approver"),
        )
        .where(Claim.id == claim_id)
        .first()
    )
    evidence = (
        await ClaimEvidence.select(
            ClaimEvidence.id,
            ClaimEvidence.filename,
            ClaimEvidence.content_type,
            ClaimEvidence.size,
            ClaimEvidence.uploaded_at,
        )
        .where(ClaimEvidence.claim == claim_id)
        .order_by(ClaimEvidence.id)
    )
    steps = (
        await ClaimStep.select(
            ClaimStep.step,
            ClaimStep.by.name.as_alias("by"),
            ClaimStep.at,
            ClaimStep.note,
            ClaimStep.amount_cents,
        )
        .where(ClaimStep.claim == claim_id)
        .order_by(ClaimStep.id)
    )
    return msgspec.convert(
        row
        | extra
        | {
            "milestone_en": extra["milestone_en"] or "",
            "milestone_zh": extra["milestone_zh"] or "",
            "reviewed_by": extra["reviewer"] or "",
            "approved_by": extra["approver"] or "",
            "evidence": evidence,
            "steps": [s | {"by": s["by"] or ""} for s in steps],
        },
        ClaimOut,
        strict=False,
    )


async def evidence_file(viewer: Viewer, claim_id: int, evidence_id: int) -> StoredFile:
    await claim_row(viewer, claim_id)
    row = (
        await ClaimEvidence.select()
        .where((ClaimEvidence.id == evidence_id) & (ClaimEvidence.claim == claim_id))
        .first()
    )
    if row is None:
        raise NotFound(f"claim {claim_id} has no evidence {evidence_id}")
    return StoredFile(row["filename"], row["content_type"], bytes(row["data"]), row["sha256"])


def _row_columns() -> tuple:
    """What a list of claims shows of each."""
    return (
        Claim.id,
        Claim.grant,
        Claim.startup,
        Claim.startup.name_en.as_alias("startup_en"),
        Claim.startup.name_zh.as_alias("startup_zh"),
        Claim.grant.kind.as_alias("kind"),
        Claim.grant.programme.name_en.as_alias("programme_en"),
        Claim.grant.programme.name_zh.as_alias("programme_zh"),
        Claim.status,
        Claim.spend_cents,
        Claim.amount_cents,
        Claim.submitted_at,
        Claim.reviewed_by,
    )


QUEUES = ("submitted", "reviewed", "returned", "approved", "rejected", "paid")


async def queue(
    viewer: Viewer, status: str, page: int = 1, programme: int | None = None, text: str = ""
) -> tuple[list[ClaimRow], int]:
    """Claims in one state for those who run their grants, the longest waiting first: those
    `submitted` wait for a review, those `reviewed` for another person's approval. Narrowed
    to one programme, and to a claim's number or start-ups whose name holds `text`, as asked."""
    require_login(viewer)
    if not (viewer.is_admin or viewer.is_manager):
        raise Forbidden("only the centres' managers and administrators see the claims queue")
    if status not in QUEUES:
        raise ValidationFailed({"status": "must be one of " + ", ".join(QUEUES)})
    where = Claim.status == status
    if not viewer.is_admin:
        where &= Claim.centre.is_in(await manager_centre_ids(viewer) or [0])
    if programme:
        where &= Claim.grant.programme == programme
    text = text.strip()
    if text:
        number = text.removeprefix("#").strip()
        found = named(Claim, text)
        if number.isdigit() and len(number) < 10:
            found |= Claim.id == int(number)
        where &= found
    total = await Claim.count().where(where)
    ids = [
        r["id"]
        for r in await Claim.select(Claim.id)
        .where(where)
        .order_by(Claim.submitted_at)
        .order_by(Claim.id)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ]
    rows = await Claim.select(*_row_columns()).where(Claim.id.is_in(ids or [0]))
    return msgspec.convert(in_order(rows, ids), list[ClaimRow], strict=False), total


async def claims_of_grant(viewer: Viewer, grant_id: int) -> list[ClaimRow]:
    grant = await grant_row(grant_id)
    if not await policy.may_see(viewer, grant["startup"], grant["centre"]):
        raise NotFound(f"there is no grant {grant_id}")
    return await claims_of(grant_id)


async def claims_of(grant_id: int) -> list[ClaimRow]:
    """A grant's claims, the latest first, for one already allowed to see the grant."""
    rows = (
        await Claim.select(*_row_columns())
        .where(Claim.grant == grant_id)
        .order_by(Claim.id, ascending=False)
    )
    return msgspec.convert(rows, list[ClaimRow], strict=False)
