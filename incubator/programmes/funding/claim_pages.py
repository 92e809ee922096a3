"""HTML pages of claims and payments: the claims queue of those who run grants, a claim's page
(its evidence, its steps, the review and approval forms, and the start-up's resend form), and
finance's payment batches."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from incubator.errors import BadParameter, DomainError, ValidationFailed
from incubator.money import read_amounts
from incubator.programmes.api import download_response
from incubator.programmes.funding import policy
from incubator.programmes.funding.api import export_stream
from incubator.programmes.funding.forms import ListQuery, form_text, uploaded_files
from incubator.programmes.funding.schemas import ReviewIn
from incubator.programmes.funding.services import checks, claims, grants, payments
from incubator.web import act, errors_for_form, form_context, page, signed_in

APPROVED_SPEND = {"approved_spend_cents": "approved_spend"}  # typed in HK$
QUEUE_TABS = ("submitted", "reviewed", "returned", "approved", "paid", "rejected")


class ClaimPages(Controller):
    path = "/grants"
    include_in_schema = False

    async def _queue(self, request: Request, status: str, extra: dict) -> Response:
        viewer = signed_in(request)
        asked = ListQuery.of(request, status if status in QUEUE_TABS else "submitted")
        rows, total = await claims.queue(
            viewer, asked.status, asked.number, asked.programme, asked.text
        )
        return page(
            "funding/claims.html",
            status_code=extra.pop("status_code", 200),
            rows=rows,
            asked=asked,
            result=asked.result(rows, total, claims.PER_PAGE),
            tabs=QUEUE_TABS,
            programmes=await grants.granting_programmes(viewer),
            me=viewer.user_id,
            **form_context(extra),
        )

    @get("/claims")
    async def queue_page(self, request: Request, status: FromQuery[str] = "submitted") -> Response:
        return await self._queue(request, status, {})

    @post("/claims/approve")
    async def approve_many(self, request: Request) -> Response:
        """The checker approves the claims ticked in the queue's "To approve" tab; the tab
        shows again with what was approved and why any other was not."""
        viewer = signed_in(request)
        form = await request.form()
        raw = form.getall("claims", [])
        ids = [int(v) for v in raw if str(v).isdigit() and len(str(v)) < 10]
        try:
            if len(ids) != len(raw):
                raise ValidationFailed({"claims": "choose claims from the list"})
            approved, refused = await checks.approve_many(
                viewer, ids, form_text(form).get("note", "")
            )
        except DomainError as exc:
            extra = {"action": "approve", "errors": errors_for_form(exc, "claims")}
            return await self._queue(request, "reviewed", extra | {"status_code": exc.status_code})
        return await self._queue(request, "reviewed", {"approved": approved, "refused": refused})

    async def _claim_page(self, request: Request, claim_id: int, extra: dict) -> Response:
        viewer = signed_in(request)
        row = await claims.claim_row(viewer, claim_id)
        claim = await claims.described(row)
        return page(
            "funding/claim.html",
            status_code=extra.pop("status_code", 200),
            claim=claim,
            own=await policy.applies_for(viewer, claim.startup),
            runs=await policy.runs_centre(viewer, row["centre"]),
            reviewed_by_me=row["reviewed_by"] == viewer.user_id,
            **form_context(extra),
        )

    @get("/claims/{claim_id:int}")
    async def claim_page(self, request: Request, claim_id: FromPath[int]) -> Response:
        return await self._claim_page(request, claim_id, {})

    @get("/claims/{claim_id:int}/evidence/{evidence_id:int}")
    async def evidence(
        self, request: Request, claim_id: FromPath[int], evidence_id: FromPath[int]
    ) -> Response:
        stored = await claims.evidence_file(signed_in(request), claim_id, evidence_id)
        return download_response(stored)

    @post("/claims/{claim_id:int}/{step:str}")
    async def step(
        self, request: Request, claim_id: FromPath[int], step: FromPath[str]
    ) -> Response:
        """The review, approval, rejection or request for evidence of those who run it."""
        if step not in ("review", "approve", "reject", "return"):
            raise BadParameter({"step": "must be one of review, approve, reject, return"})
        viewer = signed_in(request)

        async def work(data: dict) -> str:
            if step == "review":
                values, errors = read_amounts(data, APPROVED_SPEND)
                if errors:
                    raise ValidationFailed(errors)
                cents = values.get("approved_spend_cents")
                await checks.review(
                    viewer,
                    claim_id,
                    ReviewIn(approved_spend_cents=cents, note=data.get("note", "")),
                )
            elif step == "approve":
                await checks.approve(viewer, claim_id, data.get("note", ""))
            elif step == "reject":
                await checks.reject(viewer, claim_id, data.get("reason", ""))
            else:
                await checks.ask_for_evidence(viewer, claim_id, data.get("reason", ""))
            return f"/grants/claims/{claim_id}"

        async def again(code: int, extra: dict) -> Response:
            return await self._claim_page(request, claim_id, extra | {"status_code": code})

        names = ("approved_spend", "note", "reason")
        return await act(request, names, work, again, step, shown_as=APPROVED_SPEND)

    @post("/claims/{claim_id:int}/resubmit")
    async def resubmit(self, request: Request, claim_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        form = await request.form()
        text = form_text(form)
        try:
            limit = request.app.state.settings.upload_max_bytes
            await claims.resubmit(
                viewer, claim_id, text.get("report", ""), await uploaded_files(form), limit
            )
        except DomainError as exc:
            extra = {"action": "resubmit", "values": text, "errors": errors_for_form(exc, "action")}
            return await self._claim_page(
                request, claim_id, extra | {"status_code": exc.status_code}
            )
        return Redirect(f"/grants/claims/{claim_id}", status_code=303)

    async def _payments_page(self, request: Request, extra: dict) -> Response:
        viewer = signed_in(request)
        waiting = await payments.awaiting_payment(viewer)
        return page(
            "funding/payments.html",
            status_code=extra.pop("status_code", 200),
            batches=await payments.list_batches(viewer),
            waiting=waiting,
            waiting_count=sum(w["n"] for w in waiting),
            waiting_total=sum(w["total"] for w in waiting),
            **form_context(extra),
        )

    @get("/payments")
    async def payments_page(self, request: Request) -> Response:
        return await self._payments_page(request, {})

    @post("/payments")
    async def make_batch(self, request: Request) -> Response:
        async def work(data: dict) -> str:
            raw = str(data.get("programme", "")).strip()
            if raw and not (raw.isdigit() and len(raw) < 10):
                raise ValidationFailed({"action": "choose a programme from the list"})
            await payments.make_batch(signed_in(request), int(raw) if raw else None)
            return "/grants/payments"

        async def again(code: int, extra: dict) -> Response:
            return await self._payments_page(request, extra | {"status_code": code})

        return await act(request, ("programme",), work, again, "batch")

    @get("/payments/{batch_id:int}/export")
    async def export(
        self, request: Request, batch_id: FromPath[int], format: FromQuery[str] = "csv"
    ) -> Response:
        return await export_stream(request, batch_id, format)

    @post("/payments/{batch_id:int}/paid")
    async def paid(self, request: Request, batch_id: FromPath[int]) -> Response:
        async def work(data: dict) -> str:
            await payments.mark_paid(signed_in(request), batch_id)
            return "/grants/payments"

        async def again(code: int, extra: dict) -> Response:
            return await self._payments_page(request, extra | {"status_code": code})

        return await act(request, (), work, again, f"paid-{batch_id}")
