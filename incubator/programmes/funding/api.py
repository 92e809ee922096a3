"""The funding API: /api/grants for grants (their start-up's members and those who run them),
claims and their review, payment batches (administrators, as finance) and progress reports."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post, put
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, JSONBody, QueryParameter
from litestar.response import Stream

from incubator.commands import command_from_form
from incubator.errors import BadParameter
from incubator.programmes.api import download_response, file_stream
from incubator.programmes.funding.schemas import (
    AmendmentIn,
    ApprovedOut,
    ApproveManyIn,
    BatchOut,
    ClaimIn,
    ClaimOut,
    ClaimRow,
    GrantIn,
    GrantOut,
    GrantRow,
    NoteIn,
    ReasonIn,
    ReportIn,
    ReportOut,
    ReviewIn,
)
from incubator.programmes.funding.services import (
    amendments,
    checks,
    claims,
    grants,
    payments,
    reports,
)
from incubator.programmes.funding.services.claims import Upload
from incubator.programmes.funding.tables import GrantStatus
from incubator.web import page_number, viewer_of

Multipart = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]


def doc(text: str) -> QueryParameter:
    return QueryParameter(description=text)


async def uploads(sent: Any) -> list[Upload]:
    """The files of a multipart field (one or several)."""
    items = sent if isinstance(sent, list) else [sent]
    return [(f.filename, await f.read()) for f in items if isinstance(f, UploadFile)]


def text_fields(data: dict[str, Any], names: tuple[str, ...]) -> dict[str, str]:
    return {n: data[n] for n in names if isinstance(data.get(n), str)}


async def export_stream(request: Request, batch_id: int, fmt: str) -> Stream:
    """A payment batch as a file, streamed as it is made."""
    viewer = viewer_of(request)
    return await file_stream(fmt, lambda chosen: payments.batch_export(viewer, batch_id, chosen))


def _programme(raw: str) -> int | None:
    """A programme's id from a query's text: None when blank; a 400 naming it otherwise."""
    raw = raw.strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 9:
        raise BadParameter({"programme": "must be a programme's id, a whole number"})
    return int(raw)


class GrantsApi(Controller):
    path = "/api/grants"
    tags = ["grants"]

    @get("/", summary="Grants you may see, the latest first, 100 a page")
    async def list_grants(
        self,
        request: Request,
        status: Annotated[str, doc("draft, active, completed or terminated; all if blank")] = "",
        programme: Annotated[str, doc("a programme's id: its grants only")] = "",
        q: Annotated[str, doc("start-ups whose English or Chinese name holds this")] = "",
        page: Annotated[str, doc("page number from 1")] = "",
    ) -> list[GrantRow]:
        status = status.strip()
        if status and status not in GrantStatus._value2member_map_:
            raise BadParameter({"status": "must be one of draft, active, completed, terminated"})
        rows, _total = await grants.list_grants(
            viewer_of(request), status, _programme(programme), page_number(page), q[:200]
        )
        return rows

    @post("/", summary="Make a draft grant for a start-up admitted to the programme")
    async def create(self, request: Request, data: JSONBody[GrantIn]) -> GrantOut:
        return await grants.create_grant(viewer_of(request), data)

    @get("/{grant_id:int}", summary="A grant: its terms, milestones and amendment history")
    async def get_grant(self, request: Request, grant_id: FromPath[int]) -> GrantOut:
        return await grants.get_grant(viewer_of(request), grant_id)

    @put("/{grant_id:int}", summary="Amend a grant's terms (the history keeps the change)")
    async def amend(
        self, request: Request, grant_id: FromPath[int], data: JSONBody[AmendmentIn]
    ) -> GrantOut:
        return await amendments.amend_grant(viewer_of(request), grant_id, data)

    @post("/{grant_id:int}/activate", status_code=200, summary="Activate a draft grant")
    async def activate(self, request: Request, grant_id: FromPath[int]) -> GrantOut:
        return await amendments.move_grant(viewer_of(request), grant_id, "active")

    @post("/{grant_id:int}/complete", status_code=200, summary="Complete an active grant")
    async def complete(self, request: Request, grant_id: FromPath[int]) -> GrantOut:
        return await amendments.move_grant(viewer_of(request), grant_id, "completed")

    @post("/{grant_id:int}/terminate", status_code=200, summary="Terminate a grant, saying why")
    async def terminate(
        self, request: Request, grant_id: FromPath[int], data: JSONBody[ReasonIn]
    ) -> GrantOut:
        return await amendments.move_grant(viewer_of(request), grant_id, "terminated", data.reason)

    @get("/{grant_id:int}/claims", summary="A grant's claims, the latest first")
    async def grant_claims(self, request: Request, grant_id: FromPath[int]) -> list[ClaimRow]:
        return await claims.claims_of_grant(viewer_of(request), grant_id)

    @post(
        "/{grant_id:int}/claims",
        summary="Claim on a grant (multipart: report, milestone or spend_cents, evidence files)",
    )
    async def claim(self, request: Request, grant_id: FromPath[int], data: Multipart) -> ClaimOut:
        command = command_from_form(
            ClaimIn, text_fields(data, ("report", "milestone", "spend_cents"))
        )
        files = await uploads(data.get("evidence"))
        limit = request.app.state.settings.upload_max_bytes
        return await claims.submit_claim(viewer_of(request), grant_id, command, files, limit)

    @get("/claims", summary="The claims queue: claims in one state, the longest waiting first")
    async def queue(
        self,
        request: Request,
        status: Annotated[
            str, doc("submitted (the default), reviewed, returned, approved, rejected or paid")
        ] = "submitted",
        programme: Annotated[str, doc("a programme's id: its grants' claims only")] = "",
        q: Annotated[str, doc("a claim's number, or start-ups whose name holds this")] = "",
        page: Annotated[str, doc("page number from 1")] = "",
    ) -> list[ClaimRow]:
        if status.strip() not in claims.QUEUES:
            raise BadParameter({"status": "must be one of " + ", ".join(claims.QUEUES)})
        rows, _total = await claims.queue(
            viewer_of(request), status.strip(), page_number(page), _programme(programme), q[:200]
        )
        return rows

    @get("/claims/{claim_id:int}", summary="A claim, its evidence and every step taken on it")
    async def get_claim(self, request: Request, claim_id: FromPath[int]) -> ClaimOut:
        return await claims.get_claim(viewer_of(request), claim_id)

    @get(
        "/claims/{claim_id:int}/evidence/{evidence_id:int}",
        summary="Download a file of a claim's evidence",
    )
    async def evidence(
        self, request: Request, claim_id: FromPath[int], evidence_id: FromPath[int]
    ) -> Response:
        stored = await claims.evidence_file(viewer_of(request), claim_id, evidence_id)
        return download_response(stored)

    @post(
        "/claims/{claim_id:int}/review",
        status_code=200,
        summary="Review a claim (the maker): the spend its evidence supports",
    )
    async def review(
        self, request: Request, claim_id: FromPath[int], data: JSONBody[ReviewIn]
    ) -> ClaimOut:
        return await checks.review(viewer_of(request), claim_id, data)

    @post(
        "/claims/approve",
        status_code=200,
        summary="Approve several reviewed claims, each on its own (never one's own review)",
    )
    async def approve_many(self, request: Request, data: JSONBody[ApproveManyIn]) -> ApprovedOut:
        approved, refused = await checks.approve_many(viewer_of(request), data.claims, data.note)
        return ApprovedOut(approved=approved, refused={str(k): v for k, v in refused.items()})

    @post(
        "/claims/{claim_id:int}/approve",
        status_code=200,
        summary="Approve a reviewed claim (the checker: not its reviewer)",
    )
    async def approve(
        self, request: Request, claim_id: FromPath[int], data: JSONBody[NoteIn]
    ) -> ClaimOut:
        return await checks.approve(viewer_of(request), claim_id, data.note)

    @post("/claims/{claim_id:int}/reject", status_code=200, summary="Reject a claim, saying why")
    async def reject(
        self, request: Request, claim_id: FromPath[int], data: JSONBody[ReasonIn]
    ) -> ClaimOut:
        return await checks.reject(viewer_of(request), claim_id, data.reason)

    @post(
        "/claims/{claim_id:int}/return",
        status_code=200,
        summary="Send a claim back to the start-up for more evidence, saying what",
    )
    async def send_back(
        self, request: Request, claim_id: FromPath[int], data: JSONBody[ReasonIn]
    ) -> ClaimOut:
        return await checks.ask_for_evidence(viewer_of(request), claim_id, data.reason)

    @post(
        "/claims/{claim_id:int}/resubmit",
        status_code=200,
        summary="Send a returned claim back for review (multipart: report, evidence files)",
    )
    async def resubmit(
        self, request: Request, claim_id: FromPath[int], data: Multipart
    ) -> ClaimOut:
        report = data.get("report") if isinstance(data.get("report"), str) else ""
        files = await uploads(data.get("evidence"))
        limit = request.app.state.settings.upload_max_bytes
        return await claims.resubmit(viewer_of(request), claim_id, report, files, limit)

    @get("/batches", summary="Payment batches, the latest first (administrators)")
    async def batches(self, request: Request) -> list[BatchOut]:
        return await payments.list_batches(viewer_of(request))

    @post(
        "/batches",
        summary="Gather the approved claims (of every programme, or one) into a new batch",
    )
    async def make_batch(
        self,
        request: Request,
        programme: Annotated[str, doc("a programme's id: its claims only; all if blank")] = "",
    ) -> BatchOut:
        return await payments.make_batch(viewer_of(request), _programme(programme))

    @get("/batches/{batch_id:int}", summary="A payment batch")
    async def batch(self, request: Request, batch_id: FromPath[int]) -> BatchOut:
        return await payments.get_batch(viewer_of(request), batch_id)

    @get(
        "/batches/{batch_id:int}/export",
        summary="A batch's payment instructions and their total, as CSV or XLSX",
    )
    async def export(
        self,
        request: Request,
        batch_id: FromPath[int],
        format: Annotated[str, doc("csv (the default) or xlsx")] = "csv",
    ) -> Stream:
        return await export_stream(request, batch_id, format)

    @post(
        "/batches/{batch_id:int}/paid",
        status_code=200,
        summary="Mark a batch paid: its claims are paid and never change again",
    )
    async def paid(self, request: Request, batch_id: FromPath[int]) -> BatchOut:
        return await payments.mark_paid(viewer_of(request), batch_id)

    @get(
        "/startups/{startup_id:int}/reports",
        summary="A funded start-up's quarterly progress reports, the latest quarter first",
    )
    async def reports(self, request: Request, startup_id: FromPath[int]) -> list[ReportOut]:
        return await reports.reports_of(viewer_of(request), startup_id)

    @post(
        "/startups/{startup_id:int}/reports",
        summary="Report a quarter's progress (the last quarter ended unless named; again corrects)",
    )
    async def report(
        self, request: Request, startup_id: FromPath[int], data: JSONBody[ReportIn]
    ) -> ReportOut:
        return await reports.submit_report(viewer_of(request), startup_id, data)
