"""Every screen fits: at 390 px no page is wider than the screen (long names, addresses and
wide tables wrap or scroll inside their own box) and every control a finger taps is at least
24 px; at 1366 px the staff navigation stays on one row, its groups opening as menus."""

import pytest

from incubator.startups.tables import Startup
from tests.browser.pages import log_in, snap
from tests.scene import event_with_a_registration, partner_network
from tests.server import running_server

pytestmark = pytest.mark.browser

# Controls a finger taps (links inside running text are exempt, as WCAG 2.5.8 has it).
SMALL_TARGETS = """() => [...document.querySelectorAll(
  'button, .button, .bar nav a, .bar nav summary, input[type=checkbox], input[type=radio], select'
)].filter(e => {
  const r = e.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && (r.width < 24 || r.height < 24);
}).map(e => e.outerHTML.slice(0, 80))"""
LONG = "https://a-very-long-address-of-harbour-pay-that-does-not-break-anywhere.example"


async def test_pages_fit_a_phone_and_staff_menus_fit_a_laptop(
    settings, park, browser, artifacts, engine_name
):
    sid = park.startups["harbour-pay"]
    await Startup.update({Startup.website: LONG}).where(Startup.id == sid)
    event, _code = await event_with_a_registration(park)
    mou, _export, _referral = await partner_network(park)
    pages = [
        "/",
        "/startups",
        f"/startups/{sid}",
        f"/startups/{sid}/edit",
        "/centres/entrepreneurship",
        f"/events/{event}",
        "/events?view=month",
        "/dashboard",
        "/account",
        f"/partners/mous/{mou}",
        "/admin/reminders",
        "/leases/new",
    ]
    with running_server(settings.database_url) as url:
        page = await log_in(browser, url, park.users["admin"])
        nav = page.locator(".bar nav > ul")
        heights = set()
        for item in await nav.locator(":scope > li").all():
            heights.add((await item.bounding_box())["y"])
        assert len(heights) == 1, f"the staff navigation wraps at 1366 px: rows at {heights}"
        await page.get_by_text("Administration", exact=True).click()
        await page.get_by_role("link", name="Outbox").click()
        await page.wait_for_url(f"{url}/admin/outbox")
        await page.set_viewport_size({"width": 390, "height": 800})
        too_wide, too_small = {}, {}
        for path in [*pages, f"/startups/{sid}/sharing", "/admin/users", f"/events/{event}/edit"]:
            await page.goto(url + path)
            width = await page.evaluate("document.documentElement.scrollWidth")
            if width > 390:
                too_wide[path] = width
            if small := await page.evaluate(SMALL_TARGETS):
                too_small[path] = small
        assert too_wide == {}
        assert too_small == {}, "tap targets under 24 px"
        await page.goto(f"{url}/startups/{sid}")
        await snap(page, artifacts / f"profile-phone-{engine_name}.png")
