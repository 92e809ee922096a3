"""Fixtures: every database test runs on SQLite and on PostgreSQL, against the real app.

The app runs on the test's own event loop through httpx's ASGITransport, so the test and
the app share one engine and one connection pool. On CI (CI=true) PostgreSQL is required.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
import pytest

_VAR = Path(tempfile.mkdtemp(prefix="incubator-tests-"))
os.environ.setdefault("INCUBATOR_VAR_DIR", str(_VAR))
os.environ.setdefault("INCUBATOR_SECRET_KEY", "test-secret-key-not-for-production")
os.environ["PICCOLO_CONF"] = "incubator.piccolo_conf"

from incubator import db  # noqa: E402
from incubator.settings import Settings, load_settings  # noqa: E402

PG_ADMIN_DSN = os.environ.get(
    "INCUBATOR_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/test"
)
PASSWORD = "correct-horse-battery"
ON_CI = os.environ.get("CI", "").lower() == "true"


def pg_dsn(name: str) -> str:
    return PG_ADMIN_DSN.rsplit("/", 1)[0] + "/" + name


async def postgres_available() -> str | None:
    import asyncpg

    try:
        conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
    except Exception as exc:
        return str(exc)
    await conn.close()
    return None


async def recreate_pg_database(name: str) -> str:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return pg_dsn(name)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test (or a parameter of one) marked `one_engine(name)` runs on that engine only: the
    browser journeys, each driving pages over services whose rules the API tests check on
    both engines, shared out so that each engine carries half of them; and the quick-mail run
    of two schedulers at once (tests/reminders/test_reminder_processes.py)."""
    kept, left = [], []
    for item in items:
        marker = item.get_closest_marker("one_engine")
        spec = getattr(item, "callspec", None)
        engine = spec.params.get("database") if spec else None
        on = marker is None or engine is None or engine == marker.args[0]
        (kept if on else left).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
async def database(request: pytest.FixtureRequest) -> AsyncIterator[Settings]:
    """A freshly migrated database of each engine, bound to the tables for the session."""
    if request.param == "postgres":
        problem = await postgres_available()
        if problem:
            if ON_CI:
                pytest.fail(f"PostgreSQL is required on CI but unreachable: {problem}")
            pytest.skip(f"PostgreSQL unreachable: {problem}")
        url = await recreate_pg_database(f"incubator_test_{os.getpid()}")
    else:
        url = f"sqlite:///{_VAR / f'test-{os.getpid()}.sqlite3'}"
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    # Test receivers listen on loopback over plain http: the one host webhooks may reach so.
    settings = replace(load_settings(), database_url=url, webhook_allowed_hosts=("127.0.0.1",))
    engine = db.make_engine(url)
    db.use_engine(engine)
    await db.prepare_engine(engine)
    await db.migrate()
    await db.start_pool(engine, 1, 20)
    try:
        yield settings
    finally:
        await db.close_pool(engine)
        await _remove_database(request.param, url)


async def _remove_database(engine_name: str, url: str) -> None:
    """Leave nothing behind: CI runs on a machine whose PostgreSQL outlives the run."""
    if engine_name == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
        return
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    finally:
        await conn.close()


