"""Steps the browser tests share."""

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
