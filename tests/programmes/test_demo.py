"""The demo park's programme intake: two past calls decided, one open call under way, and
what the past calls admitted agrees with the start-ups' profiles."""

from __future__ import annotations

from incubator.demo.park import build_demo_park
from incubator.programmes.tables import Application, Call, Review
from incubator.startups.tables import StartupProgramme


async def test_the_demo_has_past_calls_decided_and_an_open_call_under_way(settings):
    await build_demo_park(startups=400, seed=3)
    calls = {c["id"]: c for c in await Call.select(Call.id, Call.closes_at, Call.programme)}
    assert len(calls) == 3
    rows = await Application.select(Application.call, Application.status, Application.startup)
    by_call: dict[int, set[str]] = {}
    for row in rows:
        by_call.setdefault(row["call"], set()).add(row["status"])
    assert {"admitted", "declined"} <= by_call[1] and {"admitted", "declined"} <= by_call[2]
    assert {"draft", "submitted"} <= by_call[3] and "admitted" not in by_call[3]
    statuses = {r["status"] for r in await Review.select(Review.status).where(Review.call == 3)}
    assert "scored" in statuses and statuses & {"pending", "open"}
    for row in rows:
        if row["status"] == "admitted":
            assert await StartupProgramme.exists().where(
                (StartupProgramme.startup == row["startup"])
                & (StartupProgramme.programme == calls[row["call"]]["programme"])
            )
