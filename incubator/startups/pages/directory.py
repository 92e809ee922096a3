"""The directory of start-ups: search and filters, as a page."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get

from incubator.startups.api import DIRECTORY_PARAMS, directory_query
from incubator.startups.services import figures, reference
from incubator.startups.services import profiles as services
from incubator.startups.services.validation import PROGRAMME_STATUSES, STAGES
from incubator.web import page, viewer_of


async def profile_choices() -> dict[str, Any]:
    """Everything the directory's filters and the profile pages offer: centres, hubs,
    clusters and programmes, and centres and clusters by slug for showing names where rows
    carry slugs (in the reader's language)."""
    lists = await reference.choice_lists()
    return {
        "centres": lists.centres,
        "clusters": lists.clusters,
        "programmes": lists.programmes,
        "centre_by_slug": {c.slug: c for c in lists.centres},
        "cluster_by_slug": {c.slug: c for c in lists.clusters},
        "stages": STAGES,
        "programme_statuses": PROGRAMME_STATUSES,
    }


class DirectoryPages(Controller):
    include_in_schema = False

    @get("/")
    async def home(self) -> Response:
        return page("home.html", figures=await figures.park_figures())

    @get("/startups")
    async def directory(self, request: Request) -> Response:
        raw = {k: request.query_params.get(k, "") for k in DIRECTORY_PARAMS}
        query = directory_query(**raw)
        result = await services.directory(viewer_of(request), query)
        # The filters as they stand, for the pager's links.
        params = {k: v for k, v in raw.items() if k != "page" and v}
        return page(
            "startups/directory.html",
            result=result,
            query=query,
            params=params,
            **await profile_choices(),
        )
