"""HTML pages of events: the calendar, an event, scheduling forms, registration, check-in,
venues, the attendee export and the calendar feeds."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from events import policy
from events.schemas import EventIn, EventOut, RegistrationIn, VenueIn, VenueOut
from events.services import feeds, registrations, schedule, venues
from events.services.calendar import calendar, calendar_query
from events.services.times import day_named, local_input
from incubator.commands import command_from_form, read_form
from incubator.downloads.csv_files import csv_response
from incubator.errors import DomainError, NotFound, ValidationFailed
from incubator.i18n import named, today_hk
from incubator.startups.services import reference
from incubator.versions import EditConflict, form_version
from incubator.web import (
    REFUSALS,
    conflict_errors,
    errors_for_form,
    form_values,
    language_of,
    page,
    signed_in,
    viewer_of,
)

CALENDAR_PARAMS = ("view", "date", "centre", "hub", "cluster", "page")
VENUE_FIELDS = (
    "centre",
    "name_en",
    "name_zh",
    "location",
    "location_zh",
    "capacity",
    "setup_minutes",
    "teardown_minutes",
)


async def _choices(viewer) -> dict[str, Any]:
    managed = await policy.managed_centres(viewer) if viewer.is_authenticated else []
    centres = await reference.list_centres()
    return {
        "centres": centres,
        "my_centres": [c for c in centres if managed is None or c.id in (managed or [])],
        "clusters": await reference.list_clusters(),
        "venues": await venues.list_venues(managed),
    }


def _form_values(event: EventOut) -> dict[str, Any]:
    values = {
        k: getattr(event, k) for k in ("title_en", "title_zh", "description_en", "description_zh")
    }
    values |= {
        "centre": event.centre_slug,
        "clusters": event.clusters,
        "venue": str(event.venue or ""),
        "online_url": event.online_url,
        "capacity": event.capacity,
        "allow_guests": event.allow_guests,
    }
    for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
        values[name] = local_input(getattr(event, name))
    return values | {"version": event.version}


async def _shown(event: EventOut, request: Request) -> dict[str, Any]:
    """The event's choices as its edit form names them, for a form that met a newer version."""
    lang, clusters = language_of(request), (await reference.choice_lists()).clusters
    names = {c.slug: named(lang, c.name_en, c.name_zh) for c in clusters}
    return {
        "centre": named(lang, event.centre_en, event.centre_zh),
        "clusters": [names.get(c, c) for c in event.clusters],
        "venue": named(lang, event.venue_en or "", event.venue_zh) if event.venue else "",
        "allow_guests": "Yes" if event.allow_guests else "No",
    }


