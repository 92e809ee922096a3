"""HTML pages of programme funding: grants (a start-up's own, or those a centre runs), a
grant's page with its claim form, the new-grant and amendment forms. The claims queue, a
claim's page and the payment batches are in `claim_pages.py`."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from incubator.commands import read_form
from incubator.errors import DomainError, Forbidden, ValidationFailed
from incubator.money import read_amounts
from incubator.programmes.funding import forms, policy
from incubator.programmes.funding.claim_pages import ClaimPages
from incubator.programmes.funding.report_pages import ProgressReportPages
from incubator.programmes.funding.schemas import AmendmentIn, ClaimIn, GrantIn
from incubator.programmes.funding.services import amendments, claims, grants
from incubator.programmes.funding.tables import OPEN_CLAIMS
from incubator.programmes.tables import Application
from incubator.web import act, errors_for_form, form_context, page, signed_in

__all__ = ["ClaimPages", "GrantPages", "ProgressReportPages"]

GRANT_STATES = ("draft", "active", "completed", "terminated")


# The form fields a command's fields are typed in, where the two differ.
SPEND = {"spend_cents": "spend"}
ADMISSION = {"startup": "admission", "programme": "admission"}


def claim_command(text: dict[str, str]) -> tuple[ClaimIn | None, dict[str, str]]:
    """A claim from its form: the spend typed in HK$, the milestone chosen from a list."""
    values, errors = read_amounts(text, SPEND)
    read = read_form(ClaimIn, values, errors, shown_as=SPEND)
    return read.command, read.errors


class GrantPages(Controller):
    path = "/grants"
    include_in_schema = False

    @get("/")
    async def grants_page(self, request: Request, status: FromQuery[str] = "") -> Response:
        viewer = signed_in(request)
        if not (viewer.is_member or viewer.is_manager or viewer.is_admin):
            raise Forbidden("grants are seen by start-ups' members and the park's staff")
        asked = forms.ListQuery.of(request, status if status in GRANT_STATES else "")
        rows, total = await grants.list_grants(
            viewer, asked.status, asked.programme, asked.number, asked.text
        )
        staff = viewer.is_admin or viewer.is_manager
        return page(
            "funding/grants.html",
            rows=rows,
            asked=asked,
            result=asked.result(rows, total, grants.PER_PAGE),
            programmes=await grants.granting_programmes(viewer) if staff else [],  # the filter's
            staff=staff,
        )

    async def _form(
        self, request: Request, values: dict, errors: dict, status_code: int = 200, grant=None
    ) -> Response:
        viewer = signed_in(request)
        return page(
            "funding/grant_form.html",
            status_code=status_code,
            grant=grant,
            admissions=[] if grant else await grants.admissions(viewer),
            values=values,
            errors=errors,
            rows=forms.milestone_rows(values),
        )

    @get("/new")
    async def new_form(self, request: Request, application: FromQuery[str] = "") -> Response:
        viewer = signed_in(request)
        if not (viewer.is_admin or viewer.is_manager):
            await policy.require_run(viewer, 0, "make grants")
        values: dict[str, str] = {"kind": "milestones", "match_percent": "50"}
        if application.isdigit():
            found = (
                await Application.select(
                    Application.id, Application.startup, Application.call.programme
                )
                .where((Application.id == int(application)) & (Application.status == "admitted"))
                .first()
            )
            if found:
                values |= {
                    "application": str(found["id"]),
                    "admission": f"{found['startup']}:{found['call.programme']}",
                }
        return await self._form(request, values, {})

    @post("/new")
    async def create(self, request: Request) -> Response:
        viewer = signed_in(request)
        text = forms.form_text(await request.form())
        terms, errors, shown = forms.terms_from_form(text)
        startup, _, programme = text.get("admission", "").partition(":")
        if not (startup.isdigit() and programme.isdigit()):
            errors["admission"] = "choose the start-up and its programme"
        percent = text.get("match_percent", "50").strip() or "50"
        if not percent.isdigit():
            errors["match_percent"] = "must be a whole number from 1 to 100"
        application = text.get("application", "")
        try:
            if errors:
                raise ValidationFailed(errors)
            made = await grants.create_grant(
                viewer,
                GrantIn(
                    startup=int(startup),
                    programme=int(programme),
                    kind=text.get("kind", ""),
                    match_percent=int(percent),
                    application=int(application) if application.isdigit() else None,
                    **terms,
                ),
            )
        except DomainError as exc:
            errors = errors_for_form(exc, "action", shown_as=ADMISSION)
            return await self._form(request, shown, errors, exc.status_code)
        return Redirect(f"/grants/{made.id}", status_code=303)

    async def _grant_page(self, request: Request, grant_id: int, extra: dict) -> Response:
        viewer = signed_in(request)
        grant = await grants.get_grant(viewer, grant_id)
        rows = await claims.claims_of(grant.id)  # get_grant has checked who may see it
        return page(
            "funding/grant.html",
            status_code=extra.pop("status_code", 200),
            grant=grant,
            claims=rows,
            undecided=sum(c.status in OPEN_CLAIMS for c in rows),  # completing waits for them
            own=await policy.applies_for(viewer, grant.startup),
            runs=await policy.runs_centre(viewer, grant.centre),
            **form_context(extra),
        )

    @get("/{grant_id:int}")
    async def grant_page(self, request: Request, grant_id: FromPath[int]) -> Response:
        return await self._grant_page(request, grant_id, {})

    @post("/{grant_id:int}/claims")
    async def claim(self, request: Request, grant_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        form = await request.form()
        text = forms.form_text(form)
        command, errors = claim_command(text)
        files = await forms.uploaded_files(form)
        limit = request.app.state.settings.upload_max_bytes
        try:
            if command is None:  # every broken rule at once: the evidence's too
                raise ValidationFailed(errors | claims.evidence_problems(files, limit, True))
            made = await claims.submit_claim(viewer, grant_id, command, files, limit)
        except DomainError as exc:
            found = errors_for_form(exc, "action", shown_as=SPEND)
            return await self._grant_page(
                request,
                grant_id,
                {
                    "action": "claim",
                    "values": text,
                    "errors": found,
                    "status_code": exc.status_code,
                },
            )
        return Redirect(f"/grants/claims/{made.id}", status_code=303)

    @post("/{grant_id:int}/status")
    async def move(self, request: Request, grant_id: FromPath[int]) -> Response:
        async def work(data: dict) -> str:
            await amendments.move_grant(
                signed_in(request), grant_id, data.get("status", ""), data.get("reason", "")
            )
            return f"/grants/{grant_id}"

        async def again(code: int, extra: dict) -> Response:
            return await self._grant_page(request, grant_id, extra | {"status_code": code})

        return await act(request, ("status", "reason"), work, again, "status")

    @get("/{grant_id:int}/amend")
    async def amend_form(self, request: Request, grant_id: FromPath[int]) -> Response:
        grant = await grants.run_grant(signed_in(request), grant_id, "amend a grant")
        shown = await grants.get_grant(signed_in(request), grant["id"])
        return await self._form(request, forms.grant_values(shown), {}, grant=shown)

    @post("/{grant_id:int}/amend")
    async def amend(self, request: Request, grant_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        text = forms.form_text(await request.form())
        terms, errors, shown = forms.terms_from_form(text)
        try:
            if errors:
                raise ValidationFailed(errors)
            await amendments.amend_grant(
                viewer, grant_id, AmendmentIn(reason=text.get("reason", ""), **terms)
            )
        except DomainError as exc:
            grant = await grants.get_grant(viewer, grant_id)
            return await self._form(
                request, shown, errors_for_form(exc, "action"), exc.status_code, grant=grant
            )
        return Redirect(f"/grants/{grant_id}", status_code=303)
