"""Payments: approved claims gathered into a batch that finance exports (its total equal to
the approved claims', formulas neutralised) and marks paid; a paid claim never changes."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest

from incubator.programmes.funding.tables import Claim, Grant
from incubator.startups.tables import Startup
from tests.conftest import api
from tests.programmes.funding.conftest import claim, make_grant, matching_grant, milestones_body


async def _approved(people, grant_id: int, **fields) -> dict:
    made = await claim(people["member"], grant_id, **fields)
    assert made.status_code == 201, made.text
    url = f"/api/grants/claims/{made.json()['id']}"
    assert (await api(people["manager"], "POST", f"{url}/review", json={})).status_code == 200
    approved = await api(people["admin"], "POST", f"{url}/approve", json={})
    assert approved.status_code == 200, approved.text
    return approved.json()


async def _batch_of_three(people, park) -> tuple[dict, list[dict]]:
    matching = await matching_grant(people["manager"], park)
    milestones = await make_grant(people["manager"], milestones_body(park))
    claims = [
        await _approved(people, matching["id"], spend_cents=3_333_33),
        await _approved(people, matching["id"], spend_cents=10_000_00),
        await _approved(people, milestones["id"], milestone=milestones["milestones"][0]["id"]),
    ]
    made = await api(people["admin"], "POST", "/api/grants/batches")
    assert made.status_code == 201, made.text
    return made.json(), claims


async def test_the_batch_export_s_total_equals_the_approved_claims(people, park):
    await Startup.update({Startup.name_en: '=HYPERLINK("http://x")'}).where(
        Startup.id == park.startups["harbour-pay"]
    )
    batch, claims = await _batch_of_three(people, park)
    expected = sum(c["amount_cents"] for c in claims)
    assert expected == 1_666_66 + 5_000_00 + 100_000_00
    assert (batch["claims"], batch["total_cents"]) == (3, expected)
    assert batch["reference"].startswith("PB-")
    url = f"/api/grants/batches/{batch['id']}/export"
    got = await api(people["admin"], "GET", url)
    assert got.status_code == 200, got.text
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    header, body, total = rows[0], rows[1:-1], rows[-1]
    assert header[-1] == "Amount (HKD)"
    assert sorted(int(r[1]) for r in body) == sorted(c["id"] for c in claims)
    assert sum(Decimal(r[-1]) for r in body) == Decimal(expected) / 100 == Decimal(total[-1])
    assert total[3] == "Total (3 claims)"
    assert all(r[3] == '\'=HYPERLINK("http://x")' for r in body)  # text, never a formula

    xlsx = await api(people["admin"], "GET", url + "?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    assert sum(Decimal(str(r[-1])) for r in values[:-1]) == Decimal(expected) / 100
    assert Decimal(str(values[-1][-1])) == Decimal(expected) / 100
    assert all(sheet.cell(row=n, column=4).data_type != "f" for n in range(2, sheet.max_row + 1))


async def test_a_batch_takes_each_approved_claim_once(people, park):
    await _batch_of_three(people, park)
    again = await api(people["admin"], "POST", "/api/grants/batches")
    assert again.status_code == 409
    assert again.json()["detail"] == "no approved claim waits for payment"


async def test_a_paid_claim_cannot_be_changed(people, park):
    batch, claims = await _batch_of_three(people, park)
    paid = await api(people["admin"], "POST", f"/api/grants/batches/{batch['id']}/paid")
    assert paid.status_code == 200 and paid.json()["status"] == "paid"
    first = claims[0]["id"]
    seen = await api(people["member"], "GET", f"/api/grants/claims/{first}")
    assert seen.json()["status"] == "paid" and seen.json()["steps"][-1]["step"] == "paid"
    rejected = await api(
        people["admin"], "POST", f"/api/grants/claims/{first}/reject", json={"reason": "Oops"}
    )
    assert rejected.status_code == 409
    assert rejected.json()["detail"] == "this claim is paid: it cannot be rejected"
    twice = await api(people["admin"], "POST", f"/api/grants/batches/{batch['id']}/paid")
    assert twice.status_code == 409
    with pytest.raises(Exception, match="a paid claim cannot be changed"):
        await Claim.update({Claim.amount_cents: 1}).where(Claim.id == first)
    grants = await Grant.select(Grant.paid_cents, Grant.held_cents)
    assert sum(g["paid_cents"] for g in grants) == batch["total_cents"]


async def test_payment_batches_are_finance_s_alone(people, park):
    await matching_grant(people["manager"], park)
    for who in ("manager", "member", "partner"):
        assert (await api(people[who], "POST", "/api/grants/batches")).status_code == 403, who
        assert (await api(people[who], "GET", "/api/grants/batches")).status_code == 403, who


async def test_finance_makes_a_batch_of_one_programme_s_claims(people, park):
    from datetime import date

    from incubator.startups.tables import Programme, StartupProgramme

    smart = (
        await Programme.insert(
            Programme(
                slug="smart-living",
                name_en="Smart Living Fund",
                centre=park.centres["entrepreneurship"],
            )
        ).returning(Programme.id)
    )[0]["id"]
    await StartupProgramme.insert(
        StartupProgramme(
            startup=park.startups["harbour-pay"], programme=smart, started_on=date(2026, 1, 1)
        )
    )
    incubation = await matching_grant(people["manager"], park)
    living = await make_grant(people["manager"], milestones_body(park, programme=smart))
    await _approved(people, incubation["id"], spend_cents=4_000_00)
    only = await _approved(people, living["id"], milestone=living["milestones"][0]["id"])

    page = await people["admin"].get("/grants/payments")
    assert 'Make a batch<span class="visually-hidden">: Smart Living Fund</span>' in page.text
    admin = people["admin"]
    made = await api(admin, "POST", f"/api/grants/batches?programme={smart}")
    assert made.status_code == 201, made.text
    batch = made.json()
    assert (batch["programme"], batch["programme_en"], batch["claims"]) == (
        smart,
        "Smart Living Fund",
        1,
    )
    assert batch["total_cents"] == only["amount_cents"]
    again = await api(admin, "POST", f"/api/grants/batches?programme={smart}")
    assert again.status_code == 409
    assert again.json()["detail"] == "no approved claim waits for payment under this programme"
    unknown = await api(admin, "POST", "/api/grants/batches?programme=99999")
    assert unknown.status_code == 404
    rest = await api(admin, "POST", "/api/grants/batches")
    assert (rest.json()["programme"], rest.json()["claims"]) == (None, 1)
    listed = await admin.get("/grants/payments")
    assert "Every programme" in listed.text and "Smart Living Fund" in listed.text
