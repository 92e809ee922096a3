"""HTML pages of centres, hubs, space and leases; the rules live in the services."""

from __future__ import annotations

import asyncio
from typing import Any, TypeVar

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from centres import policy
from centres.schemas import BuildingIn, LeaseIn, NoticeIn, RenewalIn, TerminationIn, UnitIn
from centres.services import lease_register, leases, occupancy, space
from centres.services import overview as services
from centres.tables import UNIT_KIND_NAMES
from incubator.commands import FormRead, read_form
from incubator.downloads.csv_files import csv_response
from incubator.errors import DomainError, NotFound, ValidationFailed
from incubator.i18n import named, today_hk
from incubator.money import hkd_input, read_amounts
from incubator.startups.api import DIRECTORY_PARAMS, directory_query
from incubator.startups.services import profiles as startups
from incubator.startups.services import reference
from incubator.startups.services.validation import STAGES
from incubator.versions import EditConflict, form_version
from incubator.web import (
    conflict_errors,
    errors_for_form,
    form_values,
    language_of,
    page,
    signed_in,
    viewer_of,
)

UNIT_PARAMS = ("building", "centre", "kind", "state", "q", "mine", "page")
# The new-lease form offers this many vacant units at most; the space inventory finds others.
VACANT_CHOICES = 200
LEASE_PARAMS = ("centre", "building", "state", "ending_within", "q", "page")
LEASE_FORM = ("unit", "startup", "starts_on", "ends_on", "monthly_rent", "deposit", "status")
UNIT_FORM = ("building", "centre", "code", "floor", "kind", "area_sqft", "list_rent", "notes")
C = TypeVar("C", LeaseIn, RenewalIn, UnitIn)
# A command's amounts in cents come from these HK$ fields of the forms.
HKD_FIELDS = {
    "monthly_rent_cents": "monthly_rent",
    "deposit_cents": "deposit",
    "list_rent_cents": "list_rent",
}


def _read_space_form(
    command: type[C], data: dict[str, Any], required: tuple[str, ...] = ()
) -> FormRead[C]:
    """A command from a form of space or leases: HK$ amounts as people type them become
    cents, and what cannot be read is named beside the field it was typed in."""
    values, errors = read_amounts(data, HKD_FIELDS)
    return read_form(command, values, errors, shown_as=HKD_FIELDS, required=required)


def _raw(request: Request, names: tuple[str, ...]) -> dict[str, str]:
    return {name: request.query_params.get(name, "") for name in names}


def _unit_values(unit: Any) -> dict[str, Any]:
    """A unit as its edit form shows it, with the version the form is opened at."""
    values = {k: getattr(unit, k) for k in ("code", "floor", "kind", "area_sqft", "notes")}
    return values | {
        "building": unit.building_slug,
        "centre": unit.centre_slug,
        "list_rent": hkd_input(unit.list_rent_cents),
        "version": unit.version,
    }


async def _choices() -> dict[str, Any]:
    return {
        "buildings": await space.list_buildings(),
        "centres": await reference.list_centres(),
        "unit_kinds": space.UNIT_KINDS,
    }


class CentrePages(Controller):
    path = "/centres"
    include_in_schema = False

    @get("/")
    async def index(self) -> Response:
        return page("centres/index.html", rows=await services.centres_overview())

    @get("/{slug:str}")
    async def show(self, request: Request, slug: FromPath[str]) -> Response:
        viewer = viewer_of(request)
        asked = request.query_params.get("vacant_page", "")
        vacant_page = int(asked) if asked.isdigit() and 0 < int(asked) < 10_000 else 1
        centre = await services.get_centre(slug)
        raw = {k: request.query_params.get(k, "") for k in DIRECTORY_PARAMS}
        raw[centre.kind] = slug  # the centre's own start-ups, with the directory's other filters
        query = directory_query(**raw)
        # the centre's figures and its start-ups read at once
        overview, result = await asyncio.gather(
            services.centre_overview(viewer, centre, vacant_page),
            startups.directory(viewer, query),
        )
        params = {k: v for k, v in raw.items() if k not in ("page", centre.kind) and v}
        clusters = await reference.list_clusters()
        return page(
            "centres/show.html",
            o=overview,
            result=result,
            query=query,
            params=params,
            clusters=clusters,
            programmes=await reference.list_programmes(),
            stages=STAGES,
            cluster_by_slug={c.slug: c for c in clusters},
            vacant_page=vacant_page,
        )


