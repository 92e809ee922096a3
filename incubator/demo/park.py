"""A demo park that looks like Cyberport: centres, hubs, 2,000+ start-ups, teams, users.

Deterministic: the same --startups and --seed give the same park, row for row.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from centres.tables import Lease, Unit
from events.academy.tables import AssessmentScore, Certificate, SessionAttendance
from events.tables import Event, EventCluster, Registration
from incubator.auth.services.passwords import hash_password
from incubator.auth.tables import Role, User
from incubator.db import analyze, is_postgres, write_transaction
from incubator.db.bulk import bulk_load_cache, indexes_deferred
from incubator.demo.academy import build_academy
from incubator.demo.centres import build_space
from incubator.demo.events import build_events, park_scale
from incubator.demo.funding import build_funding
from incubator.demo.partners import build_partners, make_exports
from incubator.demo.programmes import build_programmes
from incubator.demo.reference import CENTRES, build_reference_data
from incubator.demo.rooms import build_rooms
from incubator.demo.startups import build_startups
from incubator.i18n import today_hk
from incubator.partners.tables import ConsentChange, PartnerMembership, PartnerPark, SharingConsent
from incubator.startups.services.reference import forget_choice_lists
from incubator.startups.tables import (
    Cluster,
    ManagerAssignment,
    Programme,
    Startup,
    StartupAffiliation,
    StartupCluster,
    StartupMembership,
    StartupProgramme,
    TeamMember,
)

DEMO_PASSWORD = "cyberport-demo"  # noqa: S105 - printed for the demo park only

# The tables the demo fills in bulk: their indexes and checks are built once, after the load.
BULK_LOADED = (
    Startup,
    StartupCluster,
    StartupAffiliation,
    StartupProgramme,
    TeamMember,
    Unit,
    Lease,
    Event,
    EventCluster,
    Registration,
    SessionAttendance,
    AssessmentScore,
    Certificate,
    SharingConsent,
    ConsentChange,
)


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    note: str


async def database_is_empty() -> bool:
    return not await Startup.exists() and not await User.exists()


async def _coherent() -> None:
    """What the demo's separate builders drew, made to agree: no start-up founded after its
    first lease began, and a team at least as large as the start-up's member accounts."""
    year = (
        "EXTRACT(YEAR FROM l.starts_on)::int"
        if is_postgres()
        else "CAST(substr(l.starts_on, 1, 4) AS INTEGER)"
    )
    first_lease = f"(SELECT MIN({year}) FROM lease l WHERE l.startup = startup.id)"
    await Startup.raw(
        f"UPDATE startup SET founded_year = {first_lease} WHERE founded_year > {first_lease}"
    )
    accounts = "(SELECT COUNT(*) FROM startup_membership m WHERE m.startup = startup.id)"
    await Startup.raw(f"UPDATE startup SET team_size = {accounts} WHERE team_size < {accounts}")


