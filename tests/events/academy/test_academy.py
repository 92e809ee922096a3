"""The Web3 Academy: runs take enrolments through the events' seat and waitlist code (and hold
capacity under concurrency), sessions obey the venue rules, prerequisites, the completion
rule, certificates that verify (and forged or revoked ones that do not), badges, figures."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from events.academy.tables import Certificate
from events.tables import Event, Registration, Venue
from incubator.i18n import today_hk
from incubator.startups.tables import Centre, ManagerAssignment
from tests.conftest import api, login, make_client, text_of

TODAY = today_hk()


@pytest.fixture
async def academy(park):
    """The Knowledge Centre, run by the park's Entrepreneurship manager too, with a classroom."""
    from incubator.auth.tables import User

    centre = await Centre.insert(
        Centre(slug="knowledge", kind="centre", name_en="Knowledge Centre", name_zh="知識中心")
    ).returning(Centre.id)
    manager = await User.select(User.id).where(User.email == park.users["manager"]).first()
    await ManagerAssignment.insert(ManagerAssignment(user=manager["id"], centre=centre[0]["id"]))
    venue = await Venue.insert(
        Venue(centre=centre[0]["id"], name_en="Academy Classroom", capacity=40)
    ).returning(Venue.id)
    return {"centre": centre[0]["id"], "classroom": venue[0]["id"]}


