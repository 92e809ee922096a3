"""HTML pages of programme intake for applicants: the calls, a call, starting an application,
answering it (answers and files in one form), submitting and withdrawing it. The managers'
pages (a call's form, its applications) are in `staff_pages.py`."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from incubator.auth.pages import sign_in
from incubator.commands import read_form
from incubator.errors import DomainError
from incubator.money import hkd_input
from incubator.programmes import policy
from incubator.programmes.api import download_response
from incubator.programmes.schemas import (
    ApplicationOut,
    CallOut,
    DraftIn,
    JoinIn,
    QuestionKind,
    StartIn,
)
from incubator.programmes.services import (
    applicants,
    applications,
    calls,
    files,
    invitations,
    reviews,
)
from incubator.programmes.staff_pages import CallStaffPages
from incubator.startups.tables import Cluster
from incubator.web import (
    client_ip,
    errors_for_form,
    form_values,
    page,
    signed_in,
    viewer_of,
)

__all__ = ["CallStaffPages", "ProgrammePages"]

# Eligibility problems name a profile field: the page shows them above the form, with a link.
PROFILE_FIELDS = ("founded_year", "clusters", "programme")


def answer_values(call: CallOut, answers: dict[str, Any]) -> dict[str, str]:
    """The answers as the form's fields show them (an amount in dollars, not cents)."""
    kinds = {q.key: q.kind for q in call.questions}
    shown = {}
    for key, value in answers.items():
        amount = kinds.get(key) is QuestionKind.amount and isinstance(value, int)
        shown[key] = hkd_input(value) if amount else str(value)
    return shown


async def cluster_names() -> dict[str, dict[str, str]]:
    rows = await Cluster.select(Cluster.slug, Cluster.name_en, Cluster.name_zh)
    return {r["slug"]: r for r in rows}


async def application_page(
    request: Request,
    application: ApplicationOut,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    done: str = "",
    decision_values: dict[str, str] | None = None,
) -> Response:
    viewer = viewer_of(request)
    call = await calls.get_call(application.call)
    own = await policy.applies_for(viewer, application.startup)
    runs = not own and await policy.runs_centre(viewer, await calls.centre_of(call.id))
    return page(
        "programmes/application.html",
        status_code=status_code,
        call=call,
        application=application,
        values=answer_values(call, application.answers) if values is None else values,
        errors=errors or {},
        editable=own and application.status == "draft" and call.status == "open",
        own=own,
        files={f.question: f for f in application.files},
        questions={q.key: q for q in call.questions},
        profile_errors={k: v for k, v in (errors or {}).items() if k in PROFILE_FIELDS},
        clusters=await cluster_names(),
        done=done,
        runs=runs,
        panel_reviews=await reviews.reviews_of(viewer, application.id) if runs else [],
        shortlisted=runs and await reviews.is_shortlisted(application.id),
        decision_values=decision_values or {},
    )


