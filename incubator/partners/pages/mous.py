"""HTML pages of MOUs for partnership staff: the list, recording, changing, renewing and
terminating one, and the start-ups it could refer."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery

from incubator.auth.schemas import Viewer
from incubator.commands import command_from_form, read_form
from incubator.i18n import named
from incubator.partners import policy
from incubator.partners.schemas import MouIn, RenewIn, TerminateIn
from incubator.partners.services import mous, parks
from incubator.partners.services.consent import FIELD_LABELS
from incubator.startups.services import reference
from incubator.startups.tables import STAGE_NAMES
from incubator.versions import form_version
from incubator.web import act, form_context, language_of, page, signed_in


async def _choices() -> dict[str, Any]:
    return {
        "clusters": await reference.list_clusters(),
        "stages": mous.STAGES,
        "field_labels": FIELD_LABELS,
    }


async def _mou_command(data: dict[str, Any]) -> MouIn:
    """An MOU from its form, whose markets are one text, comma-separated; every broken rule
    at once when a value cannot be read."""
    markets = [m.strip() for m in str(data.get("markets") or "").split(",") if m.strip()]
    return await read_form(MouIn, data | {"markets": markets}).checked(mous.mou_problems)


def _mou_values(mou: Any) -> dict[str, Any]:
    """An MOU as its edit form holds it, with the version the form is opened at."""
    values = {k: getattr(mou, k) for k in ("title", "signed_on", "expires_on", "status", "notes")}
    return values | {
        "yearly_quota": mou.yearly_quota,
        "clusters": mou.cluster_slugs,
        "stages": mou.stage_list,
        "markets": ", ".join(mou.market_list),
        "version": mou.version,
    }


class MouPages(Controller):
    path = "/partners"
    include_in_schema = False

    @get("/mous")
    async def mou_list(self, request: Request, expiring: FromQuery[str] = "") -> Response:
        viewer = signed_in(request)
        return page(
            "partners/mous.html",
            rows=await mous.list_mous(viewer, expiring_only=expiring == "1"),
            expiring=expiring == "1",
        )

    @get("/{partner_id:int}/mous/new")
    async def new_mou(self, request: Request, partner_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        await policy.require_partnership_staff(viewer, "record MOUs")
        park = await parks.partner_details(viewer, partner_id)
        return page(
            "partners/mou_form.html", p=park, mou=None, values={}, errors={}, **await _choices()
        )

    @post("/{partner_id:int}/mous/new")
    async def create_mou(self, request: Request, partner_id: FromPath[int]) -> Response:
        viewer = signed_in(request)

        async def work(data: dict[str, Any]) -> str:
            mou_id = await mous.create_mou(viewer, partner_id, await _mou_command(data))
            return f"/partners/mous/{mou_id}?message=created"

        async def rerender(status: int, extra: dict[str, Any]) -> Response:
            park = await parks.partner_details(viewer, partner_id)
            return page(
                "partners/mou_form.html",
                status,
                p=park,
                mou=None,
                values=extra["values"],
                errors=extra["errors"],
                **await _choices(),
            )

        return await act(
            request, mous.MOU_FIELDS, work, rerender, "create", lists=("clusters", "stages")
        )

    @get("/mous/{mou_id:int}")
    async def show_mou(
        self,
        request: Request,
        mou_id: FromPath[int],
        message: FromQuery[str] = "",
        q: FromQuery[str] = "",
        page: FromQuery[str] = "",
    ) -> Response:
        number = int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1
        extra = {"message": message, "q": q, "page": number}
        return await self._show_mou(signed_in(request), mou_id, 200, extra)

    async def _show_mou(
        self, viewer: Viewer, mou_id: int, status: int, extra: dict[str, Any]
    ) -> Response:
        mou = await mous.get_mou(viewer, mou_id)
        q, number = extra.pop("q", ""), extra.pop("page", 1)
        rows, more = await mous.suggestions(viewer, mou_id, q, number)
        return page(
            "partners/mou.html",
            status,
            m=mou,
            suggestions=rows,
            q=q,
            page_number=number,
            more=more,
            **form_context(extra),
        )

    @get("/mous/{mou_id:int}/edit")
    async def edit_mou(self, request: Request, mou_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        await policy.require_partnership_staff(viewer, "change MOUs")
        mou = await mous.get_mou(viewer, mou_id)
        park = await parks.partner_details(viewer, mou.partner)
        values = _mou_values(mou)
        return page(
            "partners/mou_form.html", p=park, mou=mou, values=values, errors={}, **await _choices()
        )

    @post("/mous/{mou_id:int}/edit")
    async def update_mou(self, request: Request, mou_id: FromPath[int]) -> Response:
        viewer = signed_in(request)

        async def work(data: dict[str, Any]) -> str:
            version = form_version(data.get("version"))
            await mous.update_mou(viewer, mou_id, await _mou_command(data), version)
            return f"/partners/mous/{mou_id}?message=saved"

        async def saved() -> tuple[dict[str, Any], dict[str, Any]]:
            mou = await mous.get_mou(viewer, mou_id)
            lang = language_of(request)
            shown = {
                "status": {"draft": "Draft", "active": "In force"}.get(mou.status, mou.status),
                "clusters": [named(lang, c.name_en, c.name_zh) for c in mou.clusters],
                "stages": [STAGE_NAMES.get(s, s) for s in mou.stage_list],
            }
            return _mou_values(mou), shown

        async def rerender(status: int, extra: dict[str, Any]) -> Response:
            mou = await mous.get_mou(viewer, mou_id)
            park = await parks.partner_details(viewer, mou.partner)
            return page(
                "partners/mou_form.html",
                status,
                p=park,
                mou=mou,
                values=extra["values"],
                errors=extra["errors"],
                conflict=extra.get("conflict"),
                **await _choices(),
            )

        names = (*mous.MOU_FIELDS, "version")
        lists = ("clusters", "stages")
        return await act(request, names, work, rerender, "edit", lists, saved)

    @post("/mous/{mou_id:int}/renew")
    async def renew_mou(self, request: Request, mou_id: FromPath[int]) -> Response:
        viewer = signed_in(request)

        async def work(data: dict[str, Any]) -> str:
            renewal = command_from_form(RenewIn, data)
            return f"/partners/mous/{await mous.renew_mou(viewer, mou_id, renewal)}?message=renewed"

        return await act(
            request,
            ("expires_on",),
            work,
            lambda status, extra: self._show_mou(viewer, mou_id, status, extra),
            "renew",
        )

    @post("/mous/{mou_id:int}/terminate")
    async def terminate_mou(self, request: Request, mou_id: FromPath[int]) -> Response:
        viewer = signed_in(request)

        async def work(data: dict[str, Any]) -> str:
            await mous.terminate_mou(viewer, mou_id, command_from_form(TerminateIn, data))
            return f"/partners/mous/{mou_id}?message=terminated"

        return await act(
            request,
            ("terminated_on",),
            work,
            lambda status, extra: self._show_mou(viewer, mou_id, status, extra),
            "terminate",
        )

    # ------------------------------------------------------------ exports and deliveries
