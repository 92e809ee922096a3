"""The meeting rooms API: /api/rooms for rooms and their free slots, members' bookings, and
credits."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post, put
from litestar.params import FromPath, JSONBody, QueryParameter

from events.rooms import policy
from events.rooms.schemas import (
    BookingIn,
    BookingOut,
    CreditsOut,
    GrantIn,
    MoveIn,
    RoomDayOut,
    RoomOut,
    RoomTermsIn,
)
from events.rooms.services import bookings, credits, grid, notices, rooms
from events.services.times import day_named
from incubator.errors import Forbidden
from incubator.startups.policy import require_login
from incubator.web import page_number, viewer_of


def _doc(text: str) -> QueryParameter:
    return QueryParameter(description=text)


class RoomsApi(Controller):
    path = "/api/rooms"
    tags = ["rooms"]

    @get("/", summary="The rooms members may book, with their terms (signed in)")
    async def list_rooms(self, request: Request) -> list[RoomOut]:
        require_login(viewer_of(request))
        return await rooms.list_rooms()

    @get("/{room_id:int}/day", summary="A room's slots on a day: free, taken, yours or past")
    async def room_day(
        self,
        request: Request,
        room_id: FromPath[int],
        date: Annotated[str, _doc("the day, YYYY-MM-DD (Hong Kong); today if blank")] = "",
    ) -> RoomDayOut:
        viewer = viewer_of(request)
        require_login(viewer)
        return (await grid.week_grid(viewer, room_id, day_named(date)))[0]

    @put("/{room_id:int}/terms", summary="Make a venue bookable by members, on these terms")
    async def set_terms(
        self, request: Request, room_id: FromPath[int], data: JSONBody[RoomTermsIn]
    ) -> RoomOut:
        return await rooms.set_terms(viewer_of(request), room_id, data)

    @get("/bookings", summary="Your start-ups' bookings: upcoming, or the past 90 days")
    async def my_bookings(
        self,
        request: Request,
        past: Annotated[bool, _doc("the past 90 days instead of what is to come")] = False,
    ) -> list[BookingOut]:
        viewer = viewer_of(request)
        require_login(viewer)
        return await bookings.my_bookings(viewer, past)

    @post("/bookings", summary="Book a room for one of your start-ups with a lease in force")
    async def book(self, request: Request, data: JSONBody[BookingIn]) -> BookingOut:
        booking = await bookings.book(viewer_of(request), data)
        await notices.send_booking_email(request.app.state.settings, booking, "booked")
        return booking

    @get("/bookings/{booking_id:int}", summary="A booking (its start-up's members, its managers)")
    async def get_booking(self, request: Request, booking_id: FromPath[int]) -> BookingOut:
        return await bookings.get_booking(viewer_of(request), booking_id)

    @post("/bookings/{booking_id:int}/move", status_code=200, summary="Move a booking")
    async def move(
        self, request: Request, booking_id: FromPath[int], data: JSONBody[MoveIn]
    ) -> BookingOut:
        booking = await bookings.move(viewer_of(request), booking_id, data)
        await notices.send_booking_email(request.app.state.settings, booking, "moved")
        return booking

    @post(
        "/bookings/{booking_id:int}/cancel",
        status_code=200,
        summary="Cancel a booking (credits back until the room's cut-off)",
    )
    async def cancel(self, request: Request, booking_id: FromPath[int]) -> BookingOut:
        booking, _refunded = await bookings.cancel(viewer_of(request), booking_id)
        await notices.send_booking_email(request.app.state.settings, booking, "cancelled")
        return booking

    @post("/bookings/{booking_id:int}/check-in", status_code=200, summary="Check a booking in")
    async def check_in(self, request: Request, booking_id: FromPath[int]) -> BookingOut:
        return await bookings.check_in(viewer_of(request), booking_id)

    @get(
        "/credits/{startup_id:int}",
        summary="A start-up's credits for a month (its members, its managers)",
    )
    async def credits_of(
        self,
        request: Request,
        startup_id: FromPath[int],
        month: Annotated[str, _doc("YYYY-MM (Hong Kong); this month if blank")] = "",
    ) -> CreditsOut:
        viewer = viewer_of(request)
        require_login(viewer)
        member = startup_id in await policy.member_startups(viewer)
        staff = viewer.is_admin or viewer.is_manager
        if not member and not (staff and await credits.manages(viewer, startup_id)):
            raise Forbidden("only the start-up's members and its managers see its credits")
        return await credits.balance(startup_id, credits.month_named(month))

    @post("/credits/grants", summary="Grant a start-up extra credits this month, with a reason")
    async def grant(self, request: Request, data: JSONBody[GrantIn]) -> CreditsOut:
        return await credits.grant(viewer_of(request), data)

    @get("/credits/usage", summary="Credits used per start-up in a month (managers, admins)")
    async def usage(
        self,
        request: Request,
        month: Annotated[str, _doc("YYYY-MM (Hong Kong); this month if blank")] = "",
        page: Annotated[str, _doc("page number from 1 (100 a page)")] = "",
    ) -> list[CreditsOut]:
        rows, _total = await credits.usage(
            viewer_of(request), credits.month_named(month), page_number(page)
        )
        return rows
