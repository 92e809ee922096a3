"""Funding on the dashboard: funds committed, paid and remaining per programme, and the funded
start-ups' headcount and funds raised per quarter; scoped to a manager's centres."""

from datetime import date

from incubator.programmes.funding.services.figures import quarters_between
from incubator.programmes.funding.services.reports import last_ended, quarter_start
from incubator.programmes.funding.tables import ProgressReport
from tests.conftest import api
from tests.programmes.funding.conftest import claim, matching_grant


def test_the_quarters_a_range_touches():
    assert quarters_between(date(2026, 2, 1), date(2026, 11, 30)) == [
        "2026 Q1",
        "2026 Q2",
        "2026 Q3",
        "2026 Q4",
    ]
    assert quarters_between(date(2026, 12, 1), date(2027, 1, 2)) == ["2026 Q4", "2027 Q1"]


async def test_funds_and_progress_on_the_dashboard(people, park):
    manager, admin = people["manager"], people["admin"]
    grant = await matching_grant(manager, park)
    made = (await claim(people["member"], grant["id"], spend_cents=20_000_00)).json()
    url = f"/api/grants/claims/{made['id']}"
    await api(manager, "POST", f"{url}/review", json={})
    await api(admin, "POST", f"{url}/approve", json={})
    batch = (await api(admin, "POST", "/api/grants/batches")).json()
    await api(admin, "POST", f"/api/grants/batches/{batch['id']}/paid")
    quarter = last_ended()
    await ProgressReport.insert(
        ProgressReport(
            startup=park.startups["harbour-pay"],
            quarter=quarter,
            headcount=12,
            funds_raised_cents=3_500_000_00,
        )
    )
    first = quarter_start(quarter).isoformat()
    query = f"?first={first}&last={date.today().isoformat()}"

    [funds] = (await api(manager, "GET", f"/api/dashboard/funding-by-programme{query}")).json()[
        "figures"
    ]
    [row] = funds["rows"]
    assert row["name_en"] == "Cyberport Incubation Programme"
    assert row["values"] == {
        "grants": 1,
        "committed_hkd": 50_000,
        "paid_hkd": 10_000,
        "remaining_hkd": 40_000,
    }
    [progress] = (await api(manager, "GET", f"/api/dashboard/funded-progress{query}")).json()[
        "figures"
    ]
    by_quarter = {r["key"]: r["values"] for r in progress["rows"]}
    assert by_quarter[quarter] == {"reports": 1, "headcount": 12, "funds_raised_hkd": 3_500_000}
    page = await manager.get(f"/dashboard{query}")
    assert "Funds committed, paid and remaining by programme" in page.text
    csv = await manager.get(f"/dashboard/csv/funding-by-programme{query}")
    assert csv.status_code == 200 and "Committed (HK$)" in csv.text

    # Terminated with a claim approved and unpaid: it counts for that claim alone.
    late = (await claim(people["member"], grant["id"], spend_cents=8_000_00)).json()
    url = f"/api/grants/claims/{late['id']}"
    await api(manager, "POST", f"{url}/review", json={})
    await api(admin, "POST", f"{url}/approve", json={})
    waiting = (await claim(people["member"], grant["id"], spend_cents=6_000_00)).json()
    ended = await api(
        manager, "POST", f"/api/grants/{grant['id']}/terminate", json={"reason": "Acquired"}
    )
    assert ended.status_code == 200
    [funds] = (await api(manager, "GET", f"/api/dashboard/funding-by-programme{query}")).json()[
        "figures"
    ]
    assert funds["rows"][0]["values"] == {
        "grants": 1,
        "committed_hkd": 14_000,  # paid HK$10,000 and approved HK$4,000; not the HK$3,000
        "paid_hkd": 10_000,
        "remaining_hkd": 4_000,
    }
    rejected = await api(people["member"], "GET", f"/api/grants/claims/{waiting['id']}")
    assert rejected.json()["status"] == "rejected"

    [theirs] = (
        await api(people["other_manager"], "GET", f"/api/dashboard/funding-by-programme{query}")
    ).json()["figures"]
    assert theirs["rows"] == []
