"""Programme funding at the DTSPP's scale: 8,000 SMEs with a 1:1 matching grant each and 3
claims each (24,000 claims: a third waiting for review, a third for approval, a third
approved), served by one worker over loopback, signed in, one request at a time (issue 26,
point 7: the claims queue and the finance export stay fast).

    uv run python bench/funding.py --engine sqlite
    uv run python bench/funding.py --engine postgres

It builds the demo park of --startups (8,000 by default), adds the grants and claims in
bulk, then measures the claims queue (each tab's first page, a deep page, the JSON), a
claim's page, the grants list and the payment batches page; then gathers the 8,000 approved
claims into one batch (timed), times its CSV and XLSX exports, and marks it paid (timed).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import urllib.parse
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.directory import park_database  # noqa: E402
from bench.programmes import measure_scenarios, timed_downloads  # noqa: E402
from tests.server import serving  # noqa: E402

SMES = 8_000
CLAIMS_EACH = 3
GRANT, CLAIM = 1_000_000, 1_000_000  # the bench's first ids, clear of the demo's
STEPS = ("submitted", "reviewed", "approved")


async def add_claims(url: str, smes: int) -> tuple[int, int, dict[str, str]]:
    """A matching grant for each of `smes` start-ups and three claims on each; then the
    approved ones gathered into a payment batch (timed). Returns the batch's id and size, and
    what the filtered queues ask for: the programme's id, a start-up's name."""
    from incubator import db
    from incubator.auth.schemas import Viewer
    from incubator.auth.tables import Role, User
    from incubator.db.bulk import bulk_insert
    from incubator.programmes.funding.services.payments import make_batch
    from incubator.programmes.funding.tables import Claim, Grant
    from incubator.startups.tables import Centre, Programme, Startup

    engine = db.make_engine(url)
    db.use_engine(engine)
    await db.prepare_engine(engine)
    now = datetime.now(UTC)
    async with db.write_transaction():
        programme = (
            await Programme.select(Programme.id)
            .where(Programme.slug == "digital-transformation")
            .first()
        )["id"]
        centre = (await Centre.select(Centre.id).where(Centre.slug == "entrepreneurship").first())[
            "id"
        ]
        staff = {r["email"]: r["id"] for r in await User.select(User.id, User.email)}
        maker = staff["manager.entrepreneurship@cyberport.example"]
        checker = staff["admin@cyberport.example"]
        startups = [
            r["id"] for r in await Startup.select(Startup.id).order_by(Startup.id).limit(smes)
        ]
        grants, claims = [], []
        for n, startup in enumerate(startups):
            grant = GRANT + n
            grants.append(
                (grant, startup, programme, centre, "matching", "active", 50_000_00, 50,
                 CLAIMS_EACH * 8_000_00, 0, date(2026, 1, 1), date(2027, 12, 31))
            )  # fmt: skip
            for k in range(CLAIMS_EACH):
                step = STEPS[(n + k) % len(STEPS)]
                at = now - timedelta(minutes=(n * CLAIMS_EACH + k) % 50_000)
                reviewed = step != "submitted"
                claims.append(
                    (CLAIM + n * CLAIMS_EACH + k, grant, startup, centre, step,
                     "Cloud services, invoices attached.", 16_000_00, 8_000_00, at,
                     maker if reviewed else None, at if reviewed else None,
                     checker if step == "approved" else None,
                     at if step == "approved" else None)
                )  # fmt: skip
        await bulk_insert(
            Grant,
            ("id", "startup", "programme", "centre", "kind", "status", "total_cents",
             "match_percent", "held_cents", "paid_cents", "starts_on", "ends_on"),
            grants,
        )  # fmt: skip
        await bulk_insert(
            Claim,
            ("id", "grant", "startup", "centre", "status", "report", "spend_cents",
             "amount_cents", "submitted_at", "reviewed_by", "reviewed_at", "approved_by",
             "approved_at"),
            claims,
        )  # fmt: skip
    await db.analyze()
    print(f"# bench: {len(grants)} matching grants, {len(claims)} claims")
    started = time.perf_counter()
    batch = await make_batch(Viewer(user_id=checker, name="Admin", role=Role.admin))
    print(
        f"# a payment batch of {batch.claims} approved claims made in "
        f"{time.perf_counter() - started:.2f} s"
    )
    await db.analyze()
    middle = await Startup.select(Startup.name_en).where(Startup.id == startups[smes // 2]).first()
    return batch.id, batch.claims, {"programme": str(programme), "name": middle["name_en"]}


def scenarios(smes: int, asked: dict[str, str]) -> dict[str, tuple[str, list[str]]]:
    manager, admin = "manager.entrepreneurship@cyberport.example", "admin@cyberport.example"
    deep = max(1, smes * CLAIMS_EACH // 3 // 100 // 2)
    claim = CLAIM + smes * CLAIMS_EACH // 2
    name = urllib.parse.quote(asked["name"])
    return {
        "claims queue: to review, page 1": (manager, ["/grants/claims?status=submitted"]),
        "claims queue: to review, deep": (
            manager,
            [f"/grants/claims?status=submitted&page={deep}"],
        ),
        "claims queue: one programme": (
            manager,
            [f"/grants/claims?status=submitted&programme={asked['programme']}"],
        ),
        "claims queue: a start-up's name": (manager, [f"/grants/claims?status=paid&q={name}"]),
        "claims queue: a claim's number": (admin, [f"/grants/claims?status=reviewed&q={claim}"]),
        "claims queue: to approve": (admin, ["/grants/claims?status=reviewed"]),
        "claims queue: paid": (admin, ["/grants/claims?status=paid"]),
        "claims queue JSON": (manager, ["/api/grants/claims?status=submitted"]),
        "a claim (manager)": (manager, [f"/grants/claims/{claim}"]),
        "grants list (admin)": (admin, ["/grants"]),
        "grants list, deep page": (admin, [f"/grants?page={max(1, smes // 200)}"]),
        "grants list: a start-up's name": (admin, [f"/grants?q={name}"]),
        "a grant (manager)": (manager, [f"/grants/{GRANT + smes // 2}"]),
        "payment batches (admin)": (admin, ["/grants/payments"]),
    }


async def exports(base: str, cookies: dict, batch: int, rows: int) -> None:
    """The batch's payment instructions as CSV and XLSX, three times each."""
    paths = {fmt: f"/grants/payments/{batch}/export?format={fmt}" for fmt in ("csv", "xlsx")}
    await timed_downloads(base, cookies, paths, rows, "of the batch")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--startups", type=int, default=SMES)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    url = await park_database(args.engine, args.startups)
    smes = min(SMES, args.startups)
    batch, rows, asked = await add_claims(url, smes)
    with serving(url, extra_env={"INCUBATOR_SCHEDULER": "0"}) as (base, _process):
        cookies = await measure_scenarios(base, scenarios(smes, asked), args.requests)
        await exports(base, cookies["admin@cyberport.example"], batch, rows)
    await mark_paid(batch, rows)


async def mark_paid(batch: int, rows: int) -> None:
    """The batch marked paid (its claims, their steps and their grants), timed."""
    from incubator.auth.schemas import Viewer
    from incubator.auth.tables import Role, User
    from incubator.programmes.funding.services.payments import mark_paid as paid

    admin = await User.select(User.id).where(User.email == "admin@cyberport.example").first()
    started = time.perf_counter()
    await paid(Viewer(user_id=admin["id"], name="Admin", role=Role.admin), batch)
    print(f"# the batch of {rows} claims marked paid in {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    asyncio.run(main())
