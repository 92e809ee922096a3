"""The partners API under /api/partners: partner parks, MOUs, consents, referrals, exports
and webhook deliveries for staff; `/api/partners/me/...` for a partner park itself, called
with a partner user's session or with `Authorization: Bearer <API token>`."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import Stream

from incubator.errors import BadParameter, Forbidden, NotAuthenticated
from incubator.partners import policy
from incubator.partners.policy import PartnerCaller
from incubator.partners.schemas import (
    ConsentIn,
    ConsentOut,
    DeliveryOut,
    Export,
    ExportIn,
    ExportOut,
    InboundIn,
    MouDetail,
    MouIn,
    MouOut,
    MoveIn,
    OutboundIn,
    PartnerIn,
    PartnerOut,
    PartnerSummary,
    ReferralOut,
    RenewIn,
    Suggestion,
    TokenCreated,
    TokenIn,
)
from incubator.partners.services import consent, exports, mous, parks, referrals, tokens, webhooks
from incubator.startups.api import Created
from incubator.versions import if_match, versioned
from incubator.web import shown_as, viewer_of


def _export(export: ExportOut) -> ExportOut:
    """The API's view of an export, with where to download it once it is ready."""
    out = shown_as(export, ExportOut)
    out.download = f"/api/partners/exports/{out.id}/download" if out.status == "ready" else ""
    return out


def _hourly_limit(request: Request) -> int:
    """Exports a partner may have made on demand within an hour (settings)."""
    return request.app.state.settings.partner_exports_per_hour


