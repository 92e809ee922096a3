"""Leases: letting a unit to a start-up, and the life cycle draft -> active -> notice given ->
ended, with renewals linked to the lease they renew and early terminations with a reason.

Two leases on one unit never overlap (drafts included: a draft holds the unit for its
period). The check runs inside the write transaction after the unit's row is locked
(PostgreSQL) or the database's write lock is taken (SQLite), and the database itself refuses
an overlap (an exclusion constraint or a trigger) should anything bypass this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from centres import policy
from centres.tables import Lease, LeaseStatus, Unit, UnitStatus
from incubator.auth.viewer import Viewer
from incubator.db import like_pattern, lock_row, utcnow, write_transaction
from incubator.errors import BadParameter, Conflict, Forbidden, NotFound, ValidationFailed
from incubator.fields import read_date
from incubator.i18n import today_hk
from incubator.money import format_hkd, parse_hkd
from incubator.startups.onsite import IN_FORCE
from incubator.startups.policy import require_login
from incubator.startups.tables import Startup

LEASE_STATES = ("draft", "upcoming", "active", "notice_given", "ended", "in_force")
MAX_TERM_DAYS = 10 * 366
NEW_STATUSES = (LeaseStatus.draft.value, LeaseStatus.active.value)


def lease_state(row: dict, today: date) -> str:
    """What a lease is on `today`: draft, upcoming, active, notice_given or ended."""
    if row["status"] == LeaseStatus.draft.value:
        return "draft"
    if row["ends_on"] < today or row["status"] == LeaseStatus.ended.value:
        return "ended"
    if row["starts_on"] > today:
        return "upcoming"
    return row["status"]


# ---------------------------------------------------------------- input


def _money(data: dict, name: str, errors: dict[str, str], default: int | None = None) -> int:
    """Cents from `name_cents` (API) or `name` (a form's HK$ text)."""
    cents = data.get(f"{name}_cents")
    if cents is not None:
        if isinstance(cents, bool) or not isinstance(cents, int) or cents < 0:
            errors[name] = "must be a whole number of cents, 0 or more"
            return 0
        return cents
    if data.get(name) in (None, "") and default is not None:
        return default
    if data.get(name) in (None, ""):
        errors[name] = "is required"
        return 0
    try:
        return parse_hkd(data[name])
    except ValueError as exc:
        errors[name] = str(exc)
        return 0


def _period(starts: date | None, ends: date | None, errors: dict[str, str]) -> None:
    if starts and ends:
        if ends < starts:
            errors["ends_on"] = "must be on or after the start date"
        elif (ends - starts).days > MAX_TERM_DAYS:
            errors["ends_on"] = "must be within ten years of the start date"


async def resolve_startup(value: Any) -> int:
    """A start-up from its id, slug or exact name (forms let people type a name)."""
    if isinstance(value, int) and not isinstance(value, bool):
        row = await Startup.select(Startup.id, Startup.status).where(Startup.id == value).first()
        if row is None:
            raise ValidationFailed({"startup": f"no start-up with id {value}"})
        rows = [row]
    else:
        text = str(value or "").strip()
        if not text:
            raise ValidationFailed({"startup": "choose the start-up that takes the lease"})
        if text.isdigit():
            return await resolve_startup(int(text))
        # "Name (slug)" is what the form's suggestions offer.
        if text.endswith(")") and "(" in text:
            text = text.rsplit("(", 1)[1].rstrip(")").strip()
        rows = await Startup.select(Startup.id, Startup.status).where(Startup.slug == text)
        if not rows:
            rows = await Startup.select(Startup.id, Startup.status).where(
                (Startup.name_en == text) | (Startup.name_zh == text)
            )
        if not rows:
            raise ValidationFailed({"startup": f"no start-up called {text}"})
        if len(rows) > 1:
            raise ValidationFailed(
                {"startup": f"{len(rows)} start-ups are called {text}: give its slug"}
            )
    if rows[0]["status"] != "active":
        raise ValidationFailed({"startup": "is archived: restore it before leasing it space"})
    return rows[0]["id"]


STARTUP_CHOICES_LIMIT = 5000


async def startup_choices() -> list[str]:
    """ "Name (slug)" of active start-ups for the lease form's suggestions (the field also
    takes a slug or exact name typed in, so a park larger than the limit still works)."""
    rows = (
        await Startup.select(Startup.name_en, Startup.slug)
        .where(Startup.status == "active")
        .order_by(Startup.name_en)
        .limit(STARTUP_CHOICES_LIMIT)
    )
    return [f"{r['name_en']} ({r['slug']})" for r in rows]


# ---------------------------------------------------------------- the overlap rule


async def _lock_unit(unit_id: int) -> dict:
    """The unit's row, held until the transaction ends (see db.lock_row)."""
    unit = await lock_row(Unit, unit_id, "id, code, centre, status")
    if unit is None:
        raise NotFound(f"no unit with id {unit_id}")
    return unit


async def _refuse_overlap(unit: dict, starts: date, ends: date, exclude: int | None) -> None:
    query = Lease.select(
        Lease.id,
        Lease.status,
        Lease.starts_on,
        Lease.ends_on,
        Lease.startup.name_en.as_alias("startup"),
    ).where((Lease.unit == unit["id"]) & (Lease.starts_on <= ends) & (Lease.ends_on >= starts))
    if exclude is not None:
        query = query.where(Lease.id != exclude)
    clash = await query.order_by(Lease.starts_on).first()
    if clash is None:
        return
    held = "held by a draft lease for" if clash["status"] == "draft" else "leased to"
    message = (
        f"unit {unit['code']} is {held} {clash['startup']} from {clash['starts_on']} "
        f"until {clash['ends_on']} (lease {clash['id']})"
    )
    raise Conflict(message, {"starts_on": message})


# ---------------------------------------------------------------- creating


async def create_lease(viewer: Viewer, data: dict[str, Any]) -> int:
    """Let a unit to a start-up; by an administrator or a manager of the unit's centre."""
    policy.require_staff(viewer, "create leases")
    errors: dict[str, str] = {}
    try:
        unit_id = int(str(data.get("unit", "")).strip())
    except ValueError:
        unit_id = 0
        errors["unit"] = "choose a unit"
    try:
        startup_id = await resolve_startup(data.get("startup"))
    except ValidationFailed as exc:
        errors |= exc.errors
        startup_id = 0
    starts = read_date(data, "starts_on", errors)
    ends = read_date(data, "ends_on", errors)
    _period(starts, ends, errors)
    rent = _money(data, "monthly_rent", errors)
    deposit = _money(data, "deposit", errors, default=0)
    status = str(data.get("status") or LeaseStatus.active.value)
    if status not in NEW_STATUSES:
        errors["status"] = "must be draft or active"
    if errors:
        raise ValidationFailed(errors)
    assert starts is not None and ends is not None
    async with write_transaction():
        unit = await _lock_unit(unit_id)
        await policy.require_manage_centre(viewer, unit["centre"], "lease this unit")
        if unit["status"] != UnitStatus.available.value:
            raise ValidationFailed({"unit": f"unit {unit['code']} is retired"})
        return await _let(
            unit,
            startup_id,
            starts,
            ends,
            rent=rent,
            deposit=deposit,
            status=status,
            created_by=viewer.user_id,
        )


async def _let(
    unit: dict,
    startup_id: int,
    starts: date,
    ends: date,
    *,
    rent: int,
    deposit: int,
    status: str,
    created_by: int | None,
    renewal_of: int | None = None,
) -> int:
    """Insert a lease once the unit is known to be free for the period (inside the write
    transaction that locked the unit): the one place a lease is written."""
    await _refuse_overlap(unit, starts, ends, None)
    rows = await Lease.insert(
        Lease(
            unit=unit["id"],
            startup=startup_id,
            starts_on=starts,
            ends_on=ends,
            contract_ends_on=ends,
            monthly_rent_cents=rent,
            deposit_cents=deposit,
            status=status,
            renewal_of=renewal_of,
            created_by=created_by,
        )
    ).returning(Lease.id)
    return rows[0]["id"]


# ---------------------------------------------------------------- reading


_DETAIL_COLUMNS = (
    "l.id, l.unit, l.startup, l.starts_on, l.ends_on, l.contract_ends_on, "
    "l.monthly_rent_cents, l.deposit_cents, l.status, l.notice_given_on, l.terminated_on, "
    "l.termination_reason, l.renewal_of, l.created_at, u.code AS unit_code, u.kind AS unit_kind, "
    "u.area_sqft, u.centre, b.slug AS building_slug, b.name_en AS building_en, "
    "b.name_zh AS building_zh, c.slug AS centre_slug, c.name_en AS centre_en, "
    "c.name_zh AS centre_zh, s.slug AS startup_slug, s.name_en AS startup_en, "
    "s.name_zh AS startup_zh, r.id AS renewed_by"
)
_FROM = (
    "FROM lease l JOIN unit u ON u.id = l.unit JOIN building b ON b.id = u.building "
    "JOIN centre c ON c.id = u.centre JOIN startup s ON s.id = l.startup "
    "LEFT JOIN lease r ON r.renewal_of = l.id"
)


def _decorate(row: dict, today: date, can_manage: bool) -> dict:
    row["state"] = lease_state(row, today)
    row["can_manage"] = can_manage
    row["monthly_rent"] = format_hkd(row["monthly_rent_cents"])
    row["deposit"] = format_hkd(row["deposit_cents"])
    row["ended_early"] = row["terminated_on"] is not None
    return row


async def get_lease(viewer: Viewer, lease_id: int) -> dict:
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


async def list_leases(
    viewer: Viewer, query: LeaseQuery, day: date | None = None, paged: bool = True
) -> dict:
    """The lease register as far as the viewer may see it (staff: their centres' units;
    members: their start-ups' leases)."""
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
        order = "b.sort_order, u.code, l.starts_on, l.id"
    limit_sql, limit_args = "", []
    if paged:
        limit_sql = " LIMIT {} OFFSET {}"
        limit_args = [query.per_page, (query.page - 1) * query.per_page]
    rows = await Lease.raw(
        f"SELECT {_DETAIL_COLUMNS} {_FROM}{where_sql} ORDER BY {order}{limit_sql}",
        *args,
        *limit_args,
    )
    total = (await Lease.raw(f"SELECT COUNT(*) AS n {_FROM}{where_sql}", *args))[0]["n"]
    for row in rows:
        # The centres whose leases the viewer sees are the ones they manage (members see
        # their start-ups' leases without managing any).
        _decorate(row, day, centres is None or row["centre"] in centres)
    return {
        "rows": rows,
        "total": int(total),
        "page": query.page,
        "per_page": query.per_page,
        "pages": max(1, -(-int(total) // query.per_page)),
    }


async def startup_leases(viewer: Viewer, startup_id: int) -> list[dict]:
    """A start-up's leases that the viewer may see, newest first (profile's tenancy)."""
    if not viewer.is_authenticated:
        return []
    result = await list_leases(viewer, LeaseQuery(startup=startup_id, per_page=200))
    return result["rows"]


# ---------------------------------------------------------------- the life cycle


async def _for_change(viewer: Viewer, lease_id: int, action: str) -> dict:
    """The lease, read inside the caller's write transaction after its unit is locked, so
    changes to one unit's leases happen one at a time; only for those who manage it."""
    policy.require_staff(viewer, action)
    unit = await Lease.select(Lease.unit).where(Lease.id == lease_id).first()
    if unit is None:
        raise NotFound(f"no lease with id {lease_id}")
    await _lock_unit(unit["unit"])
    lease = await get_lease(viewer, lease_id)
    if not lease["can_manage"]:
        raise Forbidden(f"only the managers of the unit's centre and administrators may {action}")
    return lease


async def _set(lease_id: int, expected: str, values: dict) -> None:
    """Move a lease on from `expected`; a concurrent change that got there first is a 409."""
    values = {getattr(Lease, k): v for k, v in values.items()} | {Lease.updated_at: utcnow()}
    changed = (
        await Lease.update(values)
        .where((Lease.id == lease_id) & (Lease.status == expected))
        .returning(Lease.id)
    )
    if not changed:
        raise Conflict("the lease was changed at the same moment; reload and try again")


async def activate_lease(viewer: Viewer, lease_id: int) -> None:
    """A draft becomes the lease in force for its period (signed)."""
    async with write_transaction():
        lease = await _for_change(viewer, lease_id, "activate leases")
        if lease["status"] != "draft":
            raise Conflict(f"lease {lease_id} is not a draft")
        if lease["ends_on"] < today_hk():
            raise ValidationFailed({"ends_on": "its period has passed: change or discard it"})
        await _set(lease_id, "draft", {"status": LeaseStatus.active.value})


async def discard_draft(viewer: Viewer, lease_id: int) -> None:
    async with write_transaction():
        lease = await _for_change(viewer, lease_id, "discard leases")
        if lease["status"] != "draft":
            raise Conflict(f"lease {lease_id} is not a draft; only drafts are discarded")
        await Lease.delete().where((Lease.id == lease_id) & (Lease.status == "draft"))


async def give_notice(viewer: Viewer, lease_id: int, data: dict[str, Any]) -> None:
    """The tenant will leave at the end of the lease: it is not renewed."""
    errors: dict[str, str] = {}
    on = read_date(
        {"notice_given_on": data.get("notice_given_on") or today_hk()}, "notice_given_on", errors
    )
    if errors:
        raise ValidationFailed(errors)
    async with write_transaction():
        lease = await _for_change(viewer, lease_id, "record notice")
        if lease["state"] not in ("active", "upcoming") or lease["status"] != "active":
            raise Conflict(
                f"lease {lease_id} is {lease['state']}: notice is given on active leases"
            )
        if lease["renewed_by"]:
            raise Conflict(
                f"lease {lease_id} is renewed by lease {lease['renewed_by']}: "
                "discard or end that one instead"
            )
        await _set(lease_id, "active", {"status": "notice_given", "notice_given_on": on})


async def terminate_early(viewer: Viewer, lease_id: int, data: dict[str, Any]) -> None:
    """End a lease before its contract's end: the last day and the reason are recorded."""
    errors: dict[str, str] = {}
    last_day = read_date(data, "last_day", errors)
    reason = str(data.get("reason") or "").strip()
    if not reason:
        errors["reason"] = "is required: say why the lease ends early"
    elif len(reason) > 1000:
        errors["reason"] = "must be at most 1,000 characters"
    if errors:
        raise ValidationFailed(errors)
    assert last_day is not None
    today = today_hk()
    async with write_transaction():
        lease = await _for_change(viewer, lease_id, "end leases")
        if lease["status"] not in ("active", "notice_given") or lease["state"] == "ended":
            raise Conflict(f"lease {lease_id} is {lease['state']}: only running leases end early")
        if not lease["starts_on"] <= last_day <= lease["ends_on"]:
            raise ValidationFailed(
                {
                    "last_day": f"must be between the lease's first day {lease['starts_on']} "
                    f"and its last day {lease['ends_on']}"
                }
            )
        if lease["renewed_by"]:
            raise Conflict(
                f"lease {lease_id} is renewed by lease {lease['renewed_by']}: "
                "discard or end that one first"
            )
        values = {
            "ends_on": last_day,
            "terminated_on": last_day,
            "termination_reason": reason,
            "status": "ended" if last_day < today else "notice_given",
            "notice_given_on": lease["notice_given_on"] or today,
        }
        await _set(lease_id, lease["status"], values)


async def renew_lease(viewer: Viewer, lease_id: int, data: dict[str, Any]) -> int:
    """The next lease of the same unit to the same start-up, from the day after this one ends,
    linked to it. Rent and deposit default to the current ones."""
    errors: dict[str, str] = {}
    ends = read_date(data, "ends_on", errors)
    status = str(data.get("status") or LeaseStatus.active.value)
    if status not in NEW_STATUSES:
        errors["status"] = "must be draft or active"
    if errors:
        raise ValidationFailed(errors)
    assert ends is not None
    async with write_transaction():
        lease = await _for_change(viewer, lease_id, "renew leases")
        unit = await _lock_unit(lease["unit"])  # already held; gives the unit's code
        if lease["renewed_by"]:
            raise Conflict(f"lease {lease_id} is already renewed by lease {lease['renewed_by']}")
        if lease["status"] != "active" or lease["state"] == "ended":
            raise Conflict(
                f"lease {lease_id} is {lease['state'].replace('_', ' ')}: "
                "only a running lease without notice is renewed"
            )
        rent = _money(data, "monthly_rent", errors, default=lease["monthly_rent_cents"])
        deposit = _money(data, "deposit", errors, default=lease["deposit_cents"])
        starts = lease["ends_on"] + timedelta(days=1)
        _period(starts, ends, errors)
        if errors:
            raise ValidationFailed(errors)
        return await _let(
            unit,
            lease["startup"],
            starts,
            ends,
            rent=rent,
            deposit=deposit,
            status=status,
            created_by=viewer.user_id,
            renewal_of=lease_id,
        )


# ---------------------------------------------------------------- export

REGISTER_HEADER = (
    "lease_id",
    "building",
    "unit",
    "centre",
    "startup_slug",
    "startup_name",
    "state",
    "starts_on",
    "ends_on",
    "contract_ends_on",
    "monthly_rent_hkd",
    "deposit_hkd",
    "notice_given_on",
    "terminated_on",
    "termination_reason",
    "renewal_of",
    "renewed_by",
)


async def register_rows(viewer: Viewer, query: LeaseQuery) -> list[list[Any]]:
    """The lease register for finance, as the viewer may see it (staff only)."""
    policy.require_staff(viewer, "export the lease register")
    result = await list_leases(viewer, query, paged=False)
    return [
        [
            r["id"],
            r["building_en"],
            r["unit_code"],
            r["centre_en"],
            r["startup_slug"],
            r["startup_en"],
            r["state"],
            r["starts_on"],
            r["ends_on"],
            r["contract_ends_on"],
            format_hkd(r["monthly_rent_cents"], symbol=False).replace(",", ""),
            format_hkd(r["deposit_cents"], symbol=False).replace(",", ""),
            r["notice_given_on"],
            r["terminated_on"],
            r["termination_reason"],
            r["renewal_of"],
            r["renewed_by"],
        ]
        for r in result["rows"]
    ]