async def clear_tables() -> None:
    from piccolo.apps.migrations.tables import Migration

    from incubator.startups.services.reference import forget_choice_lists

    forget_choice_lists()  # the reference data goes too

    names = [t._meta.tablename for t in db.all_tables() if t is not Migration]
    engine = db.current_engine()
    from incubator.startups.tables import Centre

    if db.is_postgres(engine):
        quoted = ", ".join(f'"{n}"' for n in names)
        async with engine.transaction():
            # The audit trail refuses TRUNCATE (append-only): its triggers step aside here.
            await Centre.raw("SET LOCAL session_replication_role = replica")
            await Centre.raw(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
    else:
        async with db.write_transaction():
            # Checked at commit, when every table is empty, whatever the order of deletes.
            await Centre.raw("PRAGMA defer_foreign_keys = ON")
            # The audit trail refuses deletes (append-only), a paid claim any change (deleting
            # its reviewer would clear their name from it): their triggers step aside here.
            triggers = await Centre.raw(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name IN ('audit_entry', 'grant_claim')"
            )
            for trigger in triggers:
                await Centre.raw(f'DROP TRIGGER "{trigger["name"]}"')
            for name in names:
                await Centre.raw(f'DELETE FROM "{name}"')
            for trigger in triggers:
                await Centre.raw(trigger["sql"])


async def schema_objects() -> set[tuple]:
    """Every index, trigger and table constraint, with its definition."""
    from incubator.startups.tables import Centre

    if db.is_postgres():
        indexes = await Centre.raw(
            "SELECT tablename, indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = current_schema()"
        )
        constraints = await Centre.raw(
            "SELECT conrelid::regclass::text AS tbl, conname, pg_get_constraintdef(oid) AS def "
            "FROM pg_constraint WHERE connamespace = current_schema()::regnamespace"
        )
        return {tuple(row.values()) for row in indexes + constraints}
    rows = await Centre.raw(  # less the planner's statistics, which ANALYZE adds
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_stat%'"
    )
    return {tuple(row.values()) for row in rows}


@pytest.fixture
async def settings(database: Settings) -> AsyncIterator[Settings]:
    """An empty database (all rows removed) for one test."""
    await clear_tables()
    yield database


@pytest.fixture
def engine_name(database: Settings) -> str:
    return database.engine_name


@dataclass
class Park:
    """A small known park: two centres and a hub, three start-ups, a user of every role."""

    centres: dict[str, int]
    clusters: dict[str, int]
    startups: dict[str, int]
    users: dict[str, str]  # role key -> email
    units: dict[str, int]  # code -> id, all in Cyberport 1
    leases: dict[str, int]  # start-up slug -> its lease in force
    partners: dict[str, int]  # "lingang" -> the partner park of the partner user


_HASH: list[str] = []


def password_hash() -> str:
    from incubator.auth.services.passwords import HASHER

    if not _HASH:
        _HASH.append(HASHER.hash(PASSWORD))
    return _HASH[0]


@pytest.fixture
async def park(settings: Settings) -> Park:
    from incubator.auth.tables import User
    from incubator.partners.tables import PartnerMembership, PartnerPark
    from incubator.startups.services import profiles as services
    from incubator.startups.services import reference
    from incubator.startups.tables import (
        Centre,
        Cluster,
        ManagerAssignment,
        Programme,
        StartupMembership,
    )

    centres = {}
    for slug, kind, en, zh in [
        ("entrepreneurship", "centre", "Entrepreneurship Centre", "創業中心"),
        ("technology", "centre", "Technology Centre", "科技中心"),
        ("web3hub", "hub", "Web3Hub@Cyberport", "Web3Hub@數碼港"),
    ]:
        rows = await Centre.insert(Centre(slug=slug, kind=kind, name_en=en, name_zh=zh)).returning(
            Centre.id
        )
        centres[slug] = rows[0]["id"]
    clusters = {}
    for slug, en, zh in [
        ("fintech", "FinTech", "金融科技"),
        ("web3", "Web3", "Web3"),
        ("smart-living", "Smart Living", "智慧生活"),
    ]:
        rows = await Cluster.insert(Cluster(slug=slug, name_en=en, name_zh=zh)).returning(
            Cluster.id
        )
        clusters[slug] = rows[0]["id"]
    await Programme.insert(
        Programme(
            slug="cyberport-incubation",
            name_en="Cyberport Incubation Programme",
            name_zh="數碼港培育計劃",
            centre=centres["entrepreneurship"],
        )
    )
    users = {
        "admin": "admin@park.example",
        "manager": "manager@park.example",  # manages the Entrepreneurship Centre
        "other_manager": "tech.manager@park.example",  # manages the Technology Centre
        "member": "founder@harbour.example",  # member of Harbour Pay
        "other_member": "founder@lantern.example",  # member of Lantern Chain
        "partner": "partner@lingang.example",
    }
    roles = {
        "admin": "admin",
        "manager": "manager",
        "other_manager": "manager",
        "member": "member",
        "other_member": "member",
        "partner": "partner",
    }
    ids = {}
    for key, email in users.items():
        rows = await User.insert(
            User(
                email=email,
                name=key.replace("_", " ").title(),
                password_hash=password_hash(),
                role=roles[key],
            )
        ).returning(User.id)
        ids[key] = rows[0]["id"]
    await ManagerAssignment.insert(
        ManagerAssignment(user=ids["manager"], centre=centres["entrepreneurship"]),
        ManagerAssignment(user=ids["other_manager"], centre=centres["technology"]),
    )
    partner = await PartnerPark.insert(PartnerPark(name="Shanghai Lingang Group")).returning(
        PartnerPark.id
    )
    await PartnerMembership.insert(PartnerMembership(user=ids["partner"], partner=partner[0]["id"]))

    startups = {}
    specs = [
        (
            "harbour-pay",
            {
                "name_en": "Harbour Pay",
                "name_zh": "海港支付",
                "description_en": "Cross-border payments for SMEs.",
                "description_zh": "為中小企提供跨境支付方案。",
                "tags": ["payments", "b2b"],
                "clusters": ["fintech"],
                "centres": ["entrepreneurship"],
                "stage": "seed",
                "founded_year": 2019,
                "programmes": [
                    {
                        "programme": "cyberport-incubation",
                        "status": "incubating",
                        "started_on": "2024-01-01",
                    }
                ],
            },
        ),
        (
            "lantern-chain",
            {
                "name_en": "Lantern Chain",
                "name_zh": "燈籠區塊鏈",
                "description_en": "Tokenised real-world assets on a blockchain.",
                "description_zh": "以區塊鏈將現實資產代幣化。",
                "tags": ["blockchain"],
                "clusters": ["web3", "fintech"],
                "centres": ["technology", "web3hub"],
                "stage": "series_a",
                "founded_year": 2021,
            },
        ),
        (
            "bamboo-home",
            {
                "name_en": "Bamboo Home",
                "name_zh": "竹林家居",
                "description_en": "Smart building sensors for property managers.",
                "tags": ["iot"],
                "clusters": ["smart-living"],
                "centres": ["entrepreneurship"],
                "stage": "idea",
                "founded_year": 2024,
            },
        ),
    ]
    refs = await reference.references()
    from incubator.startups.services.validation import clean_profile, read_profile

    for slug, data in specs:
        async with db.write_transaction():
            startup_id = await services.insert_startup(data["name_en"], slug)
            read = read_profile(data)
            clean, errors = clean_profile(read.values, refs, services.today_hk())
            assert not (errors or read.errors), errors | read.errors
            await services.apply_changes(
                startup_id, await services.current_values(startup_id), clean, refs, None
            )
        startups[slug] = startup_id
    await StartupMembership.insert(
        StartupMembership(startup=startups["harbour-pay"], user=ids["member"], role="owner"),
        StartupMembership(
            startup=startups["lantern-chain"], user=ids["other_member"], role="owner"
        ),
    )
    units, leases = await _space(centres, startups)
    return Park(
        centres=centres,
        clusters=clusters,
        startups=startups,
        users=users,
        units=units,
        leases=leases,
        partners={"lingang": partner[0]["id"]},
    )


async def _space(centres: dict[str, int], startups: dict[str, int]):
    """Cyberport 1 with four units; Harbour Pay leases 3F-01 (so it is the onsite one)."""
    from datetime import timedelta

    from centres.tables import Building, Lease, Unit
    from incubator.i18n import today_hk

    building = await Building.insert(
        Building(slug="cyberport-1", name_en="Cyberport 1", name_zh="數碼港一座")
    ).returning(Building.id)
    units = {}
    for code, centre, kind, area, rent in [
        ("3F-01", "entrepreneurship", "private_office", 800, 28_000_00),
        ("3F-02", "entrepreneurship", "private_office", 600, 21_000_00),
        ("5F-D01", "technology", "coworking_desk", 50, 3_200_00),
        ("2F-L01", "web3hub", "lab", 1200, 50_000_00),
    ]:
        rows = await Unit.insert(
            Unit(
                building=building[0]["id"],
                centre=centres[centre],
                code=code,
                floor=int(code.split("F")[0]),
                kind=kind,
                area_sqft=area,
                list_rent_cents=rent,
            )
        ).returning(Unit.id)
        units[code] = rows[0]["id"]
    today = today_hk()
    rows = await Lease.insert(
        Lease(
            unit=units["3F-01"],
            startup=startups["harbour-pay"],
            starts_on=today - timedelta(days=200),
            ends_on=today + timedelta(days=100),
            contract_ends_on=today + timedelta(days=100),
            monthly_rent_cents=27_500_00,
            deposit_cents=55_000_00,
            status="active",
        )
    ).returning(Lease.id)
    return units, {"harbour-pay": rows[0]["id"]}


@pytest.fixture(scope="session")
def engine_app(database: Settings):
    """One app per engine for the whole run: building it (routes, signature models, the
    OpenAPI document) takes about half a second, which each of 400 tests paid before. It
    keeps nothing between tests that the database does not: each test still starts from
    empty tables."""
    from incubator.app import create_app

    return create_app(database, manage_engine=False)


@pytest.fixture
async def app(settings: Settings, engine_app):
    return engine_app


def make_client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 50000)),
        base_url="http://testserver",
        follow_redirects=False,
    )


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(app) as c:
        yield c