async def build_demo_park(
    startups: int = 2000, seed: int = 2023, progress: Callable[[str], None] | None = None
) -> list[DemoLogin]:
    """Fill an empty database with the demo park; returns the demo logins."""
    say = progress or (lambda _message: None)
    rng = random.Random(seed)
    password_hash = await hash_password(DEMO_PASSWORD)
    async with write_transaction(), bulk_load_cache():
        centre_ids = await build_reference_data()
        cluster_ids = {c["slug"]: c["id"] for c in await Cluster.select(Cluster.id, Cluster.slug)}
        programme_ids = {
            p["slug"]: p["id"] for p in await Programme.select(Programme.id, Programme.slug)
        }
        say(f"reference data: {len(centre_ids)} centres and hubs, {len(cluster_ids)} clusters")
        async with indexes_deferred(*BULK_LOADED):
            onsite, offsite = await build_startups(
                rng, startups, centre_ids, cluster_ids, programme_ids, say
            )
            await build_space(seed, today_hk(), onsite, offsite, centre_ids, say)
            logins = await _users(rng, startups, centre_ids, password_hash)
            scale = park_scale(startups)
            codes = await build_events(seed, today_hk(), centre_ids, cluster_ids, say, scale)
            await build_academy(seed, today_hk(), centre_ids, say, scale, codes)
            await build_rooms(seed, today_hk(), centre_ids, say, scale)
            reviewers = await build_programmes(
                seed, today_hk(), centre_ids, password_hash, say, startups
            )
            logins += [DemoLogin(*login) for login in reviewers]
            await build_funding(seed, today_hk(), say, startups)
            exports = await build_partners(seed, today_hk(), say)
        say("indexes and constraints built")
        await _coherent()
        if is_postgres():
            for table in (
                "startup",
                "team_member",
                "startup_programme",
                "startup_cluster",
                "startup_affiliation",
                "app_user",
                "building",
                "unit",
                "lease",
                "venue",
                "event",
                "event_cluster",
                "registration",
                "sharing_consent",
                "consent_change",
                "export_item",
                "course",
                "course_prerequisite",
                "session_attendance",
                "assessment_score",
                "certificate",
                "room_booking",
                "room_credit_month",
                "room_credit_entry",
                "programme_call",
                "programme_application",
                "programme_grant",
                "grant_milestone",
                "grant_claim",
                "payment_batch",
            ):
                await Startup.raw(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
    await make_exports(exports, say)
    await analyze()
    forget_choice_lists()  # the park's reference data is new
    say(f"users: {len(logins)} demo logins")
    return logins


async def _users(
    rng, startups: int, centre_ids: dict[str, int], password_hash: str
) -> list[DemoLogin]:
    logins: list[DemoLogin] = []

    async def user(email: str, name: str, role: Role, note: str, language: str = "en") -> int:
        rows = await User.insert(
            User(
                email=email,
                name=name,
                password_hash=password_hash,
                role=role.value,
                language=language,
            )
        ).returning(User.id)
        logins.append(DemoLogin(role.value, email, note))
        return rows[0]["id"]

    await user("admin@cyberport.example", "Park Administrator", Role.admin, "the whole park")
    for slug, en, *_ in CENTRES:
        uid = await user(f"manager.{slug}@cyberport.example", f"{en} Manager", Role.manager, en)
        await ManagerAssignment.insert(ManagerAssignment(user=uid, centre=centre_ids[slug]))
    uid = await user(
        "manager.web3hub@cyberport.example", "Web3Hub Manager", Role.manager, "Web3Hub@Cyberport"
    )
    await ManagerAssignment.insert(ManagerAssignment(user=uid, centre=centre_ids["web3hub"]))
    founders = (
        await Startup.select(Startup.id, Startup.slug, Startup.name_en)
        .order_by(Startup.id)
        .limit(min(startups, 25))
    )
    for index, row in enumerate(founders):
        uid = await user(
            f"founder@{row['slug']}.example",
            f"Founder of {row['name_en']}",
            Role.member,
            row["name_en"],
            language="zh-Hant" if index % 3 == 2 else "en",
        )
        await StartupMembership.insert(StartupMembership(startup=row["id"], user=uid, role="owner"))
    for name, country, city, website, email in [
        (
            "Shanghai Lingang Group",
            "Mainland China",
            "Shanghai",
            "https://lingang.example",
            "partner@lingang.example",
        ),
        (
            "Dubai Future Foundation",
            "United Arab Emirates",
            "Dubai",
            "https://dff.example",
            "partner@dff.example",
        ),
        (
            "Qianhai Authority",
            "Mainland China",
            "Shenzhen",
            "https://qianhai.example",
            "partner@qianhai.example",
        ),
    ]:
        rows = await PartnerPark.insert(
            PartnerPark(name=name, country=country, city=city, website=website)
        ).returning(PartnerPark.id)
        uid = await user(email, f"{name} liaison", Role.partner, name)
        await PartnerMembership.insert(PartnerMembership(user=uid, partner=rows[0]["id"]))
    return logins
