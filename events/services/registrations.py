"""Registration: seats up to capacity, then a waitlist in order; a cancelled seat goes at once
to the first in the queue, who is told by email. Check-in by code, attendance figures.

Capacity holds under concurrency because every change to an event's registrations happens in
one write transaction after the event's row is locked (PostgreSQL `FOR UPDATE`; SQLite's
single writer), and each person holds at most one active registration (a unique index).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import msgspec

from events import policy
from events.schemas import CentreAttendance, RegistrationIn, RegistrationOut, Teammate
from events.services.schedule import get_event, registration_open
from events.services.seats import fill_seats
from events.tables import Event, Registration, RegistrationStatus
from incubator.auth.schemas import Viewer
from incubator.auth.tables import User
from incubator.db import contains, lock_row, utcnow, write_transaction
from incubator.errors import Conflict, Forbidden, NotFound, ValidationFailed
from incubator.fields import EMAIL
from incubator.i18n import HONG_KONG, gettext, hk_text, today_hk
from incubator.mail import send_email
from incubator.settings import Settings
from incubator.startups.tables import StartupMembership, TeamMember

log = logging.getLogger(__name__)
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L


def new_code() -> str:
    """A registration's code: a bearer key to its page (a name, a cancel button), so as long
    as a certificate's: 16 symbols of 31, about 79 bits, in four groups to read out."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


@dataclass
class Outcome:
    """What a registration change did: the registration and anyone promoted by it."""

    registration: RegistrationOut
    promoted: list[int]


async def _registration(registration_id: int) -> RegistrationOut:
    row = await Registration.select().where(Registration.id == registration_id).first()
    if row is None:
        raise NotFound(f"no registration with id {registration_id}")
    return msgspec.convert(row, RegistrationOut)


async def attendee(
    viewer: Viewer, registration: RegistrationIn
) -> tuple[str, str, int | None, int | None]:
    """(name, email, user id, start-up id) of who is being registered."""
    teammate = registration.teammate
    if teammate is not None:
        if not viewer.is_authenticated:
            raise Forbidden("log in to register your teammates")
        member = await TeamMember.select().where(TeamMember.id == teammate).first()
        mine = await StartupMembership.exists().where(
            (StartupMembership.user == viewer.user_id)
            & (StartupMembership.startup == (member or {}).get("startup", 0))
        )
        if member is None or not (mine or viewer.is_admin):
            raise ValidationFailed({"teammate": "choose someone from your start-up's team"})
        if not EMAIL.match(member["email"] or ""):
            raise ValidationFailed(
                {"teammate": f"{member['name']} has no email address in the team list; add one"}
            )
        return member["name"], member["email"].lower(), None, member["startup"]
    if viewer.is_authenticated:
        user = await User.select(User.name, User.email).where(User.id == viewer.user_id).first()
        membership = (
            await StartupMembership.select(StartupMembership.startup)
            .where(StartupMembership.user == viewer.user_id)
            .first()
        )
        startup = membership["startup"] if membership else None
        return user["name"], user["email"].lower(), viewer.user_id, startup
    errors = {}
    name = registration.name.strip()
    email = registration.email.strip().lower()
    if not name or len(name) > 200:
        errors["name"] = "is required, at most 200 characters"
    if not EMAIL.match(email) or len(email) > 254:
        errors["email"] = "must be an email address such as name@example.com"
    if errors:
        raise ValidationFailed(errors)
    return name, email, None, None


