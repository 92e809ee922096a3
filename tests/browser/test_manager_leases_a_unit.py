"""A centre manager leases a vacant unit to a start-up from the centre's page and sees the
occupancy change: in a real chromium against a real server process."""

from datetime import timedelta

import pytest

from incubator.i18n import today_hk
from tests.browser.pages import log_in, snap
from tests.server import running_server

pytestmark = [pytest.mark.browser, pytest.mark.one_engine("postgres")]


async def test_manager_leases_a_vacant_unit_and_sees_occupancy_change(
    settings, park, browser, artifacts, engine_name
):
    with running_server(settings.database_url) as url:
        page = await log_in(browser, url, park.users["manager"])

        await page.get_by_role("link", name="Centres and hubs").click()
        await page.get_by_role("link", name="Entrepreneurship Centre").click()
        await page.wait_for_url(f"{url}/centres/entrepreneurship")
        figures = page.locator(".figures")
        assert "50.0%" in await figures.inner_text()
        chart = page.locator(".chart .bar-value")
        assert await chart.all_inner_texts() == ["50.0% · 1/2"]
        await snap(page, artifacts / f"centre-before-{engine_name}.png", full_page=True)

        await (
            page.get_by_role("row", name="3F-02")
            .get_by_role("link", name="Lease this unit")
            .click()
        )
        await page.wait_for_url("**/leases/new?unit=*")
        # The start-up field suggests what the directory finds for the words typed so far.
        await page.get_by_label("Start-up").press_sequentially("bambo")
        suggested = page.locator('#startup-names option[value="Bamboo Home (bamboo-home)"]')
        await suggested.wait_for(state="attached")
        await page.get_by_label("Start-up").fill(await suggested.get_attribute("value"))
        last_day = (today_hk() + timedelta(days=729)).isoformat()
        await page.get_by_label("Last day").fill(last_day)
        await page.get_by_label("Rent a month (HKD)").fill("20,500")
        await page.get_by_role("button", name="Create lease").click()
        await page.wait_for_url("**/leases/*?message=created")
        assert "The lease was created." in await page.locator(".notice").inner_text()
        assert "HK$20,500" in await page.locator(".facts").inner_text()

        await page.goto(f"{url}/centres/entrepreneurship")
        assert "100.0%" in await figures.inner_text()
        assert await chart.all_inner_texts() == ["100.0% · 2/2"]
        assert "Every unit is let." in await page.content()
        bamboo = page.locator(".startup", has_text="Bamboo Home")
        assert await bamboo.locator(".badge").inner_text() == "Onsite"
        await snap(page, artifacts / f"centre-after-{engine_name}.png", full_page=True)

        await page.set_viewport_size({"width": 390, "height": 800})
        assert await page.evaluate("document.documentElement.scrollWidth") <= 390
