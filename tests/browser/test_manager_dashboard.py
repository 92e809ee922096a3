"""A centre manager opens the dashboard, changes the range, and sees only their own centre's
figures: in a real chromium against a real server process."""

from pathlib import Path

import pytest

from incubator.dashboard.services.figures import FIGURES
from incubator.i18n import today_hk
from tests.browser.pages import log_in, snap
from tests.dashboard.test_dashboard import known_park, month_start
from tests.server import running_server

pytestmark = [pytest.mark.browser, pytest.mark.one_engine("sqlite")]


async def test_a_manager_changes_the_range_and_sees_only_their_centres(
    settings, park, browser, artifacts, engine_name
):
    k = await known_park(park)
    with running_server(settings.database_url) as url:
        page = await log_in(browser, url, park.users["manager"])

        await page.get_by_role("link", name="Dashboard").click()
        await page.wait_for_url(f"{url}/dashboard")
        main = page.locator("main")
        assert "Technology Centre" not in await main.inner_text()
        centres = page.locator("#startups-by-centre tbody th")
        assert await centres.all_inner_texts() == ["Entrepreneurship Centre"]
        options = await page.get_by_label("Centre or hub").locator("option").all_inner_texts()
        assert options == ["All my centres and hubs", "Entrepreneurship Centre"]
        months = page.locator("#events tbody th")
        assert k.key1 in await months.all_inner_texts()
        assert await page.locator("svg.chart-svg").count() == len(FIGURES)  # one per figure
        await snap(page, artifacts / f"dashboard-12-months-{engine_name}.png", full_page=True)

        first = month_start(today_hk(), 2).isoformat()
        await page.get_by_label("From").fill(first)
        await page.get_by_role("button", name="Show").click()
        await page.wait_for_url(f"**/dashboard?*from={first}*")
        shown = await months.all_inner_texts()
        assert k.key1 not in shown and shown[0] == first[:7] and len(shown) == 3
        assert "Technology Centre" not in await main.inner_text()
        assert await page.locator("#startups-by-centre tbody th").all_inner_texts() == [
            "Entrepreneurship Centre"
        ]

        async with page.expect_download() as download:
            await page.locator("#events").get_by_role("link", name="Download CSV").click()
        saved = await (await download.value).path()
        text = Path(saved).read_text(encoding="utf-8-sig")
        header = "Name (English),Name (Chinese),Events,Registered,Attended"
        assert text.splitlines()[0] == header  # for people: labels (the JSON keeps keys)
        assert f"{first[:7]}," in text and k.key1 not in text
        await snap(page, artifacts / f"dashboard-3-months-{engine_name}.png", full_page=True)
