"""The application factory: create_app(settings) -> Litestar. Nothing runs at import."""

from __future__ import annotations

import dataclasses
import gc
import hmac
import logging
import os
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import asyncpg
from litestar import Litestar, MediaType, Request, Response
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.exceptions import HTTPException, PermissionDeniedException, ValidationException
from litestar.openapi import OpenAPIConfig
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import ASGIApp, Receive, Scope, Send

from incubator import db, i18n, jobs, mail, metrics
from incubator.access_log import RequestLog, request_id
from incubator.auth.schemas import ANONYMOUS
from incubator.auth.services.accounts import viewer_for_token
from incubator.errors import DomainError, TooManyRequests
from incubator.headers import security_headers
from incubator.limits import BodyLimits
from incubator.openapi import document_errors
from incubator.settings import Settings, get_settings
from incubator.templating import LanguageTemplates, templates_dir
from incubator.web import SESSION_COOKIE, login_redirect, page, wants_json

log = logging.getLogger("incubator")
PACKAGE_DIR = Path(__file__).parent
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class ViewerMiddleware:
    """Puts the viewer (from the session cookie) and the language on every request.

    JSON API calls authenticated by the session cookie must also echo the CSRF cookie in
    the X-CSRFToken header when they change anything (forms are checked by Litestar's CSRF).
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        cookies = SimpleCookie()
        try:
            cookies.load(headers.get("cookie", ""))
        except Exception:  # a malformed cookie header is treated as no cookies
            cookies = SimpleCookie()
        token = cookies[SESSION_COOKIE].value if SESSION_COOKIE in cookies else ""
        viewer = (await viewer_for_token(self.settings, token) if token else None) or ANONYMOUS
        if scope.get("client"):  # for the audit trail, a partner's API token calls included
            viewer = dataclasses.replace(viewer, address=scope["client"][0])
        scope["user"] = viewer
        if viewer.is_authenticated and not wants_json(scope["path"]):
            from incubator.reminders.services.inbox import unread_count

            scope.setdefault("state", {})["unread"] = await unread_count(viewer.user_id)
            if viewer.is_member:
                from incubator.startups.services.team import startups_of

                scope["state"]["my_startups"] = await startups_of(viewer.user_id)
        lang_cookie = cookies["lang"].value if "lang" in cookies else None
        scope.setdefault("state", {})["lang"] = i18n.negotiate(
            lang_cookie,
            viewer.language if viewer.is_authenticated else None,
            headers.get("accept-language", ""),
        )
        i18n.REQUEST_LANGUAGE.set(scope["state"]["lang"])
        if (
            viewer.is_authenticated
            and scope["method"] in UNSAFE
            and scope["path"].startswith("/api/")
        ):
            csrf_cookie = cookies["csrftoken"].value if "csrftoken" in cookies else ""
            sent = headers.get("x-csrftoken", "")
            if not csrf_cookie or not hmac.compare_digest(sent.encode(), csrf_cookie.encode()):
                raise PermissionDeniedException(
                    "CSRF check failed: send the csrftoken cookie's value in the X-CSRFToken header"
                )
        await self.app(scope, receive, send)


def _error_response(
    request: Request,
    status: int,
    detail: str,
    errors: dict | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    if wants_json(request.url.path):
        body: dict[str, Any] = {"status_code": status, "detail": detail}
        if errors:
            body["errors"] = errors
        body["request_id"] = request_id()  # what a caller quotes to the operators
        return Response(body, status_code=status, media_type=MediaType.JSON, headers=headers)
    if status == 401:
        return login_redirect(request.url.path)
    return page(
        "errors/error.html",
        status_code=status,
        status=status,
        detail=detail,
        errors=errors or {},
        reference=request_id(),
    )  # type: ignore[return-value]


def _route(request: Request) -> str:
    """The route a request matched, as logs name it: never a path's tokens or codes."""
    return request.scope.get("path_template") or "(no route)"


def handle_domain_error(request: Request, exc: DomainError) -> Response:
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else None
    return _error_response(request, exc.status_code, exc.message, exc.errors, headers)


def handle_http_exception(request: Request, exc: HTTPException) -> Response:
    errors = None
    detail = exc.detail
    if isinstance(exc, ValidationException) and isinstance(exc.extra, list):
        errors = {
            str(item.get("key") or "body"): str(item.get("message"))
            for item in exc.extra
            if isinstance(item, dict)
        }
        detail = "; ".join(f"{k}: {v}" for k, v in errors.items()) or detail
    return _error_response(request, exc.status_code, detail, errors, exc.headers)


