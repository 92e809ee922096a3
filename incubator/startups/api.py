"""The JSON API over the start-up services: /api/startups and /api/centres."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from litestar import Controller, Request, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from incubator.startups import services
from incubator.startups.schemas import (
    CentreOut,
    Change,
    Created,
    NewStartup,
    ProfileUpdate,
    StartupDetail,
    StartupPage,
    StartupSummary,
)
from incubator.startups.search import DirectoryQuery
from incubator.startups.tables import Stage
from incubator.web import viewer_of

Sort = Literal["relevance", "name", "newest", "updated"]


def directory_query(
    q: str,
    centre: str,
    hub: str,
    cluster: str,
    programme: str,
    stage: Stage | None,
    onsite: bool | None,
    sort: Sort,
    page: int,
    per_page: int,
    archived: bool,
) -> DirectoryQuery:
    return DirectoryQuery(
        q=q.strip()[:200],
        centre=centre,
        hub=hub,
        cluster=cluster,
        programme=programme,
        stage=stage.value if stage else "",
        onsite=onsite,
        sort=sort,
        page=page,
        per_page=per_page,
        archived=archived,
    )


class StartupsApi(Controller):
    path = "/api/startups"
    tags = ["startups"]

    @get("/", summary="Search and filter the directory of start-ups")
    async def list_startups(
        self,
        request: Request,
        q: Annotated[
            str,
            QueryParameter(
                description="full-text search: names, descriptions, tags", max_length=200
            ),
        ] = "",
        centre: Annotated[str, QueryParameter(description="centre slug (see /api/centres)")] = "",
        hub: Annotated[str, QueryParameter(description="hub slug (see /api/centres)")] = "",
        cluster: Annotated[str, QueryParameter(description="cluster slug")] = "",
        programme: Annotated[str, QueryParameter(description="programme slug")] = "",
        stage: FromQuery[Stage | None] = None,
        onsite: FromQuery[bool | None] = None,
        sort: FromQuery[Sort] = "relevance",
        page: Annotated[int, QueryParameter(ge=1, le=100_000)] = 1,
        per_page: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
        archived: Annotated[
            bool, QueryParameter(description="archived ones (managers, admins)")
        ] = False,
    ) -> StartupPage:
        query = directory_query(
            q, centre, hub, cluster, programme, stage, onsite, sort, page, per_page, archived
        )
        result = await services.directory(viewer_of(request), query)
        return StartupPage(
            items=[_summary(row) for row in result.rows],
            total=result.total,
            page=result.page,
            per_page=result.per_page,
        )

    @get("/{startup_id:int}", summary="One start-up's profile")
    async def get_startup(self, request: Request, startup_id: FromPath[int]) -> StartupDetail:
        return msgspec.convert(
            await services.get_profile(viewer_of(request), startup_id), StartupDetail, strict=False
        )

    @patch("/{startup_id:int}", summary="Change fields of a profile (members, managers, admins)")
    async def update_startup(
        self, request: Request, startup_id: FromPath[int], data: JSONBody[ProfileUpdate]
    ) -> StartupDetail:
        viewer = viewer_of(request)
        await services.update_profile(viewer, startup_id, data.changes())
        return msgspec.convert(
            await services.get_profile(viewer, startup_id), StartupDetail, strict=False
        )

    @post("/", summary="Add a start-up (managers for their centres, admins)")
    async def create_startup(self, request: Request, data: JSONBody[NewStartup]) -> Created:
        return Created(id=await services.create_startup(viewer_of(request), data.changes()))

    @get("/{startup_id:int}/history", summary="Every change of a profile, newest first")
    async def history(self, request: Request, startup_id: FromPath[int]) -> list[Change]:
        rows = await services.history(viewer_of(request), startup_id)
        return msgspec.convert(rows, list[Change], strict=False)


class CentresApi(Controller):
    path = "/api/centres"
    tags = ["centres"]

    @get("/", summary="The park's centres and hubs; kind is centre or hub")
    async def list_centres(self) -> list[CentreOut]:
        return msgspec.convert(await services.list_centres(), list[CentreOut], strict=False)


def _summary(row: dict) -> StartupSummary:
    row = dict(row)
    row["tags"] = [t for t in (row.get("tags") or "").split(",") if t]
    return msgspec.convert(row, StartupSummary, strict=False)
