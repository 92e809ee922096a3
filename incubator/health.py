"""Liveness and readiness for load balancers and operators."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import msgspec
from litestar import Controller, Request, get
from litestar.exceptions import HTTPException
from piccolo.apps.migrations.tables import Migration

from incubator import db
from incubator.settings import Settings


class SchedulerState(msgspec.Struct):
    """The scheduler's last successful sweep: `ok`, `late` (none for three ticks: stuck or
    not running) or `never`."""

    state: str
    last_sweep_at: str | None
    seconds_ago: int | None


class Health(msgspec.Struct):
    status: str
    database: str
    pending_migrations: list[str] = []
    scheduler: SchedulerState | None = None


# What readiness reports of the scheduler; registered by the reminders domain when the app is
# built (the kernel imports no domain).
SchedulerReport = Callable[[Settings], Awaitable[dict[str, object]]]
_scheduler_reports: list[SchedulerReport] = []


def set_scheduler_report(report: SchedulerReport) -> None:
    _scheduler_reports[:] = [report]


class HealthController(Controller):
    path = "/health"
    tags = ["health"]

    @get("/", summary="200 when the database answers")
    async def health(self) -> Health:
        return await self._database_answers()

    @get("/live", summary="200 while the process serves requests")
    async def live(self) -> Health:
        return Health(status="ok", database="not checked")

    @get(
        "/ready",
        summary="200 when the database answers and every migration is applied",
        description="Also reports the scheduler's last successful sweep (`scheduler`), so a "
        "stuck or dead scheduler is visible; a late scheduler does not make a web worker "
        "unready.",
    )
    async def ready(self, request: Request) -> Health:
        health = await self._database_answers()
        pending = await db.pending_migrations()
        if pending:
            raise HTTPException(
                status_code=503, detail=f"migrations not applied: {', '.join(pending)}"
            )
        if _scheduler_reports:
            report = await _scheduler_reports[0](request.app.state.settings)
            health.scheduler = msgspec.convert(report, SchedulerState)
        return health

    async def _database_answers(self) -> Health:
        try:
            await Migration.raw("SELECT 1").run()
        except Exception as exc:
            raise HTTPException(status_code=503, detail=f"database unreachable: {exc}") from exc
        return Health(status="ok", database=db.current_engine().engine_type)
