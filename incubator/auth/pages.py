"""Log-in, log-out, the account page (sessions, password) and the language switch."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from incubator.auth.services import accounts as services
from incubator.auth.services import audit
from incubator.errors import DomainError, TooManyRequests, ValidationFailed
from incubator.fields import read_date, read_whole_number
from incubator.i18n import LANGUAGES
from incubator.settings import Settings
from incubator.web import (
    SESSION_COOKIE,
    client_ip,
    logged_in_redirect,
    page,
    require_admin,
    safe_next,
    signed_in,
    viewer_of,
)


async def sign_in(request: Request, user_id: int, target: str) -> Response:
    """A new session for the user, from this request's address and browser, and on to
    `target` with its cookie: the log-in form's ending, and of each page that makes an
    account and signs its owner in."""
    settings = _settings(request)
    session = await services.create_session(
        settings, user_id, client_ip(request), request.headers.get("user-agent", "")
    )
    return logged_in_redirect(settings, session, target)


def _settings(request: Request) -> Settings:
    return request.app.state.settings


class AuthController(Controller):
    include_in_schema = False

    @get("/login")
    async def login_page(self, request: Request, next: FromQuery[str] = "/") -> Response:
        return page("auth/login.html", next=safe_next(next), email="", error="")

    @post("/login")
    async def login(self, request: Request) -> Response:
        form = await request.form()
        email = str(form.get("email") or "")
        password = str(form.get("password") or "")
        target = safe_next(str(form.get("next") or "/"))
        settings = _settings(request)
        try:
            user_id = await services.authenticate(settings, email, password, client_ip(request))
        except TooManyRequests as exc:
            response = page("auth/login.html", 429, next=target, email=email, error=exc.message)
            response.headers["Retry-After"] = str(exc.retry_after)
            return response
        if user_id is None:
            return page(
                "auth/login.html",
                400,
                next=target,
                email=email,
                error="The email or the password is not right.",
            )
        return await sign_in(request, user_id, target)

    @post("/logout")
    async def logout(self, request: Request) -> Response:
        viewer = viewer_of(request)
        if viewer.is_authenticated and viewer.session_id:
            await services.revoke_session(viewer.user_id, viewer.session_id)  # type: ignore[arg-type]
        response = Redirect("/", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    @get("/lang/{code:str}")
    async def switch_language(self, code: FromPath[str], next: FromQuery[str] = "/") -> Response:
        """The language of this browser (a cookie): a link anyone may follow, which changes
        nothing stored."""
        return _language_cookie(code, next)

    @post("/lang/{code:str}")
    async def choose_language(
        self, request: Request, code: FromPath[str], next: FromQuery[str] = "/"
    ) -> Response:
        """The language of this browser and, for a signed-in person, of their account (their
        emails and reminders follow it): a form, so only by POST with its CSRF token."""
        response = _language_cookie(code, next)
        viewer = viewer_of(request)
        if viewer.is_authenticated:
            await services.set_language(viewer.user_id, code)  # type: ignore[arg-type]
        return response


def _language_cookie(code: str, next: str) -> Response:
    if code not in LANGUAGES:
        raise DomainError(f"language must be one of {', '.join(LANGUAGES)}")
    response = Redirect(safe_next(next), status_code=303)
    response.set_cookie("lang", code, max_age=365 * 86400, samesite="lax", httponly=True)
    return response


class AccountController(Controller):
    path = "/account"
    include_in_schema = False

    @get("/")
    async def account(self, request: Request, message: FromQuery[str] = "") -> Response:
        viewer = signed_in(request)
        sessions = await services.active_sessions(viewer.user_id)  # type: ignore[arg-type]
        return page("auth/account.html", sessions=sessions, message=message, errors={})

    @post("/sessions/{session_id:int}/revoke")
    async def revoke(self, request: Request, session_id: FromPath[int]) -> Response:
        viewer = signed_in(request)
        await services.revoke_session(viewer.user_id, session_id)  # type: ignore[arg-type]
        if session_id == viewer.session_id:
            response = Redirect("/login", status_code=303)
            response.delete_cookie(SESSION_COOKIE)
            return response
        return Redirect("/account?message=revoked", status_code=303)

    @post("/password")
    async def change_password(self, request: Request) -> Response:
        viewer = signed_in(request)
        form = await request.form()
        current = str(form.get("current_password") or "")
        new = str(form.get("new_password") or "")
        errors: dict[str, str] = {}
        user_id = await services.authenticate(
            _settings(request), viewer.email, current, client_ip(request)
        )
        if user_id is None:
            errors["current_password"] = "is not your current password"  # noqa: S105
        errors |= services.check_password_rules(new, "new_password")
        if errors:
            sessions = await services.active_sessions(viewer.user_id)  # type: ignore[arg-type]
            return page("auth/account.html", 400, sessions=sessions, message="", errors=errors)
        await services.set_password(viewer.email, new)
        response = Redirect("/login?next=/account", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response


class AuditPages(Controller):
    """The audit trail of staff actions, for administrators (newest first, filtered)."""

    path = "/admin/audit"
    include_in_schema = False

    @get("/")
    async def trail(self, request: Request) -> Response:
        require_admin(request, "read the audit trail")
        values = {k: request.query_params.get(k, "") for k in ("action", "actor", "since", "until")}
        errors: dict[str, str] = {}
        first = read_date(values, "since", errors, required=False)
        last = read_date(values, "until", errors, required=False)
        raw_page = {"page": request.query_params.get("page", "")}
        number = read_whole_number(raw_page, "page", errors, 1, 100_000, required=False) or 1
        result = None
        if not errors:
            try:
                result = await audit.entries(
                    viewer_of(request),
                    action=values["action"],
                    actor=values["actor"],
                    since=first,
                    until=last,
                    page=number,
                )
            except ValidationFailed as exc:
                errors = exc.errors
        return page(
            "admin/audit.html",
            400 if errors else 200,
            result=result,
            params={k: v for k, v in values.items() if v},
            values=values,
            errors=errors,
            actions=[a.value for a in audit.Action],
        )
