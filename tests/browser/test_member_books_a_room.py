"""A member books a meeting room from the day grid, finds the booking in their private
calendar feed, and cancels it: in a real chromium against a real server process."""

import icalendar
import pytest

from events.tables import RoomBooking
from tests.browser.pages import log_in, snap
from tests.events.rooms.conftest import DAY, make_room
from tests.server import running_server

pytestmark = [pytest.mark.browser, pytest.mark.one_engine("sqlite")]


async def test_a_member_books_a_room_sees_it_in_the_feed_and_cancels_it(
    settings, park, browser, artifacts, engine_name
):
    await make_room(park)  # Harbour Room, bookable every day
    with running_server(settings.database_url) as url:
        member = await log_in(browser, url, park.users["member"])
        await member.get_by_role("link", name="Meeting rooms").click()
        await member.goto(f"{url}/rooms?date={DAY}")
        assert "40 left of 40" in await member.locator(".credits").inner_text()
        await member.get_by_role("link", name="10:00 free, book it").click()
        await member.get_by_label("Until").select_option(label="11:00 · 2 credits")
        await member.get_by_label("What for (optional)").fill("Investor call")
        await snap(member, artifacts / f"room-booking-form-{engine_name}.png")
        await member.get_by_role("button", name="Book").click()
        await member.wait_for_url("**/rooms/bookings/*?done=booked")
        assert "Investor call" in await member.locator("main").inner_text()
        booking = (await RoomBooking.select(RoomBooking.id).first())["id"]

        await member.goto(f"{url}/rooms?date={DAY}")
        assert "38 left of 40" in await member.locator(".credits").inner_text()
        await member.get_by_role("link", name="10:00 your booking").is_visible()
        await snap(member, artifacts / f"room-day-grid-{engine_name}.png", full_page=True)

        await member.goto(f"{url}/events/mine")
        await member.get_by_role("button", name="Make my link").click()
        feed_url = (await member.locator("code").inner_text()).strip()
        feed = await member.request.get(feed_url)
        calendar = icalendar.Calendar.from_ical(await feed.body())
        [item] = [e for e in calendar.walk("VEVENT") if "Investor call" in str(e["summary"])]
        assert item["dtstart"].dt.hour == 10 and str(item["status"]) == "CONFIRMED"

        await member.goto(f"{url}/rooms/bookings")
        await member.get_by_role("link", name=f"{DAY} 10:00–11:00").click()
        await member.get_by_role("button", name="Cancel this booking").click()
        await member.wait_for_url(f"**/rooms/bookings/{booking}?done=cancelled")
        assert "The credits are back" in await member.locator("main").inner_text()
        await snap(member, artifacts / f"room-cancelled-{engine_name}.png")
        feed = await member.request.get(feed_url)
        calendar = icalendar.Calendar.from_ical(await feed.body())
        [item] = [e for e in calendar.walk("VEVENT") if "Investor call" in str(e["summary"])]
        assert str(item["status"]) == "CANCELLED"
        await member.goto(f"{url}/rooms?date={DAY}")
        assert "40 left of 40" in await member.locator(".credits").inner_text()
