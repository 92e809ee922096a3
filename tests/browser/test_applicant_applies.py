"""A manager opens a call from its form; a member applies (answers, a file, submit); an
external reviewer declares no conflict and scores; the manager admits, and the start-up's
profile then shows the programme: in a real chromium against a real server process."""

from datetime import UTC, datetime, timedelta

import pytest

from incubator.programmes.tables import Application
from tests.browser.pages import log_in, snap
from tests.programmes.conftest import PDF, REVIEWER, external_reviewer, hk
from tests.server import running_server

pytestmark = [pytest.mark.browser, pytest.mark.one_engine("postgres")]


async def test_a_manager_opens_a_call_and_a_member_applies(
    settings, park, browser, artifacts, engine_name, tmp_path
):
    await external_reviewer()
    deck = tmp_path / "deck.pdf"
    deck.write_bytes(PDF)
    closes = datetime.now(UTC) + timedelta(days=14)
    with running_server(settings.database_url) as url:
        manager = await log_in(browser, url, park.users["manager"])
        await manager.get_by_text("Programmes", exact=True).click()  # the staff menu
        await manager.get_by_role("link", name="Calls for applications").click()
        await manager.get_by_role("link", name="Open a call").click()
        await manager.get_by_label("Title (English)").fill("Incubation 2027 spring")
        await manager.get_by_label("Title (Chinese)").fill("培育計劃 2027 春季")
        await manager.get_by_label("Opens (Hong Kong time)").fill(
            hk(datetime.now(UTC) - timedelta(hours=1)).replace(" ", "T")
        )
        await manager.get_by_label("Closes (Hong Kong time)").fill(hk(closes).replace(" ", "T"))
        first = manager.get_by_role("group", name="Question 1")
        await first.get_by_label("Kind").select_option(label="Long text")
        await first.get_by_label("Question (English)").fill("What do you make?")
        await first.get_by_label("Required").check()
        second = manager.get_by_role("group", name="Question 2")
        await second.get_by_label("Kind").select_option(label="File upload")
        await second.get_by_label("Question (English)").fill("Pitch deck")
        await second.get_by_label("Required").check()
        await (
            manager.get_by_role("group", name="Criterion 1")
            .get_by_label("Criterion (English)")
            .fill("Team")
        )
        await snap(manager, artifacts / f"call-form-{engine_name}.png", full_page=True)
        await manager.get_by_role("button", name="Open the call").click()
        await manager.wait_for_url("**/programmes/calls/*")
        assert "Open for applications" in await manager.locator("main").inner_text()
        call_url = manager.url

        member = await log_in(browser, url, park.users["other_member"])  # Lantern Chain
        await member.goto(call_url)
        await snap(member, artifacts / f"call-page-{engine_name}.png", full_page=True)
        await member.get_by_role("button", name="Start an application").click()
        await member.wait_for_url("**/programmes/applications/*")
        await member.get_by_role("button", name="Submit application").click()
        assert "is required" in await member.locator(".error-summary").inner_text()
        await member.get_by_label("What do you make?").fill("Cross-border payments for SMEs.")
        status = member.locator("[data-autosave-status]")
        await status.filter(has_text="Draft saved as you typed.").wait_for()
        [draft] = await Application.select(Application.answers)
        assert "Cross-border" in draft["answers"]  # saved as typed, before any button
        await member.get_by_label("Pitch deck").set_input_files(str(deck))
        await snap(member, artifacts / f"application-form-{engine_name}.png", full_page=True)
        await member.get_by_role("button", name="Submit application").click()
        await member.wait_for_url("**?done=submitted")
        text = await member.locator("main").inner_text()
        assert "Your application has been submitted" in text and "deck.pdf" in text
        await snap(member, artifacts / f"application-submitted-{engine_name}.png", full_page=True)
        [row] = await Application.select(Application.status, Application.answers)
        assert row["status"] == "submitted" and "Cross-border" in row["answers"]

        await manager.reload()
        await manager.get_by_role("link", name="Applications", exact=True).click()
        assert "Lantern Chain" in await manager.locator("main").inner_text()
        await snap(manager, artifacts / f"call-applications-{engine_name}.png", full_page=True)
        await manager.goto(call_url)
        await manager.get_by_role("link", name="Review panel").click()
        await manager.get_by_label("Their account's email").fill(REVIEWER)
        await manager.get_by_role("button", name="Add to the panel").click()
        await manager.get_by_role("button", name="Assign").click()
        assert "1 reviews assigned" in await manager.locator("main").inner_text()

        reviewer = await log_in(browser, url, REVIEWER)
        await reviewer.get_by_role("link", name="My reviews").click()
        await reviewer.get_by_role("link", name="Declare conflicts").click()
        await reviewer.get_by_role("button", name="Declare and open my reviews").click()
        await reviewer.get_by_role("link", name="Lantern Chain").click()
        assert "Cross-border payments for SMEs." in await reviewer.locator("main").inner_text()
        await reviewer.get_by_label("Team").select_option("5")
        await reviewer.get_by_label("Comment for the panel").fill("A strong team.")
        await snap(reviewer, artifacts / f"review-form-{engine_name}.png", full_page=True)
        await reviewer.get_by_role("button", name="Save my scores").click()
        await reviewer.wait_for_url("**/programmes/reviews?done=scored")

        await manager.goto(call_url + "/ranking")
        assert "5.00" in await manager.locator("main").inner_text()
        await snap(manager, artifacts / f"call-ranking-{engine_name}.png", full_page=True)
        await manager.get_by_role("link", name="Lantern Chain").click()
        await manager.get_by_label("Decision", exact=True).select_option(label="Admit")
        await manager.get_by_role("button", name="Record the decision").click()
        await manager.wait_for_url("**?done=decided")
        assert "Admitted" in await manager.locator("main").inner_text()

        await member.goto(f"{url}/startups/{park.startups['lantern-chain']}")
        profile = await member.locator("main").inner_text()
        assert "Cyberport Incubation Programme" in profile
        await snap(member, artifacts / f"admitted-profile-{engine_name}.png", full_page=True)
