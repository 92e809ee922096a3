"""Payment batches: finance gathers the approved claims into a batch, exports it (CSV or
XLSX, every row's amount and a total that must equal the batch's own, formulas neutralised)
and marks it paid, which makes its claims paid and unchangeable."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import msgspec
from piccolo.columns.combination import WhereRaw

from incubator.auth.schemas import Viewer
from incubator.auth.services import audit
from incubator.auth.services.audit import Action
from incubator.db import instant, lock_row, utcnow, write_transaction
from incubator.db.streaming import stream_rows
from incubator.downloads import MEDIA_TYPES, encoder
from incubator.errors import Conflict, NotFound
from incubator.i18n import hk_text
from incubator.money import format_hkd
from incubator.programmes.funding import policy
from incubator.programmes.funding.schemas import BatchOut
from incubator.programmes.funding.tables import Claim, ClaimStep, Grant, PaymentBatch
from incubator.startups.tables import Programme

COLUMNS = [
    "Batch",
    "Claim",
    "Grant",
    "Start-up",
    "Start-up (Chinese)",
    "Programme",
    "For",
    "Approved (Hong Kong time)",
    "Amount (HKD)",
]


CENT = Decimal("0.01")


def dollars(cents: int) -> Decimal:
    """An amount as a spreadsheet's number of dollars, to the cent."""
    return (Decimal(cents) / 100).quantize(CENT)


async def steps(claims: list[dict], name: str, viewer: Viewer, note: str) -> None:
    """The same step on many claims, a thousand rows a statement."""
    rows = [
        ClaimStep(
            claim=c["id"], step=name, by=viewer.user_id, note=note, amount_cents=c["amount_cents"]
        )
        for c in claims
    ]
    for start in range(0, len(rows), 1000):
        await ClaimStep.insert(*rows[start : start + 1000])


# An approved claim not yet in a batch (as SQL on grant_claim; `programme` narrows it).
WAITING = "status = 'approved' AND batch IS NULL"
OF_PROGRAMME = ' AND "grant" IN (SELECT id FROM programme_grant WHERE programme = {})'


async def make_batch(viewer: Viewer, programme: int | None = None) -> BatchOut:
    """Every approved claim not yet in a batch (of one programme's grants, or of all),
    gathered into a new one. Claims approved while it is made wait for the next: each claim
    joins one batch only."""
    policy.require_finance(viewer, "make payment batches")
    if programme is not None and not await Programme.exists().where(Programme.id == programme):
        raise NotFound(f"there is no programme {programme}")
    async with write_transaction():
        made = (
            await PaymentBatch.insert(
                PaymentBatch(
                    reference=f"new-{uuid.uuid4().hex[:12]}",
                    programme=programme,
                    created_by=viewer.user_id,
                )
            ).returning(PaymentBatch.id, PaymentBatch.created_at)
        )[0]
        batch_id = made["id"]
        where = (
            WhereRaw(WAITING) if programme is None else WhereRaw(WAITING + OF_PROGRAMME, programme)
        )
        taken = (
            await Claim.update({Claim.batch: batch_id})
            .where(where)
            .returning(Claim.id, Claim.amount_cents)
        )
        if not taken:
            raise Conflict(
                "no approved claim waits for payment"
                + ("" if programme is None else " under this programme")
            )
        total = sum(c["amount_cents"] for c in taken)
        reference = f"PB-{hk_text(made['created_at'], '%Y')}-{batch_id:05d}"
        await PaymentBatch.update(
            {
                PaymentBatch.reference: reference,
                PaymentBatch.claims: len(taken),
                PaymentBatch.total_cents: total,
            }
        ).where(PaymentBatch.id == batch_id)
        await steps(taken, "batched", viewer, reference)
        detail = {"claims": len(taken), "total": format_hkd(total)}
        await audit.record(viewer, Action.batch_made, reference, detail)
    return await get_batch(viewer, batch_id)


async def get_batch(viewer: Viewer, batch_id: int) -> BatchOut:
    policy.require_finance(viewer, "see payment batches")
    rows = await _batches(PaymentBatch.id == batch_id)
    if not rows:
        raise NotFound(f"there is no payment batch {batch_id}")
    return rows[0]


async def list_batches(viewer: Viewer) -> list[BatchOut]:
    policy.require_finance(viewer, "see payment batches")
    return await _batches(PaymentBatch.id > 0)


async def _batches(where: Any) -> list[BatchOut]:
    rows = (
        await PaymentBatch.select(
            PaymentBatch.all_columns(),
            PaymentBatch.programme.name_en.as_alias("programme_en"),
            PaymentBatch.programme.name_zh.as_alias("programme_zh"),
            PaymentBatch.created_by.name.as_alias("maker"),
            PaymentBatch.paid_by.name.as_alias("payer"),
        )
        .where(where)
        .order_by(PaymentBatch.id, ascending=False)
        .limit(200)
    )
    return msgspec.convert(
        [r | {"created_by": r["maker"] or "", "paid_by": r["payer"] or ""} for r in rows],
        list[BatchOut],
        strict=False,
    )