class ProgrammePages(Controller):
    path = "/programmes"
    include_in_schema = False

    @get("/")
    async def calls_page(self, request: Request) -> Response:
        """Every call (open first), and the viewer's own applications."""
        viewer = viewer_of(request)
        every = await calls.list_calls()
        mine = await applications.my_applications(viewer) if viewer.is_member else []
        return page(
            "programmes/calls.html",
            open_calls=[c for c in every if c.status == "open"],
            upcoming=[c for c in every if c.status == "upcoming"],
            closed=[c for c in every if c.status == "closed"],
            mine=mine,
            may_open=viewer.is_admin or viewer.is_manager,
        )

    @get("/calls/{call_id:int}")
    async def call_page(self, request: Request, call_id: FromPath[int]) -> Response:
        viewer = viewer_of(request)
        call = await calls.get_call(call_id)
        mine = (
            [a for a in await applications.my_applications(viewer) if a.call == call_id]
            if viewer.is_member
            else []
        )
        runs = await policy.runs_centre(viewer, await calls.centre_of(call_id))
        return page(
            "programmes/call.html",
            call=call,
            mine=mine,
            startups=await applications.startup_choices(viewer) if viewer.is_member else [],
            runs=runs,
            figures=await applications.figures(call_id) if runs else None,
            clusters=await cluster_names(),
            errors={},
        )

    @post("/calls/{call_id:int}/apply")
    async def apply(self, request: Request, call_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        form = await request.form()
        chosen = str(form.get("startup") or "").strip()
        try:
            application = await applications.start(
                viewer, call_id, StartIn(startup=int(chosen) if chosen.isdigit() else None)
            )
        except DomainError as exc:
            errors = errors_for_form(exc, "apply")
            call = await calls.get_call(call_id)
            return page(
                "programmes/call.html",
                status_code=exc.status_code,
                call=call,
                mine=[],
                startups=await applications.startup_choices(viewer),
                runs=False,
                figures=None,
                clusters=await cluster_names(),
                errors=errors,
            )
        return Redirect(f"/programmes/applications/{application.id}", status_code=303)

    @get("/calls/{call_id:int}/join")
    async def join_form(self, request: Request, call_id: FromPath[int]) -> Response:
        call = await calls.get_call(call_id)
        return page("programmes/join.html", call=call, values={}, errors={})

    @post("/calls/{call_id:int}/join")
    async def join(self, request: Request, call_id: FromPath[int]) -> Response:
        """A new applicant's account, draft start-up and application; then signed in."""
        names = ("name", "email", "password", "startup_en", "startup_zh", "founded_year")
        data = form_values(await request.form(), names)
        try:
            command = await read_form(JoinIn, data).checked(applicants.join_problems_of)
            user_id, application_id = await applicants.join(call_id, command, client_ip(request))
        except DomainError as exc:
            data.pop("password", None)
            return page(
                "programmes/join.html",
                status_code=exc.status_code,
                call=await calls.get_call(call_id),
                values=data,
                errors=errors_for_form(exc, "action"),
            )
        return await sign_in(request, user_id, f"/programmes/applications/{application_id}")

    @get("/reviewer-invitations/{token:str}")
    async def reviewer_invitation(self, token: FromPath[str]) -> Response:
        found = await invitations.open_invitation(token)
        return page("programmes/reviewer_invitation.html", invitation=found, token=token, errors={})

    @post("/reviewer-invitations/{token:str}")
    async def accept_reviewer_invitation(self, request: Request, token: FromPath[str]) -> Response:
        """An external reviewer's account, seated on the call's panel; then signed in."""
        form = await request.form()
        name, password = str(form.get("name") or ""), str(form.get("password") or "")
        try:
            user_id = await invitations.accept_invitation(token, name, password)
        except DomainError as exc:
            return page(
                "programmes/reviewer_invitation.html",
                status_code=exc.status_code,
                invitation=await invitations.open_invitation(token),
                token=token,
                errors=errors_for_form(exc, "action"),
                given_name=name,
            )
        return await sign_in(request, user_id, "/programmes/reviews")

    @get("/applications/{application_id:int}")
    async def application(
        self, request: Request, application_id: FromPath[int], done: FromQuery[str] = ""
    ) -> Response:
        viewer = signed_in(request)
        found = await applications.get_application(viewer, application_id)
        return await application_page(request, found, done=done)

    @post("/applications/{application_id:int}")
    async def save(self, request: Request, application_id: FromPath[int]) -> Response:
        """Save the answers and any files chosen; then submit, when asked to."""
        viewer = signed_in(request)
        form = await request.form()
        given = {
            key.removeprefix("answer."): value
            for key, value in form.items()
            if key.startswith("answer.") and isinstance(value, str)
        }
        uploads = {
            key.removeprefix("file."): value
            for key, value in form.items()
            if key.startswith("file.") and isinstance(value, UploadFile) and value.filename
        }
        limit = request.app.state.settings.upload_max_bytes
        try:
            await applications.save_draft(viewer, application_id, DraftIn(answers=given))
            for key, upload in uploads.items():
                content = await upload.read()
                await files.upload(viewer, application_id, key, upload.filename, content, limit)
            if form.get("do") == "submit":
                await applications.submit(viewer, application_id)
                return Redirect(
                    f"/programmes/applications/{application_id}?done=submitted", status_code=303
                )
        except DomainError as exc:
            errors = errors_for_form(exc, "action")
            found = await applications.get_application(viewer, application_id)
            return await application_page(
                request, found, given, errors, status_code=exc.status_code
            )
        return Redirect(f"/programmes/applications/{application_id}?done=saved", status_code=303)

    @post("/applications/{application_id:int}/withdraw")
    async def withdraw(self, request: Request, application_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        try:
            await applications.withdraw(viewer, application_id)
        except DomainError as exc:
            errors = errors_for_form(exc, "action")
            found = await applications.get_application(viewer, application_id)
            return await application_page(request, found, None, errors, exc.status_code)
        return Redirect(
            f"/programmes/applications/{application_id}?done=withdrawn", status_code=303
        )

    @get("/applications/{application_id:int}/files/{question:str}")
    async def download(
        self, request: Request, application_id: FromPath[int], question: FromPath[str]
    ) -> Response:
        viewer = signed_in(request)
        return download_response(await files.download(viewer, application_id, question))