async def course(client, **extra) -> int:
    body = {"title_en": "Web3 Fundamentals", "title_zh": "Web3 基礎", "track": "certified_course"}
    response = await api(client, "POST", "/api/academy/courses", json=body | extra)
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def run(client, course_id: int, capacity: int = 20, **extra) -> int:
    body = {
        "starts_on": str(TODAY + timedelta(days=7)),
        "ends_on": str(TODAY + timedelta(days=30)),
        "capacity": capacity,
        "status": "published",
        **extra,
    }
    response = await api(client, "POST", f"/api/academy/courses/{course_id}/runs", json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def at(days: int, hour: int) -> str:
    return f"{TODAY + timedelta(days=days)}T{hour:02d}:00"


async def session(client, run_id: int, days: int, venue: int | None = None, **extra):
    body = {"starts_at": at(days, 14), "ends_at": at(days, 17), "venue": venue} | extra
    if venue is None:
        body["online_url"] = "https://meet.example/web3"
    return await api(client, "POST", f"/api/academy/runs/{run_id}/sessions", json=body)


async def into_the_past(run_id: int) -> None:
    """Move a run and its sessions 40 days back, as if it had taken place."""
    shift = timedelta(days=40)
    for row in await Event.select().where((Event.id == run_id) | (Event.parent == run_id)):
        values = {Event.starts_at: row["starts_at"] - shift, Event.ends_at: row["ends_at"] - shift}
        if row["venue_from"]:
            values |= {
                Event.venue_from: row["venue_from"] - shift,
                Event.venue_until: row["venue_until"] - shift,
            }
        await Event.update(values).where(Event.id == row["id"])


async def test_enrolment_holds_capacity_under_concurrent_requests(app, park, academy):
    async with make_client(app) as client:
        await login(client, park.users["manager"])
        run_id = await run(client, await course(client), capacity=20, allow_guests=True)

    async def enrol(n: int) -> int:
        async with make_client(app) as guest:
            await guest.get("/login")
            body = {"name": f"Learner {n}", "email": f"learner{n}@example.com"}
            response = await api(guest, "POST", f"/api/academy/runs/{run_id}/enrolments", json=body)
            return response.status_code

    codes = await asyncio.gather(*[enrol(n) for n in range(60)])
    assert codes.count(201) == 60
    statuses = [
        r["status"] for r in await Registration.select().where(Registration.event == run_id)
    ]
    assert statuses.count("confirmed") == 20 and statuses.count("waitlisted") == 40


async def test_a_cancelled_enrolment_promotes_the_first_on_the_waitlist(client, park, academy):
    await login(client, park.users["manager"])
    run_id = await run(client, await course(client), capacity=1)
    first = await api(client, "POST", f"/api/academy/runs/{run_id}/enrolments", json={})
    async with make_client(client._transport.app) as member:
        await login(member, park.users["member"])
        second = await api(member, "POST", f"/api/academy/runs/{run_id}/enrolments", json={})
        assert second.json()["status"] == "waitlisted"
    gone = await api(
        client, "POST", f"/api/academy/runs/{run_id}/enrolments/{first.json()['id']}/cancel"
    )
    assert gone.status_code == 200
    promoted = await Registration.select().where(Registration.id == second.json()["id"]).first()
    assert promoted["status"] == "confirmed" and promoted["promoted_at"] is not None


async def test_sessions_obey_the_venue_rules_of_events(client, park, academy):
    await login(client, park.users["manager"])
    run_id = await run(client, await course(client), capacity=30)
    first = await session(client, run_id, 8, venue=academy["classroom"])
    assert first.status_code == 201, first.text
    # An ordinary event in the classroom at the time of the second session's set-up.
    event = await api(
        client,
        "POST",
        "/api/events",
        json={
            "title_en": "Office hours",
            "centre": "knowledge",
            "venue": academy["classroom"],
            "starts_at": at(9, 13),
            "ends_at": at(9, 14),
            "capacity": 10,
            "status": "published",
        },
    )
    assert event.status_code == 201, event.text
    clash = await session(client, run_id, 9, venue=academy["classroom"])
    assert clash.status_code == 409 and "Office hours" in clash.json()["detail"]
    outside = await session(client, run_id, 60, venue=academy["classroom"])
    assert outside.status_code == 422 and "within the run" in outside.json()["errors"]["starts_at"]
    big = await run(client, await course(client, title_en="Big"), capacity=100)
    too_small = await session(client, big, 10, venue=academy["classroom"])
    assert "venue's capacity of 40" in too_small.json()["errors"]["capacity"]
    # Sessions are in the calendar (the run, a period, is not); their page is the run's.
    calendar = (await api(client, "GET", f"/api/events?start={at(7, 0)}")).json()["items"]
    assert [e["title_en"] for e in calendar] == ["Web3 Fundamentals: session 1", "Office hours"]
    page = await client.get(f"/events/{first.json()['id']}")
    assert page.status_code == 303 and page.headers["location"] == f"/academy/runs/{run_id}"
    # A session takes no registrations of its own; the events API does not enrol in runs.
    direct = await api(client, "POST", f"/api/events/{first.json()['id']}/registrations", json={})
    assert direct.status_code == 409 and "enrol in the course run" in direct.json()["detail"]
    around = await api(client, "POST", f"/api/events/{run_id}/registrations", json={})
    assert around.status_code == 404


async def test_prerequisites_are_checked_with_a_clear_message(client, park, academy):
    await login(client, park.users["manager"])
    basics = await course(client)
    advanced = await course(
        client, title_en="Smart Contract Security", level="advanced", prerequisites=[basics]
    )
    run_id = await run(client, advanced)
    async with make_client(client._transport.app) as member:
        await login(member, park.users["member"])
        refused = await api(member, "POST", f"/api/academy/runs/{run_id}/enrolments", json={})
        assert refused.status_code == 422
        assert refused.json()["errors"]["prerequisites"] == (
            "Member must first complete “Web3 Fundamentals” to enrol in this course"
        )
        assert await Registration.count() == 0
        # A certificate of the prerequisite (by email) opens the way.
        basics_run = await run(client, basics)
        enrolled = await api(member, "POST", f"/api/academy/runs/{basics_run}/enrolments", json={})
        await Certificate.insert(
            Certificate(
                registration=enrolled.json()["id"],
                code="W3A-TEST-TEST-TEST-TEST",
                course=basics,
                run=basics_run,
                name="Member",
                email=park.users["member"],
                course_title_en="Web3 Fundamentals",
                attended_percent=100,
            )
        )
        allowed = await api(member, "POST", f"/api/academy/runs/{run_id}/enrolments", json={})
        assert allowed.status_code == 201
    from events.academy.schemas import CourseIn
    from events.academy.services import courses as service
    from incubator.auth.schemas import Viewer
    from incubator.auth.tables import Role, User
    from incubator.errors import ValidationFailed

    admin = await User.select(User.id).where(User.email == park.users["admin"]).first()
    viewer = Viewer(user_id=admin["id"], name="Admin", role=Role.admin)
    with pytest.raises(ValidationFailed) as caught:
        await service.update_course(
            viewer,
            basics,
            CourseIn(
                title_en="Web3 Fundamentals", track="certified_course", prerequisites=[advanced]
            ),
        )
    assert "circle" in caught.value.errors["prerequisites"]


async def _run_with_people(client, park, **course_extra) -> tuple[int, dict[str, int], list[int]]:
    """A run of four sessions with three enrolled guests, moved into the past."""
    run_id = await run(client, await course(client, **course_extra), capacity=10, allow_guests=True)
    sessions = []
    for day in (8, 9, 10, 11):
        response = await session(client, run_id, day)
        assert response.status_code == 201, response.text
        sessions.append(response.json()["id"])
    people = {}
    for name in ("Ada", "Ben", "Cai"):
        async with make_client(client._transport.app) as guest:
            await guest.get("/login")
            body = {"name": name, "email": f"{name.lower()}@example.com"}
            response = await api(guest, "POST", f"/api/academy/runs/{run_id}/enrolments", json=body)
            people[name] = response.json()["id"]
    await into_the_past(run_id)
    return run_id, people, sessions


async def mark(client, session_id: int, registration: int, present: bool = True):
    return await api(
        client,
        "POST",
        f"/api/academy/sessions/{session_id}/attendance",
        json={"registration": registration, "present": present},
    )


async def test_the_completion_rule_share_attended_and_pass_mark(client, park, academy):
    await login(client, park.users["manager"])
    run_id, people, sessions = await _run_with_people(
        client, park, completion_percent=75, has_assessment=True, pass_mark=60
    )
    for s in sessions:  # Ada: 4 of 4; Ben: 3 of 4 (75%); Cai: 2 of 4
        assert (await mark(client, s, people["Ada"])).status_code == 204
    for s in sessions[:3]:
        await mark(client, s, people["Ben"])
    for s in sessions[:2]:
        await mark(client, s, people["Cai"])
    await mark(client, sessions[0], people["Cai"], present=False)  # unmarking counts too
    for name, score in (("Ada", 90), ("Ben", 60), ("Cai", 100)):
        url = f"/api/academy/runs/{run_id}/enrolments/{people[name]}/score"
        assert (await api(client, "POST", url, json={"score": score})).status_code == 204
    bad = await api(
        client,
        "POST",
        f"/api/academy/runs/{run_id}/enrolments/{people['Ada']}/score",
        json={"score": 101},
    )
    assert bad.status_code == 422 and "from 0 to 100" in bad.json()["errors"]["score"]
    issued = await api(client, "POST", f"/api/academy/runs/{run_id}/evaluate")
    assert issued.status_code == 200 and len(issued.json()["certificates"]) == 2
    holders = {c["name"]: c for c in await Certificate.select()}
    assert set(holders) == {"Ada", "Ben"}  # Cai attended 1 of 4
    assert holders["Ben"]["attended_percent"] == 75 and holders["Ben"]["score"] == 60
    # Ben scores below the pass mark after all: still certified (certificates are revoked, not
    # recomputed); a second evaluation issues nothing new.
    again = await api(client, "POST", f"/api/academy/runs/{run_id}/evaluate")
    assert again.json()["certificates"] == [] and await Certificate.count() == 2


async def test_evaluation_waits_for_the_last_session_and_attendance_for_the_session(
    client, park, academy
):
    await login(client, park.users["manager"])
    run_id = await run(client, await course(client), allow_guests=True)
    s = (await session(client, run_id, 8)).json()["id"]
    enrolled = await api(client, "POST", f"/api/academy/runs/{run_id}/enrolments", json={})
    early = await mark(client, s, enrolled.json()["id"])
    assert early.status_code == 409 and "once it begins" in early.json()["detail"]
    too_soon = await api(client, "POST", f"/api/academy/runs/{run_id}/evaluate")
    assert too_soon.status_code == 409 and "evaluate it after that" in too_soon.json()["detail"]


async def test_certificates_verify_and_forged_or_revoked_codes_do_not(client, park, academy):
    await login(client, park.users["manager"])
    run_id, people, sessions = await _run_with_people(client, park)
    for s in sessions:
        await mark(client, s, people["Ada"])
    (code,) = (await api(client, "POST", f"/api/academy/runs/{run_id}/evaluate")).json()[
        "certificates"
    ]
    assert len(code) == len("W3A-XXXX-XXXX-XXXX-XXXX")
    async with make_client(client._transport.app) as public:
        verified = await public.get(f"/api/academy/certificates/{code.lower()}")
        assert verified.status_code == 200
        body = verified.json()
        assert body["valid"] is True and body["name"] == "Ada"
        assert body["course_title_en"] == "Web3 Fundamentals" and body["attended_percent"] == 100
        page = text_of((await public.get(f"/academy/certificates/{code}")).text)
        assert "Valid certificate" in page and "Ada" in page and "Web3 Fundamentals" in page
        pdf = await public.get(f"/academy/certificates/{code}.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
        assert pdf.headers["content-type"] == "application/pdf"
        forged = code[:-1] + ("A" if code[-1] != "A" else "B")
        assert (await public.get(f"/api/academy/certificates/{forged}")).status_code == 404
        assert (
            "No certificate has this code"
            in (await public.get(f"/academy/certificates/{forged}")).text
        )
        refused = await api(
            public, "POST", f"/api/academy/certificates/{code}/revoke", json={"reason": "x"}
        )
        assert refused.status_code == 401
    revoked = await api(
        client,
        "POST",
        f"/api/academy/certificates/{code}/revoke",
        json={"reason": "attendance sheet was wrong"},
    )
    assert revoked.status_code == 204
    after = (await client.get(f"/api/academy/certificates/{code}")).json()
    assert after["valid"] is False and after["revoked_reason"] == "attendance sheet was wrong"
    page = text_of((await client.get(f"/academy/certificates/{code}")).text)
    assert "This certificate was revoked" in page


async def test_completions_show_as_badges_on_the_startup_profile(client, park, academy):
    await login(client, park.users["manager"])
    run_id = await run(client, await course(client))
    s = (await session(client, run_id, 8)).json()["id"]
    async with make_client(client._transport.app) as member:
        await login(member, park.users["member"])
        enrolled = await api(member, "POST", f"/api/academy/runs/{run_id}/enrolments", json={})
    await into_the_past(run_id)
    await mark(client, s, enrolled.json()["id"])
    await api(client, "POST", f"/api/academy/runs/{run_id}/evaluate")
    profile = text_of((await client.get(f"/startups/{park.startups['harbour-pay']}")).text)
    assert "Web3 Academy" in profile and "Web3 Fundamentals" in profile and "1 person" in profile


async def test_academy_figures_per_course_track_and_quarter(client, park, academy):
    await login(client, park.users["manager"])
    run_id, people, sessions = await _run_with_people(client, park)
    for s in sessions:
        await mark(client, s, people["Ada"])
        await mark(client, s, people["Ben"])
    await api(client, "POST", f"/api/academy/runs/{run_id}/evaluate")
    other = await course(client, title_en="Founder Series", track="entrepreneurial_series")
    upcoming = await run(client, other, capacity=1, allow_guests=True)
    for name in ("Dee", "Eve", "Fay"):
        async with make_client(client._transport.app) as guest:
            await guest.get("/login")
            body = {"name": name, "email": f"{name.lower()}@example.com"}
            await api(guest, "POST", f"/api/academy/runs/{upcoming}/enrolments", json=body)
    figures = (await client.get("/api/academy/figures")).json()
    total = figures["total"]
    assert (total["runs"], total["participants"], total["certificates"]) == (2, 4, 2)
    assert total["finished_participants"] == 3 and total["waitlisted"] == 2
    assert total["completion_rate"] == pytest.approx(2 / 3)
    tracks = {f["key"][0]: f for f in figures["tracks"]}
    assert tracks["certified_course"]["completion_rate"] == pytest.approx(2 / 3)
    assert tracks["entrepreneurial_series"]["completion_rate"] is None  # nothing finished yet
    assert tracks["entrepreneurial_series"]["waitlisted"] == 2
    assert len(figures["quarters"]) in (1, 2)
    only = (await client.get("/api/academy/figures?track=entrepreneurial_series")).json()
    assert only["total"]["participants"] == 1
    page = text_of((await client.get("/academy/figures")).text)
    assert "Completion rate" in page and "67%" in page


async def test_academy_api_is_in_the_openapi_document(client):
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    for path in (
        "/api/academy/courses",
        "/api/academy/runs/{run_id}/enrolments",
        "/api/academy/sessions/{session_id}/attendance",
        "/api/academy/certificates/{code}",
        "/api/academy/figures",
    ):
        assert path in paths, path


async def test_a_learners_private_feed_lists_the_sessions_of_their_runs(client, park, academy):
    import icalendar

    from tests.conftest import post_form

    await login(client, park.users["manager"])
    run_id = await run(client, await course(client))
    for day in (8, 15):
        assert (await session(client, run_id, day)).status_code == 201
    await login(client, park.users["member"])
    await api(client, "POST", f"/api/academy/runs/{run_id}/enrolments", json={})
    await client.get("/events/mine")
    made = await post_form(client, "/events/mine/feed")
    url = text_of(made.text).split("/events/feeds/me/")[1].split(".ics")[0]
    feed = await client.get(f"/events/feeds/me/{url}.ics")
    summaries = [
        str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(feed.content).walk("VEVENT")
    ]
    assert summaries == [
        "Web3 Fundamentals: session 1 / Web3 基礎：第 1 節",
        "Web3 Fundamentals: session 2 / Web3 基礎：第 2 節",
    ]


async def test_the_roster_form_saves_ticks_and_names_a_bad_score(client, park, academy):
    from tests.conftest import post_form

    await login(client, park.users["manager"])
    run_id, people, sessions = await _run_with_people(
        client, park, has_assessment=True, pass_mark=60
    )
    form = {
        "present": [f"{sessions[0]}:{people['Ada']}", f"{sessions[1]}:{people['Ada']}"],
        f"score-{people['Ada']}": "85",
        f"score-{people['Ben']}": "120",
    }
    response = await post_form(client, f"/academy/runs/{run_id}/roster", form)
    assert response.status_code == 422
    assert "must be a whole number from 0 to 100" in text_of(response.text)
    from events.academy.tables import AssessmentScore, SessionAttendance

    marks = await SessionAttendance.select().where(SessionAttendance.registration == people["Ada"])
    assert sorted(m["session"] for m in marks) == sorted(sessions[:2])
    scores = {s["registration"]: s["score"] for s in await AssessmentScore.select()}
    assert scores == {people["Ada"]: 85}


async def test_an_enrolment_shows_the_first_session_and_leads_back_to_the_course(client, park):
    from datetime import timedelta

    from events.tables import Event
    from incubator.i18n import hk_text
    from tests.scene import academy

    _course, run, _certificate = await academy(park)
    # The run itself starts at midnight; its first session later that day.
    first = (await Event.select(Event.starts_at).where(Event.parent == run).first())["starts_at"]
    await Event.update({Event.starts_at: first - timedelta(hours=9)}).where(Event.id == run)
    page = await client.get("/registrations/W3AA-0001")
    assert page.status_code == 200
    shown = text_of(page.text)
    assert f"First session {hk_text(first)} (Hong Kong time)" in shown
    assert f'href="/academy/runs/{run}">Back to the course' in page.text
