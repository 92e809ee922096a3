"""Calendar feeds: a centre's public feed and a person's private one, in Hong Kong time."""

from __future__ import annotations

from datetime import datetime, timedelta

import icalendar

from tests.conftest import api, login, make_client, post_form, text_of
from tests.events.conftest import at, schedule


async def test_centre_feed_parses_with_hong_kong_times_and_cancelled_events(client, park, venue):
    await login(client, park.users["manager"])
    forum = (await schedule(client, venue)).json()["id"]
    talk = (
        await schedule(
            client,
            None,
            title_en="Talk; with, commas",
            title_zh="",
            online_url="https://meet.example/t",
            starts_at=at(10, days=2),
            ends_at=at(11, days=2),
        )
    ).json()["id"]
    await schedule(
        client, None, title_en="Secret draft", online_url="https://x.example", status="draft"
    )
    await client.get(f"/events/{talk}")
    await post_form(client, f"/events/{talk}/status", {"status": "cancelled"})
    async with make_client(client._transport.app) as public:
        response = await public.get("/events/feeds/entrepreneurship.ics")
    assert response.headers["content-type"].startswith("text/calendar")
    parsed = icalendar.Calendar.from_ical(response.content)
    events = {str(e["SUMMARY"]): e for e in parsed.walk("VEVENT")}
    assert set(events) == {"FinTech Forum / 金融科技論壇", "Talk; with, commas"}
    start = events["FinTech Forum / 金融科技論壇"].decoded("DTSTART")
    assert start == datetime.fromisoformat(at(14)).replace(tzinfo=start.tzinfo)
    assert start.utcoffset() == timedelta(hours=8)
    assert str(events["FinTech Forum / 金融科技論壇"]["STATUS"]) == "CONFIRMED"
    assert str(events["Talk; with, commas"]["STATUS"]) == "CANCELLED"
    assert f"event-{forum}@" in str(events["FinTech Forum / 金融科技論壇"]["UID"])
    assert all(len(line.encode()) <= 75 for line in response.content.decode().split("\r\n"))


async def test_private_feed_lists_my_events_and_a_new_link_revokes_the_old(client, park):
    await login(client, park.users["manager"])
    event = (await schedule(client, None, online_url="https://meet.example/x")).json()["id"]
    await schedule(client, None, title_en="Not mine", online_url="https://meet.example/y")
    await login(client, park.users["member"])
    await api(client, "POST", f"/api/events/{event}/registrations", json={})
    await client.get("/events/mine")
    made = await post_form(client, "/events/mine/feed")
    url = text_of(made.text).split("/events/feeds/me/")[1].split(".ics")[0]
    feed = await client.get(f"/events/feeds/me/{url}.ics")
    summaries = [
        str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(feed.content).walk("VEVENT")
    ]
    assert summaries == ["FinTech Forum / 金融科技論壇"]
    await post_form(client, "/events/mine/feed")
    assert (await client.get(f"/events/feeds/me/{url}.ics")).status_code == 404


async def test_a_lone_carriage_return_stays_inside_its_field_and_chinese_is_carried(client, park):
    await login(client, park.users["manager"])
    await schedule(
        client,
        None,
        title_en="Old\rMac",
        description_en="First line\rsecond line",
        description_zh="第一行\r\n第二行",
        online_url="https://meet.example/cr",
    )
    async with make_client(client._transport.app) as public:
        body = (await public.get("/events/feeds/entrepreneurship.ics")).content
    # No CR but those that end the feed's lines (CRLF), which every parser reads alike.
    assert b"\r" not in body.replace(b"\r\n", b"")
    (event,) = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert str(event["SUMMARY"]).startswith("Old Mac / ")
    description = str(event["DESCRIPTION"])
    assert description.startswith("First line\nsecond line\n\n第一行\n第二行")
    assert description.endswith("https://meet.example/cr")


async def test_without_a_base_url_links_name_the_address_served_on(settings, park, monkeypatch):
    import httpx

    from tests.scene import event_with_a_registration
    from tests.server import serving

    await event_with_a_registration(park)
    monkeypatch.delenv("INCUBATOR_BASE_URL", raising=False)
    with serving(settings.database_url) as (url, _process):
        feed = httpx.get(f"{url}/events/feeds/entrepreneurship.ics").text
    assert f"URL:{url}/events/" in feed.replace("\r\n ", "")
