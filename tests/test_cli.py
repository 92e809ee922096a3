"""The `incubator` command, run as a real process against each engine's test database."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from incubator.auth.tables import User, UserSession
from incubator.demo.park import build_demo_park
from incubator.i18n import today_hk
from incubator.startups.services.onsite import count_onsite
from incubator.startups.tables import Startup, StartupAffiliation, StartupCluster, TeamMember
from tests.conftest import clear_tables, login
from tests.startups.test_import import GOOD


def run_cli(settings, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = os.environ | {"INCUBATOR_DATABASE_URL": settings.database_url} | (env or {})
    return subprocess.run(
        [sys.executable, "-m", "incubator.cli", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
        check=False,
    )


async def dump() -> list:
    return [
        await Startup.select().order_by(Startup.id),
        await StartupCluster.select(StartupCluster.startup, StartupCluster.cluster).order_by(
            StartupCluster.id
        ),
        await StartupAffiliation.select(
            StartupAffiliation.startup, StartupAffiliation.centre
        ).order_by(StartupAffiliation.id),
        await TeamMember.select().order_by(TeamMember.id),
    ]


async def test_demo_park_is_deterministic(settings):
    await build_demo_park(startups=200, seed=11)
    first = await dump()
    await clear_tables()
    await build_demo_park(startups=200, seed=11)
    assert await dump() == first


async def test_demo_park_has_the_shape_of_the_real_one(settings):
    from incubator.startups.tables import Centre

    await build_demo_park(startups=2000)
    total = await Startup.count()
    onsite = await count_onsite(today_hk())
    assert total == 2000 and 900 <= onsite <= 1000
    kinds = {c["slug"]: c["kind"] for c in await Centre.select(Centre.slug, Centre.kind)}
    assert sum(k == "centre" for k in kinds.values()) == 5 and kinds["web3hub"] == "hub"
    web3 = await Startup.raw(
        "SELECT COUNT(DISTINCT a.startup) AS n FROM startup_affiliation a "
        "JOIN centre c ON c.id = a.centre WHERE c.slug = 'web3hub'"
    )
    assert 150 <= web3[0]["n"] <= 330  # 210+ Web3 start-ups in the real park
    roles = {u["role"] for u in await User.select(User.role)}
    assert roles == {"admin", "manager", "member", "partner", "reviewer"}
    named = await Startup.count().where(Startup.name_zh != "")
    assert named == total


async def test_demo_space_makes_900_onsite_with_lease_ends_over_the_next_18_months(settings):
    from centres.tables import Building, Lease

    await build_demo_park(startups=2000)
    today = today_hk()
    assert {b["name_en"] for b in await Building.select(Building.name_en)} == {
        f"Cyberport {n}" for n in range(1, 5)
    }
    assert await count_onsite(today) >= 900
    in_force = await Lease.select(Lease.ends_on).where(
        (Lease.status != "draft") & (Lease.starts_on <= today) & (Lease.ends_on >= today)
    )
    months = {(row["ends_on"].year, row["ends_on"].month) for row in in_force}
    assert len(months) >= 17  # every month of the next 18 has leases ending
    assert max(row["ends_on"] for row in in_force) <= today + timedelta(days=548)
    assert await Lease.exists().where(Lease.renewal_of.is_not_null())
    assert await Lease.exists().where(Lease.terminated_on.is_not_null())


async def test_demo_command_fills_an_empty_database_and_refuses_a_full_one(settings):
    result = run_cli(settings, "demo", "--startups", "150")
    assert result.returncode == 0, result.stderr
    assert (
        "Demo park of 150 start-ups" in result.stdout and "admin@cyberport.example" in result.stdout
    )
    assert await Startup.count() == 150
    again = run_cli(settings, "demo", "--startups", "150")
    assert again.returncode == 1 and "already holds data" in again.stderr
    assert await Startup.count() == 150


async def test_migrate_command_reports_nothing_pending(settings):
    result = run_cli(settings, "migrate")
    assert result.returncode == 0 and "migrations applied" in result.stdout


async def test_import_command_checks_applies_and_shows_progress(settings, park, tmp_path: Path):
    from incubator.startups.tables import Cluster

    await Cluster.insert(Cluster(slug="ai-data", name_en="AI"))
    file = tmp_path / "startups.csv"
    file.write_text(GOOD, encoding="utf-8")
    dry = run_cli(settings, "import", "startups", str(file), "--dry-run")
    assert dry.returncode == 0 and "dry run, nothing applied" in dry.stdout
    assert not await Startup.exists().where(Startup.slug == "peak-vision")
    applied = run_cli(settings, "import", "startups", str(file))
    assert applied.returncode == 0 and "2 new" in applied.stdout
    assert "[##############################] 2/2" in applied.stderr
    again = run_cli(settings, "import", "startups", str(file))
    assert "0 new, 0 changed, 2 unchanged" in again.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("slug,name_en,centres\nok,OK,technology\n,,\n", encoding="utf-8")
    failed = run_cli(settings, "import", "startups", str(bad))
    assert failed.returncode == 1
    assert (
        "line 3: slug must be" in failed.stderr and "line 3: name_en is required" in failed.stderr
    )
    assert not await Startup.exists().where(Startup.slug == "ok")


async def test_users_command_creates_an_admin_and_resets_a_password(settings, park, client):
    created = run_cli(
        settings,
        "users",
        "create-admin",
        "--email",
        "Ops@Park.example",
        "--name",
        "Ops",
        env={"INCUBATOR_NEW_PASSWORD": "ops-password-long"},
    )
    assert created.returncode == 0, created.stderr
    await login(client, "ops@park.example", "ops-password-long")
    weak = run_cli(
        settings, "users", "create-admin", "--email", "x@park.example", "--password", "short"
    )
    assert weak.returncode == 1 and "at least 10 characters" in weak.stderr
    reset = run_cli(
        settings,
        "users",
        "reset-password",
        "--email",
        "ops@park.example",
        "--password",
        "another-long-password",
    )
    assert reset.returncode == 0
    assert await UserSession.count().where(UserSession.revoked_at.is_null()) == 0
    assert (await client.get("/account")).status_code == 303
    await login(client, "ops@park.example", "another-long-password")
    missing = run_cli(
        settings,
        "users",
        "reset-password",
        "--email",
        "nobody@park.example",
        "--password",
        "another-long-password",
    )
    assert missing.returncode == 1 and "no user with the email" in missing.stderr


async def test_a_bigger_park_has_proportionally_more_venues_events_and_enrolments(settings):
    """bench/ measures parks of 2,000 to 100,000 start-ups: the calendar and the Academy grow
    with the park (a set of venues and sixty events per 2,000 start-ups, every course run once
    per Academy Classroom), so a big park is not a small park's calendar with more start-ups."""
    from events.rooms.tables import BookableRoom
    from events.tables import Event, Registration, RoomBooking, Venue

    await build_demo_park(startups=4000)
    assert await Venue.count() == 16 + 10  # two sets of 8 venues and of 5 meeting rooms
    assert await BookableRoom.count() == 12  # the meeting rooms and each Partners' Room
    assert await RoomBooking.count() > 500
    assert await Venue.exists().where(Venue.name_en == "Academy Classroom 2")
    assert await Event.count().where(Event.kind == "event") == 120
    assert await Registration.count().where(Registration.email.like("%@visitor.example")) > 6000
    classrooms = await Event.raw(
        "SELECT COUNT(DISTINCT e.venue) AS n FROM event e JOIN venue v ON v.id = e.venue "
        "WHERE e.kind = 'session' AND v.name_en LIKE 'Academy Classroom%'"
    )
    assert classrooms[0]["n"] == 2
    # A park of 2,000 has about 5,000 Academy enrolments; twice the park, about twice as many.
    assert await Registration.count().where(Registration.email.like("%@academy.example")) > 9000


async def test_the_demo_park_agrees_with_itself(settings):
    """No start-up founded after its first lease, teams at least as large as their member
    accounts, and descriptions that differ enough for a search to choose among them."""
    await build_demo_park(startups=400, seed=5)
    early = await Startup.raw(
        "SELECT COUNT(*) AS n FROM startup s JOIN lease l ON l.startup = s.id "
        "WHERE s.founded_year > CAST(substr(CAST(l.starts_on AS TEXT), 1, 4) AS INTEGER)"
    )
    assert early[0]["n"] == 0
    small = await Startup.raw(
        "SELECT COUNT(*) AS n FROM startup s WHERE s.team_size < "
        "(SELECT COUNT(*) FROM startup_membership m WHERE m.startup = s.id)"
    )
    assert small[0]["n"] == 0
    everywhere = await Startup.count().where(Startup.description_en.like("%Hong Kong%"))
    assert everywhere < 0.8 * await Startup.count()
    openings = {
        d["description_en"].split(" ", 2)[1] for d in await Startup.select(Startup.description_en)
    }
    assert len(openings) > 10
