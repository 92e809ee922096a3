"""Periodic jobs: each domain registers its own; one APScheduler (3.x) runs them in the
process that serves the app (or not, with INCUBATOR_SCHEDULER=0).

The scheduler only ticks: every job claims its work atomically in the database, so several
processes running it at once never do one piece of work twice (see STYLE.md, "Scheduler").
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from incubator.settings import Settings

log = logging.getLogger("incubator.jobs")


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[Settings], Awaitable[Any]]
    every_seconds: int


_jobs: dict[str, Job] = {}


def add_job(name: str, run: Callable[[Settings], Awaitable[Any]], every_seconds: int) -> None:
    _jobs[name] = Job(name, run, every_seconds)


def registered_jobs() -> list[Job]:
    return list(_jobs.values())


async def _run_logged(job: Job, settings: Settings) -> None:
    try:
        await job.run(settings)
    except Exception:  # one failed run must not stop the job's next runs
        log.exception("job %s failed", job.name)


@asynccontextmanager
async def running_jobs(settings: Settings) -> AsyncIterator[AsyncIOScheduler]:
    scheduler = AsyncIOScheduler(timezone="UTC")
    for job in _jobs.values():
        scheduler.add_job(
            _run_logged,
            "interval",
            seconds=job.every_seconds,
            args=[job, settings],
            id=job.name,
            max_instances=1,
            coalesce=True,
        )
    scheduler.start()
    try:
        yield scheduler
    finally:
        scheduler.shutdown(wait=False)
