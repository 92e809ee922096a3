"""HTML pages of quarterly progress reports: the form of a start-up in a programme (or with an
active grant) for the quarter just ended, and its reports so far (to its members and those
who run its grants or programmes)."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from incubator.commands import read_form
from incubator.money import read_amounts
from incubator.programmes.funding import policy
from incubator.programmes.funding.schemas import ReportIn
from incubator.programmes.funding.services import reports
from incubator.startups.tables import Startup
from incubator.web import act, form_context, page, signed_in

FUNDS_RAISED = {"funds_raised_cents": "funds_raised"}  # typed in HK$
REPORT_FIELDS = (
    "quarter",
    "headcount",
    "funds_raised",
    "revenue_band",
    "customers",
    "patents",
    "summary",
)


class ProgressReportPages(Controller):
    path = "/grants/startups"
    include_in_schema = False

    async def _reports_page(self, request: Request, startup_id: int, extra: dict) -> Response:
        viewer = signed_in(request)
        history = await reports.reports_of(viewer, startup_id)
        latest = reports.last_ended()
        name = await Startup.select(Startup.name_en, Startup.name_zh).where(
            Startup.id == startup_id
        )
        return page(
            "funding/reports.html",
            status_code=extra.pop("status_code", 200),
            startup_id=startup_id,
            startup=name[0],
            reports=history,
            own=await policy.applies_for(viewer, startup_id),
            asked=await reports.asked_to_report(startup_id),
            latest=latest,
            due=reports.due_on(latest),
            sent_latest=any(r.quarter == latest for r in history),
            bands=reports.REVENUE_BANDS,
            **form_context({"values": {"quarter": latest, "revenue_band": "none"}} | extra),
        )

    @get("/{startup_id:int}/reports")
    async def reports_page(self, request: Request, startup_id: FromPath[int]) -> Response:
        return await self._reports_page(request, startup_id, {})

    @post("/{startup_id:int}/reports")
    async def report(self, request: Request, startup_id: FromPath[int]) -> Response:
        async def work(data: dict) -> str:
            values, errors = read_amounts(data, FUNDS_RAISED)
            read = read_form(ReportIn, values, errors, shown_as=FUNDS_RAISED)
            command = await read.checked(reports.report_problems_of)
            await reports.submit_report(signed_in(request), startup_id, command)
            return f"/grants/startups/{startup_id}/reports"

        async def again(code: int, extra: dict) -> Response:
            return await self._reports_page(request, startup_id, extra | {"status_code": code})

        return await act(request, REPORT_FIELDS, work, again, "report", shown_as=FUNDS_RAISED)