async def partner_caller(request: Request) -> PartnerCaller | None:
    """A partner acting through an API token or a partner user's session; None otherwise."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        caller = await tokens.caller_for_token(header[7:].strip())
        if caller is None:
            raise NotAuthenticated("the API token is unknown or has been revoked")
        return caller
    return await policy.partner_of(viewer_of(request))


async def require_caller(request: Request) -> PartnerCaller:
    caller = await partner_caller(request)
    if caller is None and viewer_of(request).is_authenticated:
        raise Forbidden("only a partner park's users and API tokens may call /api/partners/me")
    if caller is None:
        raise NotAuthenticated(
            "send a partner API token (Authorization: Bearer ...) or log in as a partner user"
        )
    return caller


def export_download(export: Export) -> Stream:
    return Stream(
        exports.stream_chunks(export.id),
        media_type=export.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{export.filename}"',
            "Content-Length": str(export.size_bytes),
            "X-Content-SHA256": export.sha256,
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


class PartnersApi(Controller):
    path = "/api/partners"
    tags = ["partners"]

    # ------------------------------------------------------------ partner parks (staff)

    @get("/", summary="Partner parks, with live MOUs, consents and users (staff)")
    async def list_partners(self, request: Request) -> list[PartnerSummary]:
        rows = await parks.list_partners(viewer_of(request))
        return rows

    @post("/", summary="Add a partner park (partnership staff)")
    async def create_partner(self, request: Request, data: JSONBody[PartnerIn]) -> Created:
        return Created(id=await parks.create_partner(viewer_of(request), data))

    @get(
        "/{partner_id:int}",
        summary="One partner park (staff, or its own users)",
        description="The ETag header names its version, for If-Match on a PUT.",
    )
    async def get_partner(
        self, request: Request, partner_id: FromPath[int]
    ) -> Response[PartnerOut]:
        row = await parks.require_view_partner(viewer_of(request), partner_id)
        return versioned(shown_as(row, PartnerOut))

    @put(
        "/{partner_id:int}",
        summary="Change a partner park's details (partnership staff)",
        description="With If-Match (the ETag of a GET), a park changed since answers 412 and "
        "nothing is written.",
    )
    async def update_partner(
        self, request: Request, partner_id: FromPath[int], data: JSONBody[PartnerIn]
    ) -> Response[PartnerOut]:
        viewer = viewer_of(request)
        await parks.update_partner(viewer, partner_id, data, if_match(request))
        return versioned(shown_as(await parks.require_view_partner(viewer, partner_id), PartnerOut))

    @get("/{partner_id:int}/mous", summary="A partner park's MOUs")
    async def partner_mous(self, request: Request, partner_id: FromPath[int]) -> list[MouOut]:
        await parks.require_view_partner(viewer_of(request), partner_id)
        rows = await mous.list_mous(viewer_of(request), partner_id)
        return rows

    @post("/{partner_id:int}/mous", summary="Record an MOU (partnership staff)")
    async def create_mou(
        self, request: Request, partner_id: FromPath[int], data: JSONBody[MouIn]
    ) -> Created:
        mou_id = await mous.create_mou(viewer_of(request), partner_id, data)
        return Created(id=mou_id)

    @post(
        "/{partner_id:int}/exports",
        summary="Build a referral export for a partner (partnership staff)",
    )
    async def create_export(
        self, request: Request, partner_id: FromPath[int], data: JSONBody[ExportIn]
    ) -> ExportOut:
        viewer = viewer_of(request)
        export_id = await exports.create_export(
            viewer, partner_id, data.format, hourly_limit=_hourly_limit(request)
        )
        return _export(await exports.get_export(viewer, export_id))

    @get("/{partner_id:int}/exports", summary="A partner's exports (partnership staff)")
    async def partner_exports(self, request: Request, partner_id: FromPath[int]) -> list[ExportOut]:
        rows = await exports.list_exports(viewer_of(request), partner_id)
        return [_export(r) for r in rows]

    @get(
        "/{partner_id:int}/deliveries",
        summary="Webhook deliveries to a partner (partnership staff)",
    )
    async def deliveries(self, request: Request, partner_id: FromPath[int]) -> list[DeliveryOut]:
        rows = await webhooks.list_deliveries(viewer_of(request), partner_id)
        return rows

    # ------------------------------------------------------------ MOUs

    @get("/mous", summary="MOUs, soonest expiry first; `expiring=1` for those ending in 90 days")
    async def list_mous(
        self,
        request: Request,
        expiring: Annotated[str, QueryParameter(description="1: only live MOUs ending soon")] = "",
    ) -> list[MouOut]:
        rows = await mous.list_mous(viewer_of(request), expiring_only=expiring == "1")
        return rows

    @get(
        "/mous/{mou_id:int}",
        summary="One MOU with its scope",
        description="The ETag header names its version, for If-Match on a PUT or a renewal.",
    )
    async def get_mou(self, request: Request, mou_id: FromPath[int]) -> Response[MouDetail]:
        return versioned(shown_as(await mous.get_mou(viewer_of(request), mou_id), MouDetail))

    @put(
        "/mous/{mou_id:int}",
        summary="Change an MOU (partnership staff)",
        description="With If-Match (the ETag of a GET), an MOU changed since answers 412 and "
        "nothing is written.",
    )
    async def update_mou(
        self, request: Request, mou_id: FromPath[int], data: JSONBody[MouIn]
    ) -> Response[MouDetail]:
        viewer = viewer_of(request)
        await mous.update_mou(viewer, mou_id, data, if_match(request))
        return versioned(shown_as(await mous.get_mou(viewer, mou_id), MouDetail))

    @post("/mous/{mou_id:int}/renew", summary="Renew an MOU from the day after it expires")
    async def renew_mou(
        self, request: Request, mou_id: FromPath[int], data: JSONBody[RenewIn]
    ) -> Created:
        new_id = await mous.renew_mou(viewer_of(request), mou_id, data, if_match(request))
        return Created(id=new_id)

    @get(
        "/mous/{mou_id:int}/suggestions",
        summary="Start-ups in the MOU's scope, with consent, not yet referred (staff)",
    )
    async def suggestions(
        self,
        request: Request,
        mou_id: FromPath[int],
        q: Annotated[str, QueryParameter(description="part of a name or address name")] = "",
        page: Annotated[str, QueryParameter(description="page number from 1, 50 a page")] = "",
    ) -> list[Suggestion]:
        number = int(page) if page.isdigit() and 0 < int(page) < 100_000 else None
        if page and number is None:
            raise BadParameter({"page": "must be a whole number from 1"})
        rows, _more = await mous.suggestions(viewer_of(request), mou_id, q, number or 1)
        return rows

    # ------------------------------------------------------------ referrals (staff)

    @get("/referrals", summary="The referral pipeline (staff)")
    async def list_referrals(
        self,
        request: Request,
        direction: Annotated[str, QueryParameter(description="outbound or inbound")] = "",
        status: Annotated[str, QueryParameter(description="a pipeline status")] = "",
    ) -> list[ReferralOut]:
        rows = await referrals.list_referrals(viewer_of(request), direction, status)
        return [shown_as(r, ReferralOut) for r in rows]

    @post("/referrals", summary="Refer one of our start-ups to a partner park (outbound)")
    async def refer(self, request: Request, data: JSONBody[OutboundIn]) -> Created:
        return Created(id=await referrals.refer_outbound(viewer_of(request), data))

    @post("/referrals/inbound", summary="Record a partner's start-up coming here (staff)")
    async def inbound(self, request: Request, data: JSONBody[InboundIn]) -> Created:
        return Created(id=await referrals.receive_inbound(viewer_of(request), data))

    @post(
        "/referrals/{referral_id:int}/moves",
        summary="Move a referral to a status and/or add a note (partnership staff)",
        status_code=200,
    )
    async def move(
        self, request: Request, referral_id: FromPath[int], data: JSONBody[MoveIn]
    ) -> ReferralOut:
        viewer = viewer_of(request)
        await referrals.move_referral(viewer, referral_id, data)
        return shown_as(await referrals.get_referral(viewer, referral_id), ReferralOut)

    # ------------------------------------------------------------ exports

    @get("/exports", summary="The export log: what went to whom (partnership staff)")
    async def export_log(self, request: Request) -> list[ExportOut]:
        return [_export(r) for r in await exports.list_exports(viewer_of(request))]

    @get(
        "/exports/{export_id:int}/download",
        summary="Download an export file (partnership staff, or the partner it was made for)",
        media_type="application/octet-stream",
    )
    async def download(self, request: Request, export_id: FromPath[int]) -> Stream:
        caller = await partner_caller(request)
        return export_download(await exports.open_download(viewer_of(request), export_id, caller))

    @post(
        "/exports/{export_id:int}/deliveries",
        summary="Push an export to the partner's webhook now (partnership staff)",
    )
    async def send_now(self, request: Request, export_id: FromPath[int]) -> DeliveryOut:
        row = await webhooks.send_now(request.app.state.settings, viewer_of(request), export_id)
        return row

    # ------------------------------------------------------------ consents

    @get(
        "/consents/{startup_id:int}",
        summary="A start-up's consent to each partner park (its members and managers)",
    )
    async def consents(self, request: Request, startup_id: FromPath[int]) -> list[ConsentOut]:
        rows = await consent.consents_of(viewer_of(request), startup_id)
        return [shown_as(r, ConsentOut) for r in rows]

    @put(
        "/consents/{startup_id:int}/{partner_id:int}",
        summary="Grant or change consent: which fields, until when",
    )
    async def grant(
        self,
        request: Request,
        startup_id: FromPath[int],
        partner_id: FromPath[int],
        data: JSONBody[ConsentIn],
    ) -> list[ConsentOut]:
        viewer = viewer_of(request)
        await consent.grant_consent(viewer, startup_id, partner_id, data)
        rows = await consent.consents_of(viewer, startup_id)
        return [shown_as(r, ConsentOut) for r in rows]

    @delete(
        "/consents/{startup_id:int}/{partner_id:int}",
        summary="Withdraw consent: the start-up leaves the partner's next export",
    )
    async def withdraw(
        self, request: Request, startup_id: FromPath[int], partner_id: FromPath[int]
    ) -> None:
        await consent.withdraw_consent(viewer_of(request), startup_id, partner_id)

    # ------------------------------------------------------------ the partner itself

    @get("/me", summary="The calling partner park (API token or partner user)")
    async def me(self, request: Request) -> PartnerOut:
        caller = await require_caller(request)
        return shown_as(await parks.partner_row(caller.partner_id), PartnerOut)

    @get("/me/exports", summary="The calling partner's exports, newest first")
    async def my_exports(self, request: Request) -> list[ExportOut]:
        caller = await require_caller(request)
        rows = await exports.list_exports(viewer_of(request), caller=caller)
        return [_export(r) for r in rows]

    @post("/me/exports", summary="Build a fresh export for the calling partner")
    async def my_new_export(self, request: Request, data: JSONBody[ExportIn]) -> ExportOut:
        caller = await require_caller(request)
        viewer = viewer_of(request)
        export_id = await exports.create_export(
            viewer, caller.partner_id, data.format, caller, _hourly_limit(request)
        )
        return _export(await exports.get_export(viewer, export_id, caller))

    @get("/me/referrals", summary="Referrals between the calling partner and the park")
    async def my_referrals(self, request: Request) -> list[ReferralOut]:
        caller = await require_caller(request)
        rows = await referrals.list_referrals(viewer_of(request), caller=caller)
        return [shown_as(r, ReferralOut) for r in rows]

    @post("/me/referrals", summary="Refer one of the partner's start-ups to the park (inbound)")
    async def my_inbound(self, request: Request, data: JSONBody[InboundIn]) -> Created:
        caller = await require_caller(request)
        return Created(id=await referrals.receive_inbound(viewer_of(request), data, caller))

    @post(
        "/{partner_id:int}/tokens",
        summary="Make an API token for a partner (shown once)",
    )
    async def new_token(
        self, request: Request, partner_id: FromPath[int], data: JSONBody[TokenIn]
    ) -> TokenCreated:
        return TokenCreated(
            token=await tokens.create_token(viewer_of(request), partner_id, data.label)
        )

    @post(
        "/{partner_id:int}/tokens/{token_id:int}/revoke",
        summary="Revoke a partner API token",
        status_code=204,
    )
    async def revoke_token(
        self, request: Request, partner_id: FromPath[int], token_id: FromPath[int]
    ) -> None:
        await tokens.revoke_token(viewer_of(request), partner_id, token_id)
