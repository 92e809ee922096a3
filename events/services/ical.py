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


def _lines(text: str | None) -> str:
    """Text with every line break as LF: a lone CR (typed on some systems) ended the line
    for some parsers and not for others, which then could not read the rest of the feed."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _one_line(text: str | None) -> str:
    return " ".join(_lines(text).split())


def _event(event: dict, base_url: str, host: str) -> icalendar.Event:
    title = _one_line(event["title_en"]) + (
        f" / {_one_line(event['title_zh'])}" if event.get("title_zh") else ""
    )
    place = _one_line(
        ", ".join(p for p in (event.get("venue_en"), event.get("venue_location")) if p)
        or event.get("online_url", "")
    )
    # Both languages, as the title: the English description, then the Chinese one.
    parts = [_lines(event.get("description_en")), _lines(event.get("description_zh"))]
    description = "\n\n".join(p for p in parts if p)
    if event.get("online_url"):
        description = (description + "\n\n" + event["online_url"]).strip()
    updated = event["updated_at"].astimezone(UTC)
    item = icalendar.Event()
    item.add("uid", event.get("uid") or f"event-{event['id']}@{host}")
    item.add("dtstamp", updated)
    item.add("last-modified", updated)
    item.add("sequence", event["sequence"])
    item.add("dtstart", event["starts_at"].astimezone(HONG_KONG))
    item.add("dtend", event["ends_at"].astimezone(HONG_KONG))
    item.add("summary", title)
    item.add("description", description)
    item.add("location", place)
    item.add("url", base_url + (event.get("path") or f"/events/{event['id']}"))
    item.add("status", "CANCELLED" if event["status"] == "cancelled" else "CONFIRMED")
    return item


def calendar(
    name: str, events: Iterable[dict], base_url: str, host: str, method: str = "PUBLISH"
) -> str:
    """A calendar of events (dicts of an event's columns; `uid` and `path` where the item is
    not an event, such as a room booking). A feed is published; an invitation sent by email
    is a REQUEST (or a CANCEL) of one item, with its organiser and attendee (`organizer`,
    `attendee` as email addresses)."""
    feed = icalendar.Calendar()
    feed.add("version", "2.0")
    feed.add("prodid", "-//Cyberport Community//Events//EN")
    feed.add("calscale", "GREGORIAN")
    feed.add("method", method)
    feed.add("x-wr-calname", name)
    feed.add("x-wr-timezone", TZID)
    feed.add_component(_hong_kong_zone())
    for event in events:
        item = _event(event, base_url, host)
        if event.get("organizer"):
            item.add("organizer", f"mailto:{event['organizer']}")
        if event.get("attendee"):
            item.add("attendee", f"mailto:{event['attendee']}", parameters={"RSVP": "FALSE"})
        feed.add_component(item)
    return feed.to_ical().decode("utf-8")