class EventPages(Controller):
    path = "/events"
    include_in_schema = False

    @get("/")
    async def calendar_page(self, request: Request) -> Response:
        viewer = viewer_of(request)
        raw = {k: request.query_params.get(k, "") for k in CALENDAR_PARAMS}
        query = calendar_query(**raw)
        result = await calendar(viewer, query)
        params = {k: v for k, v in raw.items() if k not in ("page", "date") and v}
        return page(
            "events/calendar.html",
            result=result,
            query=query,
            params=params,
            list_params={k: v for k, v in params.items() if k != "view"},
            **await _choices(viewer),
        )

    @get("/{event_id:int}")
    async def show(
        self, request: Request, event_id: FromPath[int], message: FromQuery[str] = ""
    ) -> Response:
        event = await schedule.get_event(viewer_of(request), event_id)
        if event.kind != "event":  # academy runs and their sessions live on the run's page
            return Redirect(f"/academy/runs/{event.parent or event.id}", status_code=303)
        return await self._show(request, event_id, message=message)

    async def _show(
        self, request: Request, event_id: int, status: int = 200, **extra: Any
    ) -> Response:
        viewer = viewer_of(request)
        event = await schedule.get_event(viewer, event_id)
        is_open, why = schedule.registration_open(event)
        mine = await registrations.my_registrations(viewer, event_id)
        teammates = await registrations.teammates(viewer)
        context = {
            "e": event,
            "is_open": is_open,
            "closed_because": why,
            "mine": mine,
            "teammates": teammates,
            "errors": {},
            "values": {},
            "message": "",
        }
        return page("events/show.html", status, **(context | extra))

    @get("/new")
    async def new(self, request: Request) -> Response:
        viewer = signed_in(request)
        policy.require_organiser(viewer, "schedule events")
        values = {"capacity": 50, "status": "draft"}
        return page(
            "events/form.html", event=None, values=values, errors={}, **await _choices(viewer)
        )

    @post("/new")
    async def create(self, request: Request) -> Response:
        viewer = signed_in(request)
        form = await request.form()
        data = form_values(form, (*schedule.EVENT_FIELDS, "status"), lists=("clusters",))
        read = read_form(EventIn, data)
        try:
            command = await read.checked(lambda values: schedule.event_problems(viewer, values))
            event_id = await schedule.create_event(viewer, command)
        except DomainError as exc:
            return page(
                "events/form.html",
                exc.status_code,
                event=None,
                values=data,
                errors=errors_for_form(exc),
                **await _choices(viewer),
            )
        return Redirect(f"/events/{event_id}?message=created", status_code=303)

    @get("/{event_id:int}/edit")
    async def edit(self, request: Request, event_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        event = await schedule.get_event(viewer, event_id)
        schedule.require_can_run(event, "change this event")
        return page(
            "events/form.html",
            event=event,
            values=_form_values(event),
            errors={},
            **await _choices(viewer),
        )

    @post("/{event_id:int}/edit")
    async def update(self, request: Request, event_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        form = await request.form()
        data = form_values(form, schedule.EVENT_FIELDS, lists=("clusters",))
        data["version"] = str(form.get("version") or "")  # shown again as the form was opened
        read = read_form(EventIn, data)
        try:
            command = await read.checked(
                lambda values: schedule.event_problems(viewer, values, event_id)
            )
            version = form_version(form.get("version"))
            promoted = await schedule.update_event(viewer, event_id, command, version)
        except DomainError as exc:
            event = await schedule.get_event(viewer, event_id)
            conflict = exc if isinstance(exc, EditConflict) else None
            if conflict:
                shown = await _shown(event, request)
                errors = conflict_errors(conflict, data, _form_values(event), shown)
            else:
                errors = errors_for_form(exc)
            return page(
                "events/form.html",
                exc.status_code,
                event=event,
                values=data,
                errors=errors,
                conflict=conflict,
                **await _choices(viewer),
            )
        await registrations.tell_promoted(request.app.state.settings, promoted)
        return Redirect(f"/events/{event_id}?message=saved", status_code=303)

    @post("/{event_id:int}/status")
    async def set_status(self, request: Request, event_id: FromPath[int]) -> Response:
        form = await request.form()
        status = str(form.get("status") or "")
        await schedule.set_status(signed_in(request), event_id, status)
        if status == "cancelled":
            await registrations.tell_cancelled(request.app.state.settings, event_id)
        return Redirect(f"/events/{event_id}?message={status}", status_code=303)

    @post("/{event_id:int}/duplicate")
    async def duplicate(self, request: Request, event_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        form = await request.form()
        try:
            copy = await schedule.duplicate_event(viewer, event_id, form.get("starts_at") or None)
        except DomainError as exc:
            if exc.status_code in REFUSALS:
                raise
            return await self._show(
                request, event_id, exc.status_code, errors={"duplicate": exc.message}
            )
        return Redirect(f"/events/{copy}/edit", status_code=303)

    @post("/{event_id:int}/register")
    async def register(self, request: Request, event_id: FromPath[int]) -> Response:
        form = await request.form()
        data = form_values(form, ("teammate", "name", "email"))
        try:
            outcome = await registrations.register(
                viewer_of(request), event_id, command_from_form(RegistrationIn, data)
            )
        except DomainError as exc:
            # A guest refused (403) is told so beside the form, not sent to an error page.
            errors = errors_for_form(exc, "register", refusals=(401, 404))
            return await self._show(request, event_id, exc.status_code, errors=errors, values=data)
        return Redirect(
            f"/registrations/{outcome.registration.code}?message={outcome.registration.status}",
            status_code=303,
        )

    @get("/{event_id:int}/check-in")
    async def check_in_page(
        self, request: Request, event_id: FromPath[int], q: FromQuery[str] = ""
    ) -> Response:
        viewer = signed_in(request)
        event = await schedule.get_event(viewer, event_id)
        rows = await registrations.attendees(viewer, event_id, q)
        opens = registrations.check_in_opens(event)
        return page("events/check_in.html", e=event, rows=rows, q=q, opens=opens, today=today_hk())

    @post("/{event_id:int}/check-in/{registration_id:int}")
    async def check_in(
        self, request: Request, event_id: FromPath[int], registration_id: FromPath[int]
    ) -> Response:
        form = await request.form()
        undo = form.get("undo") == "1"
        await registrations.check_in(signed_in(request), event_id, registration_id, undo)
        q = str(form.get("q") or "")
        return Redirect(f"/events/{event_id}/check-in?q={q}", status_code=303)

    @get("/{event_id:int}/attendees.csv")
    async def attendees_csv(self, request: Request, event_id: FromPath[int]) -> Response:
        language = language_of(request)
        rows = await registrations.attendee_rows(signed_in(request), event_id, language)
        header = registrations.attendee_header(language)
        return csv_response(f"event-{event_id}-attendees.csv", header, rows)

    @get("/attendance")
    async def attendance(self, request: Request) -> Response:
        policy.require_organiser(signed_in(request), "see attendance figures")
        return page("events/attendance.html", rows=await registrations.attendance_by_centre())

    @get("/mine")
    async def mine(self, request: Request, message: FromQuery[str] = "") -> Response:
        viewer = signed_in(request)
        rows = await registrations.my_events(viewer)
        return page(
            "events/mine.html",
            rows=rows,
            has_feed=await feeds.has_token(viewer),
            feed_url=None,
            message=message,
        )

    @post("/mine/feed")
    async def reset_feed(self, request: Request) -> Response:
        viewer = signed_in(request)
        form = await request.form()
        if form.get("revoke") == "1":
            await feeds.revoke_token(viewer)
            return Redirect("/events/mine?message=revoked", status_code=303)
        token = await feeds.reset_token(viewer)
        base = request.app.state.settings.base_url
        return page(
            "events/mine.html",
            rows=[],
            has_feed=True,
            feed_url=f"{base}/events/feeds/me/{token}.ics",
            message="",
        )

    @get("/feeds/{slug:str}")
    async def centre_feed(self, request: Request, slug: FromPath[str]) -> Response:
        if not slug.endswith(".ics"):
            raise NotFound("calendar feeds end in .ics")
        body = await feeds.centre_feed(
            slug.removesuffix(".ics"), request.app.state.settings.base_url
        )
        return _ics(body)

    @get("/feeds/me/{token:str}")
    async def personal_feed(self, request: Request, token: FromPath[str]) -> Response:
        body = await feeds.personal_feed(
            token.removesuffix(".ics"), request.app.state.settings.base_url
        )
        return _ics(body, private=True)

    @get("/venues/week")
    async def venue_week(
        self, request: Request, date: FromQuery[str] = "", centre: FromQuery[str] = ""
    ) -> Response:
        """A week of each venue's holds, the free days and hours visible, for scheduling."""
        viewer = signed_in(request)
        first = day_named(date)
        week = await venues.week_of_holds(viewer, first, centre)
        week_later = dt.timedelta(days=7)
        return page(
            "events/venue_week.html",
            week=week,
            previous=first - week_later,
            following=first + week_later,
            today=today_hk(),
        )

    @get("/venues")
    async def venues(self, request: Request) -> Response:
        viewer = signed_in(request)
        policy.require_organiser(viewer, "manage venues")
        return page(
            "events/venues.html",
            values={"setup_minutes": 30, "teardown_minutes": 30},
            errors={},
            **await _choices(viewer),
        )

    @post("/venues")
    async def add_venue(self, request: Request) -> Response:
        viewer = signed_in(request)
        form = await request.form()
        data = form_values(form, VENUE_FIELDS)
        try:
            venue = await read_form(VenueIn, data).checked(venues.venue_problems)
            await venues.create_venue(viewer, venue)
        except ValidationFailed as exc:
            return page(
                "events/venues.html", 422, values=data, errors=exc.errors, **await _choices(viewer)
            )
        return Redirect("/events/venues", status_code=303)

    @get("/venues/{venue_id:int}")
    async def edit_venue(self, request: Request, venue_id: FromPath[int]) -> Response:
        venue = await venues.get_venue(signed_in(request), venue_id)
        return _venue_form(venue, msgspec.structs.asdict(venue), {})

    @post("/venues/{venue_id:int}")
    async def update_venue(self, request: Request, venue_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        form = await request.form()
        data = form_values(form, VENUE_FIELDS)
        try:
            change = await read_form(VenueIn, data).checked(venues.venue_problems)
            await venues.update_venue(viewer, venue_id, change)
        except DomainError as exc:
            errors = errors_for_form(exc)
            venue = await venues.get_venue(viewer, venue_id)
            return _venue_form(venue, data, errors, exc.status_code)
        return Redirect("/events/venues", status_code=303)

    @post("/venues/{venue_id:int}/retire")
    async def retire_venue(self, request: Request, venue_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        try:
            await venues.retire_venue(viewer, venue_id)
        except DomainError as exc:
            errors = errors_for_form(exc, "venue")
            venue = await venues.get_venue(viewer, venue_id)
            return _venue_form(venue, msgspec.structs.asdict(venue), errors, exc.status_code)
        return Redirect("/events/venues", status_code=303)


def _venue_form(
    venue: VenueOut, values: dict, errors: dict[str, str], status: int = 200
) -> Response:
    return page("events/venue_form.html", status, venue=venue, values=values, errors=errors)


def _ics(body: str, private: bool = False) -> Response:
    return Response(
        content=body.encode("utf-8"),
        media_type="text/calendar",  # Litestar adds "; charset=utf-8" to a text/ type
        headers={"Cache-Control": "private, max-age=300" if private else "public, max-age=300"},
    )
