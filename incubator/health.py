"""Liveness and readiness for load balancers and operators."""

from __future__ import annotations

import msgspec
from litestar import Controller, get
from litestar.exceptions import HTTPException
from piccolo.apps.migrations.tables import Migration

from incubator import db


class Health(msgspec.Struct):
    status: str
    database: str
    pending_migrations: list[str] = []


class HealthController(Controller):
    path = "/health"
    tags = ["health"]

    @get("/", summary="200 when the database answers")
    async def health(self) -> Health:
        return await self._database_answers()

    @get("/live", summary="200 while the process serves requests")
    async def live(self) -> Health:
        return Health(status="ok", database="not checked")

    @get("/ready", summary="200 when the database answers and every migration is applied")
    async def ready(self) -> Health:
        health = await self._database_answers()
        pending = await db.pending_migrations()
        if pending:
            raise HTTPException(
                status_code=503, detail=f"migrations not applied: {', '.join(pending)}"
            )
        return health

    async def _database_answers(self) -> Health:
        try:
            await Migration.raw("SELECT 1").run()
        except Exception as exc:
            raise HTTPException(status_code=503, detail=f"database unreachable: {exc}") from exc
        return Health(status="ok", database=db.current_engine().engine_type)
