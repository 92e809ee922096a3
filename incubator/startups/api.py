"""The JSON API over the start-up services: /api/startups and /api/centres."""

from __future__ import annotations

import inspect
from typing import Annotated

from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter

from incubator.errors import BadParameter
from incubator.fields import read_whole_number
from incubator.startups.schemas import (
    CentreOut,
    Created,
    HistoryEntry,
    NewStartup,
    ProfileUpdate,
    StartupDetail,
    StartupPage,
)
from incubator.startups.services import history as changes
from incubator.startups.services import profiles as services
from incubator.startups.services import reference
from incubator.startups.services.search import SORTS, DirectoryQuery
from incubator.startups.services.validation import STAGES
from incubator.versions import etag, if_match
from incubator.web import viewer_of

_BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def directory_query(
    q: str = "",
    centre: str = "",
    hub: str = "",
    cluster: str = "",
    programme: str = "",
    stage: str = "",
    onsite: str = "",
    sort: str = "",
    page: str = "",
    per_page: str = "",
    archived: str = "",
) -> DirectoryQuery:
    """The directory query from raw query parameters; blank means "not set" (as in the
    documented `?q=&centre=&onsite=&page=`), anything else wrong is a 400 naming it."""
    errors: dict[str, str] = {}
    if len(q) > 200:
        errors["q"] = "must be at most 200 characters"
    if stage and stage not in STAGES:
        errors["stage"] = f"must be one of {', '.join(STAGES)}"
    if sort and sort not in SORTS:
        errors["sort"] = f"must be one of {', '.join(SORTS)}"
    flags: dict[str, bool | None] = {}
    for name, raw in (("onsite", onsite), ("archived", archived)):
        value = raw.strip().lower()
        flags[name] = _BOOLEANS.get(value) if value else None
        if value and flags[name] is None:
            errors[name] = "must be true or false"
    numbers = {"page": page, "per_page": per_page}
    page_number = read_whole_number(numbers, "page", errors, 1, 100_000, required=False) or 1
    size = read_whole_number(numbers, "per_page", errors, 1, 100, required=False) or 20
    if errors:
        raise BadParameter(errors)
    return DirectoryQuery(
        q=q.strip(),
        centre=centre.strip(),
        hub=hub.strip(),
        cluster=cluster.strip(),
        programme=programme.strip(),
        stage=stage,
        onsite=flags["onsite"],
        sort=sort or "relevance",
        page=page_number,
        per_page=size,
        archived=bool(flags["archived"]),
    )


# The query parameters of the directory, for the page that reads them from a request.
DIRECTORY_PARAMS = tuple(inspect.signature(directory_query).parameters)


def _doc(text: str) -> object:
    return QueryParameter(description=text)


class StartupsApi(Controller):
    path = "/api/startups"
    tags = ["startups"]

    @get("/", summary="Search and filter the directory of start-ups")
    async def list_startups(
        self,
        request: Request,
        q: Annotated[str, _doc("full-text search over names, descriptions and tags")] = "",
        centre: Annotated[str, _doc("centre slug, see /api/centres")] = "",
        hub: Annotated[str, _doc("hub slug, see /api/centres")] = "",
        cluster: Annotated[str, _doc("cluster slug")] = "",
        programme: Annotated[str, _doc("programme slug")] = "",
        stage: Annotated[str, _doc("one of " + ", ".join(STAGES))] = "",
        onsite: Annotated[str, _doc("true or false; blank for both")] = "",
        sort: Annotated[str, _doc("one of " + ", ".join(SORTS))] = "",
        page: Annotated[str, _doc("page number from 1; blank for 1")] = "",
        per_page: Annotated[str, _doc("1 to 100; blank for 20")] = "",
        archived: Annotated[str, _doc("true: archived ones (managers, administrators)")] = "",
    ) -> StartupPage:
        query = directory_query(
            q, centre, hub, cluster, programme, stage, onsite, sort, page, per_page, archived
        )
        result = await services.directory(viewer_of(request), query)
        return StartupPage(
            items=result.rows,
            total=result.total,
            page=result.page,
            per_page=result.per_page,
            more=result.more,
            order=result.order,
        )

    @get(
        "/{startup_id:int}",
        summary="One start-up's profile",
        description="The ETag header names its version; send it back in If-Match with a "
        "PATCH to change the profile only if no one has changed it since.",
    )
    async def get_startup(
        self, request: Request, startup_id: FromPath[int]
    ) -> Response[StartupDetail]:
        detail = await services.get_profile(viewer_of(request), startup_id)
        return Response(detail, headers={"ETag": etag(detail.version)})

    @patch(
        "/{startup_id:int}",
        summary="Change fields of a profile (members, managers, admins)",
        description="With If-Match (the ETag of a GET), a profile changed since answers 412 "
        "and nothing is written; without it, the change applies to the current version.",
    )
    async def update_startup(
        self, request: Request, startup_id: FromPath[int], data: JSONBody[ProfileUpdate]
    ) -> Response[StartupDetail]:
        viewer = viewer_of(request)
        expected = if_match(request)
        await services.update_profile(viewer, startup_id, data, expected)
        detail = await services.get_profile(viewer, startup_id)
        return Response(detail, headers={"ETag": etag(detail.version)})

    @post("/", summary="Add a start-up (managers for their centres, admins)")
    async def create_startup(self, request: Request, data: JSONBody[NewStartup]) -> Created:
        return Created(id=await services.create_startup(viewer_of(request), data))

    @get("/{startup_id:int}/history", summary="Every change of a profile, newest first")
    async def history(self, request: Request, startup_id: FromPath[int]) -> list[HistoryEntry]:
        return await changes.history(viewer_of(request), startup_id)


class CentresApi(Controller):
    path = "/api/centres"
    tags = ["centres"]

    @get("/", summary="The park's centres and hubs; kind is centre or hub")
    async def list_centres(self) -> list[CentreOut]:
        return await reference.list_centres()
