"""HTML pages of programme intake for the centres' managers: opening and changing a call
(its questions and rubric as rows of one form) and a call's applications."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Stream

from incubator.errors import BadParameter, DomainError, Forbidden, ValidationFailed
from incubator.i18n import local_input
from incubator.programmes import policy
from incubator.programmes.api import export_stream
from incubator.programmes.schemas import (
    CallIn,
    CallOut,
    Criterion,
    Eligibility,
    Question,
    QuestionKind,
    Rubric,
)
from incubator.programmes.services import applications, calls
from incubator.startups.policy import manager_centre_ids
from incubator.startups.tables import Centre, Cluster, Programme
from incubator.web import errors_for_form, page, signed_in

BLANK_QUESTIONS = 3  # empty rows the form offers after the call's questions
BLANK_CRITERIA = 2
PER_PAGE = 100


def _number(form: FormMultiDict, name: str, errors: dict[str, str], default: int | None) -> Any:
    text = str(form.get(name) or "").strip()
    if not text:
        return default
    if not text.lstrip("-").isdigit():
        errors[name] = "must be a whole number"
        return default
    return int(text)


def _options(text: str) -> list[str]:
    return [part.strip() for part in text.replace("；", ";").split(";") if part.strip()]


def call_from_form(form: FormMultiDict) -> tuple[CallIn, dict[str, str]]:
    """The call a form describes, and what of it could not be read (by field)."""
    errors: dict[str, str] = {}
    text = {name: str(form.get(name) or "") for name in form}
    questions = []
    n = 1
    while f"questions.{n}.label_en" in form:
        at = f"questions.{n}"
        kind = text.get(f"{at}.kind", "")
        if kind and kind in QuestionKind._value2member_map_:
            questions.append(
                Question(
                    kind=QuestionKind(kind),
                    label_en=text.get(f"{at}.label_en", ""),
                    label_zh=text.get(f"{at}.label_zh", ""),
                    required=bool(form.get(f"{at}.required")),
                    key=text.get(f"{at}.key", ""),
                    choices=_options(text.get(f"{at}.choices", "")),
                    choices_zh=_options(text.get(f"{at}.choices_zh", "")),
                )
            )
        elif kind or text.get(f"{at}.label_en", "").strip():
            # Kept as a text question, so the row and its words come back with the message.
            errors[f"questions.{len(questions) + 1}.kind"] = "choose what kind of answer it takes"
            questions.append(
                Question(
                    kind=QuestionKind.text,
                    label_en=text.get(f"{at}.label_en", ""),
                    label_zh=text.get(f"{at}.label_zh", ""),
                    key=text.get(f"{at}.key", ""),
                )
            )
        n += 1
    criteria = []
    n = 1
    while f"rubric.{n}.label_en" in form:
        at = f"rubric.{n}"
        if text.get(f"{at}.label_en", "").strip():
            criteria.append(
                Criterion(
                    label_en=text[f"{at}.label_en"],
                    label_zh=text.get(f"{at}.label_zh", ""),
                    weight=_number(form, f"{at}.weight", errors, 1),
                    key=text.get(f"{at}.key", ""),
                )
            )
        n += 1
    years = _number(form, "eligibility.founded_within_years", errors, None)
    return CallIn(
        programme=text.get("programme", ""),
        centre=text.get("centre", ""),
        title_en=text.get("title_en", ""),
        title_zh=text.get("title_zh", ""),
        description_en=text.get("description_en", ""),
        description_zh=text.get("description_zh", ""),
        opens_at=text.get("opens_at", ""),
        closes_at=text.get("closes_at", ""),
        reviews_due_at=text.get("reviews_due_at", ""),
        decisions_due_at=text.get("decisions_due_at", ""),
        eligibility=Eligibility(
            incorporated_hk=bool(form.get("eligibility.incorporated_hk")),
            founded_within_years=years,
            clusters=[c for c in form.getall("eligibility.clusters", []) if isinstance(c, str)],
            not_admitted=bool(form.get("eligibility.not_admitted")),
        ),
        questions=questions,
        rubric=Rubric(criteria=criteria, scale=_number(form, "rubric.scale", errors, 5)),
        blind=bool(form.get("blind")),
    ), errors


def form_of(call: CallOut | CallIn) -> dict[str, Any]:
    """What the call's form shows for a call (saved, or as sent back with its errors)."""
    values: dict[str, Any] = {
        "programme": call.programme,
        "centre": call.centre,
        "title_en": call.title_en,
        "title_zh": call.title_zh,
        "description_en": call.description_en,
        "description_zh": call.description_zh,
        "opens_at": call.opens_at if isinstance(call, CallIn) else local_input(call.opens_at),
        "closes_at": call.closes_at if isinstance(call, CallIn) else local_input(call.closes_at),
        "reviews_due_at": call.reviews_due_at
        if isinstance(call, CallIn)
        else local_input(call.reviews_due_at),
        "decisions_due_at": call.decisions_due_at
        if isinstance(call, CallIn)
        else local_input(call.decisions_due_at),
        "blind": call.blind,
        "eligibility": call.eligibility,
        "questions": call.questions,
        "criteria": call.rubric.criteria,
        "scale": call.rubric.scale,
    }
    return values


