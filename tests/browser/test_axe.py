"""axe-core, in a real chromium, over the pages each kind of user reaches from the navigation:
no serious or critical accessibility violation. The pages come from the navigation the
browser sees, so a new page there is checked without anyone adding it here. The two engines'
runs share the work: English pages on SQLite, Traditional Chinese on PostgreSQL. A page of the
navigation is checked once, as the first of the kinds below that reaches it (staff first: they
see the most controls); the home page and a profile, an event and the calendar, whose content
differs most by viewer, as every kind."""

import pytest
from axe_playwright_python.async_playwright import Axe

from tests.browser.pages import log_in
from tests.scene import event_with_a_registration, partner_network
from tests.server import running_server

pytestmark = pytest.mark.browser

KINDS = ["admin", "manager", "partner", "member", "anonymous"]


async def test_no_serious_accessibility_violation_on_any_role_s_pages(
    settings, park, browser, engine_name
):
    event, _code = await event_with_a_registration(park)
    await partner_network(park)
    language = "en" if engine_name == "sqlite" else "zh-Hant"
    extra = [f"/startups/{park.startups['harbour-pay']}", f"/events/{event}", "/events?view=month"]
    axe, found, checked = Axe(), [], set()
    with running_server(settings.database_url) as url:
        for kind in KINDS:
            if kind == "anonymous":
                context = await browser.new_context(viewport={"width": 1280, "height": 900})
                page = await context.new_page()
                await page.goto(f"{url}/")
            else:
                page = await log_in(browser, url, park.users[kind])
                context = page.context
            await context.add_cookies([{"name": "lang", "value": language, "url": url}])
            await page.goto(f"{url}/")
            links = await page.eval_on_selector_all(
                ".bar nav a[href^='/']", "links => links.map(a => a.getAttribute('href'))"
            )
            every = ["/", *extra]
            for path in dict.fromkeys([*every, *(link for link in links if link not in checked)]):
                checked.add(path)
                await page.goto(url + path)
                result = await axe.run(page)
                for violation in result.response["violations"]:
                    if violation["impact"] in ("serious", "critical"):
                        node = violation["nodes"][0]
                        found.append(
                            f"{kind} {path}: {violation['id']} ({violation['impact']}) "
                            f"at {node['target']}: {node['html'][:100]}"
                        )
            await context.close()
    assert found == [], "\n".join(found)