def handle_integrity_error(request: Request, exc: Exception) -> Response:
    """A uniqueness or reference rule the database caught (a race the services lost)."""
    # The database's message can quote the values (an email), so only its kind is logged.
    log.warning("integrity error on %s %s: %s", request.method, _route(request), type(exc).__name__)
    return _error_response(
        request, 409, "this conflicts with a change made at the same moment; reload and try again"
    )


def handle_out_of_range(request: Request, exc: Exception) -> Response:
    """A value in the request that does not fit the database: a number beyond its integers
    (ids are 32-bit on PostgreSQL, 64-bit on SQLite) or a text beyond its column."""
    log.warning(
        "value out of range on %s %s: %s", request.method, _route(request), type(exc).__name__
    )
    return _error_response(
        request,
        400,
        "a value in the request does not fit its field: a number out of range "
        "(ids fit in 32 bits) or a text too long",
    )


def handle_transaction_rolled_back(request: Request, exc: Exception) -> Response:
    """PostgreSQL gave up this request's transaction for a concurrent one it deadlocked or
    could not serialise with: nothing of it was saved, and trying again succeeds."""
    log.warning("transaction rolled back on %s %s: %s", request.method, _route(request), exc)
    return _error_response(
        request,
        503,
        "the database set this change aside for another made at the same moment; nothing "
        "was saved: try again",
        headers={"Retry-After": "1"},
    )


def handle_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, _route(request))
    return _error_response(request, 500, "something went wrong on our side; it has been logged")


def register_reminders(settings: Settings) -> None:
    """Each domain registers its reminder sources; one job sweeps and delivers every minute."""
    from centres import reminders as tenancy
    from events import reminders as events
    from events.rooms import reminders as rooms
    from incubator.health import set_scheduler_report
    from incubator.partners import reminders as partners
    from incubator.programmes import reminders as programmes
    from incubator.programmes.funding import reminders as funding
    from incubator.reminders.services import outbox
    from incubator.reminders.services.delivery import run_once
    from incubator.reminders.services.operators import ledger_figures, scheduler_report
    from incubator.startups import reminders as community

    for domain in (community, tenancy, events, rooms, partners, programmes, funding):
        domain.register()
    jobs.add_job("reminders", run_once, every_seconds=settings.reminder_tick_seconds)
    set_scheduler_report(scheduler_report)
    metrics.add_figures(ledger_figures)
    mail.set_outbox(outbox.keep)  # where email goes while no SMTP server is configured
    jobs.add_job("outbox retention", outbox.prune, every_seconds=3600)


