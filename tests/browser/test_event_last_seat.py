"""A manager schedules an event; two members go for the last seat, one is waitlisted and is
promoted when the other cancels: in a real chromium against a real server process."""

from datetime import timedelta

import pytest

from incubator.i18n import today_hk
from tests.browser.pages import log_in, snap
from tests.server import running_server

pytestmark = [pytest.mark.browser, pytest.mark.one_engine("postgres")]


async def test_two_members_and_the_last_seat(settings, park, browser, artifacts, engine_name):
    day = today_hk() + timedelta(days=5)
    with running_server(settings.database_url) as url:
        manager = await log_in(browser, url, park.users["manager"])
        await manager.get_by_role("link", name="Events", exact=True).click()
        await manager.get_by_role("link", name="Schedule an event").click()
        await manager.get_by_label("Title in English").fill("Founders' Breakfast")
        await manager.get_by_label("Online link").fill("https://meet.example/breakfast")
        await manager.get_by_label("Starts (Hong Kong time)").fill(f"{day}T08:30")
        await manager.get_by_label("Ends (Hong Kong time)").fill(f"{day}T10:00")
        await manager.get_by_label("Capacity").fill("1")
        await manager.get_by_label("Published").check()
        await manager.get_by_role("button", name="Save").click()
        await manager.wait_for_url("**/events/*?message=created")
        event_url = manager.url.split("?")[0]

        first = await log_in(browser, url, park.users["member"])
        await first.goto(event_url)
        await first.get_by_role("button", name="Register").click()
        await first.wait_for_url("**/registrations/*?message=confirmed")
        assert "You have a seat." in await first.locator(".notice").inner_text()

        second = await log_in(browser, url, park.users["other_member"])
        await second.goto(event_url)
        assert "0 of 1 seats left" in await second.locator(".facts").inner_text()
        await second.get_by_role("button", name="Join the waitlist").click()
        await second.wait_for_url("**/registrations/*?message=waitlisted")
        waiting_url = second.url.split("?")[0]
        assert "On the waitlist" in await second.locator(".facts").inner_text()

        await first.get_by_role("button", name="Cancel my registration").click()
        await first.wait_for_url(f"{event_url}?message=cancelled")

        await second.goto(waiting_url)
        assert "Confirmed" in await second.locator(".facts").inner_text()
        assert await second.locator("img[src$='qr.svg']").count() == 1
        await snap(second, artifacts / f"promoted-{engine_name}.png", full_page=True)

        await manager.goto(f"{event_url}/check-in")
        assert "Other Member" in await manager.locator("table").inner_text()
        await manager.goto(f"{url}/events?view=month&date={day}")
        assert "Founders' Breakfast" in await manager.locator("table.calendar").inner_text()
        await snap(manager, artifacts / f"calendar-{engine_name}.png", full_page=True)
