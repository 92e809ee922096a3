"""HTML pages of the meeting rooms for managers and administrators: which venues members may
book and on what terms, credits used per start-up, grants, a lease's own allowance, and the
defaults per unit kind."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from events import policy as event_policy
from events.rooms.schemas import GrantIn, RoomTermsIn
from events.rooms.services import credits, rooms
from events.rooms.tables import CreditDefault
from events.services import venues
from incubator.commands import read_form
from incubator.db import write_transaction
from incubator.downloads.csv_files import csv_response
from incubator.errors import DomainError, Forbidden, ValidationFailed
from incubator.fields import read_whole_number
from incubator.i18n import gettext, named, today_hk
from incubator.startups.services.onsite import IN_FORCE
from incubator.startups.tables import Startup
from incubator.web import errors_for_form, form_values, language_of, page, signed_in

TERMS_FIELDS = (
    "is_bookable",
    "opens_at",
    "closes_at",
    "slot_minutes",
    "longest_minutes",
    "ahead_days",
    "peak_from",
    "peak_until",
    "peak_credits",
    "offpeak_credits",
    "cancel_hours",
    "uses_check_in",
)
UNIT_KINDS = tuple(credits.DEFAULT_CREDITS)  # the kinds that are let bring credits


def _terms_values(room) -> dict[str, Any]:
    """The terms form's values: the room's terms, or the defaults for a venue without any."""
    source = room if room is not None else RoomTermsIn()
    return {name: getattr(source, name) for name in (*TERMS_FIELDS, "weekdays")}


class RoomStaffPages(Controller):
    path = "/rooms"
    include_in_schema = False

    @get("/manage")
    async def manage(self, request: Request) -> Response:
        return await _manage_page(signed_in(request), {}, {})

    @post("/manage/units/{unit_id:int}")
    async def open_unit(self, request: Request, unit_id: FromPath[int]) -> Response:
        """Open a unit of kind meeting room for members' booking, then set its terms."""
        viewer = signed_in(request)
        data = form_values(await request.form(), ("capacity",))
        errors: dict[str, str] = {}
        capacity = read_whole_number(data, "capacity", errors, 1, 500)
        try:
            if errors or capacity is None:
                raise ValidationFailed(errors)
            venue = await rooms.open_unit(viewer, unit_id, capacity)
        except DomainError as exc:
            shown = {f"{unit_id}-{k}": v for k, v in errors_for_form(exc, "unit").items()}
            return await _manage_page(viewer, {str(unit_id): data}, shown, exc.status_code)
        return Redirect(f"/rooms/manage/{venue}", status_code=303)

    @get("/manage/{venue_id:int}")
    async def terms_form(self, request: Request, venue_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        venue = await venues.get_venue(viewer, venue_id)
        await event_policy.require_run(viewer, venue.centre, "set the terms of this room")
        found = [r for r in await rooms.list_rooms(bookable_only=False) if r.id == venue_id]
        return page(
            "rooms/terms.html",
            venue=venue,
            values=_terms_values(found[0] if found else None),
            errors={},
        )

    @post("/manage/{venue_id:int}")
    async def set_terms(self, request: Request, venue_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        form = await request.form()
        data = form_values(form, TERMS_FIELDS, lists=()) | {
            "weekdays": [d for d in form.getall("weekdays", []) if isinstance(d, str)]
        }
        for name in ("is_bookable", "uses_check_in"):
            data[name] = "true" if data.get(name) else "false"
        try:
            read = read_form(RoomTermsIn, data)
            terms = await read.checked(rooms.terms_problems)
            await rooms.set_terms(viewer, venue_id, terms)
        except DomainError as exc:
            errors = errors_for_form(exc, "is_bookable")
            venue = await venues.get_venue(viewer, venue_id)
            shown = data | {"weekdays": [int(d) for d in data["weekdays"] if d.isdigit()]}
            return page(
                "rooms/terms.html", exc.status_code, venue=venue, values=shown, errors=errors
            )
        return Redirect("/rooms/manage", status_code=303)

    @get("/credits")
    async def usage(
        self, request: Request, month: FromQuery[str] = "", page_number: FromQuery[int] = 1
    ) -> Response:
        viewer = signed_in(request)
        chosen = credits.month_named(month)
        rows, total = await credits.usage(viewer, chosen, max(1, page_number))
        return page(
            "rooms/credits.html",
            month=chosen,
            rows=rows,
            total=total,
            page_number=max(1, page_number),
            defaults=await credits.defaults(),
            unit_kinds=UNIT_KINDS,
            values={},
            errors={},
        )

    @get("/credits.csv")
    async def usage_csv(self, request: Request, month: FromQuery[str] = "") -> Response:
        """Credits used per start-up in a month, every row, for a spreadsheet."""
        viewer = signed_in(request)
        chosen = credits.month_named(month)
        rows, _total = await credits.usage(viewer, chosen, 1, per_page=1_000_000)
        language = language_of(request)
        header = [
            gettext(language, name)
            for name in ("Start-up", "Month", "Allowance", "Granted", "Used", "Left")
        ]
        return csv_response(
            f"room-credits-{chosen:%Y-%m}.csv",
            header,
            (
                [
                    named(language, r.startup_en, r.startup_zh),
                    f"{r.month:%Y-%m}",
                    r.allowance,
                    r.granted,
                    r.spent,
                    r.balance,
                ]
                for r in rows
            ),
        )

    @post("/credits/defaults")
    async def set_defaults(self, request: Request) -> Response:
        viewer = signed_in(request)
        if not viewer.is_admin:
            raise Forbidden("only administrators set the default credits per unit kind")
        data = form_values(await request.form(), UNIT_KINDS)
        errors: dict[str, str] = {}
        found = {
            kind: read_whole_number(data, kind, errors, 0, credits.MAX_GRANT) for kind in UNIT_KINDS
        }
        if errors:
            raise ValidationFailed(errors)
        async with write_transaction():
            for kind, value in found.items():
                await CreditDefault.delete().where(CreditDefault.unit_kind == kind)
                await CreditDefault.insert(CreditDefault(unit_kind=kind, monthly_credits=value))
        return Redirect("/rooms/credits", status_code=303)

    @get("/credits/startups/{startup_id:int}")
    async def startup_credits(
        self, request: Request, startup_id: FromPath[int], month: FromQuery[str] = ""
    ) -> Response:
        viewer = signed_in(request)
        return await _startup_page(viewer, startup_id, credits.month_named(month), {}, {})

    @post("/credits/startups/{startup_id:int}/grant")
    async def grant(self, request: Request, startup_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        data = form_values(await request.form(), ("credits", "reason")) | {
            "startup": str(startup_id)
        }
        try:
            command = await read_form(GrantIn, data).checked(credits.grant_problems)
            await credits.grant(viewer, command)
        except DomainError as exc:
            errors = errors_for_form(exc, "credits")
            month = credits.month_of(today_hk())
            return await _startup_page(viewer, startup_id, month, data, errors, exc.status_code)
        return Redirect(f"/rooms/credits/startups/{startup_id}", status_code=303)

    @post("/credits/leases/{lease_id:int}")
    async def lease_credits(self, request: Request, lease_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        data = form_values(await request.form(), ("monthly_credits", "startup"))
        startup = data.get("startup", "").strip()
        errors: dict[str, str] = {}
        amount = read_whole_number(
            data, "monthly_credits", errors, 0, credits.MAX_GRANT, required=False
        )
        if errors:
            raise ValidationFailed(errors)
        await credits.set_lease_credits(viewer, lease_id, amount)
        target = f"/rooms/credits/startups/{startup}" if startup.isdigit() else "/rooms/credits"
        return Redirect(target, status_code=303)


async def _manage_page(viewer, values: dict, errors: dict, status: int = 200) -> Response:
    event_policy.require_organiser(viewer, "manage meeting rooms")
    managed = await event_policy.managed_centres(viewer)
    return page(
        "rooms/manage.html",
        status,
        venues=await venues.list_venues(managed),
        terms={r.id: r for r in await rooms.list_rooms(bookable_only=False)},
        units=await rooms.meeting_room_units(viewer),
        values=values,
        errors=errors,
    )


async def _startup_page(viewer, startup_id, month, values, errors, status: int = 200) -> Response:
    if not await credits.manages(viewer, startup_id):
        raise Forbidden(
            "only the managers of the start-up's space and administrators see its credits"
        )
    today = today_hk()
    leases = await Startup.raw(
        "SELECT l.id, u.code, u.kind, b.name_en AS building_en, b.name_zh AS building_zh, "
        f"lc.monthly_credits AS own, {credits.monthly_credits_sql()} AS credits FROM lease l "
        "JOIN unit u ON u.id = l.unit JOIN building b ON b.id = u.building "
        "LEFT JOIN lease_room_credits lc ON lc.lease = l.id "
        "LEFT JOIN room_credit_default d ON d.unit_kind = u.kind "
        f"WHERE l.startup = {{}} AND {IN_FORCE} ORDER BY b.sort_order, u.code",
        startup_id,
        today,
        today,
    )
    return page(
        "rooms/startup_credits.html",
        status,
        balance=await credits.balance(startup_id, month),
        history=await credits.history(startup_id, month),
        leases=leases,
        month=month,
        this_month=credits.month_of(today),
        values=values,
        errors=errors,
    )
