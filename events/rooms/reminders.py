"""The meeting rooms' reminders, to the member who booked: a booking starts in an hour, and a
booking no one checked in was released (the room went free). Through the ledger, so each is
sent once however many schedulers sweep."""

from __future__ import annotations

from datetime import datetime, timedelta

from incubator.i18n import hk_text
from incubator.reminders.services.engine import Due, Source, register_source
from incubator.settings import Settings
from incubator.startups.services.recipients import users

AHEAD = timedelta(hours=1)


async def _bookings(status: str, column: str, since: datetime, until: datetime):
    """The bookings of a status whose `column` falls in [since, until], each with the member
    who booked it (those booked by no one now are left out)."""
    from events.tables import RoomBooking

    moment = getattr(RoomBooking, column)
    rows = await RoomBooking.select(
        RoomBooking.id,
        RoomBooking.booked_by,
        RoomBooking.starts_at,
        RoomBooking.ends_at,
        RoomBooking.released_at,
        RoomBooking.venue.name_en.as_alias("room_en"),
        RoomBooking.venue.name_zh.as_alias("room_zh"),
        RoomBooking.venue.location.as_alias("location"),
    ).where((RoomBooking.status == status) & (moment >= since) & (moment <= until))
    people = await users([r["booked_by"] for r in rows if r["booked_by"]])
    return [(row, people[row["booked_by"]]) for row in rows if row["booked_by"] in people]


async def booking_soon(since: datetime, until: datetime, settings: Settings) -> list[Due]:
    dues = []
    for row, person in await _bookings("confirmed", "starts_at", since + AHEAD, until + AHEAD):
        when = f"{hk_text(row['starts_at'], '%H:%M')}–{hk_text(row['ends_at'], '%H:%M')}"
        where = ", ".join(p for p in (row["room_en"], row["location"]) if p)
        room_zh = row["room_zh"] or row["room_en"]
        dues.append(
            Due(
                subject=f"room_booking:{row['id']}",
                occurrence=row["starts_at"].isoformat(),
                due_at=row["starts_at"] - AHEAD,
                recipients=[person],
                title={
                    "en": f"In an hour: {row['room_en']}, {when}",
                    "zh-Hant": f"一小時後：{room_zh}，{when}",
                },
                body={
                    "en": f"Your booking of {where} starts at {when} (Hong Kong time). "
                    "If you no longer need the room, cancel it so others can book it.",
                    "zh-Hant": f"你預訂的 {room_zh} 將於 {when}（香港時間）開始。"
                    "如不再需要，請取消預訂，讓其他人可以使用。",
                },
                link=f"/rooms/bookings/{row['id']}",
            )
        )
    return dues


async def booking_released(since: datetime, until: datetime, settings: Settings) -> list[Due]:
    dues = []
    for row, person in await _bookings("released", "updated_at", since, until):
        when = hk_text(row["starts_at"])
        room_zh = row["room_zh"] or row["room_en"]
        dues.append(
            Due(
                subject=f"room_booking:{row['id']}",
                occurrence=f"released {row['released_at'].isoformat()}",
                due_at=row["released_at"],
                recipients=[person],
                title={
                    "en": f"Released: {row['room_en']}, {when}",
                    "zh-Hant": f"已釋出：{room_zh}，{when}",
                },
                body={
                    "en": f"No one checked in to your booking of {row['room_en']} at {when} "
                    "(Hong Kong time) within 15 minutes of its start, so the room was released "
                    "for others. Its credits are not given back.",
                    "zh-Hant": f"你於 {when}（香港時間）預訂的 {room_zh} 在開始後 15 分鐘內"
                    "無人簽到，會議室已釋出給其他人使用。點數不獲退回。",
                },
                link=f"/rooms/bookings/{row['id']}",
            )
        )
    return dues


def register() -> None:
    register_source(
        Source(
            "room_booking_soon",
            "A room booking starts in an hour",
            booking_soon,
            audience=("member",),
        )
    )
    register_source(
        Source(
            "room_booking_released",
            "A room booking was released: no one checked in",
            booking_released,
            audience=("member",),
        )
    )
