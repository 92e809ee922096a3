"""Nothing is accepted once a call has closed, by the database's clock: at the boundary, and
with 50 submissions arriving around the closing second. Eligibility is checked on submit."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime, timedelta

from incubator.auth.schemas import Viewer
from incubator.auth.tables import Role, User
from incubator.programmes.schemas import StartIn
from incubator.programmes.services import applications
from incubator.programmes.services.applications import _open_sql
from incubator.programmes.tables import Application, ApplicationFile, Call
from incubator.startups.tables import Startup, StartupMembership
from tests.conftest import api, login
from tests.programmes.conftest import PDF, complete_draft, open_call


async def _closes_in(call_id: int, seconds: float) -> datetime:
    closes_at = datetime.now(UTC) + timedelta(seconds=seconds)
    await Call.update({Call.closes_at: closes_at}).where(Call.id == call_id)
    return closes_at


async def test_the_closing_instant_itself_is_too_late(client, park, call):
    closes_at = datetime(2027, 3, 31, 15, 59, 59, tzinfo=UTC)
    await Call.update({Call.closes_at: closes_at}).where(Call.id == call["id"])
    sql = f"SELECT c.id FROM programme_call c WHERE c.id = {{}} AND {_open_sql('{}')}"

    async def takes(at: datetime) -> bool:
        at_text = at if Call._meta.db.engine_type == "postgres" else at.isoformat(" ")
        return bool(await Call.raw(sql, call["id"], at_text, at_text))

    assert await takes(closes_at - timedelta(milliseconds=1))
    assert not await takes(closes_at)
    assert not await takes(closes_at + timedelta(milliseconds=1))


async def test_a_submission_after_the_close_is_refused_and_the_draft_kept(client, park, call):
    await login(client, park.users["member"])
    application = await complete_draft(client, call["id"])
    closes_at = await _closes_in(call["id"], 1.0)
    await asyncio.sleep(max(0.0, (closes_at - datetime.now(UTC)).total_seconds()) + 0.05)
    refused = await api(client, "POST", f"/api/programmes/applications/{application}/submit")
    assert refused.status_code == 409 and "this call closed at" in refused.json()["detail"]
    late_edit = await api(
        client,
        "PUT",
        f"/api/programmes/applications/{application}/answers",
        json={"answers": {"pitch": "Late"}},
    )
    assert late_edit.status_code == 409
    kept = await api(client, "GET", f"/api/programmes/applications/{application}")
    assert (
        kept.json()["status"] == "draft" and kept.json()["answers"]["pitch"] == "Payments for SMEs."
    )
    late_start = await api(
        client, "POST", f"/api/programmes/calls/{call['id']}/applications", json={}
    )
    assert late_start.json()["id"] == application  # their own application, found again
    await login(client, park.users["other_member"])
    refused = await api(client, "POST", f"/api/programmes/calls/{call['id']}/applications", json={})
    assert refused.status_code == 409 and "closed at" in refused.json()["detail"]


async def _fifty_drafts(park, call_id: int) -> list[int]:
    member = await User.select(User.id).where(User.email == park.users["member"]).first()
    viewer = Viewer(user_id=member["id"], role=Role.member)
    ids = []
    for n in range(50):
        rows = await Startup.insert(
            Startup(slug=f"applicant-{n}", name_en=f"Applicant {n}")
        ).returning(Startup.id)
        await StartupMembership.insert(StartupMembership(startup=rows[0]["id"], user=member["id"]))
        started = await applications.start(viewer, call_id, StartIn(startup=rows[0]["id"]))
        ids.append(started.id)
    answers = json.dumps({"pitch": "Ours", "stage": "Idea"})
    await Application.update({Application.answers: answers}).where(Application.call == call_id)
    await ApplicationFile.insert(
        *(
            ApplicationFile(
                application=i,
                question="deck",
                filename="d.pdf",
                content_type="application/pdf",
                size=len(PDF),
                sha256="0" * 64,
                data=PDF,
            )
            for i in ids
        )
    )
    return ids


async def test_fifty_submissions_around_the_closing_second(client, park, call):
    drafts = await _fifty_drafts(park, call["id"])
    await login(client, park.users["member"])
    closes_at = await _closes_in(call["id"], 1.0)
    started = time.monotonic()

    async def submit(n: int, application: int):
        await asyncio.sleep(max(0.0, 0.5 + n * 0.02 - (time.monotonic() - started)))
        return await api(client, "POST", f"/api/programmes/applications/{application}/submit")

    answers = await asyncio.gather(*(submit(n, a) for n, a in enumerate(drafts)))
    codes = [r.status_code for r in answers]
    assert set(codes) <= {200, 409}, codes
    assert all("this call closed at" in r.json()["detail"] for r in answers if r.status_code == 409)
    rows = await Application.select(
        Application.id, Application.status, Application.submitted_at
    ).where(Application.call == call["id"])
    submitted = [r for r in rows if r["status"] == "submitted"]
    assert len(submitted) == codes.count(200)
    assert all(r["submitted_at"] < closes_at for r in submitted)
    assert all(r["status"] == "draft" for r in rows if r["status"] != "submitted")
    # The first were sent half a second before the close, the last half a second after it.
    assert 0 < codes.count(200) < 50, codes


async def test_eligibility_is_named_by_the_profile_field_it_concerns(client, park):
    rules = {
        "incorporated_hk": True,
        "founded_within_years": 3,
        "clusters": ["smart-living"],
        "not_admitted": True,
    }
    call = await open_call(client, park, eligibility=rules)
    await login(client, park.users["member"])  # Harbour Pay: 2019, FinTech, incubating
    application = await complete_draft(client, call["id"])
    refused = await api(client, "POST", f"/api/programmes/applications/{application}/submit")
    assert refused.status_code == 422
    errors = refused.json()["errors"]
    assert set(errors) == {"br_number", "founded_year", "clusters", "programme"}
    assert "founded in 2019" in errors["founded_year"]
    assert "smart-living" in errors["clusters"]
    bad = await api(
        client,
        "PUT",
        f"/api/programmes/applications/{application}/answers",
        json={"answers": {"br_number": "1234"}},
    )
    assert bad.json()["errors"] == {
        "br_number": "must be the eight digits of a Hong Kong business registration number"
    }
    member = await User.select(User.id).where(User.email == park.users["member"]).first()
    await StartupMembership.insert(
        StartupMembership(startup=park.startups["bamboo-home"], user=member["id"])
    )
    started = await api(
        client,
        "POST",
        f"/api/programmes/calls/{call['id']}/applications",
        json={"startup": park.startups["bamboo-home"]},
    )
    bamboo = started.json()["id"]
    await api(
        client,
        "PUT",
        f"/api/programmes/applications/{bamboo}/answers",
        json={"answers": {"pitch": "Sensors", "stage": "Idea", "br_number": "1234 5678"}},
    )
    await api(
        client,
        "POST",
        f"/api/programmes/applications/{bamboo}/files/deck",
        files={"file": ("d.pdf", PDF, "application/pdf")},
    )
    accepted = await api(client, "POST", f"/api/programmes/applications/{bamboo}/submit")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["answers"]["br_number"] == "12345678"
