"""The lease register: reading leases with their state, filters, a start-up's leases, the export."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import msgspec

from centres import policy
from centres.schemas import LeaseOut, LeasePage
from centres.services.ordered import by_building
from centres.tables import Lease, LeaseStatus
from incubator.auth.schemas import Viewer
from incubator.db import among, in_order, is_postgres, like_pattern
from incubator.errors import BadParameter, NotFound
from incubator.i18n import gettext, named, today_hk
from incubator.money import format_hkd
from incubator.startups.policy import require_login
from incubator.startups.services.onsite import IN_FORCE

_DETAIL_COLUMNS = (
    "l.id, l.unit, l.startup, l.starts_on, l.ends_on, l.contract_ends_on, "
    "l.monthly_rent_cents, l.deposit_cents, l.status, l.notice_given_on, l.terminated_on, "
    "l.termination_reason, l.renewal_of, l.created_at, l.version, "
    "u.code AS unit_code, u.kind AS unit_kind, u.area_sqft, u.centre, "
    "b.slug AS building_slug, b.name_en AS building_en, b.name_zh AS building_zh, "
    "c.slug AS centre_slug, c.name_en AS centre_en, c.name_zh AS centre_zh, "
    "s.slug AS startup_slug, s.name_en AS startup_en, s.name_zh AS startup_zh, "
    "r.id AS renewed_by"
)


_FROM = (
    "FROM lease l JOIN unit u ON u.id = l.unit JOIN building b ON b.id = u.building "
    "JOIN centre c ON c.id = u.centre JOIN startup s ON s.id = l.startup "
    "LEFT JOIN lease r ON r.renewal_of = l.id"
)


def _decorate(row: dict, today: date, can_manage: bool) -> LeaseOut:
    row["state"] = lease_state(row, today)
    row["can_manage"] = can_manage
    row["ended_early"] = row["terminated_on"] is not None
    return msgspec.convert(row, LeaseOut, strict=False)


async def get_lease(viewer: Viewer, lease_id: int) -> LeaseOut:
    require_login(viewer)
    rows = await Lease.raw(f"SELECT {_DETAIL_COLUMNS} {_FROM} WHERE l.id = {{}}", lease_id)
    if not rows or not await policy.can_see_lease(viewer, rows[0]["centre"], rows[0]["startup"]):
        # The same answer whether it exists or not: leases are private to their parties.
        raise NotFound(f"no lease with id {lease_id}")
    row = rows[0]
    return _decorate(row, today_hk(), await policy.can_manage_centre(viewer, row["centre"]))


@dataclass
class LeaseQuery:
    centre: str = ""
    building: str = ""
    state: str = ""
    ending_within: int | None = None  # days: leases in force that end within them
    startup: int | None = None
    unit: int | None = None
    q: str = ""
    page: int = 1
    per_page: int = 50


def lease_query(**raw: str) -> LeaseQuery:
    errors: dict[str, str] = {}
    query = LeaseQuery(
        centre=raw.get("centre", "").strip(),
        building=raw.get("building", "").strip(),
        state=raw.get("state", "").strip(),
        q=raw.get("q", "").strip()[:100],
    )
    if query.state and query.state not in LEASE_STATES:
        errors["state"] = f"must be one of {', '.join(LEASE_STATES)}"
    limits = {"ending_within": (1, 3660), "startup": (1, 2**31 - 1)}
    limits |= {"page": (1, 100_000), "per_page": (1, 1000)}
    for name, (low, high) in limits.items():
        text = raw.get(name, "").strip()
        if not text:
            continue
        if not text.isdigit() or not low <= int(text) <= high:
            errors[name] = f"must be a whole number from {low} to {high:,}"
        else:
            setattr(query, name, int(text))
    if errors:
        raise BadParameter(errors)
    return query


_NARROW_JOINS = (
    ("u", "JOIN unit u ON u.id = l.unit"),
    ("b", "JOIN building b ON b.id = u.building"),
    ("c", "JOIN centre c ON c.id = u.centre"),
    ("s", "JOIN startup s ON s.id = l.startup"),
)


BY_UNIT = "b.sort_order, u.code, l.starts_on, l.id"  # the register's own order


def _narrow_from(sql: str) -> str:
    """FROM the leases with only the joins `sql` names (every lease has a unit, a building,
    a centre and a start-up, so leaving a join out never changes which leases there are)."""
    named = {alias for alias in "ubcs" if re.search(rf"\b{alias}\.", sql)}
    if named & {"b", "c"}:
        named.add("u")
    return "FROM lease l " + " ".join(join for alias, join in _NARROW_JOINS if alias in named)


async def list_leases(
    viewer: Viewer,
    query: LeaseQuery,
    day: date | None = None,
    paged: bool = True,
    counted: bool = True,
) -> LeasePage:
    """The lease register as far as the viewer may see it (staff: their centres' units;
    members: their start-ups' leases). `counted=False` for a caller that shows no total
    (it takes the figure from the occupancy the database keeps): the list is not counted,
    and `total` is only as many as the pages up to this one hold."""
    require_login(viewer)
    day = day or today_hk()
    centres, startups = await policy.lease_scope(viewer)
    where: list[str] = []
    args: list[Any] = []
    if centres is not None:
        scope = []
        if centres:
            scope.append("u.centre IN (" + ", ".join("{}" for _ in centres) + ")")
            args += centres
        if startups:
            scope.append("l.startup IN (" + ", ".join("{}" for _ in startups) + ")")
            args += startups
        where.append("(" + " OR ".join(scope) + ")" if scope else "1 = 0")
    for column, value in (("c.slug", query.centre), ("b.slug", query.building)):
        if value:
            where.append(f"{column} = {{}}")
            args.append(value)
    if query.startup is not None:
        where.append("l.startup = {}")
        args.append(query.startup)
    if query.unit is not None:
        where.append("l.unit = {}")
        args.append(query.unit)
    if query.q:
        where.append("(LOWER(s.name_en) LIKE {} OR s.name_zh LIKE {} OR UPPER(u.code) LIKE {})")
        pattern = like_pattern(query.q)
        args += [pattern.lower(), pattern, pattern.upper()]
    state_sql = {
        "draft": ("l.status = 'draft'", []),
        "upcoming": ("l.status <> 'draft' AND l.status <> 'ended' AND l.starts_on > {}", [day]),
        "active": ("l.status = 'active' AND l.starts_on <= {} AND l.ends_on >= {}", [day, day]),
        "notice_given": (
            "l.status = 'notice_given' AND l.starts_on <= {} AND l.ends_on >= {}",
            [day, day],
        ),
        "ended": ("l.status <> 'draft' AND (l.ends_on < {} OR l.status = 'ended')", [day]),
        "in_force": (IN_FORCE, [day, day]),
    }
    if query.state:
        sql, state_args = state_sql[query.state]
        where.append(sql)
        args += state_args
    if query.ending_within is not None:
        sql, state_args = state_sql["in_force"]
        where.append(f"{sql} AND l.ends_on <= {{}}")
        args += [*state_args, day + timedelta(days=query.ending_within)]
    where_sql = (" WHERE " + " AND ".join(where)) if where else ""
    if query.ending_within:
        order = "l.ends_on, l.id"
    elif query.unit is not None or query.startup is not None:
        order = "l.starts_on DESC, l.id"
    else:
        order = BY_UNIT
    limit_sql, limit_args = "", []
    if paged:
        limit_sql = " LIMIT {} OFFSET {}"
        limit_args = [query.per_page, (query.page - 1) * query.per_page]
    # The page's leases are chosen and counted with only the joins the filters and the order
    # name, then read in full: sorting 71,000 narrow rows instead of joined wide ones took
    # the register of a park of 100,000 from 392 ms to 44 (SQLite; docs/performance.md).
    narrow = _narrow_from(f"{where_sql} {order}")
    chosen = f"SELECT l.id {narrow}{where_sql} ORDER BY {order}{limit_sql}"
    if order == BY_UNIT and paged and is_postgres():
        source = _narrow_from(f"{where_sql} u.code")
        chosen = by_building("l.id", source, where_sql, ["u.code", "l.starts_on", "l.id"])
        limit_args = [limit_args[0] + limit_args[1], *limit_args]
    ids = [row["id"] for row in await Lease.raw(chosen, *args, *limit_args)]
    within, id_args = among("l.id", ids)
    rows = in_order(
        await Lease.raw(f"SELECT {_DETAIL_COLUMNS} {_FROM} WHERE 1 = 1{within}", *id_args), ids
    )
    if counted:
        total = (await Lease.raw(f"SELECT COUNT(*) AS n {narrow}{where_sql}", *args))[0]["n"]
    else:
        total = (query.page - 1) * query.per_page + len(ids)
    return LeasePage(
        # The centres whose leases the viewer sees are the ones they manage (members see
        # their start-ups' leases without managing any).
        items=[_decorate(row, day, centres is None or row["centre"] in centres) for row in rows],
        total=int(total),
        page=query.page,
        per_page=query.per_page,
        pages=max(1, -(-int(total) // query.per_page)),
    )


async def startup_leases(viewer: Viewer, startup_id: int) -> list[LeaseOut]:
    """A start-up's leases that the viewer may see, newest first (profile's tenancy)."""
    if not viewer.is_authenticated:
        return []
    result = await list_leases(viewer, LeaseQuery(startup=startup_id, per_page=200))
    return result.items


# The register as finance reads it: each column and state named in the reader's language.
REGISTER_HEADER = (
    "Lease",
    "Building",
    "Unit",
    "Centre or hub",
    "Start-up",
    "Start-up address name",
    "State",
    "First day",
    "Last day",
    "Contract ends",
    "Rent a month (HKD)",
    "Deposit (HKD)",
    "Notice given on",
    "Ended early on",
    "Why it ended early",
    "Renews lease",
    "Renewed by lease",
)
STATE_NAMES = {
    "draft": "Draft",
    "upcoming": "Upcoming",
    "active": "Active",
    "notice_given": "Notice given",
    "ended": "Ended",
}


def register_header(language: str) -> list[str]:
    return [gettext(language, name) for name in REGISTER_HEADER]


async def register_rows(viewer: Viewer, query: LeaseQuery, language: str = "en") -> list[list[Any]]:
    """The lease register for finance, as the viewer may see it (staff only), with names in
    `language` (amounts stay plain numbers, so a spreadsheet can add them up)."""
    policy.require_staff(viewer, "export the lease register")
    result = await list_leases(viewer, query, paged=False)
    return [
        [
            r.id,
            named(language, r.building_en, r.building_zh),
            r.unit_code,
            named(language, r.centre_en, r.centre_zh),
            named(language, r.startup_en, r.startup_zh),
            r.startup_slug,
            gettext(language, STATE_NAMES.get(r.state, r.state)),
            r.starts_on,
            r.ends_on,
            r.contract_ends_on,
            format_hkd(r.monthly_rent_cents, symbol=False).replace(",", ""),
            format_hkd(r.deposit_cents, symbol=False).replace(",", ""),
            r.notice_given_on,
            r.terminated_on,
            r.termination_reason,
            r.renewal_of,
            r.renewed_by,
        ]
        for r in result.items
    ]


LEASE_STATES = ("draft", "upcoming", "active", "notice_given", "ended", "in_force")


def lease_state(row: dict, today: date) -> str:
    """What a lease is on `today`: draft, upcoming, active, notice_given or ended."""
    if row["status"] == LeaseStatus.draft.value:
        return "draft"
    if row["ends_on"] < today or row["status"] == LeaseStatus.ended.value:
        return "ended"
    if row["starts_on"] > today:
        return "upcoming"
    return row["status"]
