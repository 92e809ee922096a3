"""Programme intake on the dashboard: per call, applications started, submitted, reviewed
and admitted, and the acceptance rate; in its CSV too."""

from __future__ import annotations

from tests.conftest import api, login
from tests.programmes.conftest import REVIEWER, external_reviewer, open_call, panel_of, submitted


async def test_the_dashboard_counts_each_call_s_intake(client, park):
    call = await open_call(client, park)
    harbour = await submitted(client, park, call["id"], "member")
    await submitted(client, park, call["id"], "other_member")
    await login(client, park.users["member"])
    from incubator.auth.tables import User
    from incubator.startups.tables import StartupMembership

    member = await User.select(User.id).where(User.email == park.users["member"]).first()
    await StartupMembership.insert(
        StartupMembership(startup=park.startups["bamboo-home"], user=member["id"])
    )
    await api(
        client,
        "POST",
        f"/api/programmes/calls/{call['id']}/applications",
        json={"startup": park.startups["bamboo-home"]},
    )
    await external_reviewer()
    await panel_of(client, park, call["id"], REVIEWER)
    await login(client, REVIEWER)
    await api(
        client, "POST", f"/api/programmes/calls/{call['id']}/conflicts", json={"conflicts": []}
    )
    queue = (await api(client, "GET", "/api/programmes/reviews")).json()
    mine = next(r["id"] for r in queue if r["application"] == harbour)
    await api(client, "PUT", f"/api/programmes/reviews/{mine}", json={"scores": {"c1": 4, "c2": 4}})
    await login(client, park.users["manager"])
    await api(
        client,
        "POST",
        f"/api/programmes/applications/{harbour}/decision",
        json={"decision": "admitted"},
    )

    [figure] = (await api(client, "GET", "/api/dashboard/programme-intake")).json()["figures"]
    [row] = figure["rows"]
    assert row["name_en"] == call["title_en"]
    assert row["values"] == {
        "started": 3,
        "submitted": 2,
        "reviewed": 1,
        "admitted": 1,
        "acceptance_rate": 0.5,
    }
    assert figure["total"]["acceptance_rate"] == 0.5
    page = await client.get("/dashboard")
    assert "Programme intake by call" in page.text
    report = await client.get("/reports/quarterly")
    assert report.status_code == 200 and "Programme intake by call" in report.text
    csv = await client.get("/dashboard/csv/programme-intake")
    assert csv.status_code == 200 and "Acceptance rate" in csv.text and ",3,2,1,1,0.5" in csv.text
    # Another centre's manager sees only their centres' calls.
    await login(client, park.users["other_manager"])
    [theirs] = (await api(client, "GET", "/api/dashboard/programme-intake")).json()["figures"]
    assert theirs["rows"] == []
