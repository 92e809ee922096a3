"""HTML pages of reviewing: a reviewer's queue, declaring conflicts, reading and scoring an
application; and, for those who run a call, its panel, assignments, ranking and shortlist."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from incubator.commands import read_form
from incubator.errors import BadParameter, DomainError, ValidationFailed
from incubator.programmes.api import download_response
from incubator.programmes.pages import application_page
from incubator.programmes.schemas import AssignIn, DecisionIn, DeclareIn, ScoreIn
from incubator.programmes.services import (
    applications,
    calls,
    decisions,
    files,
    invitations,
    panel,
    reviews,
)
from incubator.web import errors_for_form, form_values, page, signed_in

PER_PAGE = 100


class ReviewPages(Controller):
    path = "/programmes"
    include_in_schema = False

    @get("/reviews")
    async def queue(self, request: Request, page_number: FromQuery[int] = 1) -> Response:
        viewer = signed_in(request)
        if page_number < 1:
            raise BadParameter({"page_number": "must be a whole number from 1"})
        rows = await reviews.queue(viewer, page=page_number, per_page=PER_PAGE, peek=True)
        waiting = await panel.calls_to_declare(viewer)
        return page(
            "programmes/reviews.html",
            rows=rows[:PER_PAGE],
            more=len(rows) > PER_PAGE,
            page_number=page_number,
            waiting=waiting,
        )

    @get("/calls/{call_id:int}/conflicts")
    async def conflicts(self, request: Request, call_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        return page(
            "programmes/conflicts.html",
            call=await calls.get_call(call_id),
            choices=await panel.to_declare(viewer, call_id),
            errors={},
        )

    @post("/calls/{call_id:int}/conflicts")
    async def declare(self, request: Request, call_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        form = await request.form()
        chosen = [int(v) for v in form.getall("conflicts", []) if str(v).isdigit()]
        try:
            await panel.declare(viewer, call_id, DeclareIn(conflicts=chosen))
        except DomainError as exc:
            return page(
                "programmes/conflicts.html",
                status_code=exc.status_code,
                call=await calls.get_call(call_id),
                choices=await panel.to_declare(viewer, call_id),
                errors=errors_for_form(exc, "conflicts"),
            )
        return Redirect("/programmes/reviews", status_code=303)

    @get("/reviews/{review_id:int}")
    async def review(self, request: Request, review_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        found = await reviews.get_review(viewer, review_id)
        values = {k: str(v) for k, v in found.scores.items()} | {"comment": found.comment}
        return page("programmes/review.html", review=found, values=values, errors={})

    @post("/reviews/{review_id:int}")
    async def score(self, request: Request, review_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        form = await request.form()
        found = await reviews.get_review(viewer, review_id)
        values = {c.key: str(form.get(c.key) or "").strip() for c in found.rubric.criteria}
        values["comment"] = str(form.get("comment") or "")
        unread = {
            k: "choose a score" for k, v in values.items() if k != "comment" and not v.isdigit()
        }
        try:
            if unread:
                raise ValidationFailed(unread)
            scores = {k: int(v) for k, v in values.items() if k != "comment"}
            await reviews.score(
                viewer, review_id, ScoreIn(scores=scores, comment=values["comment"])
            )
        except DomainError as exc:
            return page(
                "programmes/review.html",
                status_code=exc.status_code,
                review=found,
                values=values,
                errors=errors_for_form(exc, "action"),
            )
        return Redirect("/programmes/reviews?done=scored", status_code=303)

    @get("/reviews/{review_id:int}/files/{question:str}")
    async def review_file(
        self, request: Request, review_id: FromPath[int], question: FromPath[str]
    ) -> Response:
        viewer = signed_in(request)
        return download_response(await files.review_file(viewer, review_id, question))

    # ------------------------------------------------------------ for those who run the call

    async def _panel_page(
        self, request: Request, call_id: int, errors: dict, status_code: int = 200, **extra
    ) -> Response:
        viewer = signed_in(request)
        return page(
            "programmes/panel.html",
            status_code=status_code,
            call=await calls.get_call(call_id),
            members=await panel.panel(viewer, call_id),
            errors=errors,
            **extra,
        )

    @get("/calls/{call_id:int}/panel")
    async def panel_page(
        self, request: Request, call_id: FromPath[int], done: FromQuery[str] = ""
    ) -> Response:
        return await self._panel_page(request, call_id, {}, done=done, values={})

    @post("/calls/{call_id:int}/panel")
    async def change_panel(self, request: Request, call_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        form = await request.form()
        action = str(form.get("do") or "")
        values = {
            "email": str(form.get("email") or ""),
            "name": str(form.get("name") or ""),
            "per_application": str(form.get("per_application") or "3"),
            "do": action,
        }
        try:
            if action == "add":
                await panel.add_reviewer(viewer, call_id, values["email"])
                done = "added"
            elif action == "invite":
                sent = await invitations.invite_reviewer(
                    request.app.state.settings, viewer, call_id, values["email"], values["name"]
                )
                if not sent.emailed:  # the link to pass on, shown once
                    return await self._panel_page(
                        request, call_id, {}, done="", values={}, invitation=sent
                    )
                done = "invited"
            elif action == "remove":
                user = str(form.get("user") or "").strip()
                if not user.isdigit():
                    raise BadParameter({"user": "must name a reviewer on the panel"})
                await panel.remove_reviewer(viewer, call_id, int(user))
                done = "removed"
            elif action == "assign":
                per = values["per_application"]
                if not per.strip().isdigit():
                    raise BadParameter({"per_application": "must be a whole number from 1 to 10"})
                n = await panel.assign(viewer, call_id, AssignIn(per_application=int(per)))
                done = f"assigned-{n}"
            else:
                raise BadParameter({"do": "must be add, invite, remove or assign"})
        except DomainError as exc:
            errors = errors_for_form(exc, "action")
            return await self._panel_page(
                request, call_id, errors, exc.status_code, done="", values=values
            )
        return Redirect(f"/programmes/calls/{call_id}/panel?done={done}", status_code=303)

    @get("/calls/{call_id:int}/ranking")
    async def ranking(
        self,
        request: Request,
        call_id: FromPath[int],
        page_number: FromQuery[int] = 1,
        shortlisted: FromQuery[bool] = False,
    ) -> Response:
        viewer = signed_in(request)
        if page_number < 1:
            raise BadParameter({"page_number": "must be a whole number from 1"})
        rows, total = await reviews.ranking(viewer, call_id, page_number, PER_PAGE, shortlisted)
        return page(
            "programmes/ranking.html",
            call=await calls.get_call(call_id),
            rows=rows,
            total=total,
            page_number=page_number,
            pages=max(1, -(-total // PER_PAGE)),
            shortlisted=shortlisted,
        )

    @post("/applications/{application_id:int}/decision")
    async def decide(self, request: Request, application_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        names = ("decision", "message_en", "message_zh", "starts_on", "ends_on")
        data = form_values(await request.form(), names)
        try:
            command = await read_form(DecisionIn, data).checked(decisions.decision_problems_of)
            await decisions.decide(viewer, application_id, command)
        except DomainError as exc:
            errors = errors_for_form(exc, "decision")
            found = await applications.get_application(viewer, application_id)
            return await application_page(
                request, found, None, errors, exc.status_code, decision_values=data
            )
        return Redirect(f"/programmes/applications/{application_id}?done=decided", status_code=303)

    @post("/applications/{application_id:int}/shortlist")
    async def shortlist(self, request: Request, application_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        form = await request.form()
        await reviews.shortlist(viewer, application_id, form.get("shortlisted") == "1")
        back = str(form.get("back") or "")
        target = (
            back
            if back.startswith("/programmes/")
            else f"/programmes/applications/{application_id}"
        )
        return Redirect(target, status_code=303)
