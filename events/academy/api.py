"""The academy API under /api/academy: courses, runs and sessions, enrolment, attendance,
scores, evaluation, certificate verification and the academy figures."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from events.academy.schemas import (
    AcademyFigures,
    AttendanceIn,
    CertificateOut,
    CourseIn,
    CourseOut,
    Issued,
    RevokeIn,
    RunIn,
    RunOut,
    ScoreIn,
    SessionIn,
    SessionOut,
)
from events.academy.services import completion
from events.academy.services import courses as academy
from events.schemas import Created, RegistrationIn, RegistrationOut
from events.services import registrations
from incubator.web import viewer_of


class AcademyApi(Controller):
    path = "/api/academy"
    tags = ["academy"]

    @get("/courses", summary="Active courses with their upcoming runs")
    async def courses(
        self,
        track: Annotated[str, QueryParameter(description="a track to keep")] = "",
    ) -> list[CourseOut]:
        return [c for c in await academy.list_courses(track)]

    @post("/courses", summary="Create a course (managers of its centre, admins)")
    async def create_course(self, request: Request, data: JSONBody[CourseIn]) -> Created:
        return Created(id=await academy.create_course(viewer_of(request), data))

    @get("/courses/{course_id:int}", summary="One course with its prerequisites")
    async def course(self, request: Request, course_id: FromPath[int]) -> CourseOut:
        return await academy.get_course(viewer_of(request), course_id)

    @post("/courses/{course_id:int}/runs", summary="Schedule a run of a course")
    async def create_run(
        self, request: Request, course_id: FromPath[int], data: JSONBody[RunIn]
    ) -> Created:
        return Created(id=await academy.create_run(viewer_of(request), course_id, data))

    @get("/runs/{run_id:int}", summary="A run with its sessions and seats")
    async def run(self, request: Request, run_id: FromPath[int]) -> RunOut:
        run = await academy.get_run(viewer_of(request), run_id)
        return RunOut(
            id=run.id,
            course=run.course,
            title_en=run.title_en,
            title_zh=run.title_zh,
            starts_at=run.starts_at,
            ends_at=run.ends_at,
            capacity=run.capacity,
            status=run.status,
            confirmed=run.counts["confirmed"],
            waitlisted=run.counts["waitlisted"],
            sessions=[msgspec.convert(msgspec.structs.asdict(s), SessionOut) for s in run.sessions],
        )

    @post("/runs/{run_id:int}/sessions", summary="Add a session (the venue rules of events)")
    async def add_session(
        self, request: Request, run_id: FromPath[int], data: JSONBody[SessionIn]
    ) -> Created:
        return Created(id=await academy.add_session(viewer_of(request), run_id, data))

    @post(
        "/runs/{run_id:int}/status/{status:str}", summary="Publish or cancel a run", status_code=204
    )
    async def run_status(
        self, request: Request, run_id: FromPath[int], status: FromPath[str]
    ) -> None:
        await academy.set_run_status(viewer_of(request), run_id, status)

    @post(
        "/runs/{run_id:int}/enrolments",
        summary="Enrol (yourself, a teammate, or as a guest): confirmed or waitlisted",
    )
    async def enrol(
        self, request: Request, run_id: FromPath[int], data: JSONBody[RegistrationIn]
    ) -> RegistrationOut:
        outcome = await academy.enrol(viewer_of(request), run_id, data)
        return outcome.registration

    @post(
        "/runs/{run_id:int}/enrolments/{registration_id:int}/cancel",
        summary="Give up an enrolment; the first on the waitlist gets the seat",
        status_code=200,
    )
    async def cancel(
        self, request: Request, run_id: FromPath[int], registration_id: FromPath[int]
    ) -> RegistrationOut:
        outcome = await registrations.cancel(viewer_of(request), registration_id)
        await registrations.tell_promoted(request.app.state.settings, outcome.promoted)
        return outcome.registration

    @post(
        "/sessions/{session_id:int}/attendance",
        summary="Mark an enrolled person present at (or absent from) a session",
        status_code=204,
    )
    async def attendance(
        self, request: Request, session_id: FromPath[int], data: JSONBody[AttendanceIn]
    ) -> None:
        await completion.mark_attendance(
            viewer_of(request), session_id, data.registration, data.present
        )

    @post(
        "/runs/{run_id:int}/enrolments/{registration_id:int}/score",
        summary="Record an assessment score (per cent)",
        status_code=204,
    )
    async def score(
        self,
        request: Request,
        run_id: FromPath[int],
        registration_id: FromPath[int],
        data: JSONBody[ScoreIn],
    ) -> None:
        await completion.set_score(viewer_of(request), run_id, registration_id, data)

    @post(
        "/runs/{run_id:int}/evaluate",
        summary="After the last session: certificates for every complete enrolment",
        status_code=200,
    )
    async def evaluate(self, request: Request, run_id: FromPath[int]) -> Issued:
        return Issued(certificates=await completion.evaluate_run(viewer_of(request), run_id))

    @get("/certificates/{code:str}", summary="Verify a certificate code (public)")
    async def verify(self, code: FromPath[str]) -> CertificateOut:
        # Only the public fields of the certificate.
        found = msgspec.structs.asdict(await completion.verify(code))
        return msgspec.convert(found, CertificateOut)

    @post(
        "/certificates/{code:str}/revoke",
        summary="Revoke a certificate, with the reason",
        status_code=204,
    )
    async def revoke(self, request: Request, code: FromPath[str], data: JSONBody[RevokeIn]) -> None:
        await completion.revoke(viewer_of(request), code, data)

    @get(
        "/figures", summary="Participants, completion rate and waitlists per course, track, quarter"
    )
    async def figures(
        self,
        track: Annotated[str, QueryParameter(description="a track to keep")] = "",
    ) -> AcademyFigures:
        return await completion.figures(track)
