"""The events API: /api/events for the calendar, an event, registration and cancellation."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, Request, Response, get, post, put
from litestar.params import FromPath, JSONBody, QueryParameter

from events.schemas import (
    CancelIn,
    Created,
    EventIn,
    EventOut,
    EventPage,
    RegistrationIn,
    RegistrationOut,
)
from events.services import registrations, schedule
from events.services.calendar import events_between
from events.services.times import parse_local
from incubator.db import utcnow
from incubator.errors import BadParameter
from incubator.versions import if_match, versioned
from incubator.web import viewer_of


def _doc(text: str) -> QueryParameter:
    return QueryParameter(description=text)


def _when(name: str, raw: str, errors: dict[str, str]) -> datetime | None:
    if not raw.strip():
        return None
    try:
        return parse_local(raw)
    except ValueError as exc:
        errors[name] = str(exc)
        return None


class EventsApi(Controller):
    path = "/api/events"
    tags = ["events"]

    @get("/", summary="The calendar: events overlapping a period, in start order")
    async def list_events(
        self,
        request: Request,
        start: Annotated[str, _doc("from (Hong Kong time or with offset); now if blank")] = "",
        end: Annotated[str, _doc("until; a year after `from` if blank")] = "",
        centre: Annotated[str, _doc("organising centre's slug")] = "",
        hub: Annotated[str, _doc("organising hub's slug")] = "",
        cluster: Annotated[str, _doc("a targeted cluster's slug")] = "",
        page: Annotated[str, _doc("page number from 1 (100 a page)")] = "",
    ) -> EventPage:
        errors: dict[str, str] = {}
        since = _when("start", start, errors) or utcnow()
        until = _when("end", end, errors)
        number = 1
        if page.strip():
            if not page.strip().isdigit() or int(page) < 1:
                errors["page"] = "must be a whole number from 1"
            else:
                number = int(page)
        if errors:
            raise BadParameter(errors)
        until = until or since.replace(year=since.year + 1)
        rows, total = await events_between(
            viewer_of(request), since, until, centre, hub, cluster, 100, (number - 1) * 100
        )
        return EventPage(items=rows, total=total, page=number)

    @post("/", summary="Schedule an event (managers of the organising centre, admins)")
    async def create_event(self, request: Request, data: JSONBody[EventIn]) -> Created:
        return Created(id=await schedule.create_event(viewer_of(request), data))

    @get(
        "/{event_id:int}",
        summary="One event (drafts only for those who run them)",
        description="The ETag header names its version, for If-Match on a PUT.",
    )
    async def get_event(self, request: Request, event_id: FromPath[int]) -> Response[EventOut]:
        return versioned(await schedule.get_event(viewer_of(request), event_id))

    @put(
        "/{event_id:int}",
        summary="Change an event (managers of the organising centre, admins)",
        description="The whole event, as when scheduling it. With If-Match (the ETag of a "
        "GET), an event changed since answers 412 and nothing is written. A larger capacity "
        "gives waitlisted people their seats, and they are told.",
    )
    async def update_event(
        self, request: Request, event_id: FromPath[int], data: JSONBody[EventIn]
    ) -> Response[EventOut]:
        viewer = viewer_of(request)
        expected = if_match(request)
        promoted = await schedule.update_event(viewer, event_id, data, expected)
        await registrations.tell_promoted(request.app.state.settings, promoted)
        return versioned(await schedule.get_event(viewer, event_id))

    @post(
        "/{event_id:int}/registrations",
        summary="Register (yourself, a teammate, or as a guest): confirmed or waitlisted",
    )
    async def register(
        self, request: Request, event_id: FromPath[int], data: JSONBody[RegistrationIn]
    ) -> RegistrationOut:
        outcome = await registrations.register(viewer_of(request), event_id, data)
        return outcome.registration

    @post(
        "/registrations/{registration_id:int}/cancel",
        summary="Cancel a registration; the first on the waitlist gets the seat",
        status_code=200,
    )
    async def cancel(
        self, request: Request, registration_id: FromPath[int], data: JSONBody[CancelIn]
    ) -> RegistrationOut:
        outcome = await registrations.cancel(viewer_of(request), registration_id, data.code)
        await registrations.tell_promoted(request.app.state.settings, outcome.promoted)
        return outcome.registration

    @get("/{event_id:int}/registrations", summary="The event's registrations (its managers)")
    async def list_registrations(
        self, request: Request, event_id: FromPath[int]
    ) -> list[RegistrationOut]:
        return await registrations.attendees(viewer_of(request), event_id)
