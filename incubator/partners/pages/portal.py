"""HTML pages for the referral pipeline, the partner portal, and a start-up's sharing page
(its consents and who received its data)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Stream

from incubator.auth.schemas import Viewer
from incubator.commands import command_from_form
from incubator.errors import DomainError
from incubator.partners import policy
from incubator.partners.api import export_download
from incubator.partners.policy import PartnerCaller
from incubator.partners.schemas import ConsentIn, InboundIn, MoveIn, OutboundIn
from incubator.partners.services import consent, exports, mous, parks, referrals, tokens
from incubator.startups.services import profiles as startups
from incubator.web import act, errors_for_form, form_context, form_values, page, signed_in

INBOUND_FIELDS = (
    "partner",
    "company_name",
    "company_country",
    "contact_name",
    "contact_email",
    "summary",
)


class ReferralPages(Controller):
    path = "/referrals"
    include_in_schema = False

    @get("/")
    async def index(
        self,
        request: Request,
        direction: FromQuery[str] = "",
        status: FromQuery[str] = "",
        partner: FromQuery[str] = "",
        message: FromQuery[str] = "",
    ) -> Response:
        viewer = signed_in(request)
        chosen = int(partner) if partner.isdigit() else None
        return await self._index(viewer, direction, status, 200, {"message": message}, chosen)

    async def _index(
        self,
        viewer: Viewer,
        direction: str,
        status: str,
        code: int,
        extra: dict[str, Any],
        partner: int | None = None,
    ) -> Response:
        return page(
            "referrals/index.html",
            code,
            rows=await referrals.list_referrals(viewer, direction, status, partner),
            direction=direction,
            status=status,
            partner=partner,
            statuses=referrals.STATUSES,
            partners=await parks.partner_names(),
            can_manage=await policy.is_partnership_staff(viewer),
            **form_context(extra),
        )

    @post("/")
    async def refer(self, request: Request) -> Response:
        viewer = signed_in(request)

        async def work(data: dict[str, Any]) -> str:
            referral = command_from_form(OutboundIn, data)
            return f"/referrals/{await referrals.refer_outbound(viewer, referral)}?message=created"

        return await act(
            request,
            ("partner", "startup", "summary"),
            work,
            lambda code, extra: self._index(viewer, "", "", code, extra),
            "outbound",
        )

    @post("/inbound")
    async def inbound(self, request: Request) -> Response:
        viewer = signed_in(request)

        async def work(data: dict[str, Any]) -> str:
            referral = command_from_form(InboundIn, data)
            return f"/referrals/{await referrals.receive_inbound(viewer, referral)}?message=created"

        return await act(
            request,
            INBOUND_FIELDS,
            work,
            lambda code, extra: self._index(viewer, "", "", code, extra),
            "inbound",
        )

    @get("/{referral_id:int}")
    async def show(
        self, request: Request, referral_id: FromPath[int], message: FromQuery[str] = ""
    ) -> Response:
        viewer = signed_in(request)
        return await self._show(viewer, referral_id, 200, {"message": message})

    async def _show(
        self, viewer: Viewer, referral_id: int, code: int, extra: dict[str, Any]
    ) -> Response:
        return page(
            "referrals/show.html",
            code,
            r=await referrals.get_referral(viewer, referral_id),
            statuses=referrals.STATUSES,
            **form_context(extra),
        )

    @post("/{referral_id:int}/move")
    async def move(self, request: Request, referral_id: FromPath[int]) -> Response:
        viewer = signed_in(request)

        async def work(data: dict[str, Any]) -> str:
            await referrals.move_referral(viewer, referral_id, command_from_form(MoveIn, data))
            return f"/referrals/{referral_id}?message=moved"

        return await act(
            request,
            ("status", "note", "startup"),
            work,
            lambda code, extra: self._show(viewer, referral_id, code, extra),
            "move",
        )


class PortalPages(Controller):
    """What a partner park's users see: their MOUs, exports, referrals and API tokens."""

    path = "/portal"
    include_in_schema = False

    @get("/")
    async def home(self, request: Request, message: FromQuery[str] = "") -> Response:
        viewer = signed_in(request)
        caller = await policy.require_partner(viewer)
        return await self._home(viewer, caller, 200, {"message": message})

    async def _home(
        self, viewer: Viewer, caller: PartnerCaller, code: int, extra: dict[str, Any]
    ) -> Response:
        return page(
            "partners/portal.html",
            code,
            p=await parks.partner_row(caller.partner_id),
            mou_rows=await mous.list_mous(viewer),
            export_rows=await exports.list_exports(viewer, caller=caller),
            referral_rows=await referrals.list_referrals(viewer, caller=caller),
            token_rows=await tokens.list_tokens(viewer, caller.partner_id),
            formats=exports.FORMATS,
            **form_context(extra),
        )

    async def _action(self, request: Request, names: tuple[str, ...], action: str, run) -> Response:
        viewer = signed_in(request)
        caller = await policy.require_partner(viewer)

        async def work(data: dict[str, Any]) -> str:
            return await run(viewer, caller, data)

        return await act(
            request,
            names,
            work,
            lambda code, extra: self._home(viewer, caller, code, extra),
            action,
        )

    @post("/exports")
    async def new_export(self, request: Request) -> Response:
        async def run(viewer: Viewer, caller: PartnerCaller, data: dict[str, Any]) -> str:
            await exports.create_export(
                viewer,
                caller.partner_id,
                data.get("format", ""),
                caller,
                request.app.state.settings.partner_exports_per_hour,
            )
            return "/portal?message=export-ready"

        return await self._action(request, ("format",), "export", run)

    @get("/exports/{export_id:int}/download")
    async def download(self, request: Request, export_id: FromPath[int]) -> Stream:
        viewer = signed_in(request)
        caller = await policy.require_partner(viewer)
        return export_download(await exports.open_download(viewer, export_id, caller))

    @post("/referrals")
    async def refer_to_park(self, request: Request) -> Response:
        async def run(viewer: Viewer, caller: PartnerCaller, data: dict[str, Any]) -> str:
            await referrals.receive_inbound(viewer, command_from_form(InboundIn, data), caller)
            return "/portal?message=referral-sent"

        return await self._action(request, INBOUND_FIELDS[1:], "inbound", run)

    @get("/referrals/{referral_id:int}")
    async def referral(self, request: Request, referral_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        caller = await policy.require_partner(viewer)
        row = await referrals.get_referral(viewer, referral_id, caller)
        return page(
            "referrals/show.html",
            r=row,
            statuses=[],
            action="",
            values={},
            errors={},
            message="",
        )

    @post("/tokens")
    async def new_token(self, request: Request) -> Response:
        viewer = signed_in(request)
        caller = await policy.require_partner(viewer)
        data = form_values(await request.form(), ("label",))
        try:
            token = await tokens.create_token(viewer, caller.partner_id, data.get("label", ""))
        except DomainError as exc:
            errors = errors_for_form(exc, summary_key="action")
            extra = {"action": "token", "values": data, "errors": errors}
            return await self._home(viewer, caller, exc.status_code, extra)
        return await self._home(viewer, caller, 201, {"new_token": token})

    @post("/tokens/{token_id:int}/revoke")
    async def revoke_token(self, request: Request, token_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        caller = await policy.require_partner(viewer)
        await tokens.revoke_token(viewer, caller.partner_id, token_id)
        return Redirect("/portal?message=token-revoked", status_code=303)


class SharingPages(Controller):
    """A start-up's consents to partner parks, their history, and who received its data."""

    path = "/startups/{startup_id:int}/sharing"
    include_in_schema = False

    @get("/")
    async def show(
        self, request: Request, startup_id: FromPath[int], message: FromQuery[str] = ""
    ) -> Response:
        return await self._show(signed_in(request), startup_id, 200, {"message": message})

    async def _show(
        self, viewer: Viewer, startup_id: int, code: int, extra: dict[str, Any]
    ) -> Response:
        return page(
            "startups/sharing.html",
            code,
            s=await startups.get_profile(viewer, startup_id),
            consents=await consent.consents_of(viewer, startup_id),
            history=await consent.consent_history(viewer, startup_id),
            received=await exports.received_my_data(viewer, startup_id),
            referred=await referrals.referrals_of_startup(viewer, startup_id),
            field_labels=consent.FIELD_LABELS,
            required_fields=consent.REQUIRED_FIELDS,
            **form_context(extra),
        )

    @post("/{partner_id:int}")
    async def grant(
        self, request: Request, startup_id: FromPath[int], partner_id: FromPath[int]
    ) -> Response:
        viewer = signed_in(request)

        async def work(data: dict[str, Any]) -> str:
            grant = command_from_form(ConsentIn, data)
            await consent.grant_consent(viewer, startup_id, partner_id, grant)
            return f"/startups/{startup_id}/sharing?message=granted"

        return await act(
            request,
            ("fields", "expires_on"),
            work,
            lambda code, extra: self._show(
                viewer, startup_id, code, extra | {"partner": partner_id}
            ),
            f"grant-{partner_id}",
            lists=("fields",),
        )

    @post("/{partner_id:int}/withdraw")
    async def withdraw(
        self, request: Request, startup_id: FromPath[int], partner_id: FromPath[int]
    ) -> Response:
        await consent.withdraw_consent(signed_in(request), startup_id, partner_id)
        return Redirect(f"/startups/{startup_id}/sharing?message=withdrawn", status_code=303)