def csrf_token(client: httpx.AsyncClient) -> str:
    token = client.cookies.get("csrftoken")
    assert token, "no CSRF cookie yet: GET a page first"
    return token


async def post_form(
    client: httpx.AsyncClient, url: str, data: dict | None = None, files: dict | None = None
) -> httpx.Response:
    """Submit a form as a browser does: with the CSRF token the page handed out."""
    if not client.cookies.get("csrftoken"):
        await client.get("/login")
    payload = dict(data or {})
    payload["_csrf_token"] = csrf_token(client)
    return await client.post(url, data=payload, files=files)


async def login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    await client.get("/login")
    response = await post_form(
        client, "/login", {"email": email, "password": password, "next": "/"}
    )
    assert response.status_code == 303, response.text
    # As a browser does: the page after the log-in gives the new CSRF token.
    await client.get(response.headers["location"])
    return response


async def api(client: httpx.AsyncClient, method: str, url: str, **kwargs) -> httpx.Response:
    """An API call as the app's own pages make it: session cookie plus X-CSRFToken."""
    headers = kwargs.pop("headers", {})
    if method.upper() in {"POST", "PUT", "PATCH", "DELETE"} and client.cookies.get("csrftoken"):
        headers["X-CSRFToken"] = client.cookies.get("csrftoken")
    return await client.request(method, url, headers=headers, **kwargs)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
