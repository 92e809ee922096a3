"""Helpers shared by the controllers: the viewer, client address, form values, page responses."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote

import msgspec
from litestar import Request, Response
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Template

from incubator.auth.schemas import ANONYMOUS, NewSession, Viewer
from incubator.errors import (
    BadParameter,
    DomainError,
    Forbidden,
    NotAuthenticated,
    TooManyRequests,
)
from incubator.settings import Settings
from incubator.versions import EditConflict

SESSION_COOKIE = "incubator_session"


def viewer_of(request: Request) -> Viewer:
    user = request.scope.get("user")
    return user if isinstance(user, Viewer) else ANONYMOUS


def language_of(request: Request) -> str:
    """The interface language the request is served in ("en" or "zh-Hant")."""
    return request.scope.get("state", {}).get("lang", "en")


def signed_in(request: Request) -> Viewer:
    """The viewer, who must be logged in (pages send others to the log-in page)."""
    viewer = viewer_of(request)
    if not viewer.is_authenticated:
        raise NotAuthenticated("log in first")
    return viewer


def require_admin(request: Request, action: str) -> Viewer:
    viewer = signed_in(request)
    if not viewer.is_admin:
        raise Forbidden(f"only administrators may {action}")
    return viewer


CSRF_COOKIE = "csrftoken"  # Litestar's CSRF cookie


def logged_in_redirect(settings: Settings, session: NewSession, target: str) -> Redirect:
    """Go on to `target` with the new session's cookie (HttpOnly, SameSite=Lax), and a new
    CSRF token: the one from before the log-in (which another may have planted) is dropped,
    and the next page sets a fresh one."""
    response = Redirect(target, status_code=303)
    response.delete_cookie(CSRF_COOKIE)
    response.set_cookie(
        SESSION_COOKIE,
        session.token,
        max_age=settings.session_max_days * 86400,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",
    )
    return response


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def page_number(raw: str) -> int:
    """A list's page from a query's text: 1 when blank; a 400 naming `page` otherwise."""
    if not raw.strip():
        return 1
    if not raw.strip().isdigit() or not 1 <= int(raw) <= 100_000:
        raise BadParameter({"page": "must be a whole number from 1"})
    return int(raw)


def wants_json(path: str) -> bool:
    return path.startswith(("/api/", "/health", "/schema"))


def page(name: str, status_code: int = 200, **context: Any) -> Template:
    return Template(template_name=name, context=context, status_code=status_code)


def safe_next(target: str | None, default: str = "/") -> str:
    """Only local paths, so log-in and language links cannot send people elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def login_redirect(path: str) -> Redirect:
    return Redirect(f"/login?next={quote(path)}", status_code=303)


REFUSALS = (401, 403, 404)


def errors_for_form(
    exc: DomainError,
    summary_key: str | None = None,
    refusals: tuple[int, ...] = REFUSALS,
    shown_as: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """What a page shows again when a service refuses input: the errors by field, or the
    message under `summary_key`. Refusals (not logged in, forbidden, not found) and errors
    no field can carry are raised again, for the error page. `shown_as` names the form field
    a command's field is typed in where the two differ (an amount in cents typed as HK$; a
    start-up and programme chosen as one): its error goes beside that field (the first, where
    two go to one)."""
    if exc.status_code in refusals or not (exc.errors or summary_key):
        raise exc
    if not exc.errors:
        return {summary_key: exc.message}
    shown: dict[str, str] = {}
    for name, message in exc.errors.items():
        shown.setdefault((shown_as or {}).get(name, name), message)
    return shown


def form_values(form: FormMultiDict, names: tuple[str, ...], lists: tuple[str, ...] = ()) -> dict:
    """The named fields present in a submitted form; `lists` are multi-valued (checkboxes)."""
    data: dict[str, Any] = {}
    for name in names:
        if name in lists:
            data[name] = [v for v in form.getall(name, []) if isinstance(v, str)]
        elif name in form:
            value = form.get(name)
            data[name] = value if isinstance(value, str) else ""
    return data


class Saved(str):
    """Beside a field of a form that met a newer version: the value saved meanwhile (the
    macro `field_error` shows it as such, in the reader's language)."""

    @property
    def saved(self) -> str:
        return str(self)

    def __bool__(self) -> bool:  # a blank saved value still marks its field
        return True


def conflict_errors(
    exc: EditConflict,
    submitted: dict[str, Any],
    current: dict[str, Any],
    shown: dict[str, Any] | None = None,
) -> dict[str, str]:
    """What a form shows when its change met a newer version (`exc`): beside each field whose
    saved value (`current`, as the form holds it) differs from the one sent, the saved value
    (as `shown` names it, for a choice: its label, not its code); the person's own values stay
    in the form, which now carries the current version, so saving again keeps theirs.
    Changes `submitted` in place."""
    errors: dict[str, str] = {}
    shown = shown or {}
    for name, theirs in current.items():
        if name != "version" and _text(theirs) != _text(submitted.get(name)):
            errors[name] = Saved(_text(shown.get(name, theirs)))
    submitted["version"] = str(exc.version)
    return errors


def _text(value: Any) -> str:
    if isinstance(value, bool):  # as a checkbox sends it: "1", or nothing
        return "1" if value else ""
    if isinstance(value, list | tuple | set):
        return ", ".join(sorted(str(v) for v in value))
    return "" if value is None else str(value).strip()


Rerender = Callable[[int, dict[str, Any]], Awaitable[Response]]


def form_context(extra: dict[str, Any]) -> dict[str, Any]:
    """What a page with several forms needs when shown plainly, with `extra` on top: which
    form was sent, its values and errors, and the notice."""
    return {
        "action": "",
        "values": {},
        "errors": {},
        "message": "",
        "new_token": "",
        "conflict": None,
    } | extra


SavedValues = Callable[[], Awaitable[tuple[dict[str, Any], dict[str, Any]]]]


async def act(
    request: Request,
    names: tuple[str, ...],
    work: Callable[[dict[str, Any]], Awaitable[str]],
    rerender: Rerender,
    action: str,
    lists: tuple[str, ...] = (),
    saved: SavedValues | None = None,
    shown_as: Mapping[str, str] | None = None,
) -> Response:
    """Run one form's action: on success go where `work` says; when a rule is broken, show
    the page again with the form's values and the message beside the field (or on top;
    `shown_as` as `errors_for_form`'s). For a form of a versioned record, `saved` gives the
    record's values as the form holds them and as it names them: a change that met a newer
    version shows them beside the person's own (`conflict_errors`), with `conflict` for the
    banner."""
    data = form_values(await request.form(), names, lists)
    try:
        target = await work(data)
    except DomainError as exc:
        extra: dict[str, Any] = {"action": action, "values": data}
        if isinstance(exc, EditConflict) and saved is not None:
            current, named = await saved()
            extra |= {"errors": conflict_errors(exc, data, current, named), "conflict": exc}
        else:
            extra["errors"] = errors_for_form(exc, summary_key="action", shown_as=shown_as)
        shown = await rerender(exc.status_code, extra)
        if isinstance(exc, TooManyRequests):
            shown.headers["Retry-After"] = str(exc.retry_after)
        return shown
    return Redirect(target, status_code=303)


S = TypeVar("S", bound=msgspec.Struct)


def shown_as(result: msgspec.Struct, shape: type[S]) -> S:
    """The fields of a typed result that `shape` (an API's response type, narrower than what
    a page shows) holds: the API answers with what it documents, never more."""
    return msgspec.convert(msgspec.structs.asdict(result), shape)
