"""Targets judged against the framework floor measured in the same run (issue 29, point 5).

The same code ran twice as slow on some days as on others on the project's machine (the
framework floor, `/health/live` served by one worker, went from 0.55 to 2.8 ms p50 between
runs), so a figure in milliseconds says as much about the day as about the code. Each
target is stated at the floor of the run it was set against (`REFERENCE_MS`, the seventh
pass of the scale benchmark, 2026-12-02, whose figures the issue's targets were written
from) and scales with the floor measured now: twice as long on a machine half as fast, and
shorter on a faster one. Throughputs scale the other way.
"""

from __future__ import annotations

from bench.directory import measure

REFERENCE_MS = 0.75  # /health/live p50, unloaded: 0.8 (SQLite) and 0.7 ms (PostgreSQL)


async def floor_ms(base: str, requests: int = 400) -> float:
    """The unloaded p50 of `/health/live`: the app's framework, no database work."""
    return (await measure(base, ["/health/live"], requests, 1))["p50"]


class Targets:
    """Targets at this run's floor: `ms(50)` is what 50 ms at the reference floor is now."""

    def __init__(self, floor: float) -> None:
        self.floor = floor
        self.factor = floor / REFERENCE_MS

    def ms(self, target: float) -> float:
        return target * self.factor

    def per_second(self, target: float) -> float:
        return target / self.factor

    def line(self) -> str:
        return (
            f"# framework floor {self.floor:.2f} ms p50 (targets set at {REFERENCE_MS} ms): "
            f"targets x{self.factor:.2f}"
        )
