"""The JSON API over space, leases and occupancy: /api/occupancy, /api/units, /api/leases."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter

from centres.schemas import (
    CentreDetail,
    Created,
    LeaseIn,
    LeaseOut,
    LeasePage,
    ManagerOut,
    NoticeIn,
    Occupancy,
    Removed,
    RenewalIn,
    TerminationIn,
    UnitDetail,
    UnitIn,
    UnitPage,
)
from centres.services import lease_register, leases, occupancy, space
from centres.services import overview as services
from incubator.versions import if_match, versioned
from incubator.web import viewer_of


def _doc(text: str) -> QueryParameter:
    return QueryParameter(description=text)


class SpaceApi(Controller):
    path = "/api"
    tags = ["space"]

    @get("/occupancy", summary="Occupancy of the park, by building and by centre or hub")
    async def park_occupancy(self) -> Occupancy:
        return await occupancy.occupancy()

    @get("/centres/{slug:str}", summary="A centre or hub: focus, managers, figures, vacancy")
    async def centre(self, request: Request, slug: FromPath[str]) -> CentreDetail:
        overview = await services.centre_overview(
            viewer_of(request), await services.get_centre(slug)
        )
        centre = overview.centre
        return CentreDetail(
            slug=centre.slug,
            kind=centre.kind,
            name_en=centre.name_en,
            name_zh=centre.name_zh,
            focus_en=centre.focus_en,
            focus_zh=centre.focus_zh,
            managers=[ManagerOut(name=m.name) for m in overview.managers],
            community=overview.community,
            occupancy=overview.occupancy,
            vacant_units=overview.vacant.rows,
        )

    @get("/units", summary="The space inventory (managers and administrators)")
    async def units(
        self,
        request: Request,
        building: Annotated[str, _doc("a building's slug")] = "",
        centre: Annotated[str, _doc("the managing centre's or hub's slug")] = "",
        kind: Annotated[str, _doc("private_office, coworking_desk, lab or meeting_room")] = "",
        unit_state: Annotated[
            str, QueryParameter(name="state", description="vacant, occupied or retired")
        ] = "",
        q: Annotated[str, _doc("part of a unit's code")] = "",
        mine: Annotated[str, _doc("true: only units of the caller's centres")] = "",
        page: Annotated[str, _doc("page number from 1")] = "",
        per_page: Annotated[str, _doc("1 to 500; 100 when blank")] = "",
    ) -> UnitPage:
        query = space.unit_query(
            building=building,
            centre=centre,
            kind=kind,
            state=unit_state,
            q=q,
            mine=mine,
            page=page,
            per_page=per_page,
        )
        return await space.list_units(viewer_of(request), query)

    @post("/units", summary="Add a unit (managers for their centres, administrators)")
    async def create_unit(self, request: Request, data: JSONBody[UnitIn]) -> Created:
        return Created(id=await space.create_unit(viewer_of(request), data))

    @get(
        "/units/{unit_id:int}",
        summary="One unit (managers and administrators)",
        description="The ETag header names its version, for If-Match on a PATCH.",
    )
    async def get_unit(self, request: Request, unit_id: FromPath[int]) -> Response[UnitDetail]:
        return versioned(await space.get_unit(viewer_of(request), unit_id))

    @patch(
        "/units/{unit_id:int}",
        summary="Change a unit's fields",
        description="With If-Match (the ETag of a GET), a unit changed since answers 412 and "
        "nothing is written.",
    )
    async def update_unit(
        self, request: Request, unit_id: FromPath[int], data: JSONBody[UnitIn]
    ) -> Response[UnitDetail]:
        viewer = viewer_of(request)
        expected = if_match(request)
        await space.update_unit(viewer, unit_id, data, expected)
        return versioned(await space.get_unit(viewer, unit_id))

    @post(
        "/units/{unit_id:int}/retire",
        summary="Remove a unit: deleted without lease history, retired with it",
        status_code=200,
    )
    async def retire_unit(self, request: Request, unit_id: FromPath[int]) -> Removed:
        return Removed(outcome=await space.retire_unit(viewer_of(request), unit_id))


class LeasesApi(Controller):
    path = "/api/leases"
    tags = ["leases"]

    @get("/", summary="Leases the caller may see (staff: their centres; members: their own)")
    async def list_leases(
        self,
        request: Request,
        centre: Annotated[str, _doc("the unit's centre or hub")] = "",
        building: Annotated[str, _doc("a building's slug")] = "",
        lease_state: Annotated[
            str,
            QueryParameter(
                name="state",
                description="draft, upcoming, active, notice_given, ended or in_force",
            ),
        ] = "",
        ending_within: Annotated[str, _doc("days: leases in force ending within them")] = "",
        startup: Annotated[str, _doc("a start-up's id")] = "",
        q: Annotated[str, _doc("part of a start-up's name or a unit's code")] = "",
        page: Annotated[str, _doc("page number from 1")] = "",
        per_page: Annotated[str, _doc("1 to 1000; 50 when blank")] = "",
    ) -> LeasePage:
        query = lease_register.lease_query(
            centre=centre,
            building=building,
            state=lease_state,
            ending_within=ending_within,
            startup=startup,
            q=q,
            page=page,
            per_page=per_page,
        )
        return await lease_register.list_leases(viewer_of(request), query)

    @post("/", summary="Lease a unit to a start-up; overlapping periods are refused (409)")
    async def create_lease(self, request: Request, data: JSONBody[LeaseIn]) -> LeaseOut:
        viewer = viewer_of(request)
        lease_id = await leases.create_lease(viewer, data)
        return await lease_register.get_lease(viewer, lease_id)

    @get(
        "/{lease_id:int}",
        summary="One lease (its parties, centre managers, administrators)",
        description="The ETag header names its version: send it in If-Match with a change "
        "(activate, notice, terminate, renew, discard) to make it only if no one has changed "
        "the lease since (412 otherwise).",
    )
    async def get_lease(self, request: Request, lease_id: FromPath[int]) -> Response[LeaseOut]:
        return versioned(await lease_register.get_lease(viewer_of(request), lease_id))

    @post("/{lease_id:int}/activate", summary="A draft lease comes into force", status_code=200)
    async def activate(self, request: Request, lease_id: FromPath[int]) -> Response[LeaseOut]:
        viewer = viewer_of(request)
        await leases.activate_lease(viewer, lease_id, if_match(request))
        return versioned(await lease_register.get_lease(viewer, lease_id))

    @post("/{lease_id:int}/notice", summary="Record the tenant's notice", status_code=200)
    async def notice(
        self, request: Request, lease_id: FromPath[int], data: JSONBody[NoticeIn]
    ) -> Response[LeaseOut]:
        viewer = viewer_of(request)
        await leases.give_notice(viewer, lease_id, data, if_match(request))
        return versioned(await lease_register.get_lease(viewer, lease_id))

    @post("/{lease_id:int}/terminate", summary="End a lease early with a reason", status_code=200)
    async def terminate(
        self, request: Request, lease_id: FromPath[int], data: JSONBody[TerminationIn]
    ) -> Response[LeaseOut]:
        viewer = viewer_of(request)
        await leases.terminate_early(viewer, lease_id, data, if_match(request))
        return versioned(await lease_register.get_lease(viewer, lease_id))

    @post("/{lease_id:int}/renew", summary="Create the next lease, linked to this one")
    async def renew(
        self, request: Request, lease_id: FromPath[int], data: JSONBody[RenewalIn]
    ) -> Response[LeaseOut]:
        viewer = viewer_of(request)
        new_id = await leases.renew_lease(viewer, lease_id, data, if_match(request))
        return versioned(await lease_register.get_lease(viewer, new_id))

    @post("/{lease_id:int}/discard", summary="Delete a draft lease", status_code=200)
    async def discard(self, request: Request, lease_id: FromPath[int]) -> Removed:
        await leases.discard_draft(viewer_of(request), lease_id, if_match(request))
        return Removed(outcome="deleted")

    @get("/of-startup/{startup_id:int}", summary="A start-up's leases the caller may see")
    async def of_startup(self, request: Request, startup_id: FromPath[int]) -> list[LeaseOut]:
        return await lease_register.startup_leases(viewer_of(request), startup_id)
