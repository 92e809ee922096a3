"""The demo park's programme funding: grants at every stage and claims at every step.

Smart Living start-ups admitted to their programme get milestone grants of HK$500,000 and
Cyberport Incubation ones HK$300,000 (three milestones each); SMEs in the Digital
Transformation Support Pilot Programme get 1:1 matching grants capped at HK$50,000. Most
grants are active, with their first claims paid in a batch, later ones waiting for review,
approval or payment, a few sent back or rejected; some grants are drafts, completed or
terminated, and some were amended. Funded start-ups have sent the last two quarters'
progress reports, and their profiles show the latest figures. The Entrepreneurship Centre's
manager reviews claims, the administrator approves them and runs the payment batches."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from incubator.auth.tables import User
from incubator.db.bulk import bulk_insert
from incubator.i18n import HONG_KONG
from incubator.programmes.funding.services.reports import last_ended, quarter_of, quarter_start
from incubator.programmes.funding.tables import (
    Claim,
    ClaimEvidence,
    ClaimStep,
    Grant,
    GrantAmendment,
    Milestone,
    PaymentBatch,
    ProgressReport,
)
from incubator.programmes.services.answers import ADMITTED
from incubator.startups.tables import Programme, Startup, StartupProgramme

RAISED = [0, 0, 500_000, 2_000_000, 8_000_000]  # funds raised in a quarter, HKD
RECEIPT = b"%PDF-1.4\n% a demo receipt\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MILESTONE_GRANTS = {"smart-living-incubation": 500_000_00, "cyberport-incubation": 300_000_00}
MATCHING = "digital-transformation"
CAP = 50_000_00
MILESTONES = [
    ("Prototype shown to pilot customers", "向試點客戶展示原型", 0.3),
    ("First paying pilot", "首個付費試點", 0.3),
    ("Product launched in Hong Kong", "產品在香港推出", 0.4),
]
# A later claim's step, and how often it is drawn: most wait somewhere in the queue.
LATER = ["submitted"] * 4 + ["reviewed"] * 3 + ["approved"] * 3 + ["returned", "rejected"]
COLUMNS = {
    Grant: (
        "id", "startup", "programme", "centre", "kind", "status", "total_cents",
        "match_percent", "held_cents", "paid_cents", "starts_on", "ends_on", "notes",
        "created_by", "created_at", "updated_at", "version",
    ),
    Milestone: (
        "id", "grant", "position", "title_en", "title_zh", "deliverables_en",
        "deliverables_zh", "due_on", "tranche_cents",
    ),
    Claim: (
        "id", "grant", "startup", "centre", "milestone", "status", "report", "spend_cents",
        "approved_spend_cents", "amount_cents", "reason", "submitted_by", "submitted_at",
        "reviewed_by", "reviewed_at", "approved_by", "approved_at", "batch", "paid_at",
        "version",
    ),
}  # fmt: skip


def _at(day: date, hour: int = 11) -> datetime:
    return datetime.combine(day, time(hour), HONG_KONG).astimezone(UTC)


async def build_funding(seed: int, today: date, say: Callable[[str], None], startups: int) -> None:
    rng = random.Random(seed * 307 + 11)
    programmes = {
        p["slug"]: p for p in await Programme.select(Programme.id, Programme.slug, Programme.centre)
    }
    staff = {
        r["email"]: r["id"]
        for r in await User.select(User.id, User.email).where(
            User.email.is_in(
                ["manager.entrepreneurship@cyberport.example", "admin@cyberport.example"]
            )
        )
    }
    maker = staff.get("manager.entrepreneurship@cyberport.example")
    checker = staff.get("admin@cyberport.example")
    members = {
        r["startup"]: r["user"]
        for r in await Startup.raw(
            'SELECT startup, MIN("user") AS "user" FROM startup_membership GROUP BY startup'
        )
    }
    admitted = (
        await StartupProgramme.select(
            StartupProgramme.startup, StartupProgramme.programme.slug.as_alias("slug")
        )
        .where(
            StartupProgramme.status.is_in(list(ADMITTED))
            & StartupProgramme.programme.slug.is_in([*MILESTONE_GRANTS, MATCHING])
            & (StartupProgramme.startup.status == "active")
        )
        .order_by(StartupProgramme.startup)
    )
    # Those with demo logins first, so a founder's login shows a grant.
    admitted.sort(key=lambda r: (r["startup"] not in members, r["startup"]))
    chosen = admitted[: max(6, startups // 8)]
    grants, milestones, claims, steps, evidence, amendments = [], [], [], [], [], []
    batch_paid_on = today - timedelta(days=20)
    paid_batch, paid_total, paid_count = 1, 0, 0
    for n, row in enumerate(chosen, start=1):
        programme = programmes[row["slug"]]
        matching = row["slug"] == MATCHING
        total = CAP if matching else MILESTONE_GRANTS[row["slug"]]
        starts = today - timedelta(days=rng.randint(120, 500))
        ends = starts + timedelta(days=730)
        status = "active"
        roll = rng.random()
        if n > 3 and roll < 0.06:
            status = "draft"
        elif n > 3 and roll < 0.12:
            status, ends = "completed", today - timedelta(days=rng.randint(5, 60))
        elif n > 3 and roll < 0.16:
            status = "terminated"
        held = 0
        grant_claims: list[tuple] = []
        if status != "draft":
            if matching:
                for k in range(rng.randint(1, 3)):
                    spend = rng.randint(8, 40) * 1_000_00
                    step = "paid" if k == 0 else rng.choice(LATER)
                    amount = min(spend // 2, total - held)
                    if amount <= 0:
                        break
                    grant_claims.append((None, step, spend, amount))
                    held += amount if step != "rejected" else 0
            else:
                for position, (_title, _zh, share) in enumerate(MILESTONES, start=1):
                    if status == "completed" or position == 1:
                        step = "paid"
                    elif position == 2 and rng.random() < 0.6:
                        step = rng.choice(LATER)
                    else:
                        break
                    grant_claims.append((position, step, 0, int(total * share)))
                    held += int(total * share) if step != "rejected" else 0
        grant_id = n
        paid = sum(claim[3] for claim in grant_claims if claim[1] == "paid")
        grants.append(
            (
                grant_id, row["startup"], programme["id"], programme["centre"],
                "matching" if matching else "milestones", status, total, 50, held, paid,
                starts, ends, "", maker, _at(starts - timedelta(days=14)), _at(today), 1,
            )
        )  # fmt: skip
        if not matching:
            for position, (title, title_zh, share) in enumerate(MILESTONES, start=1):
                milestones.append(
                    (
                        len(milestones) + 1, grant_id, position, title, title_zh,
                        f"{title}, with the evidence the programme asks for.", "",
                        starts + timedelta(days=240 * position), int(total * share),
                    )
                )  # fmt: skip
        if status == "terminated":
            amendments.append(
                (grant_id, 2, "The company stopped trading.", json.dumps({"status": "active"}),
                 json.dumps({"status": "terminated"}), maker, _at(today - timedelta(days=9)))
            )  # fmt: skip
        elif status == "active" and rng.random() < 0.1:
            amendments.append(
                (grant_id, 2, "End date moved by six months at the start-up's request.",
                 json.dumps({"ends_on": str(ends - timedelta(days=182))}),
                 json.dumps({"ends_on": str(ends)}), maker, _at(today - timedelta(days=30)))
            )  # fmt: skip
        for position, step, spend, amount in grant_claims:
            claim_id = len(claims) + 1
            milestone = None
            if position is not None:
                milestone = len(milestones) - len(MILESTONES) + position
            submitted = _at(
                today
                - timedelta(days=rng.randint(25, 90) if step == "paid" else rng.randint(1, 15))
            )
            reviewed = step in ("reviewed", "approved", "paid")
            approved = step in ("approved", "paid")
            by = members.get(row["startup"])
            reviewed_at, approved_at = submitted + timedelta(days=2), submitted + timedelta(days=3)
            reason = {
                "returned": "Please add the signed delivery note for the invoice.",
                "rejected": "The invoice is dated before the grant began.",
            }.get(step, "")
            batch = paid_batch if step == "paid" else None
            if step == "paid":
                paid_total += amount
                paid_count += 1
            claims.append(
                (
                    claim_id, grant_id, row["startup"], programme["centre"], milestone, step,
                    "Invoices for the work of the quarter are attached.", spend,
                    spend if matching and reviewed else None, amount, reason, by, submitted,
                    maker if reviewed else None, reviewed_at if reviewed else None,
                    checker if approved else None, approved_at if approved else None,
                    batch, _at(batch_paid_on) if step == "paid" else None, 1,
                )
            )  # fmt: skip
            evidence.append(
                (claim_id, "invoice.pdf", "application/pdf", len(RECEIPT),
                 hashlib.sha256(RECEIPT).hexdigest(), RECEIPT, by, submitted)
            )  # fmt: skip
            trail = [("submitted", by, submitted, "", amount)]
            if step in ("returned", "rejected"):
                trail.append((step, maker, submitted + timedelta(days=2), reason, None))
            if reviewed:
                trail.append(("reviewed", maker, submitted + timedelta(days=2), "", amount))
            if approved:
                trail.append(("approved", checker, submitted + timedelta(days=3), "", amount))
            if step == "paid":
                trail.append(("batched", checker, _at(batch_paid_on, 9), "PB-DEMO", amount))
                trail.append(("paid", checker, _at(batch_paid_on), "PB-DEMO", amount))
            steps += [(claim_id, *s) for s in trail]
    if paid_count:
        await PaymentBatch.insert(
            PaymentBatch(
                id=paid_batch,
                reference=f"PB-{batch_paid_on.year}-00001",
                status="paid",
                claims=paid_count,
                total_cents=paid_total,
                created_by=checker,
                created_at=_at(batch_paid_on, 9),
                paid_by=checker,
                paid_at=_at(batch_paid_on),
            )
        )
        steps = [
            (c, s, b, a, f"PB-{batch_paid_on.year}-00001" if n == "PB-DEMO" else n, m)
            for c, s, b, a, n, m in steps
        ]
    await bulk_insert(Grant, COLUMNS[Grant], grants)
    await bulk_insert(Milestone, COLUMNS[Milestone], milestones)
    await bulk_insert(Claim, COLUMNS[Claim], claims)
    await bulk_insert(
        ClaimEvidence,
        (
            "claim",
            "filename",
            "content_type",
            "size",
            "sha256",
            "data",
            "uploaded_by",
            "uploaded_at",
        ),
        evidence,
    )
    await bulk_insert(ClaimStep, ("claim", "step", "by", "at", "note", "amount_cents"), steps)
    await bulk_insert(
        GrantAmendment,
        ("grant", "version", "reason", "before", "after", "changed_by", "changed_at"),
        amendments,
    )
    reports = _reports(rng, today, [g for g in grants if g[5] == "active"], members)
    await bulk_insert(
        ProgressReport,
        ("startup", "quarter", "headcount", "funds_raised_cents", "revenue_band", "customers",
         "patents", "summary", "submitted_by", "submitted_at"),
        reports,
    )  # fmt: skip
    latest = {r[0]: r for r in sorted(reports, key=lambda r: r[1])}
    for startup, quarter, headcount, funds, *_ in latest.values():
        await Startup.update(
            {
                Startup.headcount: headcount,
                Startup.funds_raised_cents: funds,
                Startup.progress_quarter: quarter,
            }
        ).where(Startup.id == startup)
    say(
        f"funding: {len(grants)} grants, {len(claims)} claims ({paid_count} paid), "
        f"{len(reports)} progress reports"
    )


def _reports(rng: random.Random, today: date, grants: list[tuple], members: dict) -> list[tuple]:
    """The last two quarters' reports of each active grant's start-up (a few not yet sent)."""
    latest = last_ended(today)
    previous = quarter_of(quarter_start(latest) - timedelta(days=1))
    rows = []
    for startup in sorted({grant[1] for grant in grants}):  # one report a start-up a quarter
        headcount = rng.randint(3, 40)
        for quarter in (previous, latest):
            if quarter == latest and rng.random() < 0.2:
                continue  # not sent yet: the reminders chase it
            headcount += rng.randint(0, 3)
            rows.append(
                (
                    startup, quarter, headcount, rng.choice(RAISED) * 100,
                    rng.choice(["none", "under_1m", "1m_10m"]), rng.randint(0, 60),
                    rng.randint(0, 2), "Hired engineers and signed two pilot customers.",
                    members.get(startup), _at(quarter_start(quarter) + timedelta(days=100)),
                )
            )  # fmt: skip
    return rows
