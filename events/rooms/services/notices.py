"""What a booking tells people: a confirmation email carrying an iCalendar invitation (a
REQUEST, raised in SEQUENCE when the booking moves, or a CANCEL), and the member's bookings
in their private calendar feed."""

from __future__ import annotations

import logging
from datetime import timedelta
from email.message import EmailMessage
from urllib.parse import urlparse

import msgspec

from events.rooms.schemas import BookingOut
from events.services import ical
from events.tables import RoomBooking
from incubator.auth.tables import User
from incubator.db import utcnow
from incubator.i18n import hk_text
from incubator.mail import send_message
from incubator.settings import Settings

log = logging.getLogger(__name__)


def _item(booking: dict, host: str) -> dict:
    """A booking shaped as the calendar writes an event."""
    title = booking["title"] or "Room booking"
    return {
        "id": booking["id"],
        "uid": f"room-booking-{booking['code']}@{host}",
        "path": f"/rooms/bookings/{booking['id']}",
        "title_en": f"{title}: {booking['room_en']}",
        "title_zh": f"{booking['room_zh']}" if booking.get("room_zh") else "",
        "description_en": f"Meeting room booked for {booking['startup_en']}.",
        "description_zh": "",
        "venue_en": booking["room_en"],
        "venue_location": booking.get("location") or "",
        "online_url": "",
        "starts_at": booking["starts_at"],
        "ends_at": booking["ends_at"],
        "updated_at": booking.get("updated_at") or utcnow(),
        "sequence": booking["sequence"],
        "status": "cancelled" if booking["status"] == "cancelled" else "confirmed",
    }


async def feed_items(user_id: int, history: timedelta, host: str) -> list[dict]:
    """The bookings a member made, from `history` ago on, for their private feed."""
    rows = await RoomBooking.raw(
        "SELECT b.id, b.code, b.title, b.starts_at, b.ends_at, b.sequence, b.status, "
        "b.updated_at, v.name_en AS room_en, v.name_zh AS room_zh, v.location, "
        "s.name_en AS startup_en FROM room_booking b JOIN venue v ON v.id = b.venue "
        "JOIN startup s ON s.id = b.startup WHERE b.booked_by = {} AND b.ends_at > {}",
        user_id,
        utcnow() - history,
    )
    return [_item(r, host) for r in rows]


async def send_booking_email(settings: Settings, booking: BookingOut, change: str) -> None:
    """Email the member who booked: `change` is booked, moved or cancelled. A failure is
    logged and does not undo the booking (the booking page and the feed show it)."""
    if booking.booked_by is None:
        return
    person = await User.select(User.email, User.name).where(User.id == booking.booked_by).first()
    if person is None:
        return
    host = urlparse(settings.base_url).hostname or "localhost"
    item = _item(
        msgspec.structs.asdict(booking),
        host,
    ) | {"organizer": settings.mail_from, "attendee": person["email"]}
    method = "CANCEL" if change == "cancelled" else "REQUEST"
    invite = ical.calendar("Room booking", [item], settings.base_url, host, method=method)
    when = f"{hk_text(booking.starts_at)}–{hk_text(booking.ends_at, '%H:%M')}"
    subject = {
        "booked": f"Booked: {booking.room_en}, {when}",
        "moved": f"Moved: {booking.room_en}, now {when}",
        "cancelled": f"Cancelled: {booking.room_en}, {when}",
    }[change]
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = person["email"]
    message["Subject"] = subject
    message.set_content(
        f"Dear {person['name']},\n\n{subject} (Hong Kong time), for {booking.startup_en}.\n"
        f"Credits: {booking.credits}.\n\n{settings.base_url}/rooms/bookings/{booking.id}\n"
    )
    message.add_attachment(
        invite.encode("utf-8"),
        maintype="text",
        subtype="calendar",
        filename="invite.ics",
        params={"method": method},
    )
    try:
        await send_message(settings, message)
    except Exception:
        log.warning("could not send the email of room booking %s", booking.id, exc_info=True)
