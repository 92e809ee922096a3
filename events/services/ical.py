"""iCalendar (RFC 5545) feeds, written by hand: lines folded at 75 octets, text escaped,
times in the Asia/Hong_Kong zone (UTC+8 all year), cancelled events as STATUS:CANCELLED."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from incubator.i18n import HONG_KONG

_TZID = "Asia/Hong_Kong"
_VTIMEZONE = [
    "BEGIN:VTIMEZONE",
    f"TZID:{_TZID}",
    "BEGIN:STANDARD",
    "DTSTART:19700101T000000",
    "TZOFFSETFROM:+0800",
    "TZOFFSETTO:+0800",
    "TZNAME:HKT",
    "END:STANDARD",
    "END:VTIMEZONE",
]


def escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Lines of at most 75 octets, continued with CRLF and a space (never splitting a
    UTF-8 character)."""
    out: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        limit = 75 if not out else 74
        if size + width > limit:
            out.append(current)
            current, size = "", 0
        current += char
        size += width
    out.append(current)
    return "\r\n ".join(out)


def _local(moment: datetime) -> str:
    return moment.astimezone(HONG_KONG).strftime("%Y%m%dT%H%M%S")


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(name: str, events: Iterable[dict], base_url: str, host: str) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Cyberport Community//Events//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
        f"X-WR-TIMEZONE:{_TZID}",
        *_VTIMEZONE,
    ]
    for event in events:
        title = event["title_en"] + (f" / {event['title_zh']}" if event.get("title_zh") else "")
        place = ", ".join(
            p for p in (event.get("venue_en"), event.get("venue_location")) if p
        ) or event.get("online_url", "")
        description = event.get("description_en") or ""
        if event.get("online_url"):
            description = (description + "\n\n" + event["online_url"]).strip()
        lines += [
            "BEGIN:VEVENT",
            f"UID:event-{event['id']}@{host}",
            f"DTSTAMP:{_utc(event['updated_at'])}",
            f"LAST-MODIFIED:{_utc(event['updated_at'])}",
            f"SEQUENCE:{event['sequence']}",
            f"DTSTART;TZID={_TZID}:{_local(event['starts_at'])}",
            f"DTEND;TZID={_TZID}:{_local(event['ends_at'])}",
            f"SUMMARY:{escape(title)}",
            f"DESCRIPTION:{escape(description)}",
            f"LOCATION:{escape(place)}",
            f"URL:{base_url}/events/{event['id']}",
            "STATUS:" + ("CANCELLED" if event["status"] == "cancelled" else "CONFIRMED"),
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
