"""The review API under /api/programmes: a call's panel and assignments, conflicts declared,
reviewers' scores, and the ranking, shortlist and decisions for those who run the call."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.params import FromPath, JSONBody

from incubator.programmes.api import doc, download_response
from incubator.programmes.schemas import (
    ApplicationOut,
    Assigned,
    AssignIn,
    ConflictChoice,
    DecisionIn,
    Declared,
    DeclareIn,
    InvitationSentOut,
    PanelMember,
    PanelReview,
    RankRow,
    ReviewerIn,
    ReviewerInvitationIn,
    ReviewOut,
    ReviewRow,
    ScoreIn,
    ShortlistIn,
)
from incubator.programmes.services import decisions, files, invitations, panel, reviews
from incubator.web import page_number, viewer_of


class ReviewsApi(Controller):
    path = "/api/programmes"
    tags = ["programmes"]

    @get("/calls/{call_id:int}/panel", summary="A call's review panel (those who run the call)")
    async def get_panel(self, request: Request, call_id: FromPath[int]) -> list[PanelMember]:
        return await panel.panel(viewer_of(request), call_id)

    @post("/calls/{call_id:int}/panel", summary="Seat a reviewer (staff or external) on the panel")
    async def add_reviewer(
        self, request: Request, call_id: FromPath[int], data: JSONBody[ReviewerIn]
    ) -> list[PanelMember]:
        return await panel.add_reviewer(viewer_of(request), call_id, data.email)

    @post(
        "/calls/{call_id:int}/panel/invitations",
        summary="Invite an external reviewer without an account (a one-time link by email)",
    )
    async def invite_reviewer(
        self, request: Request, call_id: FromPath[int], data: JSONBody[ReviewerInvitationIn]
    ) -> InvitationSentOut:
        sent = await invitations.invite_reviewer(
            request.app.state.settings, viewer_of(request), call_id, data.email, data.name
        )
        return InvitationSentOut(
            email=sent.email, emailed=sent.emailed, link=None if sent.emailed else sent.link
        )

    @delete(
        "/calls/{call_id:int}/panel/{user_id:int}",
        status_code=200,
        summary="Take a reviewer off the panel (their unscored reviews go too)",
    )
    async def remove_reviewer(
        self, request: Request, call_id: FromPath[int], user_id: FromPath[int]
    ) -> list[PanelMember]:
        return await panel.remove_reviewer(viewer_of(request), call_id, user_id)

    @post(
        "/calls/{call_id:int}/assignments",
        summary="Give each submitted application its reviewers, the least busy first",
    )
    async def assign(
        self, request: Request, call_id: FromPath[int], data: JSONBody[AssignIn]
    ) -> Assigned:
        return Assigned(assigned=await panel.assign(viewer_of(request), call_id, data))

    @get(
        "/calls/{call_id:int}/conflicts",
        summary="The applicants you are to declare conflicts against (alphabetical)",
    )
    async def to_declare(self, request: Request, call_id: FromPath[int]) -> list[ConflictChoice]:
        return await panel.to_declare(viewer_of(request), call_id)

    @post("/calls/{call_id:int}/conflicts", summary="Declare your conflicts of interest")
    async def declare(
        self, request: Request, call_id: FromPath[int], data: JSONBody[DeclareIn]
    ) -> Declared:
        return Declared(**await panel.declare(viewer_of(request), call_id, data))

    @get("/reviews", summary="Your reviews to read and score")
    async def queue(
        self,
        request: Request,
        call: Annotated[int | None, doc("one call's reviews only")] = None,
        page: Annotated[str, doc("page number from 1 (100 a page, unscored first)")] = "",
    ) -> list[ReviewRow]:
        return await reviews.queue(viewer_of(request), call, page_number(page))

    @get("/reviews/{review_id:int}", summary="An application as its reviewer sees it")
    async def get_review(self, request: Request, review_id: FromPath[int]) -> ReviewOut:
        return await reviews.get_review(viewer_of(request), review_id)

    @put("/reviews/{review_id:int}", summary="Score an application by the call's rubric")
    async def score(
        self, request: Request, review_id: FromPath[int], data: JSONBody[ScoreIn]
    ) -> ReviewOut:
        return await reviews.score(viewer_of(request), review_id, data)

    @get(
        "/reviews/{review_id:int}/files/{question:str}",
        summary="A file of the application you review",
    )
    async def review_file(
        self, request: Request, review_id: FromPath[int], question: FromPath[str]
    ) -> Response:
        return download_response(await files.review_file(viewer_of(request), review_id, question))

    @get(
        "/calls/{call_id:int}/ranking",
        summary="Submitted applications by mean weighted score, 100 a page (those who run it)",
    )
    async def ranking(
        self,
        request: Request,
        call_id: FromPath[int],
        page: Annotated[str, doc("page number from 1")] = "",
        shortlisted: Annotated[bool, doc("the shortlist only")] = False,
    ) -> list[RankRow]:
        rows, _total = await reviews.ranking(
            viewer_of(request), call_id, page_number(page), shortlisted=shortlisted
        )
        return rows

    @put(
        "/applications/{application_id:int}/shortlist",
        summary="Put an application on the shortlist, or take it off",
    )
    async def shortlist(
        self, request: Request, application_id: FromPath[int], data: JSONBody[ShortlistIn]
    ) -> ShortlistIn:
        await reviews.shortlist(viewer_of(request), application_id, data.shortlisted)
        return data

    @get(
        "/applications/{application_id:int}/reviews",
        summary="The panel's reviews of an application (those who run the call)",
    )
    async def reviews_of(
        self, request: Request, application_id: FromPath[int]
    ) -> list[PanelReview]:
        return await reviews.reviews_of(viewer_of(request), application_id)

    @post(
        "/applications/{application_id:int}/decision",
        status_code=200,
        summary="Admit, waitlist or decline an application; its message is sent once",
    )
    async def decide(
        self, request: Request, application_id: FromPath[int], data: JSONBody[DecisionIn]
    ) -> ApplicationOut:
        return await decisions.decide(viewer_of(request), application_id, data)
