"""Steps the browser tests share."""

from playwright.async_api import Error as PlaywrightError

from tests.conftest import PASSWORD


async def log_in(browser, url: str, email: str):
    """A new browser context, logged in through the log-in form; returns its page."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await page.goto(f"{url}/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(f"{url}/")
    return page


async def snap(page, path, *, full_page: bool = False) -> None:
    """Saves a screenshot of the page, once it has loaded, for people to look at.

    Chromium refuses to capture a page it is still replacing ("Unable to capture
    screenshot"), which a screenshot right after a posted form can meet: the picture is an
    artifact, not an assertion, so it waits for the page and tries again."""
    for attempt in range(3):
        await page.wait_for_load_state()
        try:
            await page.screenshot(path=str(path), full_page=full_page)
            return
        except PlaywrightError as error:
            if "Unable to capture screenshot" not in str(error) or attempt == 2:
                raise
            await page.wait_for_timeout(250)