def create_app(settings: Settings | None = None, *, manage_engine: bool = True) -> Litestar:
    """Build the app. With manage_engine, the app binds the engine, migrates and pools itself."""
    settings = settings or get_settings()
    os.environ.setdefault("PICCOLO_CONF", db.PICCOLO_CONF)

    from centres.api import LeasesApi, SpaceApi
    from centres.pages import CentrePages, LeasePages, SpacePages
    from centres.services.lease_register import startup_leases
    from events.academy.api import AcademyApi
    from events.academy.pages import AcademyPages
    from events.academy.services.completion import startup_badges
    from events.api import EventsApi
    from events.pages import EventPages
    from events.registration_pages import EventRegistrationPages, RegistrationPages
    from events.rooms.api import RoomsApi
    from events.rooms.pages import RoomPages, RoomStaffPages
    from events.rooms.services.bookings import release_no_shows
    from events.rooms.services.notices import feed_items
    from events.services.feeds import add_personal_items
    from incubator.auth.pages import AccountController, AuditPages, AuthController
    from incubator.dashboard.pages import DashboardApi, DashboardPages, ReportPages
    from incubator.health import HealthController
    from incubator.partners.api import PartnersApi
    from incubator.partners.pages.mous import MouPages
    from incubator.partners.pages.parks import PartnerPages
    from incubator.partners.pages.portal import PortalPages, ReferralPages, SharingPages
    from incubator.partners.services.consent import consented_groups
    from incubator.partners.services.webhooks import deliver_due, delivery_figures
    from incubator.programmes.api import ProgrammesApi
    from incubator.programmes.funding.api import GrantsApi
    from incubator.programmes.funding.pages import ClaimPages, GrantPages, ProgressReportPages
    from incubator.programmes.pages import CallStaffPages, ProgrammePages
    from incubator.programmes.review_api import ReviewsApi
    from incubator.programmes.review_pages import ReviewPages
    from incubator.reminders.pages import (
        InboxPages,
        OutboxPages,
        ReminderAdminPages,
        ReminderPreferencePages,
    )
    from incubator.startups.api import CentresApi, StartupsApi
    from incubator.startups.pages.admin import AdminUsersController, ImportPages
    from incubator.startups.pages.directory import DirectoryPages
    from incubator.startups.pages.invitations import InvitationPages
    from incubator.startups.pages.profiles import ProfilePages
    from incubator.startups.policy import set_consent_source
    from incubator.startups.services.extensions import add_profile_section
    from incubator.startups.tables import STAGE_NAMES

    set_consent_source(consented_groups)
    add_profile_section("tenancy", startup_leases)
    add_profile_section("academy_badges", startup_badges)
    jobs.add_job("webhook deliveries", deliver_due, every_seconds=30)
    jobs.add_job("room no-shows", release_no_shows, every_seconds=60)
    add_personal_items(feed_items)
    metrics.add_figures(delivery_figures)
    register_reminders(settings)

    @asynccontextmanager
    async def database(app: Litestar) -> AsyncIterator[None]:
        if manage_engine:
            engine = db.make_engine(settings.database_url)
            db.use_engine(engine)
            await db.prepare_engine(engine)
            await db.start_pool(engine, settings.pool_min, settings.pool_max)
            # What exists now (modules, routes, templates' environments) lives as long as the
            # process: frozen, the collector no longer walks it in every full collection.
            gc.collect()
            gc.freeze()
            try:
                if settings.run_scheduler:
                    async with jobs.running_jobs(settings):
                        yield
                else:
                    yield
            finally:
                await db.close_pool(engine)
        else:
            yield

    from litestar.middleware import DefineMiddleware

    app = Litestar(
        route_handlers=[
            HealthController,
            metrics.MetricsController,
            AuthController,
            AccountController,
            AuditPages,
            AdminUsersController,
            DirectoryPages,
            ProfilePages,
            InvitationPages,
            ImportPages,
            StartupsApi,
            CentresApi,
            SpaceApi,
            LeasesApi,
            CentrePages,
            SpacePages,
            LeasePages,
            EventsApi,
            EventPages,
            RegistrationPages,
            EventRegistrationPages,
            AcademyApi,
            AcademyPages,
            RoomsApi,
            RoomPages,
            RoomStaffPages,
            DashboardPages,
            DashboardApi,
            ReportPages,
            PartnersApi,
            PartnerPages,
            MouPages,
            InboxPages,
            ReminderPreferencePages,
            ReminderAdminPages,
            OutboxPages,
            ReferralPages,
            PortalPages,
            SharingPages,
            ProgrammesApi,
            ReviewsApi,
            GrantsApi,
            GrantPages,
            ClaimPages,
            ProgressReportPages,
            ProgrammePages,
            CallStaffPages,
            ReviewPages,
            create_static_files_router(path="/static", directories=[PACKAGE_DIR / "static"]),
        ],
        lifespan=[database],
        before_send=[security_headers(settings)],
        middleware=[
            metrics.prometheus_config().middleware,
            DefineMiddleware(ViewerMiddleware, settings=settings),
            BodyLimits,
        ],
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            exclude=["^/api/", "^/health"],
            cookie_secure=settings.cookie_secure,
            cookie_samesite="lax",
        ),
        template_config=TemplateConfig(engine=LanguageTemplates(templates_dir(), STAGE_NAMES)),
        openapi_config=OpenAPIConfig(
            title="Cyberport community API",
            version="1.0.0",
            description="Start-ups, centres and hubs of the park; pages and API share one service.",
            path="/schema",
        ),
        exception_handlers={
            DomainError: handle_domain_error,
            HTTPException: handle_http_exception,
            sqlite3.IntegrityError: handle_integrity_error,
            asyncpg.exceptions.IntegrityConstraintViolationError: handle_integrity_error,
            OverflowError: handle_out_of_range,  # SQLite: int too large for an INTEGER
            # PostgreSQL's data exceptions (class 22: "value out of int32 range", a text too
            # long for its column) and asyncpg refusing an argument
            asyncpg.exceptions.DataError: handle_out_of_range,
            asyncpg.exceptions._base.DataError: handle_out_of_range,
            # class 40: a deadlock or a serialisation failure
            asyncpg.exceptions.TransactionRollbackError: handle_transaction_rolled_back,
            Exception: handle_unexpected,
        },
        state=State({"settings": settings}),
        debug=settings.debug,
        # Logging is the process's (access_log.configure_logging): Litestar's default would
        # put its own handler on the root logger in place of ours.
        logging_config=None,
    )
    # The document is built now (about 0.1 s), with every error answer listed, before any
    # request can read it.
    document_errors(app.openapi_schema)
    # Around the app's own handler, so that a path no route matches has a request id and a
    # log line too (Litestar's middleware runs only for matched routes).
    app.asgi_handler = RequestLog(app.asgi_handler)
    return app
