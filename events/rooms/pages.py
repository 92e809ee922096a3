"""HTML pages of the meeting rooms for members: the day grid of every room, a room's week,
the booking form, their bookings, one booking (move, cancel, check in) and the room's
check-in page its QR code opens. The managers' pages are in `staff_pages.py`."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import segno
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from events.rooms import policy
from events.rooms.schemas import BookingIn, MoveIn
from events.rooms.services import bookings, credits, grid, notices, rooms
from events.rooms.staff_pages import RoomStaffPages
from events.services.times import day_named, local_input, parse_local
from incubator.commands import read_form
from incubator.errors import BadParameter, DomainError, NotFound
from incubator.i18n import today_hk
from incubator.startups.tables import Centre, Startup
from incubator.web import errors_for_form, form_values, page, signed_in

__all__ = ["RoomPages", "RoomStaffPages"]

ALL_AT_ONCE = 40  # rooms the day grid shows together before it shows one centre's
BOOKING_FIELDS = ("room", "starts_at", "ends_at", "startup", "title")


async def _my_startups(viewer) -> list[dict[str, Any]]:
    """The viewer's onsite start-ups with this month's credits."""
    month = credits.month_of(today_hk())
    found = []
    for startup in await policy.onsite_member_startups(viewer):
        found.append(await credits.balance(startup, month))
    return found


class RoomPages(Controller):
    path = "/rooms"
    include_in_schema = False

    @get("/")
    async def day(
        self, request: Request, date: FromQuery[str] = "", centre: FromQuery[str] = ""
    ) -> Response:
        """Every bookable room's slots on a day (of one centre or hub), and the member's
        credits."""
        viewer = signed_in(request)
        day = day_named(date)
        centres = await rooms.room_centres()
        chosen, narrowed = None, False
        if centre == "all":
            centre = ""
        elif centre:
            found = await Centre.select(Centre.id).where(Centre.slug == centre).first()
            if found is None:
                raise BadParameter({"centre": f"no centre or hub called {centre}"})
            chosen = found["id"]
        elif sum(c["rooms"] for c in centres) > ALL_AT_ONCE:
            # A park of many rooms shows one centre's at a time: the viewer's own, or the first.
            own = await rooms.own_centres(viewer)
            first = next((c for c in centres if c["id"] in own), centres[0])
            chosen, centre, narrowed = first["id"], first["slug"], True
        return page(
            "rooms/day.html",
            day=day,
            today=today_hk(),
            centres=centres,
            centre=centre,
            narrowed=narrowed,
            grid=await grid.day_grid(viewer, day, chosen),
            mine=await _my_startups(viewer),
            previous=day - dt.timedelta(days=1),
            following=day + dt.timedelta(days=1),
        )

    @get("/{room_id:int}")
    async def week(
        self, request: Request, room_id: FromPath[int], date: FromQuery[str] = ""
    ) -> Response:
        """One room's slots over a week."""
        viewer = signed_in(request)
        first = day_named(date)
        days = await grid.week_grid(viewer, room_id, first)
        times = [s.starts_at for s in max(days, key=lambda d: len(d.slots)).slots]
        cells = {(d.day, s.starts_at.timetz()): s for d in days for s in d.slots}
        return page(
            "rooms/week.html",
            room=days[0].room,
            days=days,
            times=times,
            cells=cells,
            previous=first - dt.timedelta(days=7),
            following=first + dt.timedelta(days=7),
        )

    @get("/{room_id:int}/book")
    async def booking_form(
        self, request: Request, room_id: FromPath[int], start: FromQuery[str] = ""
    ) -> Response:
        viewer = signed_in(request)
        room = await rooms.get_room(room_id)
        try:
            starts_at = parse_local(start)
        except ValueError as exc:
            raise BadParameter({"start": str(exc)}) from None
        values = {"room": str(room.id), "starts_at": local_input(starts_at), "ends_at": ""}
        return await _booking_page(viewer, room, starts_at, values, {})

    @post("/bookings")
    async def book(self, request: Request) -> Response:
        viewer = signed_in(request)
        data = form_values(await request.form(), BOOKING_FIELDS)
        if not data.get("startup"):
            data.pop("startup", None)
        try:
            command = await read_form(BookingIn, data).checked(lambda _values: {})
            booking = await bookings.book(viewer, command)
        except DomainError as exc:
            errors = errors_for_form(exc, "starts_at")
            try:
                room = await rooms.get_room(int(data.get("room") or 0))
                starts_at = parse_local(data.get("starts_at"))
            except (NotFound, ValueError):
                raise exc from None
            return await _booking_page(viewer, room, starts_at, data, errors, exc.status_code)
        await notices.send_booking_email(request.app.state.settings, booking, "booked")
        return Redirect(f"/rooms/bookings/{booking.id}?done=booked", status_code=303)

    @get("/bookings")
    async def mine(self, request: Request) -> Response:
        viewer = signed_in(request)
        return page(
            "rooms/mine.html",
            upcoming=await bookings.my_bookings(viewer),
            past=await bookings.my_bookings(viewer, past=True),
            mine=await _my_startups(viewer),
        )

    @get("/bookings/{booking_id:int}")
    async def booking(
        self, request: Request, booking_id: FromPath[int], done: FromQuery[str] = ""
    ) -> Response:
        viewer = signed_in(request)
        booking = await bookings.get_booking(viewer, booking_id)
        return await _booking_view(viewer, booking, {}, {}, done=done)

    @post("/bookings/{booking_id:int}/move")
    async def move(self, request: Request, booking_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        data = form_values(await request.form(), ("starts_at", "ends_at"))
        try:
            command = await read_form(MoveIn, data).checked(lambda _values: {})
            booking = await bookings.move(viewer, booking_id, command)
        except DomainError as exc:
            errors = errors_for_form(exc, "move")
            return await _booking_view(
                viewer,
                await bookings.get_booking(viewer, booking_id),
                data,
                errors,
                exc.status_code,
            )
        await notices.send_booking_email(request.app.state.settings, booking, "moved")
        return Redirect(f"/rooms/bookings/{booking_id}?done=moved", status_code=303)

    @post("/bookings/{booking_id:int}/cancel")
    async def cancel(self, request: Request, booking_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        try:
            booking, refunded = await bookings.cancel(viewer, booking_id)
        except DomainError as exc:
            errors = errors_for_form(exc, "cancel")
            return await _booking_view(
                viewer, await bookings.get_booking(viewer, booking_id), {}, errors, exc.status_code
            )
        await notices.send_booking_email(request.app.state.settings, booking, "cancelled")
        done = "cancelled" if refunded else "cancelled_charged"
        return Redirect(f"/rooms/bookings/{booking_id}?done={done}", status_code=303)

    @post("/bookings/{booking_id:int}/check-in")
    async def check_in(self, request: Request, booking_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        try:
            await bookings.check_in(viewer, booking_id)
        except DomainError as exc:
            errors = errors_for_form(exc, "check_in")
            return await _booking_view(
                viewer, await bookings.get_booking(viewer, booking_id), {}, errors, exc.status_code
            )
        return Redirect(f"/rooms/bookings/{booking_id}?done=checked_in", status_code=303)

    @get("/{room_id:int}/check-in")
    async def room_check_in(self, request: Request, room_id: FromPath[int]) -> Response:
        """What the QR code at the room's door opens: check in the booking on now."""
        signed_in(request)
        return page("rooms/check_in.html", room=await rooms.get_room(room_id), errors={})

    @post("/{room_id:int}/check-in")
    async def room_check_in_now(self, request: Request, room_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        room = await rooms.get_room(room_id)
        try:
            booking = await bookings.check_in_at_room(viewer, room_id)
        except DomainError as exc:
            errors = errors_for_form(exc, "check_in", refusals=(401, 403))
            return page("rooms/check_in.html", exc.status_code, room=room, errors=errors)
        return Redirect(f"/rooms/bookings/{booking.id}?done=checked_in", status_code=303)

    @get("/{room_id:int}/qr.svg")
    async def qr(self, request: Request, room_id: FromPath[int]) -> Response:
        """The room's check-in QR code, to print and put at its door."""
        signed_in(request)
        room = await rooms.get_room(room_id, bookable_only=False)
        out = io.BytesIO()
        url = f"{request.app.state.settings.base_url}/rooms/{room.id}/check-in"
        segno.make(url, error="m").save(out, kind="svg", scale=6, border=2)
        return Response(content=out.getvalue(), media_type="image/svg+xml")


async def _booking_page(viewer, room, starts_at, values, errors, status: int = 200) -> Response:
    startups = []
    for startup in await policy.onsite_member_startups(viewer):
        row = (
            await Startup.select(Startup.id, Startup.name_en, Startup.name_zh)
            .where(Startup.id == startup)
            .first()
        )
        startups.append(row)
    return page(
        "rooms/book.html",
        status,
        room=room,
        starts_at=starts_at,
        ends=await grid.end_choices(room, starts_at),
        startups=startups,
        values=values,
        errors=errors,
        local_input=local_input,
    )


async def _booking_view(
    viewer, booking, values: dict, errors: dict, status: int = 200, done: str = ""
) -> Response:
    shown = {"starts_at": local_input(booking.starts_at), "ends_at": local_input(booking.ends_at)}
    return page(
        "rooms/booking.html",
        status,
        booking=booking,
        own=booking.startup in await policy.member_startups(viewer),
        values=shown | values,
        errors=errors,
        done=done,
        now=dt.datetime.now(dt.UTC),
    )
