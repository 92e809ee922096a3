"""HTML pages of a start-up: its profile, editing it, its logo and team, inviting people."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, MultipartBody
from litestar.response import Redirect

from incubator.commands import read_form
from incubator.errors import DomainError, Forbidden, NotAuthenticated, ValidationFailed
from incubator.i18n import named
from incubator.startups.pages.directory import profile_choices
from incubator.startups.pages.history import history_rows
from incubator.startups.schemas import NewStartup, StartupDetail, TeamMemberIn
from incubator.startups.services import history as changes
from incubator.startups.services import invitations, logos, reference, team
from incubator.startups.services import profiles as services
from incubator.startups.services.extensions import profile_sections
from incubator.startups.services.validation import MEMBER_FIELDS, read_profile
from incubator.startups.tables import STAGE_NAMES
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

PROGRAMME_ROWS_EXTRA = 2


def _profile_form_data(form: Any, can_manage: bool) -> dict[str, Any]:
    """Profile fields from the edit form.

    The managers' part (centres, programmes) is read only when the form carries it
    (`manager_fields`), so a form without those inputs never clears them.
    """
    data = form_values(form, MEMBER_FIELDS, lists=("clusters",))
    if can_manage and form.get("manager_fields") == "1":
        data["centres"] = [v for v in form.getall("centres", []) if isinstance(v, str)]
        count = str(form.get("programme_rows") or "0")
        rows = []
        for i in range(min(int(count) if count.isdigit() else 0, 50)):
            rows.append(
                {
                    key: str(form.get(f"{key}_{i}") or "")
                    for key in ("programme", "status", "started_on", "ended_on")
                }
            )
        data["programmes"] = [r for r in rows if r["programme"]]
    return data


async def _profile_names(profile: StartupDetail, language: str) -> dict[str, Any]:
    """The profile's choices by name, as its edit form shows them (for a stale form)."""
    choices = await reference.choice_lists()

    def names(rows: list, slugs: list[str]) -> list[str]:
        by_slug = {r.slug: named(language, r.name_en, r.name_zh) for r in rows}
        return [by_slug.get(slug, slug) for slug in slugs]

    return {
        "clusters": names(choices.clusters, profile.clusters),
        "centres": names(choices.centres, profile.centres + profile.hubs),
        "stage": STAGE_NAMES.get(profile.stage, profile.stage),
    }


def _form_values_from_profile(profile: StartupDetail) -> dict[str, Any]:
    values = {k: getattr(profile, k) for k in MEMBER_FIELDS}
    values["version"] = profile.version
    values["tags"] = ", ".join(profile.tags)
    values["centres"] = profile.centres + profile.hubs
    values["programmes"] = [
        {
            k: ("" if getattr(p, k) is None else str(getattr(p, k)))
            for k in ("programme", "status", "started_on", "ended_on")
        }
        for p in profile.programmes
    ]
    return values


