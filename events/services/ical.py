"""iCalendar (RFC 5545) feeds written with the icalendar library: times in the Asia/Hong_Kong
zone (UTC+8 all year, described by the feed's own VTIMEZONE), cancelled events as
STATUS:CANCELLED, each event's SEQUENCE raised on every change so calendars update it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import icalendar

from incubator.i18n import HONG_KONG

TZID = "Asia/Hong_Kong"


def _hong_kong_zone() -> icalendar.Timezone:
    standard = icalendar.TimezoneStandard()
    standard.add("dtstart", datetime(1970, 1, 1))
    standard.add("tzoffsetfrom", timedelta(hours=8))
    standard.add("tzoffsetto", timedelta(hours=8))
    standard.add("tzname", "HKT")
    zone = icalendar.Timezone()
    zone.add("tzid", TZID)
    zone.add_component(standard)
    return zone


def _event(event: dict, base_url: str, host: str) -> icalendar.Event:
    title = event["title_en"] + (f" / {event['title_zh']}" if event.get("title_zh") else "")
    place = ", ".join(
        p for p in (event.get("venue_en"), event.get("venue_location")) if p
    ) or event.get("online_url", "")
    description = event.get("description_en") or ""
    if event.get("online_url"):
        description = (description + "\n\n" + event["online_url"]).strip()
    updated = event["updated_at"].astimezone(UTC)
    item = icalendar.Event()
    item.add("uid", f"event-{event['id']}@{host}")
    item.add("dtstamp", updated)
    item.add("last-modified", updated)
    item.add("sequence", event["sequence"])
    item.add("dtstart", event["starts_at"].astimezone(HONG_KONG))
    item.add("dtend", event["ends_at"].astimezone(HONG_KONG))
    item.add("summary", title)
    item.add("description", description)
    item.add("location", place)
    item.add("url", f"{base_url}/events/{event['id']}")
    item.add("status", "CANCELLED" if event["status"] == "cancelled" else "CONFIRMED")
    return item


def calendar(name: str, events: Iterable[dict], base_url: str, host: str) -> str:
    feed = icalendar.Calendar()
    feed.add("version", "2.0")
    feed.add("prodid", "-//Cyberport Community//Events//EN")
    feed.add("calscale", "GREGORIAN")
    feed.add("method", "PUBLISH")
    feed.add("x-wr-calname", name)
    feed.add("x-wr-timezone", TZID)
    feed.add_component(_hong_kong_zone())
    for event in events:
        feed.add_component(_event(event, base_url, host))
    return feed.to_ical().decode("utf-8")
