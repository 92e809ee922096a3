"""Registrations as pages: an event's registrations for its managers (filter, cancel, seat
someone from the waitlist, export), and a registration's own page (by its code, for the person
who holds it): the seat or the place on the waitlist, the check-in QR code, and cancelling."""

from __future__ import annotations

import io

import segno
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from events.services import registrations, schedule, seats
from incubator.errors import DomainError, Forbidden, NotFound
from incubator.web import REFUSALS, page, signed_in, viewer_of

STATUSES = ("confirmed", "waitlisted", "cancelled")


class EventRegistrationPages(Controller):
    path = "/events"
    include_in_schema = False

    @get("/{event_id:int}/registrations")
    async def registrations_page(
        self,
        request: Request,
        event_id: FromPath[int],
        status: FromQuery[str] = "",
        q: FromQuery[str] = "",
        message: FromQuery[str] = "",
    ) -> Response:
        return await self._page(request, event_id, status, q, message=message)

    async def _page(
        self, request: Request, event_id: int, status: str, q: str, code: int = 200, **extra
    ) -> Response:
        viewer = signed_in(request)
        event = await schedule.get_event(viewer, event_id)
        status = status if status in STATUSES else ""
        rows = await registrations.attendees(viewer, event_id, q, status)
        context = {"e": event, "rows": rows, "status": status, "q": q, "error": "", "message": ""}
        return page("events/registrations.html", code, **(context | extra))

    @post("/{event_id:int}/registrations/{registration_id:int}/{action:str}")
    async def act(
        self,
        request: Request,
        event_id: FromPath[int],
        registration_id: FromPath[int],
        action: FromPath[str],
    ) -> Response:
        viewer = signed_in(request)
        form = await request.form()
        status, q = str(form.get("status") or ""), str(form.get("q") or "")
        try:
            if action == "cancel":
                if not (await schedule.get_event(viewer, event_id)).can_run:
                    raise Forbidden("only the event's managers may cancel from this page")
                outcome = await registrations.cancel(viewer, registration_id, event_id=event_id)
                told = outcome.promoted
            elif action == "seat":
                told = await seats.give_seat(viewer, event_id, registration_id)
            else:
                raise NotFound(f"no registration action called {action}")
        except DomainError as exc:
            if exc.status_code in REFUSALS:
                raise
            return await self._page(
                request, event_id, status, q, exc.status_code, error=exc.message
            )
        await registrations.tell_promoted(request.app.state.settings, told)
        back = f"/events/{event_id}/registrations?message={action}&status={status}&q={q}"
        return Redirect(back, status_code=303)


class RegistrationPages(Controller):
    path = "/registrations"
    include_in_schema = False

    @get("/{code:str}")
    async def show(
        self, request: Request, code: FromPath[str], message: FromQuery[str] = ""
    ) -> Response:
        registration = await registrations.by_code(code)
        event = await schedule.get_event(viewer_of(request), registration.event)
        starts = await schedule.first_start(event)
        return page(
            "events/registration.html", r=registration, e=event, starts=starts, message=message
        )

    @get("/{code:str}/qr.svg")
    async def qr(self, code: FromPath[str]) -> Response:
        registration = await registrations.by_code(code)
        out = io.BytesIO()
        segno.make(registration.code, error="m").save(out, kind="svg", scale=6, border=2)
        return Response(content=out.getvalue(), media_type="image/svg+xml")

    @post("/{code:str}/cancel")
    async def cancel(self, request: Request, code: FromPath[str]) -> Response:
        registration = await registrations.by_code(code)
        outcome = await registrations.cancel(viewer_of(request), registration.id, code)
        await registrations.tell_promoted(request.app.state.settings, outcome.promoted)
        return Redirect(f"/events/{registration.event}?message=cancelled", status_code=303)
