"""/metrics in Prometheus's text format, for the operators' monitoring.

Requests are counted and timed by route (Litestar's Prometheus middleware, paths grouped by
their template so that ids do not make a series each). Beside them, the system's own figures,
read from the database at each scrape: reminders due, waiting, being retried and dead,
webhook deliveries pending and dead, how long the oldest job that is due has waited, and the
database connections in use. Domains register their figures (`add_figures`); the kernel
reads the connection pool itself.

With several workers (`incubator serve --workers N`) each keeps its request counts in
PROMETHEUS_MULTIPROC_DIR and a scrape adds them up. The page is served only to the addresses
in INCUBATOR_METRICS_ALLOW (loopback by default) or with INCUBATOR_METRICS_TOKEN as a bearer
token.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from litestar import Request, Response, get
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

from incubator import db
from incubator.errors import Forbidden


@dataclass(frozen=True)
class Figure:
    """One gauge's value: `incubator_<name>` with its labels."""

    name: str
    help: str
    value: float
    labels: dict[str, str] = field(default_factory=dict)


FigureSource = Callable[[], Awaitable[list[Figure]]]
_sources: list[FigureSource] = []


def add_figures(source: FigureSource) -> None:
    """A domain's figures, read at each scrape."""
    if source not in _sources:
        _sources.append(source)


async def oldest_due(table: Any, job: str, now: datetime) -> Figure:
    """How long the oldest pending row of a job's queue (`status`, `next_attempt_at`: the
    reminder ledger, webhook deliveries) that is due has waited for a worker."""
    oldest = (
        await table.select(table.next_attempt_at)
        .where(table.status == "pending")
        .where(table.next_attempt_at <= now)
        .order_by(table.next_attempt_at)
        .first()
    )
    return Figure(
        "oldest_due_job_seconds",
        "how long the oldest job that is due has waited for a worker",
        (now - oldest["next_attempt_at"]).total_seconds() if oldest else 0.0,
        {"job": job},
    )


def prometheus_config() -> PrometheusConfig:
    return PrometheusConfig(
        app_name="incubator",
        prefix="incubator",
        group_path=True,
        exclude=["^/metrics", "^/static/"],
    )


async def _pool() -> list[Figure]:
    stats = db.pool_stats()
    return [
        Figure("db_connections", "database connections of this worker, by state", v, {"state": k})
        for k, v in stats.items()
    ]


class _Figures:
    """A collector of figures read before the scrape (collectors cannot await)."""

    def __init__(self, figures: list[Figure]) -> None:
        self.figures = figures

    def collect(self):
        families: dict[str, GaugeMetricFamily] = {}
        for figure in self.figures:
            family = families.get(figure.name)
            if family is None:
                family = families[figure.name] = GaugeMetricFamily(
                    f"incubator_{figure.name}", figure.help, labels=sorted(figure.labels)
                )
            family.add_metric([figure.labels[k] for k in sorted(figure.labels)], figure.value)
        yield from families.values()


def allowed(request: Request) -> bool:
    settings = request.app.state.settings
    token = settings.metrics_token
    given = request.headers.get("authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    try:
        client = ipaddress.ip_address(request.client.host if request.client else "")
    except ValueError:
        return False
    return any(client in network for network in settings.metrics_allow)


class MetricsController(PrometheusController):
    path = "/metrics"
    include_in_schema = False

    @get(summary="Prometheus metrics")
    async def get(self, request: Request) -> Response:  # type: ignore[override]
        if not allowed(request):
            raise Forbidden(
                "metrics are served to the addresses in INCUBATOR_METRICS_ALLOW, or with "
                "INCUBATOR_METRICS_TOKEN as a bearer token"
            )
        figures = []
        for source in _sources:
            figures += await source()
        figures += await _pool()
        registry = REGISTRY
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        own = CollectorRegistry()
        own.register(_Figures(figures))  # type: ignore[arg-type]
        return Response(
            generate_latest(registry) + generate_latest(own),
            # The text format every Prometheus reads (the names need no escaping).
            headers={"Content-Type": CONTENT_TYPE_PLAIN_0_0_4, "Cache-Control": "no-store"},
        )