class ProfilePages(Controller):
    path = "/startups"
    include_in_schema = False

    @get("/{startup_id:int}")
    async def profile(
        self, request: Request, startup_id: FromPath[int], message: FromQuery[str] = ""
    ) -> Response:
        viewer = viewer_of(request)
        profile = await services.get_profile(viewer, startup_id)
        history = await changes.history(viewer, startup_id) if profile.can_edit else []
        rows = history_rows(history, await reference.choice_lists(), language_of(request))
        return page(
            "startups/profile.html",
            s=profile,
            history=rows,
            **await profile_sections(viewer, startup_id),
            message=message,
            **await profile_choices(),
        )

    async def _edit_page(
        self,
        profile: StartupDetail,
        values: dict,
        errors: dict[str, str],
        status: int = 200,
        conflict: EditConflict | None = None,
    ) -> Response:
        programme_rows = list(values.get("programmes") or [])
        programme_rows += [
            {"programme": "", "status": "incubating", "started_on": "", "ended_on": ""}
        ] * PROGRAMME_ROWS_EXTRA
        return page(
            "startups/edit.html",
            status,
            s=profile,
            values=values,
            errors=errors,
            programme_rows=programme_rows,
            conflict=conflict,
            **await profile_choices(),
        )

    @get("/{startup_id:int}/edit")
    async def edit_page(self, request: Request, startup_id: FromPath[int]) -> Response:
        viewer = viewer_of(request)
        profile = await services.get_profile(viewer, startup_id)
        if not profile.can_edit:
            raise (Forbidden if viewer.is_authenticated else NotAuthenticated)(
                "you may not change this start-up's profile"
            )
        return await self._edit_page(profile, _form_values_from_profile(profile), {})

    @post("/{startup_id:int}/edit")
    async def edit(self, request: Request, startup_id: FromPath[int]) -> Response:
        viewer = viewer_of(request)
        profile = await services.get_profile(viewer, startup_id)
        form = await request.form()
        data = _profile_form_data(form, profile.can_manage)
        try:
            version = form_version(form.get("version"))
            change = await read_profile(data).checked(services.profile_problems)
            changes = await services.update_profile(viewer, startup_id, change, version)
        except (ValidationFailed, EditConflict) as exc:
            fresh = await services.get_profile(viewer, startup_id)
            values = _form_values_from_profile(fresh) | data
            if isinstance(values.get("tags"), list):
                values["tags"] = ", ".join(values["tags"])
            if not isinstance(exc, EditConflict):
                values["version"] = form.get("version") or profile.version  # as opened
                return await self._edit_page(profile, values, exc.errors, 422)
            current = _form_values_from_profile(fresh)
            current.pop("programmes")  # rows of their own: the banner names the change
            shown = await _profile_names(fresh, language_of(request))
            errors = conflict_errors(exc, values, current, shown)
            return await self._edit_page(fresh, values, errors, exc.status_code, exc)
        message = "saved" if changes else "unchanged"
        return Redirect(f"/startups/{startup_id}?message={message}", status_code=303)

    @get("/new")
    async def new_page(self, request: Request) -> Response:
        viewer = signed_in(request)
        if not (viewer.is_admin or viewer.is_manager):
            raise Forbidden("only managers and administrators may add start-ups")
        return page(
            "startups/new.html",
            values={"stage": "seed", "team_size": 1},
            errors={},
            **await profile_choices(),
        )

    @post("/new")
    async def create(self, request: Request) -> Response:
        viewer = viewer_of(request)
        form = await request.form()
        data = form_values(form, MEMBER_FIELDS + ("centres",), lists=("clusters", "centres"))
        try:
            new = await read_profile(data, NewStartup).checked(services.profile_problems)
            startup_id = await services.create_startup(viewer, new)
        except ValidationFailed as exc:
            return page(
                "startups/new.html", 422, values=data, errors=exc.errors, **await profile_choices()
            )
        return Redirect(f"/startups/{startup_id}?message=created", status_code=303)

    @post("/{startup_id:int}/archive")
    async def archive(self, request: Request, startup_id: FromPath[int]) -> Response:
        form = await request.form()
        archived = form.get("archived") == "1"
        await services.set_archived(viewer_of(request), startup_id, archived)
        message = "archived" if archived else "restored"
        return Redirect(f"/startups/{startup_id}?message={message}", status_code=303)

    @get("/{startup_id:int}/logo")
    async def logo(self, request: Request, startup_id: FromPath[int]) -> Response:
        logo = await logos.get_logo(viewer_of(request), startup_id)
        return Response(
            content=bytes(logo.data),
            media_type=logo.content_type,
            headers={
                "Cache-Control": "public, max-age=300",
                "ETag": f'"{logo.sha256}"',
                "X-Content-Type-Options": "nosniff",
            },
        )

    @post("/{startup_id:int}/logo")
    async def upload_logo(
        self,
        request: Request,
        startup_id: FromPath[int],
        data: MultipartBody[dict[str, Any]],
    ) -> Response:
        viewer = viewer_of(request)
        upload = data.get("logo")
        content = await upload.read() if isinstance(upload, UploadFile) else b""
        try:
            await logos.set_logo(
                viewer, startup_id, content, request.app.state.settings.logo_max_bytes
            )
        except ValidationFailed as exc:
            profile = await services.get_profile(viewer, startup_id)
            return await self._edit_page(
                profile, _form_values_from_profile(profile), exc.errors, 422
            )
        return Redirect(f"/startups/{startup_id}?message=saved", status_code=303)

    # ------------------------------------------------------------ team

    async def _team_page(
        self, request: Request, startup_id: FromPath[int], status: int = 200, **extra: Any
    ) -> Response:
        viewer = viewer_of(request)
        profile = await services.get_profile(viewer, startup_id)
        if not profile.can_edit:
            raise (Forbidden if viewer.is_authenticated else NotAuthenticated)(
                "you may not change this start-up's team"
            )
        context = {
            "s": profile,
            "pending": await invitations.pending_invitations(viewer, startup_id),
            "errors": {},
            "values": {},
            "invitation": None,
            "invite_errors": {},
            "message": "",
        } | extra
        return page("startups/team.html", status, **context)

    @get("/{startup_id:int}/team")
    async def team_page(
        self, request: Request, startup_id: FromPath[int], message: FromQuery[str] = ""
    ) -> Response:
        return await self._team_page(request, startup_id, message=message)

    @post("/{startup_id:int}/team")
    async def add_member(self, request: Request, startup_id: FromPath[int]) -> Response:
        form = await request.form()
        data = form_values(form, ("name", "name_zh", "title", "email", "is_founder"))
        try:
            member = await read_form(TeamMemberIn, data).checked(team.member_problems)
            await team.add_team_member(viewer_of(request), startup_id, member)
        except ValidationFailed as exc:
            return await self._team_page(request, startup_id, 422, errors=exc.errors, values=data)
        return Redirect(f"/startups/{startup_id}/team", status_code=303)

    @post("/{startup_id:int}/team/{member_id:int}")
    async def update_member(
        self, request: Request, startup_id: FromPath[int], member_id: FromPath[int]
    ) -> Response:
        form = await request.form()
        data = form_values(form, ("name", "name_zh", "title", "email", "is_founder"))
        try:
            change = await read_form(TeamMemberIn, data).checked(team.member_problems)
            await team.update_team_member(viewer_of(request), startup_id, member_id, change)
        except ValidationFailed as exc:
            return await self._team_page(
                request, startup_id, 422, errors=exc.errors, values=data | {"id": member_id}
            )
        return Redirect(f"/startups/{startup_id}/team", status_code=303)

    @post("/{startup_id:int}/team/{member_id:int}/remove")
    async def remove_member(
        self, request: Request, startup_id: FromPath[int], member_id: FromPath[int]
    ) -> Response:
        await team.remove_team_member(viewer_of(request), startup_id, member_id)
        return Redirect(f"/startups/{startup_id}/team", status_code=303)

    @post("/{startup_id:int}/invite")
    async def invite(self, request: Request, startup_id: FromPath[int]) -> Response:
        form = await request.form()
        email, name = str(form.get("email") or ""), str(form.get("name") or "")
        try:
            sent = await invitations.invite(
                request.app.state.settings, viewer_of(request), startup_id, email, name
            )
        except DomainError as exc:
            invite_errors = errors_for_form(exc, "email")
            return await self._team_page(
                request,
                startup_id,
                exc.status_code,
                invite_errors=invite_errors,
                invite_values={"email": email, "name": name},
            )
        if sent.emailed:  # post, redirect, get: reloading the page sends nothing again
            return Redirect(f"/startups/{startup_id}/team?message=invited", status_code=303)
        # The email failed: a warning with the one-time link, which only this answer shows.
        return await self._team_page(request, startup_id, invitation=sent)
