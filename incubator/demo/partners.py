"""The demo park's partner network: contacts, MOUs (one expiring soon, one renewed), consents
from about a fifth of the start-ups with their history, a referral pipeline both ways, and
one logged export per partner, so every partner page has content."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from incubator.auth.schemas import Viewer
from incubator.auth.tables import Role, User
from incubator.db.bulk import bulk_insert
from incubator.partners.services.consent import FIELDS
from incubator.partners.services.exports import create_export
from incubator.partners.tables import (
    ConsentChange,
    Mou,
    MouCluster,
    PartnerContact,
    PartnerPark,
    Referral,
    ReferralNote,
    SharingConsent,
)
from incubator.startups.tables import Cluster, Startup

PARTNERS = {
    # name: (Chinese name, contact, title, clusters in scope, stages, markets, quota, days left)
    "Shanghai Lingang Group": (
        "上海臨港集團",
        "Wang Li",
        "Director, International Cooperation",
        [],
        [],
        "Mainland China,Yangtze River Delta",
        None,
        60,
    ),
    "Dubai Future Foundation": (
        "杜拜未來基金會",
        "Aisha Rahman",
        "Head of Partnerships",
        ["web3", "fintech"],
        ["seed", "series_a", "series_b_plus", "growth"],
        "Middle East,GCC",
        40,
        500,
    ),
    "Qianhai Authority": (
        "前海管理局",
        "Chen Wei",
        "Innovation Officer",
        ["smart-living", "ai"],
        [],
        "Greater Bay Area",
        None,
        900,
    ),
}
OPTIONAL_FIELDS = [f for f in FIELDS if f != "name"]
STATUS_MIX = ["proposed", "introduced", "in_discussion", "landed", "declined", "withdrawn"]
INBOUND = {
    "Shanghai Lingang Group": [
        ("Pudong Robotics", "Mainland China"),
        ("Lingang Smart Port", "Mainland China"),
    ],
    "Dubai Future Foundation": [
        ("Desert Ledger", "United Arab Emirates"),
        ("Falcon Pay", "United Arab Emirates"),
    ],
    "Qianhai Authority": [
        ("Qianhai Health Data", "Mainland China"),
        ("Shekou Mobility", "Mainland China"),
    ],
}


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


@dataclass(frozen=True)
class Export:
    viewer: Viewer
    partner: int
    format: str


async def build_partners(seed: int, today: date, say: Callable[[str], None]) -> list[Export]:
    """Partner parks, MOUs, consents and referrals; returns the exports to make once the park
    is committed."""
    rng = random.Random(seed + 6)
    exports: list[Export] = []
    clusters = {c["slug"]: c["id"] for c in await Cluster.select(Cluster.id, Cluster.slug)}
    admin = await User.select(User.id, User.name, User.role).where(User.role == "admin").first()
    collab = (
        await User.select(User.id, User.name, User.role)
        .where(User.email == "manager.collaboration@cyberport.example")
        .first()
    ) or admin
    startup_ids = [
        r["id"]
        for r in await Startup.select(Startup.id)
        .where(Startup.status == "active")
        .order_by(Startup.id)
    ]
    consents = changes = referrals = 0
    for park in await PartnerPark.select(PartnerPark.id, PartnerPark.name).order_by(PartnerPark.id):
        spec = PARTNERS.get(park["name"])
        if spec is None:
            continue
        name_zh, contact, title, scope, stages, markets, quota, days_left = spec
        await PartnerPark.update({PartnerPark.name_zh: name_zh}).where(PartnerPark.id == park["id"])
        await PartnerContact.insert(
            PartnerContact(
                partner=park["id"],
                name=contact,
                title=title,
                email=f"{contact.split()[0].lower()}@{park['name'].split()[0].lower()}.example",
            )
        )
        expires = today + timedelta(days=days_left)
        first = await Mou.insert(
            Mou(
                partner=park["id"],
                title=f"{park['name']} soft-landing MOU",
                signed_on=expires - timedelta(days=3 * 365 + 1) - timedelta(days=2 * 365),
                expires_on=expires - timedelta(days=3 * 365 + 1),
                status="active",
                yearly_quota=quota,
                stages=",".join(stages),
                markets=markets,
                created_by=collab["id"],
            )
        ).returning(Mou.id)
        current = await Mou.insert(
            Mou(
                partner=park["id"],
                title=f"{park['name']} soft-landing MOU",
                signed_on=expires - timedelta(days=3 * 365),
                expires_on=expires,
                status="active",
                yearly_quota=quota,
                stages=",".join(stages),
                markets=markets,
                renewal_of=first[0]["id"],
                created_by=collab["id"],
            )
        ).returning(Mou.id)
        for mou in (first[0]["id"], current[0]["id"]):
            for slug in scope:
                if slug in clusters:
                    await MouCluster.insert(MouCluster(mou=mou, cluster=clusters[slug]))

        chosen = [s for s in startup_ids if rng.random() < 0.2]
        rows, history = [], []
        for startup in chosen:
            fields = ["name"] + sorted(rng.sample(OPTIONAL_FIELDS, rng.randint(1, 5)))
            fields = [f for f in FIELDS if f in fields]
            granted = _at(today - timedelta(days=rng.randint(5, 400)))
            fate = rng.random()
            withdrawn = _at(today - timedelta(days=rng.randint(1, 4))) if fate < 0.05 else None
            expiry = None
            if 0.05 <= fate < 0.10:
                expiry = today - timedelta(days=rng.randint(1, 60))  # ran out
            elif fate > 0.8:
                expiry = today + timedelta(days=rng.randint(30, 700))
            rows.append((startup, park["id"], ",".join(fields), expiry, granted, withdrawn))
            history.append((startup, park["id"], "granted", ",".join(fields), expiry, granted))
            if withdrawn:
                history.append((startup, park["id"], "withdrawn", "", None, withdrawn))
        await bulk_insert(
            SharingConsent,
            ("startup", "partner", "fields", "expires_on", "granted_at", "withdrawn_at"),
            rows,
        )
        await bulk_insert(
            ConsentChange,
            ("startup", "partner", "action", "fields", "expires_on", "changed_at"),
            history,
        )
        consents += len(rows)
        changes += len(history)

        live = [r[0] for r in rows if r[5] is None and (r[3] is None or r[3] >= today)]
        for startup in rng.sample(live, min(len(live), 14)):
            status = rng.choice(STATUS_MIX)
            created = _at(today - timedelta(days=rng.randint(3, 300)))
            ref = await Referral.insert(
                Referral(
                    direction="outbound",
                    partner=park["id"],
                    mou=current[0]["id"],
                    startup=startup,
                    summary="Looking for a soft landing and pilot customers.",
                    status=status,
                    created_by=collab["id"],
                    created_at=created,
                    updated_at=created + timedelta(days=2),
                )
            ).returning(Referral.id)
            await _notes(ref[0]["id"], collab, status, created)
            referrals += 1
        for company, country in INBOUND[park["name"]]:
            status = rng.choice(STATUS_MIX[:5])
            created = _at(today - timedelta(days=rng.randint(3, 200)))
            ref = await Referral.insert(
                Referral(
                    direction="inbound",
                    partner=park["id"],
                    mou=current[0]["id"],
                    company_name=company,
                    company_country=country,
                    contact_name="Founder",
                    summary="Wants to open a Hong Kong office in the park.",
                    status=status,
                    created_at=created,
                    updated_at=created + timedelta(days=3),
                )
            ).returning(Referral.id)
            await _notes(ref[0]["id"], collab, status, created)
            referrals += 1

        # An export made by the Collaboration Centre's manager, logged like any other.
        viewer = Viewer(user_id=collab["id"], name=collab["name"], role=Role(collab["role"]))
        exports.append(Export(viewer, park["id"], rng.choice(["csv", "xlsx", "json"])))
    say(
        f"partners: {len(PARTNERS)} parks with MOUs, {consents:,} consents "
        f"({changes:,} changes), {referrals} referrals"
    )
    return exports


async def make_exports(exports: list[Export], say: Callable[[str], None]) -> None:
    """The partners' exports, each in its own transactions as any export is made (after the
    park is committed: an export streams its rows while it stores its file)."""
    for export in exports:
        await create_export(export.viewer, export.partner, export.format)
    say(f"exports: {len(exports)} made, one per partner")


async def _notes(referral_id: int, author: dict, status: str, created: datetime) -> None:
    path = STATUS_MIX[: STATUS_MIX.index(status) + 1] if status in STATUS_MIX[:4] else ["proposed"]
    if status not in path:
        path.append(status)
    previous = ""
    for step, state in enumerate(path):
        await ReferralNote.insert(
            ReferralNote(
                referral=referral_id,
                author=author["id"],
                author_name=author["name"],
                status_from=previous,
                status_to=state,
                created_at=created + timedelta(days=step),
            )
        )
        previous = state