async def register(
    viewer: Viewer, event_id: int, registration: RegistrationIn, kind: str = "event"
) -> Outcome:
    """A seat if one is left, else a place on the waitlist. Members register themselves or a
    teammate; guests (not logged in) give a name and email where the event allows guests.
    The academy enrols people in a course run through this too (`kind="course_run"`), after
    its own checks; a session takes no registrations of its own."""
    event = await get_event(viewer, event_id)
    if event.kind != kind:
        if event.kind == "session":
            raise Conflict("this is a session of a course: enrol in the course run instead")
        raise NotFound(f"no {kind.replace('_', ' ')} with id {event_id}")
    is_open, why = registration_open(event)
    if not is_open:
        raise Conflict(f"registration is not open: {why}")
    if not viewer.is_authenticated and not event.allow_guests:
        raise Forbidden("this event is for the community: log in to register")
    name, email, user_id, startup_id = await attendee(viewer, registration)
    async with write_transaction():
        await lock_row(Event, event_id)
        existing = (
            await Registration.select(Registration.status)
            .where(
                (Registration.event == event_id)
                & (Registration.email == email)
                & (Registration.status != RegistrationStatus.cancelled.value)
            )
            .first()
        )
        if existing:
            raise Conflict(f"{email} is already registered ({existing['status']}) for this event")
        capacity = (await Event.select(Event.capacity).where(Event.id == event_id).first())[
            "capacity"
        ]
        confirmed = await Registration.count().where(
            (Registration.event == event_id) & (Registration.status == "confirmed")
        )
        status = "confirmed" if confirmed < capacity else "waitlisted"
        rows = await Registration.insert(
            Registration(
                event=event_id,
                user=user_id,
                startup=startup_id,
                name=name,
                email=email,
                status=status,
                code=new_code(),
                registered_by=viewer.user_id if viewer.is_authenticated else None,
            )
        ).returning(*Registration.all_columns())
    return Outcome(msgspec.convert(rows[0], RegistrationOut), [])


async def can_change(viewer: Viewer, registration: RegistrationOut, centre: int) -> bool:
    if not viewer.is_authenticated:
        return False
    if registration.user == viewer.user_id or registration.registered_by == viewer.user_id:
        return True
    return await policy.can_run(viewer, centre)


async def cancel(
    viewer: Viewer, registration_id: int, code: str = "", event_id: int | None = None
) -> Outcome:
    """The registrant (or who registered them, or the event's managers) gives up the place;
    guests cancel with their code. A freed seat goes to the first on the waitlist. With
    `event_id`, the registration must be one of that event's."""
    registration = await _registration(registration_id)
    if event_id is not None and registration.event != event_id:
        raise NotFound(f"no registration {registration_id} for this event")
    event_id = registration.event
    centre = (await Event.select(Event.centre).where(Event.id == event_id).first())["centre"]
    allowed = await can_change(viewer, registration, centre) or (
        code and secrets.compare_digest(code.upper(), registration.code)
    )
    if not allowed:
        raise Forbidden("only the registrant and the event's managers may cancel this registration")
    async with write_transaction():
        await lock_row(Event, event_id)
        changed = (
            await Registration.update(
                {Registration.status: "cancelled", Registration.cancelled_at: utcnow()}
            )
            .where(
                (Registration.id == registration_id)
                & (Registration.status != RegistrationStatus.cancelled.value)
            )
            .returning(Registration.status)
        )
        if not changed:
            raise Conflict("this registration is already cancelled")
        capacity = (await Event.select(Event.capacity).where(Event.id == event_id).first())[
            "capacity"
        ]
        promoted = await fill_seats(event_id, capacity)
    return Outcome(await _registration(registration_id), promoted)


def _made_by(viewer: Viewer) -> Any:
    """The registrations the viewer made (for themselves or a teammate), with their event's
    titles, times and status, soonest first."""
    return (
        Registration.select(
            Registration.all_columns(),
            Registration.event.title_en.as_alias("title_en"),
            Registration.event.title_zh.as_alias("title_zh"),
            Registration.event.starts_at.as_alias("starts_at"),
            Registration.event.ends_at.as_alias("ends_at"),
            Registration.event.status.as_alias("event_status"),
        )
        .where(
            (Registration.user == viewer.user_id) | (Registration.registered_by == viewer.user_id)
        )
        .order_by(Registration.event.starts_at)
        .order_by(Registration.id)
    )


