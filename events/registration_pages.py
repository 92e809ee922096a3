"""A registration's own page (by its code, for the person who holds it): the seat or the place
on the waitlist, the check-in QR code, and cancelling."""

from __future__ import annotations

import io

import segno
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from events.services import registrations, schedule
from incubator.web import page, viewer_of


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