class SpacePages(Controller):
    path = "/space"
    include_in_schema = False

    @get("/")
    async def inventory(self, request: Request) -> Response:
        viewer = signed_in(request)
        raw = _raw(request, UNIT_PARAMS)
        result = await space.list_units(viewer, space.unit_query(**raw))
        params = {k: v for k, v in raw.items() if k != "page" and v}
        return page(
            "space/inventory.html",
            result=result,
            filters=raw,
            params=params,
            building_errors={},
            building_values={},
            **await _choices(),
        )

    @post("/buildings")
    async def add_building(self, request: Request) -> Response:
        viewer = signed_in(request)
        form = await request.form()
        data = form_values(form, ("slug", "name_en", "name_zh"))
        try:
            building = await read_form(BuildingIn, data).checked(space.building_problems)
            await space.create_building(viewer, building)
        except ValidationFailed as exc:
            result = await space.list_units(viewer, space.unit_query())
            return page(
                "space/inventory.html",
                422,
                result=result,
                filters={},
                params={},
                building_errors=exc.errors,
                building_values=data,
                **await _choices(),
            )
        return Redirect(f"/space?building={data['slug']}", status_code=303)

    @get("/units/new")
    async def new_unit(self, request: Request) -> Response:
        viewer = signed_in(request)
        policy.require_staff(viewer, "add units")
        values = {"kind": "private_office", "floor": "1"}
        return page("space/unit_form.html", unit=None, values=values, errors={}, **await _choices())

    @post("/units/new")
    async def create_unit(self, request: Request) -> Response:
        viewer = signed_in(request)
        form = await request.form()
        data = form_values(form, UNIT_FORM)
        read = _read_space_form(UnitIn, data)
        try:
            command = await read.checked(lambda values: space.unit_problems(viewer, values))
            unit_id = await space.create_unit(viewer, command)
        except ValidationFailed as exc:
            return page(
                "space/unit_form.html",
                422,
                unit=None,
                values=data,
                errors=exc.errors,
                **await _choices(),
            )
        return Redirect(f"/space/units/{unit_id}?message=created", status_code=303)

    @get("/units/{unit_id:int}")
    async def show_unit(
        self, request: Request, unit_id: FromPath[int], message: FromQuery[str] = ""
    ) -> Response:
        viewer = signed_in(request)
        unit = await space.get_unit(viewer, unit_id)
        history = []
        if unit.can_manage:
            query = lease_register.LeaseQuery(unit=unit_id, per_page=500)
            history = (await lease_register.list_leases(viewer, query)).items
        return page("space/unit.html", unit=unit, history=history, message=message)

    @get("/units/{unit_id:int}/edit")
    async def edit_unit(self, request: Request, unit_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        unit = await space.get_unit(viewer, unit_id)
        await policy.require_manage_centre(viewer, unit.centre, "change this unit")
        values = _unit_values(unit)
        return page("space/unit_form.html", unit=unit, values=values, errors={}, **await _choices())

    @post("/units/{unit_id:int}/edit")
    async def update_unit(self, request: Request, unit_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        form = await request.form()
        data = form_values(form, UNIT_FORM)
        data["version"] = str(form.get("version") or "")  # shown again as the form was opened
        # The form shows every field: a number left blank is not "unchanged".
        read = _read_space_form(UnitIn, data, required=("floor", "area_sqft", "list_rent_cents"))
        try:
            command = await read.checked(
                lambda values: space.unit_problems(viewer, values, unit_id)
            )
            await space.update_unit(viewer, unit_id, command, form_version(form.get("version")))
        except (ValidationFailed, EditConflict) as exc:
            unit = await space.get_unit(viewer, unit_id)
            conflict = exc if isinstance(exc, EditConflict) else None
            errors = exc.errors
            if conflict:
                lang = language_of(request)
                shown = {
                    "building": named(lang, unit.building_en, unit.building_zh),
                    "centre": named(lang, unit.centre_en, unit.centre_zh),
                    "kind": UNIT_KIND_NAMES.get(unit.kind, unit.kind),
                }
                errors = conflict_errors(conflict, data, _unit_values(unit), shown)
            return page(
                "space/unit_form.html",
                exc.status_code,
                unit=unit,
                values=data,
                errors=errors,
                conflict=conflict,
                **await _choices(),
            )
        return Redirect(f"/space/units/{unit_id}?message=saved", status_code=303)

    @post("/units/{unit_id:int}/retire")
    async def retire_unit(self, request: Request, unit_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        try:
            outcome = await space.retire_unit(viewer, unit_id)
        except ValidationFailed as exc:
            unit = await space.get_unit(viewer, unit_id)
            return page(
                "space/unit.html", 409, unit=unit, history=[], message="", errors=exc.errors
            )
        if outcome == "deleted":
            return Redirect("/space?message=deleted", status_code=303)
        return Redirect(f"/space/units/{unit_id}?message=retired", status_code=303)

    @post("/units/{unit_id:int}/reinstate")
    async def reinstate_unit(self, request: Request, unit_id: FromPath[int]) -> Response:
        await space.reinstate_unit(signed_in(request), unit_id)
        return Redirect(f"/space/units/{unit_id}?message=reinstated", status_code=303)


class LeasePages(Controller):
    path = "/leases"
    include_in_schema = False

    @get("/")
    async def register(self, request: Request) -> Response:
        viewer = signed_in(request)
        policy.require_staff(viewer, "see the lease register")
        raw = _raw(request, LEASE_PARAMS)
        query = lease_register.lease_query(**raw)
        result = await lease_register.list_leases(viewer, query)
        params = {k: v for k, v in raw.items() if k != "page" and v}
        return page(
            "leases/register.html",
            result=result,
            filters=raw,
            params=params,
            states=lease_register.LEASE_STATES,
            **await _choices(),
        )

    @get("/export.csv")
    async def export(self, request: Request) -> Response:
        viewer = signed_in(request)
        query = lease_register.lease_query(**_raw(request, LEASE_PARAMS))
        language = language_of(request)
        rows = await lease_register.register_rows(viewer, query, language)
        header = lease_register.register_header(language)
        return csv_response(f"lease-register-{today_hk()}.csv", header, rows)

    async def _form(
        self,
        request: Request,
        values: dict,
        errors: dict[str, str],
        status: int = 200,
        unit: dict | None = None,
    ) -> Response:
        viewer = signed_in(request)
        if unit is None and str(values.get("unit") or "").isdigit():
            unit = await space.get_unit(viewer, int(values["unit"]))
        vacant, vacant_total = [], 0
        if unit is not None:
            await policy.require_manage_centre(viewer, unit.centre, "lease this unit")
        else:  # choose one by building and number: the vacant units the viewer may let
            centres = await policy.managed_centres(viewer)
            vacant, figures = await asyncio.gather(
                occupancy.vacant_rows(centres, limit=VACANT_CHOICES),
                occupancy.occupancy(centres=centres),
            )
            vacant_total = figures.park.vacant_units
        return page(
            "leases/new.html",
            status,
            unit=unit,
            vacant=vacant,
            vacant_total=vacant_total,
            register=f"/space?state=vacant{'' if viewer.is_admin else '&mine=1'}",
            values=values,
            errors=errors,
        )

    @get("/new")
    async def new(self, request: Request) -> Response:
        viewer = signed_in(request)
        policy.require_staff(viewer, "create leases")
        unit = request.query_params.get("unit", "")
        values: dict[str, Any] = {"unit": unit, "status": "active", "starts_on": today_hk()}
        row = await space.get_unit(viewer, int(unit)) if unit.isdigit() else None
        if row is not None:
            values["monthly_rent"] = hkd_input(row.list_rent_cents)
            values["deposit"] = hkd_input(row.list_rent_cents * 2)
        return await self._form(request, values, {}, unit=row)

    @post("/new")
    async def create(self, request: Request) -> Response:
        viewer = signed_in(request)
        form = await request.form()
        data = form_values(form, LEASE_FORM)
        read = _read_space_form(LeaseIn, data)
        try:
            command = await read.checked(lambda values: leases.new_lease_problems(viewer, values))
            lease_id = await leases.create_lease(viewer, command)
        except DomainError as exc:
            return await self._form(request, data, errors_for_form(exc), exc.status_code)
        return Redirect(f"/leases/{lease_id}?message=created", status_code=303)

    @get("/{lease_id:int}")
    async def show(
        self, request: Request, lease_id: FromPath[int], message: FromQuery[str] = ""
    ) -> Response:
        return await self._show(request, lease_id, message=message)

    async def _show(
        self, request: Request, lease_id: int, status: int = 200, **extra: Any
    ) -> Response:
        lease = await lease_register.get_lease(signed_in(request), lease_id)
        context = {"lease": lease, "errors": {}, "values": {}, "message": "", "today": today_hk()}
        return page("leases/show.html", status, **(context | extra))

    @post("/{lease_id:int}/{action:str}")
    async def act(
        self, request: Request, lease_id: FromPath[int], action: FromPath[str]
    ) -> Response:
        viewer = signed_in(request)
        form = await request.form()
        data = form_values(
            form, ("last_day", "reason", "ends_on", "monthly_rent", "deposit", "status")
        )
        try:
            version = form_version(form.get("version"))
            if action == "activate":
                await leases.activate_lease(viewer, lease_id, version)
            elif action == "notice":
                await leases.give_notice(viewer, lease_id, NoticeIn(), version)
            elif action == "terminate":
                read = read_form(TerminationIn, data)
                command = await read.checked(leases.termination_problems)
                await leases.terminate_early(viewer, lease_id, command, version)
            elif action == "renew":
                renewal = _read_space_form(RenewalIn, data)
                command = await renewal.checked(leases.renewal_problems)
                new_id = await leases.renew_lease(viewer, lease_id, command, version)
                return Redirect(f"/leases/{new_id}?message=renewed", status_code=303)
            elif action == "discard":
                lease = await lease_register.get_lease(viewer, lease_id)
                await leases.discard_draft(viewer, lease_id, version)
                return Redirect(f"/space/units/{lease.unit}?message=discarded", status_code=303)
            else:
                raise NotFound(f"no lease action called {action}")
        except DomainError as exc:
            conflict = exc if isinstance(exc, EditConflict) else None
            errors = {} if conflict else errors_for_form(exc, "action")
            return await self._show(
                request,
                lease_id,
                exc.status_code,
                errors=errors,
                values=data,
                action=action,
                conflict=conflict,
            )
        return Redirect(f"/leases/{lease_id}?message={action}", status_code=303)
