"""The demo park's space: Cyberport 1-4, their units, and leases that make 900+ start-ups
onsite, with lease ends spread over the next 18 months so renewals and reminders have work."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import date, timedelta

from centres.tables import Building, Lease, Unit
from incubator.db.bulk import bulk_insert

BUILDINGS = [
    ("cyberport-1", "Cyberport 1", "數碼港一座", 10),
    ("cyberport-2", "Cyberport 2", "數碼港二座", 8),
    ("cyberport-3", "Cyberport 3", "數碼港三座", 8),
    ("cyberport-4", "Cyberport 4", "數碼港四座", 6),
]
KINDS = [("private_office", 0.55), ("coworking_desk", 0.35), ("lab", 0.10)]
# Who manages a unit: mostly the Campus Development Centre, the rest by centres and hubs.
MANAGING = [
    ("campus-development", 0.55),
    ("entrepreneurship", 0.15),
    ("technology", 0.08),
    ("web3hub", 0.08),
    ("fintech-hub", 0.06),
    ("ai-supercomputing", 0.04),
    ("smart-living-hub", 0.04),
]
VACANCY = 0.12  # share of units left vacant
TERMS = (365, 730, 1095)


def _pick(rng: random.Random, weighted: Sequence[tuple[str, float]]) -> str:
    return rng.choices([k for k, _ in weighted], weights=[w for _, w in weighted])[0]


def _unit_figures(rng: random.Random, kind: str) -> tuple[int, int]:
    """Area in square feet and list rent in HKD cents a month."""
    if kind == "coworking_desk":
        return 50, rng.choice((2800, 3200, 3500)) * 100
    if kind == "lab":
        area = rng.randrange(800, 3000, 50)
        return area, area * rng.choice((38, 42, 45)) * 100
    area = rng.randrange(250, 2000, 25)
    return area, area * rng.choice((32, 35, 38, 40)) * 100


async def build_space(
    seed: int,
    today: date,
    onsite: list[int],
    offsite: list[int],
    centre_ids: dict[str, int],
    say: Callable[[str], None],
) -> None:
    rng = random.Random(seed * 7919 + 3)
    for order, (slug, en, zh, _floors) in enumerate(BUILDINGS):
        await Building.insert(Building(slug=slug, name_en=en, name_zh=zh, sort_order=order))
    building_ids = {b["slug"]: b["id"] for b in await Building.select(Building.id, Building.slug)}

    second_units = [s for s in onsite if rng.random() < 0.08]
    needed = len(onsite) + len(second_units)
    total_units = int(needed / (1 - VACANCY)) + 1
    capacity = sum(floors for *_, floors in BUILDINGS)
    per_floor = -(-total_units // capacity)
    units: list[tuple] = []
    unit_id = 0
    for slug, _en, _zh, floors in BUILDINGS:
        for floor in range(1, floors + 1):
            for number in range(1, per_floor + 1):
                if unit_id >= total_units:
                    break
                unit_id += 1
                kind = _pick(rng, KINDS)
                area, rent = _unit_figures(rng, kind)
                prefix = {"coworking_desk": "D", "lab": "L"}.get(kind, "")
                units.append(
                    (
                        unit_id,
                        building_ids[slug],
                        centre_ids[_pick(rng, MANAGING)],
                        f"{floor}F-{prefix}{number:03d}",
                        floor,
                        kind,
                        area,
                        rent,
                        "available",
                    )
                )
    await bulk_insert(
        Unit,
        (
            "id",
            "building",
            "centre",
            "code",
            "floor",
            "kind",
            "area_sqft",
            "list_rent_cents",
            "status",
        ),
        units,
    )
    order = [u[0] for u in units]
    rng.shuffle(order)
    rent_of = {u[0]: u[7] for u in units}
    leases: list[tuple] = []
    lease_id = 0

    def lease(unit: int, startup: int, starts: date, ends: date, status: str, **extra) -> int:
        nonlocal lease_id
        lease_id += 1
        rent = rent_of[unit]
        leases.append(
            (
                lease_id,
                unit,
                startup,
                starts,
                ends,
                extra.get("contract_ends", ends),
                rent,
                rent * 2,
                status,
                extra.get("notice_given_on"),
                extra.get("terminated_on"),
                extra.get("reason", ""),
                extra.get("renewal_of"),
            )
        )
        return lease_id

    tenants = [*onsite, *second_units]
    for unit, startup in zip(order, tenants, strict=False):
        until = rng.randint(0, 540)
        term = rng.choice([t for t in TERMS if t > until])
        ends = today + timedelta(days=until)
        starts = ends - timedelta(days=term - 1)
        previous = None
        if rng.random() < 0.35:
            earlier = rng.choice(TERMS)
            previous = lease(
                unit,
                startup,
                starts - timedelta(days=earlier),
                starts - timedelta(days=1),
                "ended",
            )
        status, extra = "active", {}
        if until < 120 and rng.random() < 0.15:
            status = "notice_given"
            extra = {"notice_given_on": today - timedelta(days=rng.randint(1, 60))}
        current = lease(unit, startup, starts, ends, status, renewal_of=previous, **extra)
        if status == "active" and until < 90 and rng.random() < 0.2:
            lease(
                unit,
                startup,
                ends + timedelta(days=1),
                ends + timedelta(days=730),
                "draft",
                renewal_of=current,
            )
    # Vacant units keep a history: former tenants now offsite, some ended early.
    vacant = order[len(tenants) :]
    for index, unit in enumerate(vacant):
        if not offsite:
            break
        if rng.random() < 0.6:
            startup = offsite[index % len(offsite)]
            ends = today - timedelta(days=rng.randint(20, 900))
            starts = ends - timedelta(days=rng.choice(TERMS) - 1)
            early = rng.random() < 0.25
            lease(
                unit,
                startup,
                starts,
                ends,
                "ended",
                contract_ends=ends + timedelta(days=180) if early else ends,
                terminated_on=ends if early else None,
                reason="Moved to a larger office outside the park" if early else "",
            )
        elif rng.random() < 0.1:
            startup = offsite[(index * 7) % len(offsite)]
            starts = today + timedelta(days=rng.randint(10, 60))
            lease(unit, startup, starts, starts + timedelta(days=729), "draft")
    await bulk_insert(
        Lease,
        (
            "id",
            "unit",
            "startup",
            "starts_on",
            "ends_on",
            "contract_ends_on",
            "monthly_rent_cents",
            "deposit_cents",
            "status",
            "notice_given_on",
            "terminated_on",
            "termination_reason",
            "renewal_of",
        ),
        sorted(leases, key=lambda row: row[0]),
    )
    say(f"space: {len(building_ids)} buildings, {len(units)} units, {len(leases)} leases")
