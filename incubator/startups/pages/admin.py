"""Administration of the community: importing start-ups, and users with their roles and centres."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, MultipartBody
from litestar.response import Redirect

from incubator.auth.services import accounts
from incubator.auth.tables import Role
from incubator.errors import DomainError
from incubator.startups.services import importer, reference, staff
from incubator.startups.tables import ManagerAssignment
from incubator.web import page, require_admin, viewer_of


class ImportPages(Controller):
    path = "/admin/import"
    include_in_schema = False

    @get("/")
    async def form(self, request: Request) -> Response:
        require_admin(request, "import start-ups")
        return page("admin/import.html", report=None, csv_text="", errors={})

    @post("/")
    async def upload(
        self,
        request: Request,
        data: MultipartBody[dict[str, Any]],
    ) -> Response:
        require_admin(request, "import start-ups")
        upload = data.get("file")
        if isinstance(upload, UploadFile):
            raw = await upload.read()
        else:
            raw = str(data.get("csv_text") or "").encode()
        if not raw.strip():
            return page(
                "admin/import.html",
                422,
                report=None,
                csv_text="",
                errors={"file": "choose a CSV file"},
            )
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            return page(
                "admin/import.html",
                422,
                report=None,
                csv_text="",
                errors={"file": "must be a CSV file encoded as UTF-8"},
            )
        apply = data.get("apply") == "1"
        report = await importer.import_startups(text, apply=apply, actor=viewer_of(request))
        status = 422 if report.errors else 200
        return page("admin/import.html", status, report=report, csv_text=text, errors={})


class AdminUsersController(Controller):
    path = "/admin/users"
    include_in_schema = False

    async def _page(self, request: Request, status: int = 200, **extra: object) -> Response:
        q = request.query_params.get("q", "")
        role = request.query_params.get("role", "")
        users = await accounts.list_users(Role(role) if role in Role.__members__ else None, q)
        assignments: dict[int, list[str]] = {}
        for row in await ManagerAssignment.select(
            ManagerAssignment.user, ManagerAssignment.centre.slug
        ):
            assignments.setdefault(row["user"], []).append(row["centre.slug"])
        context = {
            "users": users,
            "q": q,
            "role": role,
            "assignments": assignments,
            "centres": await reference.list_centres(),
            "errors": {},
            "values": {},
            "message": "",
        } | extra
        return page("admin/users.html", status, **context)

    @get("/")
    async def users(self, request: Request) -> Response:
        require_admin(request, "manage users")
        return await self._page(request)

    @post("/")
    async def create(self, request: Request) -> Response:
        require_admin(request, "manage users")
        form = await request.form()
        values = {k: str(form.get(k) or "") for k in ("email", "name", "role", "password")}
        centres = [c for c in form.getall("centres", []) if isinstance(c, str)]
        if values["role"] not in Role.__members__:
            return await self._page(
                request, 422, values=values, errors={"role": "choose one of the roles"}
            )
        try:
            await staff.create_account(
                viewer_of(request),
                values["email"],
                values["name"],
                values["password"],
                Role(values["role"]),
                centres,
            )
        except DomainError as exc:
            return await self._page(request, exc.status_code, values=values, errors=exc.errors)
        return Redirect(f"/admin/users?q={values['email']}", status_code=303)

    @post("/{user_id:int}/active")
    async def set_active(self, request: Request, user_id: FromPath[int]) -> Response:
        require_admin(request, "manage users")
        form = await request.form()
        await staff.set_active(viewer_of(request), user_id, form.get("active") == "1")
        return Redirect("/admin/users", status_code=303)

    @get("/{user_id:int}")
    async def access(self, request: Request, user_id: FromPath[int]) -> Response:
        require_admin(request, "manage users")
        account = await staff.access_of(viewer_of(request), user_id)
        return await self._access_page(account, 200, {}, request.query_params.get("saved"))

    @post("/{user_id:int}")
    async def change_access(self, request: Request, user_id: FromPath[int]) -> Response:
        viewer = require_admin(request, "manage users")
        form = await request.form()
        role = str(form.get("role") or "")
        centres = [c for c in form.getall("centres", []) if isinstance(c, str)]
        account = await staff.access_of(viewer, user_id)
        shown = msgspec.structs.replace(account, role=role, centres=centres)
        if role not in Role.__members__:
            return await self._access_page(shown, 422, {"role": "choose one of the roles"})
        try:
            await staff.change_access(viewer, user_id, Role(role), centres)
        except DomainError as exc:
            return await self._access_page(shown, exc.status_code, exc.errors)
        return Redirect(f"/admin/users/{user_id}?saved=1", status_code=303)

    async def _access_page(
        self, account: staff.Access, status: int, errors: dict[str, str], saved: str | None = None
    ) -> Response:
        centres = await reference.list_centres()
        return page(
            "admin/user.html", status, account=account, centres=centres, errors=errors, saved=saved
        )