async def my_registrations(viewer: Viewer, event_id: int | None = None) -> list[RegistrationOut]:
    """Active registrations the viewer made (for themselves or a teammate), soonest first."""
    if not viewer.is_authenticated:
        return []
    query = _made_by(viewer).where(Registration.status != "cancelled")
    if event_id is not None:
        query = query.where(Registration.event == event_id)
    return msgspec.convert(await query, list[RegistrationOut])


async def my_events(viewer: Viewer, now: datetime | None = None) -> list[RegistrationOut]:
    """Every registration the viewer made, cancelled ones included, each with its state:
    upcoming, attended, missed, not_seated or cancelled; the soonest first."""
    if not viewer.is_authenticated:
        return []
    rows = await _made_by(viewer)
    now = now or utcnow()
    for row in rows:
        if row["status"] == "cancelled" or row["event_status"] == "cancelled":
            row["state"] = "cancelled"
        elif row["ends_at"] > now:
            row["state"] = "upcoming"
        elif row["checked_in_at"] is not None:
            row["state"] = "attended"
        else:
            row["state"] = "missed" if row["status"] == "confirmed" else "not_seated"
    return msgspec.convert(rows, list[RegistrationOut])


async def teammates(viewer: Viewer) -> list[Teammate]:
    """The team-list people of the viewer's start-ups who can be registered (have an email)."""
    if not viewer.is_authenticated:
        return []
    startup_ids = StartupMembership.select(StartupMembership.startup).where(
        StartupMembership.user == viewer.user_id
    )
    rows = (
        await TeamMember.select(TeamMember.id, TeamMember.name)
        .where(TeamMember.startup.is_in(startup_ids) & (TeamMember.email != ""))
        .order_by(TeamMember.name)
    )
    return msgspec.convert(rows, list[Teammate])


async def by_code(code: str) -> RegistrationOut:
    row = await Registration.select().where(Registration.code == code.strip().upper()).first()
    if row is None:
        raise NotFound("no registration has this code")
    return msgspec.convert(row, RegistrationOut)


async def tell_promoted(settings: Settings, registration_ids: list[int]) -> None:
    """Tell each promoted registrant at once that they now have a seat (after the commit):
    the reminder engine's promotion source, run now, so it is recorded exactly once and
    retried if the mail server is away."""
    if not registration_ids:
        return
    from incubator.reminders.services.delivery import run_source_now

    try:
        await run_source_now(settings, "waitlist_promotion")
    except Exception:  # the promotion stands; the next sweep sends what this could not
        log.exception("could not tell registrations %s about their promotion", registration_ids)


async def tell_cancelled(settings: Settings, event_id: int) -> int:
    """Email everyone still registered that the event is cancelled (into the outbox while
    no SMTP server is configured); returns how many."""
    event = await Event.select(Event.title_en, Event.starts_at).where(Event.id == event_id).first()
    title, starts = event["title_en"], event["starts_at"]
    rows = await Registration.select(Registration.name, Registration.email).where(
        (Registration.event == event_id) & (Registration.status != "cancelled")
    )
    sent = 0
    for row in rows:
        text = (
            f"Dear {row['name']},\n\nWe are sorry: “{title}”, planned for "
            f"{hk_text(starts)} (Hong Kong time), is cancelled.\n"
            f"Your registration needs nothing more from you.\n"
        )
        try:
            await send_email(settings, row["email"], f"Cancelled: {title}", text)
            sent += 1
        except Exception:
            log.exception("could not tell a registrant that event %s is cancelled", event_id)
    return sent


# ---------------------------------------------------------------- check-in and attendance


