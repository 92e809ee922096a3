"""HTML pages for partnership staff: partner parks, MOUs, the export log and deliveries."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Stream

from incubator.auth.schemas import Viewer
from incubator.commands import command_from_form
from incubator.errors import DomainError
from incubator.partners import policy
from incubator.partners.api import export_download
from incubator.partners.schemas import (
    ContactIn,
    PartnerIn,
    PartnerUserIn,
    WebhookIn,
)
from incubator.partners.services import exports, mous, parks, referrals, tokens, webhooks
from incubator.versions import form_version
from incubator.web import (
    Rerender,
    SavedValues,
    act,
    errors_for_form,
    form_context,
    form_values,
    page,
    signed_in,
)


class PartnerPages(Controller):
    path = "/partners"
    include_in_schema = False

    # ------------------------------------------------------------ partner parks

    @get("/")
    async def index(self, request: Request, message: FromQuery[str] = "") -> Response:
        return await self._index(signed_in(request), 200, {"message": message})

    async def _index(self, viewer: Viewer, status: int, extra: dict[str, Any]) -> Response:
        return page(
            "partners/index.html",
            status,
            partners=await parks.list_partners(viewer),
            expiring=await mous.list_mous(viewer, expiring_only=True),
            can_manage=await policy.is_partnership_staff(viewer),
            **form_context(extra),
        )

    @post("/")
    async def create(self, request: Request) -> Response:
        viewer = signed_in(request)

        async def work(data: dict[str, Any]) -> str:
            partner = command_from_form(PartnerIn, data)
            return f"/partners/{await parks.create_partner(viewer, partner)}?message=created"

        return await act(
            request,
            parks.PARK_FIELDS,
            work,
            lambda status, extra: self._index(viewer, status, extra),
            "create",
        )

    @get("/{partner_id:int}")
    async def show(
        self,
        request: Request,
        partner_id: FromPath[int],
        message: FromQuery[str] = "",
    ) -> Response:
        return await self._show(signed_in(request), partner_id, 200, {"message": message})

    async def _show(
        self, viewer: Viewer, partner_id: int, status: int, extra: dict[str, Any]
    ) -> Response:
        park = await parks.partner_details(viewer, partner_id)
        staff = park.can_manage
        return page(
            "partners/show.html",
            status,
            p=park,
            mou_rows=await mous.list_mous(viewer, partner_id),
            export_rows=await exports.list_exports(viewer, partner_id) if staff else [],
            deliveries=await webhooks.list_deliveries(viewer, partner_id) if staff else [],
            token_rows=await tokens.list_tokens(viewer, partner_id) if staff else [],
            referral_rows=await referrals.list_referrals(viewer, partner_id=partner_id),
            formats=exports.FORMATS,
            **form_context(extra),
        )

    def _rerender(self, viewer: Viewer, partner_id: int) -> Rerender:
        return lambda status, extra: self._show(viewer, partner_id, status, extra)

    async def _partner_action(
        self,
        request: Request,
        partner_id: int,
        action: str,
        names: tuple[str, ...],
        change: Callable[[Viewer, dict[str, Any]], Awaitable[Any]],
        message: str,
        saved: SavedValues | None = None,
    ) -> Response:
        viewer = signed_in(request)

        async def work(data: dict[str, Any]) -> str:
            await change(viewer, data)
            return f"/partners/{partner_id}?message={message}"

        rerender = self._rerender(viewer, partner_id)
        return await act(request, names, work, rerender, action, saved=saved)

    @post("/{partner_id:int}")
    async def update(self, request: Request, partner_id: FromPath[int]) -> Response:
        async def saved() -> tuple[dict[str, Any], dict[str, Any]]:
            park = await parks.partner_row(partner_id)
            return {name: getattr(park, name) for name in parks.PARK_FIELDS}, {}

        return await self._partner_action(
            request,
            partner_id,
            "edit",
            (*parks.PARK_FIELDS, "version"),
            lambda viewer, data: parks.update_partner(
                viewer,
                partner_id,
                command_from_form(PartnerIn, {k: v for k, v in data.items() if k != "version"}),
                form_version(data.get("version")),
            ),
            "saved",
            saved,
        )

    @post("/{partner_id:int}/contacts")
    async def add_contact(self, request: Request, partner_id: FromPath[int]) -> Response:
        return await self._partner_action(
            request,
            partner_id,
            "contact",
            ("name", "title", "email", "phone"),
            lambda viewer, data: parks.add_contact(
                viewer, partner_id, command_from_form(ContactIn, data)
            ),
            "contact-added",
        )

    @post("/{partner_id:int}/contacts/{contact_id:int}/delete")
    async def remove_contact(
        self, request: Request, partner_id: FromPath[int], contact_id: FromPath[int]
    ) -> Response:
        await parks.remove_contact(signed_in(request), partner_id, contact_id)
        return Redirect(f"/partners/{partner_id}?message=contact-removed", status_code=303)

    @post("/{partner_id:int}/users")
    async def add_user(self, request: Request, partner_id: FromPath[int]) -> Response:
        return await self._partner_action(
            request,
            partner_id,
            "user",
            ("email", "name", "password"),
            lambda viewer, data: parks.add_partner_user(
                viewer, partner_id, command_from_form(PartnerUserIn, data)
            ),
            "user-added",
        )

    @post("/{partner_id:int}/users/{user_id:int}/delete")
    async def remove_user(
        self, request: Request, partner_id: FromPath[int], user_id: FromPath[int]
    ) -> Response:
        await parks.remove_partner_user(signed_in(request), partner_id, user_id)
        return Redirect(f"/partners/{partner_id}?message=user-removed", status_code=303)

    @post("/{partner_id:int}/webhook")
    async def set_webhook(self, request: Request, partner_id: FromPath[int]) -> Response:
        return await self._partner_action(
            request,
            partner_id,
            "webhook",
            ("webhook_url", "rotate"),
            lambda viewer, data: parks.set_webhook(
                request.app.state.settings, viewer, partner_id, command_from_form(WebhookIn, data)
            ),
            "webhook-saved",
        )

    @post("/{partner_id:int}/tokens")
    async def new_token(self, request: Request, partner_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        data = form_values(await request.form(), ("label",))
        try:
            token = await tokens.create_token(viewer, partner_id, data.get("label", ""))
        except DomainError as exc:
            errors = errors_for_form(exc, summary_key="action")
            extra = {"action": "token", "values": data, "errors": errors}
            return await self._show(viewer, partner_id, exc.status_code, extra)
        # Shown once, on this response only; only its hash is kept.
        return await self._show(viewer, partner_id, 201, {"new_token": token})

    @post("/{partner_id:int}/tokens/{token_id:int}/revoke")
    async def revoke_token(
        self, request: Request, partner_id: FromPath[int], token_id: FromPath[int]
    ) -> Response:
        await tokens.revoke_token(signed_in(request), partner_id, token_id)
        return Redirect(f"/partners/{partner_id}?message=token-revoked", status_code=303)

    @post("/{partner_id:int}/exports")
    async def new_export(self, request: Request, partner_id: FromPath[int]) -> Response:
        viewer = signed_in(request)

        async def work(data: dict[str, Any]) -> str:
            export_id = await exports.create_export(
                viewer,
                partner_id,
                data.get("format", ""),
                hourly_limit=request.app.state.settings.partner_exports_per_hour,
            )
            return f"/partners/exports/{export_id}?message=created"

        return await act(request, ("format",), work, self._rerender(viewer, partner_id), "export")

    @get("/exports")
    async def export_log(self, request: Request) -> Response:
        viewer = signed_in(request)
        return page("partners/exports.html", rows=await exports.list_exports(viewer))

    @get("/exports/{export_id:int}")
    async def show_export(
        self,
        request: Request,
        export_id: FromPath[int],
        message: FromQuery[str] = "",
        items_page: FromQuery[str] = "",
    ) -> Response:
        viewer = signed_in(request)
        export = await exports.get_export(viewer, export_id)
        at = int(items_page) if items_page.isdigit() and 0 < int(items_page) < 100_000 else 1
        return page(
            "partners/export.html",
            x=export,
            items=await exports.export_items(viewer, export_id, at),
            items_page=at,
            per_page=exports.ITEMS_PER_PAGE,
            message=message,
            errors={},
        )

    @get("/exports/{export_id:int}/download")
    async def download(self, request: Request, export_id: FromPath[int]) -> Stream:
        return export_download(await exports.open_download(signed_in(request), export_id))

    @post("/exports/{export_id:int}/send")
    async def send_now(self, request: Request, export_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        try:
            delivery = await webhooks.send_now(request.app.state.settings, viewer, export_id)
        except DomainError as exc:
            errors = errors_for_form(exc, summary_key="action")
            export = await exports.get_export(viewer, export_id)
            return page(
                "partners/export.html",
                exc.status_code,
                x=export,
                items=await exports.export_items(viewer, export_id),
                items_page=1,
                per_page=exports.ITEMS_PER_PAGE,
                message="",
                errors=errors,
            )
        message = "delivered" if delivery.status == "delivered" else "delivery-failed"
        return Redirect(f"/partners/{delivery.partner}?message={message}", status_code=303)

    @post("/deliveries/{delivery_id:int}/retry")
    async def retry(self, request: Request, delivery_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        partner_id = await webhooks.retry_dead(viewer, delivery_id)
        return Redirect(f"/partners/{partner_id}?message=retrying", status_code=303)
