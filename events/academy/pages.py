"""HTML pages of the Web3 Academy: the catalogue, courses, runs with enrolment and sessions,
the instructors' roster (attendance, scores, evaluation), certificates and the figures."""

from __future__ import annotations

from typing import Any

import anyio
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from events import policy
from events.academy.certificate_pdf import certificate_pdf
from events.academy.schemas import CourseIn, RevokeIn, RunIn, SessionIn
from events.academy.services import completion
from events.academy.services import courses as academy
from events.schemas import RegistrationIn
from events.services import registrations, schedule, venues
from incubator.auth.schemas import Viewer
from incubator.commands import command_from_form, read_form
from incubator.db import utcnow
from incubator.errors import DomainError
from incubator.startups.services import reference
from incubator.web import errors_for_form, form_values, page, signed_in, viewer_of


async def _course_choices(viewer: Viewer) -> dict[str, Any]:
    managed = await policy.managed_centres(viewer)
    centres = await reference.list_centres()
    return {
        "tracks": academy.TRACKS,
        "levels": academy.LEVELS,
        "my_centres": [c for c in centres if managed is None or c.id in managed],
        "all_courses": await academy.list_courses(),
    }


class AcademyPages(Controller):
    path = "/academy"
    include_in_schema = False

    @get("/")
    async def catalogue(self, request: Request, track: FromQuery[str] = "") -> Response:
        viewer = viewer_of(request)
        return page(
            "academy/index.html",
            courses=await academy.list_courses(track),
            tracks=academy.TRACKS,
            track=track,
            mine=await academy.my_enrolments(viewer),
            can_organise=viewer.is_admin or viewer.is_manager,
        )

    # ------------------------------------------------------------ courses

    @get("/courses/new")
    async def new_course(self, request: Request) -> Response:
        viewer = signed_in(request)
        policy.require_organiser(viewer, "create courses")
        values = {"centre": academy.DEFAULT_CENTRE, "completion_percent": 80, "level": "foundation"}
        return page(
            "academy/course_form.html",
            course=None,
            values=values,
            errors={},
            **await _course_choices(viewer),
        )

    @post("/courses/new")
    async def create_course(self, request: Request) -> Response:
        viewer = signed_in(request)
        data = form_values(await request.form(), academy.COURSE_FIELDS, lists=("prerequisites",))
        read = read_form(CourseIn, data)
        try:
            command = await read.checked(lambda values: academy.course_problems(viewer, values))
            course_id = await academy.create_course(viewer, command)
        except DomainError as exc:
            return page(
                "academy/course_form.html",
                exc.status_code,
                course=None,
                values=data,
                errors=errors_for_form(exc),
                **await _course_choices(viewer),
            )
        return Redirect(f"/academy/courses/{course_id}?message=created", status_code=303)

    @get("/courses/{course_id:int}")
    async def course(
        self, request: Request, course_id: FromPath[int], message: FromQuery[str] = ""
    ) -> Response:
        return await self._course(viewer_of(request), course_id, 200, {"message": message})

    async def _course(
        self, viewer: Viewer, course_id: int, status: int, extra: dict[str, Any]
    ) -> Response:
        course = await academy.get_course(viewer, course_id)
        runs = await academy.course_runs(viewer, course_id)
        context = {"values": {"capacity": 30, "status": "draft"}, "errors": {}, "message": ""}
        return page("academy/course.html", status, c=course, runs=runs, **(context | extra))

    @get("/courses/{course_id:int}/edit")
    async def edit_course(self, request: Request, course_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        course = await academy.get_course(viewer, course_id)
        await policy.require_run(viewer, course.centre, "change this course")
        values = {k: getattr(course, k) for k in academy.COURSE_FIELDS if hasattr(course, k)}
        values |= {
            "centre": course.centre_slug,
            "prerequisites": [str(p.id) for p in course.prerequisites],
        }
        return page(
            "academy/course_form.html",
            course=course,
            values=values,
            errors={},
            **await _course_choices(viewer),
        )

    @post("/courses/{course_id:int}/edit")
    async def update_course(self, request: Request, course_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        data = form_values(await request.form(), academy.COURSE_FIELDS, lists=("prerequisites",))
        read = read_form(CourseIn, data)
        try:
            command = await read.checked(
                lambda values: academy.course_problems(viewer, values, course_id)
            )
            await academy.update_course(viewer, course_id, command)
        except DomainError as exc:
            return page(
                "academy/course_form.html",
                exc.status_code,
                course=await academy.get_course(viewer, course_id),
                values=data,
                errors=errors_for_form(exc),
                **await _course_choices(viewer),
            )
        return Redirect(f"/academy/courses/{course_id}?message=saved", status_code=303)

    @post("/courses/{course_id:int}/runs")
    async def create_run(self, request: Request, course_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        data = form_values(await request.form(), academy.RUN_FIELDS)
        read = read_form(RunIn, data)
        try:
            command = await read.checked(
                lambda values: academy.run_problems(viewer, course_id, values)
            )
            run_id = await academy.create_run(viewer, course_id, command)
        except DomainError as exc:
            errors = errors_for_form(exc, "starts_on")
            return await self._course(
                viewer, course_id, exc.status_code, {"values": data, "errors": errors}
            )
        return Redirect(f"/academy/runs/{run_id}?message=created", status_code=303)

    # ------------------------------------------------------------ runs

    @get("/runs/{run_id:int}")
    async def run(
        self, request: Request, run_id: FromPath[int], message: FromQuery[str] = ""
    ) -> Response:
        return await self._run(viewer_of(request), run_id, 200, {"message": message})

    async def _run(
        self, viewer: Viewer, run_id: int, status: int, extra: dict[str, Any]
    ) -> Response:
        run = await academy.get_run(viewer, run_id)
        is_open, why = schedule.registration_open(run)
        context = {
            "r": run,
            "c": run.course_row,
            "is_open": is_open,
            "closed_because": why,
            "mine": await registrations.my_registrations(viewer, run_id),
            "teammates": await registrations.teammates(viewer),
            "venues": await venues.list_venues(await policy.managed_centres(viewer))
            if run.can_run
            else [],
            "values": {},
            "errors": {},
            "message": "",
            "session_values": {},
            "session_errors": {},
        }
        return page("academy/run.html", status, **(context | extra))

    @post("/runs/{run_id:int}/enrol")
    async def enrol(self, request: Request, run_id: FromPath[int]) -> Response:
        viewer = viewer_of(request)
        data = form_values(await request.form(), ("teammate", "name", "email"))
        try:
            outcome = await academy.enrol(viewer, run_id, command_from_form(RegistrationIn, data))
        except DomainError as exc:
            errors = errors_for_form(exc, "register", refusals=(401, 404))
            return await self._run(
                viewer, run_id, exc.status_code, {"errors": errors, "values": data}
            )
        code, state = outcome.registration.code, outcome.registration.status
        return Redirect(f"/registrations/{code}?message={state}", status_code=303)

    @post("/runs/{run_id:int}/sessions")
    async def add_session(self, request: Request, run_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        data = form_values(await request.form(), ("starts_at", "ends_at", "venue", "online_url"))
        try:
            await academy.add_session(viewer, run_id, command_from_form(SessionIn, data))
        except DomainError as exc:
            errors = errors_for_form(exc, "starts_at")
            extra = {"session_values": data, "session_errors": errors}
            return await self._run(viewer, run_id, exc.status_code, extra)
        return Redirect(f"/academy/runs/{run_id}?message=session-added", status_code=303)

    @post("/runs/{run_id:int}/status")
    async def run_status(self, request: Request, run_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        form = await request.form()
        await academy.set_run_status(viewer, run_id, str(form.get("status") or ""))
        return Redirect(f"/academy/runs/{run_id}?message={form.get('status')}", status_code=303)

    @get("/runs/{run_id:int}/roster")
    async def roster(
        self, request: Request, run_id: FromPath[int], message: FromQuery[str] = ""
    ) -> Response:
        viewer = signed_in(request)
        state = await completion.roster(viewer, run_id)
        return page("academy/roster.html", s=state, message=message, errors={}, now=utcnow())

    @post("/runs/{run_id:int}/roster")
    async def save_roster(self, request: Request, run_id: FromPath[int]) -> Response:
        """The whole attendance grid and the scores, as the instructor left them."""
        viewer = signed_in(request)
        form = await request.form()
        scores = {
            int(name.removeprefix("score-")): str(form.get(name) or "")
            for name in form
            if name.startswith("score-") and name.removeprefix("score-").isdigit()
        }
        present = {str(v) for v in form.getall("present", [])}
        errors = await completion.save_roster(viewer, run_id, present, scores)
        if errors:
            state = await completion.roster(viewer, run_id)
            return page(
                "academy/roster.html", 422, s=state, message="", errors=errors, now=utcnow()
            )
        return Redirect(f"/academy/runs/{run_id}/roster?message=saved", status_code=303)

    @post("/runs/{run_id:int}/evaluate")
    async def evaluate(self, request: Request, run_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        try:
            issued = await completion.evaluate_run(viewer, run_id)
        except DomainError as exc:
            state = await completion.roster(viewer, run_id)
            errors = errors_for_form(exc, "action")
            return page(
                "academy/roster.html",
                exc.status_code,
                s=state,
                message="",
                errors=errors,
                now=utcnow(),
            )
        return Redirect(
            f"/academy/runs/{run_id}/roster?message=issued-{len(issued)}", status_code=303
        )

    # ------------------------------------------------------------ certificates, figures, mine

    @get("/certificates")
    async def find_certificate(self, request: Request, code: FromQuery[str] = "") -> Response:
        if code.strip():
            return Redirect(f"/academy/certificates/{code.strip()}", status_code=303)
        return page("academy/verify.html", cert=None, code="", problem="")

    @get("/certificates/{code:str}")
    async def certificate(self, request: Request, code: FromPath[str]) -> Response:
        if code.endswith(".pdf"):
            return await self._pdf(code.removesuffix(".pdf"))
        try:
            cert = await completion.verify(code)
        except DomainError as exc:
            return page("academy/verify.html", 404, cert=None, code=code, problem=exc.message)
        return page("academy/verify.html", cert=cert, code=cert.code, problem="")

    async def _pdf(self, code: str) -> Response:
        cert = await completion.verify(code)
        return Response(
            content=await anyio.to_thread.run_sync(certificate_pdf, cert),
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="certificate-{cert.code}.pdf"'},
        )

    @post("/certificates/{code:str}/revoke")
    async def revoke(self, request: Request, code: FromPath[str]) -> Response:
        viewer = signed_in(request)
        data = form_values(await request.form(), ("reason",))
        try:
            await completion.revoke(viewer, code, command_from_form(RevokeIn, data))
        except DomainError as exc:
            cert = await completion.verify(code)
            return page(
                "academy/verify.html",
                exc.status_code,
                cert=cert,
                code=code,
                problem=errors_for_form(exc, "reason").get("reason", exc.message),
            )
        return Redirect(f"/academy/certificates/{code}", status_code=303)

    @get("/figures")
    async def figures(self, request: Request, track: FromQuery[str] = "") -> Response:
        return page(
            "academy/figures.html",
            f=await completion.figures(track),
            tracks=academy.TRACKS,
            track=track,
        )