async def _choices(viewer) -> dict[str, Any]:
    centres = Centre.select(Centre.slug, Centre.name_en, Centre.name_zh).order_by(Centre.sort_order)
    if not viewer.is_admin:
        centres = centres.where(Centre.id.is_in(await manager_centre_ids(viewer) or [0]))
    return {
        "programmes": await Programme.select(
            Programme.slug, Programme.name_en, Programme.name_zh
        ).order_by(Programme.name_en),
        "centres": await centres,
        "clusters": await Cluster.select(Cluster.slug, Cluster.name_en, Cluster.name_zh),
        "kinds": [k.value for k in QuestionKind],
        "blank_questions": BLANK_QUESTIONS,
        "blank_criteria": BLANK_CRITERIA,
    }


def _require_staff(viewer) -> None:
    if not (viewer.is_admin or viewer.is_manager):
        raise Forbidden("calls are opened by centre managers and administrators")


class CallStaffPages(Controller):
    path = "/programmes/calls"
    include_in_schema = False

    async def _form(
        self,
        viewer,
        values: dict[str, Any],
        errors: dict[str, str],
        call_id: int | None,
        status_code: int = 200,
    ) -> Response:
        return page(
            "programmes/call_form.html",
            status_code=status_code,
            values=values,
            errors=errors,
            call_id=call_id,
            **await _choices(viewer),
        )

    @get("/new")
    async def new(self, request: Request) -> Response:
        viewer = signed_in(request)
        _require_staff(viewer)
        values = {"scale": 5, "questions": [], "criteria": [], "eligibility": Eligibility()}
        return await self._form(viewer, values, {}, None)

    @post("/")
    async def create(self, request: Request) -> Response:
        viewer = signed_in(request)
        _require_staff(viewer)
        data, unread = call_from_form(await request.form())
        try:
            if unread:
                raise ValidationFailed(unread)
            call = await calls.open_call(viewer, data)
        except DomainError as exc:
            errors = unread | errors_for_form(exc, "action")
            return await self._form(viewer, form_of(data), errors, None, exc.status_code)
        return Redirect(f"/programmes/calls/{call.id}", status_code=303)

    @get("/{call_id:int}/edit")
    async def edit(self, request: Request, call_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        call = await calls.get_call(call_id)
        await policy.require_run(viewer, await calls.centre_of(call_id), "change this call")
        return await self._form(viewer, form_of(call) | {"frozen": call.frozen}, {}, call_id)

    @post("/{call_id:int}/edit")
    async def change(self, request: Request, call_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        data, unread = call_from_form(await request.form())
        try:
            if unread:
                raise ValidationFailed(unread)
            await calls.change_call(viewer, call_id, data)
        except DomainError as exc:
            errors = unread | errors_for_form(exc, "action")
            frozen = (await calls.get_call(call_id)).frozen
            values = form_of(data) | {"frozen": frozen}
            return await self._form(viewer, values, errors, call_id, exc.status_code)
        return Redirect(f"/programmes/calls/{call_id}?done=saved", status_code=303)

    @get("/{call_id:int}/applications.csv")
    async def applications_csv(self, request: Request, call_id: FromPath[int]) -> Stream:
        signed_in(request)
        return await export_stream(request, call_id, "csv")

    @get("/{call_id:int}/applications.xlsx")
    async def applications_xlsx(self, request: Request, call_id: FromPath[int]) -> Stream:
        signed_in(request)
        return await export_stream(request, call_id, "xlsx")

    @get("/{call_id:int}/applications")
    async def applications_page(
        self,
        request: Request,
        call_id: FromPath[int],
        status: FromQuery[str] = "",
        page_number: FromQuery[int] = 1,
    ) -> Response:
        viewer = signed_in(request)
        if status and status not in ("draft", "submitted", "withdrawn"):
            raise BadParameter({"status": "must be one of draft, submitted, withdrawn"})
        if page_number < 1:
            raise BadParameter({"page_number": "must be a whole number from 1"})
        rows, total = await applications.call_applications(
            viewer, call_id, status, page_number, PER_PAGE
        )
        return page(
            "programmes/applications.html",
            call=await calls.get_call(call_id),
            rows=rows,
            total=total,
            status=status,
            page_number=page_number,
            pages=max(1, -(-total // PER_PAGE)),
            figures=await applications.figures(call_id),
        )