async def attendees(
    viewer: Viewer, event_id: int, q: str = "", status: str = ""
) -> list[RegistrationOut]:
    """The event's registrations for its managers: those not cancelled, or those of `status`
    (confirmed, waitlisted or cancelled); `q` finds a name, an email or a code."""
    event = await get_event(viewer, event_id)
    if not event.can_run:
        raise Forbidden("only the event's managers and administrators may see its attendees")
    query = Registration.select(
        Registration.all_columns(), Registration.startup.name_en.as_alias("startup_en")
    ).where(
        (Registration.event == event_id)
        & ((Registration.status == status) if status else (Registration.status != "cancelled"))
    )
    text = q.strip()
    if text:
        query = query.where(
            contains(Registration.name, text)
            | contains(Registration.email, text)
            | (Registration.code == text.upper())
        )
    rows = await query.order_by(Registration.status).order_by(Registration.id)
    return msgspec.convert(rows, list[RegistrationOut])


def check_in_opens(event: Any) -> date:
    """The day people can be checked in from: the event's first day, in Hong Kong."""
    return event.starts_at.astimezone(HONG_KONG).date()


async def check_in(
    viewer: Viewer, event_id: int, registration_id: int, undo: bool = False
) -> RegistrationOut:
    event = await get_event(viewer, event_id)
    if not event.can_run:
        raise Forbidden("only the event's managers and administrators may check people in")
    registration = await _registration(registration_id)
    if registration.event != event_id:
        raise NotFound(f"no registration {registration_id} for this event")
    if registration.status != "confirmed":
        raise Conflict(f"{registration.name} is {registration.status}, not confirmed")
    if (opens := check_in_opens(event)) > today_hk():
        raise Conflict(f"check-in opens on {opens}, the day of the event")
    async with write_transaction():
        await Registration.update({Registration.checked_in_at: None if undo else utcnow()}).where(
            Registration.id == registration_id
        )
    return await _registration(registration_id)


async def attendance_by_centre() -> list[CentreAttendance]:
    """Per centre or hub: events held, seats confirmed, people checked in, and the rate."""
    rows = await Registration.raw(
        "SELECT c.slug, c.kind, c.name_en, c.name_zh, COUNT(*) AS events, "
        "SUM(COALESCE(t.confirmed, 0)) AS confirmed, "
        "SUM(COALESCE(t.confirmed_checked_in + t.waitlisted_checked_in, 0)) AS checked_in "
        "FROM event e JOIN centre c ON c.id = e.centre "
        "LEFT JOIN event_tally t ON t.event = e.id "
        "WHERE e.status = 'published' AND e.kind = 'event' "
        "GROUP BY c.id, c.slug, c.kind, c.name_en, c.name_zh, c.sort_order "
        "ORDER BY c.sort_order"
    )
    for row in rows:
        row["confirmed"] = int(row["confirmed"] or 0)
        row["checked_in"] = int(row["checked_in"] or 0)
        row["rate"] = round(row["checked_in"] / row["confirmed"], 4) if row["confirmed"] else 0.0
    return msgspec.convert(rows, list[CentreAttendance])


# The attendee list as people read it: columns and statuses in the reader's language.
ATTENDEE_HEADER = (
    "Registration",
    "Name",
    "Email",
    "Start-up",
    "Status",
    "Code",
    "Registered (Hong Kong time)",
    "Seated from the waitlist (Hong Kong time)",
    "Checked in (Hong Kong time)",
)
STATUS_NAMES = {"confirmed": "Confirmed", "waitlisted": "On the waitlist", "cancelled": "Cancelled"}


def attendee_header(language: str) -> list[str]:
    return [gettext(language, name) for name in ATTENDEE_HEADER]


async def attendee_rows(viewer: Viewer, event_id: int, language: str = "en") -> list[list[Any]]:
    return [
        [
            r.id,
            r.name,
            r.email,
            r.startup_en or "",
            gettext(language, STATUS_NAMES.get(r.status, r.status)),
            r.code,
            hk_text(r.created_at),
            hk_text(r.promoted_at),
            hk_text(r.checked_in_at),
        ]
        for r in await attendees(viewer, event_id)
    ]
