"""A member enrols in an academy run, the instructor marks attendance and evaluates the run,
and the member finds the certificate and verifies it by its code: in a real chromium against
a real server process."""

from datetime import timedelta

import pytest

from events.tables import Course, Event
from incubator.db import utcnow
from tests.browser.pages import log_in, snap
from tests.events.academy.test_academy import into_the_past
from tests.server import running_server

pytestmark = [pytest.mark.browser, pytest.mark.one_engine("sqlite")]


async def test_a_member_enrols_attends_completes_and_verifies(
    settings, park, browser, artifacts, engine_name
):
    centre = park.centres["entrepreneurship"]  # the manager's own centre runs this course
    course = await Course.insert(
        Course(
            title_en="Web3 Fundamentals",
            title_zh="Web3 基礎",
            track="certified_course",
            centre=centre,
            completion_percent=50,
        )
    ).returning(Course.id)
    start = utcnow() + timedelta(days=10)
    common = {
        "centre": centre,
        "capacity": 10,
        "status": "published",
        "title_en": "Web3 Fundamentals",
    }
    run = await Event.insert(
        Event(
            kind="course_run",
            course=course[0]["id"],
            starts_at=start,
            ends_at=start + timedelta(days=7),
            **common,
        )
    ).returning(Event.id)
    run_id = run[0]["id"]
    for day in (0, 7):
        begins = start + timedelta(days=day, hours=10)
        await Event.insert(
            Event(
                kind="session",
                parent=run_id,
                starts_at=begins,
                ends_at=begins + timedelta(hours=2),
                online_url="https://meet.example/w3",
                **common | {"title_en": f"Session {day}"},
            )
        )
    with running_server(settings.database_url) as url:
        member = await log_in(browser, url, park.users["member"])
        await member.get_by_role("link", name="Academy").click()
        await member.get_by_role("link", name="Web3 Fundamentals").click()
        await member.locator("table a").first.click()  # the run, by its dates
        await member.get_by_role("button", name="Enrol").click()
        await member.wait_for_url("**/registrations/*?message=confirmed")

        await into_the_past(run_id)  # the run has taken place
        manager = await log_in(browser, url, park.users["manager"])
        await manager.goto(f"{url}/academy/runs/{run_id}")
        await manager.get_by_role("link", name="Roster and attendance").click()
        await manager.get_by_label("Member at session 1").check()
        await manager.get_by_role("button", name="Save attendance and scores").click()
        await manager.wait_for_url("**/roster?message=saved")
        assert "50%" in await manager.locator("table").inner_text()
        await manager.get_by_role("button", name="Evaluate the run").click()
        await manager.wait_for_url("**/roster?message=issued-1")

        await member.goto(f"{url}/academy")
        await member.get_by_role("link", name="My certificate").click()
        assert "Valid certificate" in await member.locator(".certificate").inner_text()
        code = (await member.locator(".certificate code").inner_text()).strip()
        await snap(member, artifacts / f"certificate-{engine_name}.png", full_page=True)

        public = await browser.new_page()
        await public.goto(f"{url}/academy/certificates")
        await public.get_by_label("Certificate code").fill(code.lower())
        await public.get_by_role("button", name="Verify").click()
        assert "Member" in await public.locator(".certificate").inner_text()
        forged = code[:-1] + ("X" if code[-1] != "X" else "Y")
        await public.goto(f"{url}/academy/certificates/{forged}")
        assert "No certificate has this code" in await public.locator("main").inner_text()
        profile = await member.goto(f"{url}/startups/{park.startups['harbour-pay']}")
        assert profile.ok and "Web3 Fundamentals" in await member.locator(".badges").inner_text()
