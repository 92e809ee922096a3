"""The programme intake API: /api/programmes for calls (public to read, run by their centre's
managers) and applications (their start-up's members; the call's managers read them)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post, put
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, JSONBody, QueryParameter
from litestar.response import Stream

from incubator.errors import BadParameter
from incubator.programmes.schemas import (
    ApplicationOut,
    ApplicationRow,
    CallFigures,
    CallIn,
    CallOut,
    DraftIn,
    StartIn,
)
from incubator.programmes.services import applications, calls, exports, files
from incubator.web import page_number, viewer_of

CALL_STATES = ("open", "upcoming", "closed")
APPLICATION_STATES = ("draft", "submitted", "withdrawn")


def doc(text: str) -> QueryParameter:
    return QueryParameter(description=text)


def _one_of(name: str, value: str, allowed: tuple[str, ...]) -> str:
    value = value.strip()
    if value and value not in allowed:
        raise BadParameter({name: "must be one of " + ", ".join(allowed)})
    return value


def download_response(stored: files.StoredFile) -> Response:
    """A stored file, always as a download under its own name."""
    return Response(
        content=stored.data,
        media_type=stored.content_type,
        headers={
            # An ASCII name for old clients, the file's own (any language) for the rest.
            "Content-Disposition": f'attachment; filename="{_ascii(stored.filename)}"; '
            f"filename*=UTF-8''{_quoted(stored.filename)}",
            "ETag": f'"{stored.sha256}"',
            "Cache-Control": "private, no-store",
        },
    )


def _ascii(name: str) -> str:
    return name.encode("ascii", "ignore").decode().replace('"', "").replace("\\", "") or "file"


def _quoted(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")


# What makes a file of a format: its name, media type and bytes as they are made.
FileMaker = Callable[[str], Awaitable[tuple[str, str, AsyncIterator[bytes]]]]


async def export_stream(request: Request, call_id: int, fmt: str) -> Stream:
    """A call's applications as a file, streamed as it is made."""
    viewer = viewer_of(request)
    return await file_stream(fmt, lambda chosen: exports.call_export(viewer, call_id, chosen))


async def file_stream(fmt: str, make: FileMaker) -> Stream:
    """A CSV or XLSX file (`fmt`, CSV when blank), streamed as a download as it is made."""
    fmt = fmt.strip().lower() or "csv"
    if fmt not in ("csv", "xlsx"):
        raise BadParameter({"format": "must be csv or xlsx"})
    name, media_type, chunks = await make(fmt)
    return Stream(
        chunks,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


class ProgrammesApi(Controller):
    path = "/api/programmes"
    tags = ["programmes"]

    @get("/calls", summary="Calls for applications, the latest closing first (public)")
    async def list_calls(
        self, status: Annotated[str, doc("open, upcoming or closed; every call if blank")] = ""
    ) -> list[CallOut]:
        return await calls.list_calls(_one_of("status", status, CALL_STATES))

    @post("/calls", summary="Open a call for a programme (the centre's managers, admins)")
    async def open_call(self, request: Request, data: JSONBody[CallIn]) -> CallOut:
        return await calls.open_call(viewer_of(request), data)

    @get("/calls/{call_id:int}", summary="A call: its dates, eligibility, questions and rubric")
    async def get_call(self, call_id: FromPath[int]) -> CallOut:
        return await calls.get_call(call_id)

    @put(
        "/calls/{call_id:int}",
        summary="Change a call (its questions only until an application is submitted)",
    )
    async def change_call(
        self, request: Request, call_id: FromPath[int], data: JSONBody[CallIn]
    ) -> CallOut:
        return await calls.change_call(viewer_of(request), call_id, data)

    @get(
        "/calls/{call_id:int}/applications",
        summary="A call's applications, 100 a page (its centre's managers, admins)",
    )
    async def call_applications(
        self,
        request: Request,
        call_id: FromPath[int],
        status: Annotated[str, doc("draft, submitted or withdrawn; all if blank")] = "",
        page: Annotated[str, doc("page number from 1")] = "",
    ) -> list[ApplicationRow]:
        rows, _total = await applications.call_applications(
            viewer_of(request),
            call_id,
            _one_of("status", status, APPLICATION_STATES),
            page_number(page),
        )
        return rows

    @get("/calls/{call_id:int}/figures", summary="How many applications a call has, by stage")
    async def call_figures(self, request: Request, call_id: FromPath[int]) -> CallFigures:
        from incubator.programmes import policy

        await policy.require_run(
            viewer_of(request), await calls.centre_of(call_id), "see this call's figures"
        )
        return await applications.figures(call_id)

    @get(
        "/calls/{call_id:int}/export",
        summary="A call's applications with their scores and answers, as CSV or XLSX",
    )
    async def export(
        self,
        request: Request,
        call_id: FromPath[int],
        format: Annotated[str, doc("csv (the default) or xlsx")] = "csv",
    ) -> Stream:
        return await export_stream(request, call_id, format)

    @post(
        "/calls/{call_id:int}/applications",
        summary="Start an application for one of your start-ups (or find the one started)",
    )
    async def start(
        self, request: Request, call_id: FromPath[int], data: JSONBody[StartIn]
    ) -> ApplicationOut:
        return await applications.start(viewer_of(request), call_id, data)

    @get("/applications", summary="Your start-ups' applications, the latest first")
    async def mine(self, request: Request) -> list[ApplicationOut]:
        return await applications.my_applications(viewer_of(request))

    @get("/applications/{application_id:int}", summary="An application")
    async def get_application(
        self, request: Request, application_id: FromPath[int]
    ) -> ApplicationOut:
        return await applications.get_application(viewer_of(request), application_id)

    @put(
        "/applications/{application_id:int}/answers",
        summary="Save answers in a draft (those given change; null clears one)",
    )
    async def save(
        self, request: Request, application_id: FromPath[int], data: JSONBody[DraftIn]
    ) -> ApplicationOut:
        return await applications.save_draft(viewer_of(request), application_id, data)

    @post(
        "/applications/{application_id:int}/files/{question:str}",
        summary="Upload the file that answers a file question (multipart, field `file`)",
    )
    async def upload(
        self,
        request: Request,
        application_id: FromPath[int],
        question: FromPath[str],
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> ApplicationOut:
        sent = data.get("file")
        content = await sent.read() if isinstance(sent, UploadFile) else b""
        name = sent.filename if isinstance(sent, UploadFile) else ""
        limit = request.app.state.settings.upload_max_bytes
        return await files.upload(
            viewer_of(request), application_id, question, name, content, limit
        )

    @get(
        "/applications/{application_id:int}/files/{question:str}",
        summary="Download the file that answers a question",
    )
    async def download(
        self, request: Request, application_id: FromPath[int], question: FromPath[str]
    ) -> Response:
        stored = await files.download(viewer_of(request), application_id, question)
        return download_response(stored)

    @post(
        "/applications/{application_id:int}/submit",
        status_code=200,
        summary="Submit a draft (every required answer, the eligibility rules, before closing)",
    )
    async def submit(self, request: Request, application_id: FromPath[int]) -> ApplicationOut:
        return await applications.submit(viewer_of(request), application_id)

    @post(
        "/applications/{application_id:int}/withdraw",
        status_code=200,
        summary="Withdraw an application before a decision",
    )
    async def withdraw(self, request: Request, application_id: FromPath[int]) -> ApplicationOut:
        return await applications.withdraw(viewer_of(request), application_id)