async def awaiting_payment(viewer: Viewer) -> list[dict]:
    """Per programme, how many approved claims wait for a batch and their total (cents)."""
    policy.require_finance(viewer, "see payment batches")
    rows = await Claim.raw(
        "SELECT p.id, p.name_en, p.name_zh, COUNT(*) AS n, SUM(c.amount_cents) AS total "
        'FROM grant_claim c JOIN programme_grant g ON g.id = c."grant" '
        "JOIN programme p ON p.id = g.programme "
        "WHERE c.status = 'approved' AND c.batch IS NULL "
        "GROUP BY p.id, p.name_en, p.name_zh ORDER BY p.name_en, p.id"
    )
    return [r | {"n": int(r["n"]), "total": int(r["total"] or 0)} for r in rows]


async def checked_totals(batch_id: int) -> dict:
    """The batch as made, after checking its claims still add up to it."""
    batch = await PaymentBatch.select().where(PaymentBatch.id == batch_id).first()
    if batch is None:
        raise NotFound(f"there is no payment batch {batch_id}")
    rows = await Claim.raw(
        "SELECT COUNT(*) AS n, COALESCE(SUM(amount_cents), 0) AS total FROM grant_claim "
        "WHERE batch = {}",
        batch_id,
    )
    n, total = int(rows[0]["n"]), int(rows[0]["total"])
    if (n, total) != (batch["claims"], batch["total_cents"]):
        raise Conflict(
            f"batch {batch['reference']} does not add up: its claims come to {n} for "
            f"{format_hkd(total)}, the batch was made for {batch['claims']} for "
            f"{format_hkd(batch['total_cents'])}"
        )
    return batch


async def batch_export(
    viewer: Viewer, batch_id: int, fmt: str
) -> tuple[str, str, AsyncIterator[bytes]]:
    """The batch's payment instructions, one row a claim, and the total last."""
    policy.require_finance(viewer, "export payment batches")
    batch = await checked_totals(batch_id)
    sql = (
        'SELECT c.id, c."grant", s.name_en, s.name_zh, p.name_en, m.title_en, c.spend_cents, '
        "c.approved_at, c.amount_cents FROM grant_claim c "
        "JOIN startup s ON s.id = c.startup "
        'JOIN programme_grant g ON g.id = c."grant" '
        "JOIN programme p ON p.id = g.programme "
        "LEFT JOIN grant_milestone m ON m.id = c.milestone "
        "WHERE c.batch = {} ORDER BY c.id"
    )
    table = encoder(fmt, COLUMNS, {"title": batch["reference"]})

    def row(cells: tuple) -> list:
        claim, grant, name, name_zh, programme, milestone, spend, approved, amount = cells
        what = f"Milestone: {milestone}" if milestone else f"Matching of {format_hkd(spend)}"
        return [
            batch["reference"],
            claim,
            grant,
            name,
            name_zh,
            programme,
            what,
            hk_text(instant(approved)) if approved else None,
            dollars(amount),
        ]

    async def chunks() -> AsyncIterator[bytes]:
        yield table.start()
        total, n = 0, 0
        async with contextlib.aclosing(stream_rows(sql, batch_id)) as batches:
            async for cells in batches:
                total += sum(c[-1] for c in cells)
                n += len(cells)
                yield table.rows([row(tuple(c)) for c in cells])
        yield table.rows(
            [
                [batch["reference"], None, None, f"Total ({n} claim{'' if n == 1 else 's'})"]
                + [None] * 4
                + [dollars(total)]
            ]
        )
        for chunk in table.finish():
            yield chunk

    return f"{batch['reference']}.{fmt}", MEDIA_TYPES[fmt], chunks()


async def mark_paid(viewer: Viewer, batch_id: int) -> BatchOut:
    """Finance paid the batch: its claims become paid (and never change again), and each
    grant's paid amount grows by its claims'."""
    policy.require_finance(viewer, "mark payment batches paid")
    async with write_transaction():
        locked = await lock_row(PaymentBatch, batch_id, "id, status, reference")
        if locked is None:
            raise NotFound(f"there is no payment batch {batch_id}")
        if locked["status"] != "open":
            raise Conflict(f"batch {locked['reference']} is already paid")
        batch = await checked_totals(batch_id)
        now = utcnow()
        claims = await Claim.select(Claim.id, Claim.amount_cents).where(Claim.batch == batch_id)
        await steps(claims, "paid", viewer, locked["reference"])
        # Each grant's paid amount grows by its claims in the batch, in one statement (which
        # holds the grants' rows until the transaction ends).
        await Grant.raw(
            "UPDATE programme_grant SET paid_cents = paid_cents + (SELECT SUM(c.amount_cents) "
            'FROM grant_claim c WHERE c."grant" = programme_grant.id AND c.batch = {}), '
            'updated_at = {} WHERE id IN (SELECT c."grant" FROM grant_claim c WHERE c.batch = {})',
            batch_id,
            now,
            batch_id,
        )
        await Claim.update(
            {Claim.status: "paid", Claim.paid_at: now, Claim.version: Claim.version + 1}
        ).where(Claim.batch == batch_id)
        detail = {"claims": batch["claims"], "total": format_hkd(batch["total_cents"])}
        await audit.record(viewer, Action.batch_paid, locked["reference"], detail)
        await PaymentBatch.update(
            {
                PaymentBatch.status: "paid",
                PaymentBatch.paid_by: viewer.user_id,
                PaymentBatch.paid_at: now,
            }
        ).where(PaymentBatch.id == batch_id)
    return await get_batch(viewer, batch_id)
