"""A manager opens a call from its form; a member applies (answers, a file, submit); the
manager finds the application: in a real chromium against a real server process."""

from datetime import UTC, datetime, timedelta

import pytest

from incubator.programmes.tables import Application
from tests.browser.pages import log_in
from tests.programmes.conftest import PDF, hk
from tests.server import running_server

pytestmark = pytest.mark.browser


async def test_a_manager_opens_a_call_and_a_member_applies(
    settings, park, browser, artifacts, engine_name, tmp_path
):
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
        await manager.screenshot(
            path=str(artifacts / f"call-form-{engine_name}.png"), full_page=True
        )
        await manager.get_by_role("button", name="Open the call").click()
        await manager.wait_for_url("**/programmes/calls/*")
        assert "Open for applications" in await manager.locator("main").inner_text()
        call_url = manager.url

        member = await log_in(browser, url, park.users["member"])
        await member.goto(call_url)
        await member.screenshot(
            path=str(artifacts / f"call-page-{engine_name}.png"), full_page=True
        )
        await member.get_by_role("button", name="Start an application").click()
        await member.wait_for_url("**/programmes/applications/*")
        await member.get_by_role("button", name="Submit application").click()
        assert "is required" in await member.locator(".error-summary").inner_text()
        await member.get_by_label("What do you make?").fill("Cross-border payments for SMEs.")
        await member.get_by_label("Pitch deck").set_input_files(str(deck))
        await member.screenshot(
            path=str(artifacts / f"application-form-{engine_name}.png"), full_page=True
        )
        await member.get_by_role("button", name="Submit application").click()
        await member.wait_for_url("**?done=submitted")
        text = await member.locator("main").inner_text()
        assert "Your application has been submitted" in text and "deck.pdf" in text
        await member.screenshot(
            path=str(artifacts / f"application-submitted-{engine_name}.png"), full_page=True
        )
        [row] = await Application.select(Application.status, Application.answers)
        assert row["status"] == "submitted" and "Cross-border" in row["answers"]

        await manager.reload()
        await manager.get_by_role("link", name="Applications", exact=True).click()
        assert "Harbour Pay" in await manager.locator("main").inner_text()
        await manager.screenshot(
            path=str(artifacts / f"call-applications-{engine_name}.png"), full_page=True
        )
