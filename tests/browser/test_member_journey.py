"""A start-up member logs in, edits the profile, finds the change in the directory, and
switches the language: in a real chromium against a real server process."""

import pytest

from tests.browser.pages import log_in, snap
from tests.server import running_server

pytestmark = [pytest.mark.browser, pytest.mark.one_engine("sqlite")]


async def test_member_edits_profile_finds_it_in_the_directory_and_switches_language(
    settings, park, browser, artifacts, engine_name
):
    sid = park.startups["harbour-pay"]
    with running_server(settings.database_url) as url:
        page = await log_in(browser, url, park.users["member"])
        assert await page.locator(".who").inner_text() == "Member (Start-up member)"

        await page.goto(f"{url}/startups/{sid}/edit")
        await page.get_by_label("Description (English)").fill(
            "Quokka-fast FPS payments for Hong Kong SMEs."
        )
        await page.get_by_label("Website").fill("not a website")
        await page.get_by_role("button", name="Save").click()
        # The form comes back with the rule beside the field and the typed text kept.
        error = page.locator("#website-error")
        assert "must be a web address" in await error.inner_text()
        assert await page.get_by_label("Description (English)").input_value() == (
            "Quokka-fast FPS payments for Hong Kong SMEs."
        )
        await page.get_by_label("Website").fill("https://harbourpay.example")
        await page.get_by_role("button", name="Save").click()
        await page.wait_for_url(f"{url}/startups/{sid}?message=saved")
        assert "Your changes are saved." in await page.locator(".notice").inner_text()
        assert "History of changes" in await page.content()

        await page.goto(f"{url}/startups")
        await page.get_by_label("Search", exact=True).fill("quokka")
        await page.get_by_role("button", name="Apply").click()
        await page.wait_for_url("**/startups?q=quokka**")
        results = page.locator(".startup-list .startup h2 a")
        assert await results.all_inner_texts() == ["Harbour Pay"]
        await snap(page, artifacts / f"directory-{engine_name}.png", full_page=True)

        await page.get_by_role("button", name="繁體中文").click()
        await page.wait_for_selector("text=初創企業名錄")
        assert await page.locator("html").get_attribute("lang") == "zh-Hant-HK"
        assert await results.all_inner_texts() == ["海港支付"]

        # On a phone the page still fits: nothing wider than the screen.
        await page.set_viewport_size({"width": 390, "height": 800})
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
        await snap(page, artifacts / f"directory-phone-{engine_name}.png")
