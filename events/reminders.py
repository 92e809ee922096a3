"""Events' and the academy's reminders: an event starts in 24 hours (confirmed registrants),
a course session is tomorrow (confirmed enrolments), and a seat came free for someone on a
waitlist (at once: `registrations.tell_promoted` runs this source straight away)."""

from __future__ import annotations

from datetime import datetime, timedelta

from incubator.i18n import hk_text
from incubator.reminders.services.engine import (
    Due,
    Recipient,
    Source,
    local_day,
    local_moment,
    register_source,
)
from incubator.settings import Settings
from incubator.startups.services.recipients import users


async def _registrants(event_ids: list[int], statuses: tuple[str, ...] = ("confirmed",)):
    from events.tables import Registration

    rows = await Registration.select(
        Registration.id,
        Registration.event,
        Registration.user,
        Registration.name,
        Registration.email,
        Registration.code,
        Registration.promoted_at,
    ).where(Registration.event.is_in(event_ids or [0]) & Registration.status.is_in(list(statuses)))
    known = await users([r["user"] for r in rows if r["user"]])
    people: dict[int, list[tuple[dict, Recipient]]] = {}
    for row in rows:
        person = known.get(row["user"]) or Recipient(email=row["email"], name=row["name"])
        if person.user_id is None:  # a guest: their email is the key
            person = Recipient(email=row["email"].lower(), name=row["name"])
        people.setdefault(row["event"], []).append((row, person))
    return people


async def event_tomorrow(since: datetime, until: datetime, settings: Settings) -> list[Due]:
    from events.tables import Event

    ahead = timedelta(hours=settings.reminder_event_hours)
    events = await Event.select(
        Event.id,
        Event.title_en,
        Event.title_zh,
        Event.starts_at,
        Event.online_url,
        Event.venue.name_en.as_alias("venue_en"),
    ).where(
        (Event.kind == "event")
        & (Event.status == "published")
        & (Event.starts_at >= since + ahead)
        & (Event.starts_at <= until + ahead)
    )
    people = await _registrants([e["id"] for e in events])
    dues = []
    for event in events:
        when = hk_text(event["starts_at"])
        where = event["venue_en"] or event["online_url"]
        dues.append(
            Due(
                subject=f"event:{event['id']}",
                occurrence=event["starts_at"].isoformat(),
                due_at=event["starts_at"] - ahead,
                recipients=[p for _row, p in people.get(event["id"], [])],
                title={
                    "en": f"Tomorrow: {event['title_en']}, {when}",
                    "zh-Hant": f"明日：{event['title_zh'] or event['title_en']}，{when}",
                },
                body={
                    "en": f"{event['title_en']} starts {when} (Hong Kong time) at {where}. "
                    "If you cannot come, cancel so someone on the waitlist gets your seat.",
                    "zh-Hant": f"{event['title_zh'] or event['title_en']} 將於 {when}（香港時間）"
                    f"在 {where} 開始。如未能出席，請取消登記，讓候補者取得座位。",
                },
                link=f"/events/{event['id']}",
            )
        )
    return dues


async def session_tomorrow(since: datetime, until: datetime, settings: Settings) -> list[Due]:
    from events.tables import Event

    first, last = local_day(since) + timedelta(days=1), local_day(until) + timedelta(days=2)
    sessions = await Event.select(
        Event.id,
        Event.parent,
        Event.title_en,
        Event.title_zh,
        Event.starts_at,
        Event.online_url,
        Event.venue.name_en.as_alias("venue_en"),
    ).where(
        (Event.kind == "session")
        & (Event.status == "published")
        & (Event.starts_at >= local_moment(first, 0))
        & (Event.starts_at < local_moment(last, 0))
    )
    people = await _registrants(list({s["parent"] for s in sessions}))
    dues = []
    for session in sessions:
        due_at = local_moment(
            local_day(session["starts_at"]) - timedelta(days=1), settings.reminder_hour
        )
        if not since <= due_at <= until:
            continue
        when = hk_text(session["starts_at"])
        where = session["venue_en"] or session["online_url"]
        dues.append(
            Due(
                subject=f"session:{session['id']}",
                occurrence=session["starts_at"].isoformat(),
                due_at=due_at,
                recipients=[p for _row, p in people.get(session["parent"], [])],
                title={
                    "en": f"Tomorrow: {session['title_en']}",
                    "zh-Hant": f"明日：{session['title_zh'] or session['title_en']}",
                },
                body={
                    "en": f"{session['title_en']} is tomorrow, {when} (Hong Kong time), "
                    f"at {where}.",
                    "zh-Hant": f"{session['title_zh'] or session['title_en']} 於明日 {when}"
                    f"（香港時間）在 {where} 舉行。",
                },
                link=f"/academy/runs/{session['parent']}",
            )
        )
    return dues


async def promoted(since: datetime, until: datetime, settings: Settings) -> list[Due]:
    from events.tables import Registration

    rows = await Registration.select(
        Registration.event,
        Registration.event.title_en.as_alias("title_en"),
        Registration.event.title_zh.as_alias("title_zh"),
        Registration.event.starts_at.as_alias("starts_at"),
    ).where(
        (Registration.status == "confirmed")
        & (Registration.promoted_at >= since)
        & (Registration.promoted_at <= until)
    )
    events = {r["event"]: r for r in rows}
    people = await _registrants(list(events))
    dues = []
    for event_id, event in events.items():
        for row, person in people.get(event_id, []):
            if row["promoted_at"] is None or not since <= row["promoted_at"] <= until:
                continue
            when = hk_text(event["starts_at"])
            dues.append(
                Due(
                    subject=f"registration:{row['id']}",
                    occurrence=row["promoted_at"].isoformat(),
                    due_at=row["promoted_at"],
                    recipients=[person],
                    title={
                        "en": f"You have a seat: {event['title_en']}",
                        "zh-Hant": f"你已獲得座位：{event['title_zh'] or event['title_en']}",
                    },
                    body={
                        "en": f"Dear {row['name']}, a seat has become free and it is yours: "
                        f"you are now confirmed for “{event['title_en']}” on {when} (Hong Kong "
                        f"time). Your check-in code is {row['code']}. If you can no longer "
                        "come, please cancel so the next person gets the seat.",
                        "zh-Hant": f"{row['name']}，有座位空出，已分配給你：你已獲確認參加"
                        f"「{event['title_zh'] or event['title_en']}」，時間 {when}（香港時間）。"
                        f"你的簽到編號為 {row['code']}。如未能出席，請取消，讓下一位取得座位。",
                    },
                    link=f"/registrations/{row['code']}",
                )
            )
    return dues


def register() -> None:
    register_source(Source("event_tomorrow", "Event starts tomorrow", event_tomorrow))
    register_source(Source("session_tomorrow", "Course session tomorrow", session_tomorrow))
    register_source(
        Source("waitlist_promotion", "A seat came free for you", promoted, essential=True)
    )
