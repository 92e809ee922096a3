"""Room credits: each start-up with a lease in force gets a monthly allowance (its leases'
own figures, or their unit kinds' defaults), managers grant extra with a reason, bookings
spend them. A month is a month of Hong Kong time, and what is left lapses when it ends: each
month has its own row, opened with its allowance when first needed.

The balance is never negative: spending is one conditional UPDATE inside the write
transaction (which PostgreSQL runs on the locked row, re-checked after any wait), and the
database refuses a row that would go below zero on its own (a check or a trigger)."""

from __future__ import annotations

from datetime import date, datetime

from centres import policy as space_policy
from events.rooms.schemas import CreditEntryOut, CreditsOut, GrantIn
from events.rooms.tables import CreditDefault, CreditEntry, CreditMonth, LeaseCredits
from incubator.auth.schemas import Viewer
from incubator.db import is_postgres, write_transaction
from incubator.errors import BadParameter, Conflict, Forbidden, NotFound, ValidationFailed
from incubator.i18n import HONG_KONG, today_hk
from incubator.startups.policy import require_login
from incubator.startups.services.onsite import IN_FORCE
from incubator.startups.tables import Startup

MAX_GRANT = 10_000
# A lease's monthly credits by its unit's kind, until an administrator sets another figure
# (a row of `room_credit_default`).
DEFAULT_CREDITS = {"private_office": 40, "coworking_desk": 10, "lab": 40}


def default_credits_sql(unit: str = "u") -> str:
    """SQL for the monthly credits a unit's kind brings by default (`DEFAULT_CREDITS`)."""
    cases = " ".join(f"WHEN '{kind}' THEN {n}" for kind, n in DEFAULT_CREDITS.items())
    return f"CASE {unit}.kind {cases} ELSE 0 END"


def monthly_credits_sql(unit: str = "u") -> str:
    """SQL for a lease's monthly credits: its own figure, its unit kind's, or the default
    (the query joins `lease_room_credits lc` and `room_credit_default d`)."""
    return f"COALESCE(lc.monthly_credits, d.monthly_credits, {default_credits_sql(unit)})"


def month_named(text: str) -> date:
    """The month a query names as YYYY-MM (this month, Hong Kong time, when blank)."""
    if not text.strip():
        return month_of(today_hk())
    try:
        return date.fromisoformat(text.strip() + "-01")
    except ValueError:
        raise BadParameter({"month": "must be a month written YYYY-MM"}) from None


def month_of(moment: datetime | date) -> date:
    """The first day of the Hong Kong month an instant (or a day) falls in."""
    day = moment.astimezone(HONG_KONG).date() if isinstance(moment, datetime) else moment
    return day.replace(day=1)


async def allowance_on(startup_id: int, day: date) -> int:
    """The monthly credits the start-up's leases in force on `day` bring."""
    rows = await CreditMonth.raw(
        f"SELECT COALESCE(SUM({monthly_credits_sql()}), 0) AS credits "
        "FROM lease l JOIN unit u ON u.id = l.unit "
        "LEFT JOIN lease_room_credits lc ON lc.lease = l.id "
        "LEFT JOIN room_credit_default d ON d.unit_kind = u.kind "
        f"WHERE l.startup = {{}} AND {IN_FORCE}",
        startup_id,
        day,
        day,
    )
    return int(rows[0]["credits"])


def _opening_day(month: date) -> date:
    """The day whose leases set a month's allowance: its first day, or today when later."""
    return max(month, today_hk())


async def open_month(startup_id: int, month: date) -> None:
    """Inside the write transaction: the start-up's row for the month, opened with its
    allowance if it has none yet."""
    allowance = await allowance_on(startup_id, _opening_day(month))
    opened = await CreditMonth.raw(
        "INSERT INTO room_credit_month (startup, month, allowance, granted, spent) "
        "VALUES ({}, {}, {}, 0, 0) ON CONFLICT (startup, month) DO NOTHING RETURNING id",
        startup_id,
        month,
        allowance,
    )
    if opened and allowance:
        await CreditEntry.insert(
            CreditEntry(startup=startup_id, month=month, change=allowance, kind="allowance")
        )


async def lock_months(startup_id: int, months: set[date]) -> None:
    """Inside the write transaction: the start-up's rows of these months, opened and held in
    month order (PostgreSQL; SQLite's single writer holds everything), so that two changes
    touching two months take them in the same order."""
    for month in sorted(months):
        await open_month(startup_id, month)
    if is_postgres():
        marks = ", ".join("{}" for _ in months)
        await CreditMonth.raw(
            f"SELECT id FROM room_credit_month WHERE startup = {{}} AND month IN ({marks}) "
            "ORDER BY month FOR UPDATE",
            startup_id,
            *sorted(months),
        )


async def balance(startup_id: int, month: date) -> CreditsOut:
    """The start-up's credits for the month (its allowance as it would open, if not yet)."""
    startup = (
        await Startup.select(Startup.id, Startup.name_en, Startup.name_zh)
        .where(Startup.id == startup_id)
        .first()
    )
    if startup is None:
        raise NotFound(f"no start-up with id {startup_id}")
    row = (
        await CreditMonth.select()
        .where((CreditMonth.startup == startup_id) & (CreditMonth.month == month))
        .first()
    )
    if row is None:
        row = {"allowance": await allowance_on(startup_id, _opening_day(month))}
        row |= {"granted": 0, "spent": 0}
    return CreditsOut(
        startup=startup_id,
        startup_en=startup["name_en"],
        startup_zh=startup["name_zh"],
        month=month,
        allowance=row["allowance"],
        granted=row["granted"],
        spent=row["spent"],
        balance=row["allowance"] + row["granted"] - row["spent"],
    )


async def spend(startup_id: int, month: date, credits: int, booking: int, viewer: Viewer) -> None:
    """Inside the write transaction: take `credits` from the month's balance, or a 409 that
    says what is left."""
    if credits <= 0:
        return
    await open_month(startup_id, month)
    taken = await CreditMonth.raw(
        "UPDATE room_credit_month SET spent = spent + {} WHERE startup = {} AND month = {} "
        "AND allowance + granted - spent >= {} RETURNING id",
        credits,
        startup_id,
        month,
        credits,
    )
    if not taken:
        left = await balance(startup_id, month)
        message = (
            f"this booking costs {credits} credits and {left.startup_en} has "
            f"{left.balance} left for {month:%Y-%m}"
        )
        raise Conflict(message, {"credits": message})
    await CreditEntry.insert(
        CreditEntry(
            startup=startup_id,
            month=month,
            change=-credits,
            kind="charge",
            booking=booking,
            created_by=viewer.user_id,
        )
    )


async def refund(startup_id: int, month: date, credits: int, booking: int, viewer: Viewer) -> None:
    """Inside the write transaction: give a booking's credits back to its month."""
    if credits <= 0:
        return
    await CreditMonth.raw(
        "UPDATE room_credit_month SET spent = spent - {} WHERE startup = {} AND month = {}",
        credits,
        startup_id,
        month,
    )
    await CreditEntry.insert(
        CreditEntry(
            startup=startup_id,
            month=month,
            change=credits,
            kind="refund",
            booking=booking,
            created_by=viewer.user_id,
        )
    )


async def managed_centres(viewer: Viewer) -> list[int] | None:
    """The centres whose start-ups' credits the viewer manages: None for all
    (administrators); a manager's own centres. Anyone else is refused."""
    require_login(viewer)
    centres = await space_policy.managed_centres(viewer)
    if centres is not None and not viewer.is_manager:
        raise Forbidden("only centre managers and administrators may manage room credits")
    return centres


def leasing_in(centres: list[int], startup: str = "m.startup") -> tuple[str, list]:
    """SQL true for a start-up (its column) that leases a unit of these centres today."""
    today = today_hk()
    marks = ", ".join("{}" for _ in centres) or "NULL"
    return (
        f"EXISTS (SELECT 1 FROM lease l JOIN unit u ON u.id = l.unit WHERE l.startup = {startup} "
        f"AND u.centre IN ({marks}) AND {IN_FORCE})",
        [*centres, today, today],
    )


async def manages(viewer: Viewer, startup_id: int) -> bool:
    """Whether the viewer manages this start-up's credits (a manager of its space today)."""
    centres = await managed_centres(viewer)
    if centres is None:
        return True
    condition, args = leasing_in(centres, "{}")
    rows = await CreditMonth.raw(f"SELECT 1 AS yes WHERE {condition}", startup_id, *args)
    return bool(rows)


def grant_problems(values: dict) -> dict[str, str]:
    """The rules of a grant's figures, by field (for a form, of the values it could read)."""
    errors = {}
    amount = values.get("credits")
    if amount is not None and not 1 <= amount <= MAX_GRANT:
        errors["credits"] = f"must be between 1 and {MAX_GRANT:,} credits"
    reason = values.get("reason")
    if reason is not None and not reason.strip():
        errors["reason"] = "say why these credits are given"
    elif reason is not None and len(reason) > 500:
        errors["reason"] = "must be at most 500 characters"
    return errors


async def grant(viewer: Viewer, command: GrantIn) -> CreditsOut:
    """Extra credits for the current month, with the reason, by a manager of the start-up's
    space or an administrator."""
    errors = grant_problems({"credits": command.credits, "reason": command.reason})
    await managed_centres(viewer)
    if not await Startup.exists().where(Startup.id == command.startup):
        errors["startup"] = f"no start-up with id {command.startup}"
    elif not await manages(viewer, command.startup):
        raise Forbidden(
            "only the managers of the start-up's space and administrators may grant it credits"
        )
    if errors:
        raise ValidationFailed(errors)
    month = month_of(today_hk())
    async with write_transaction():
        await open_month(command.startup, month)
        await CreditMonth.raw(
            "UPDATE room_credit_month SET granted = granted + {} WHERE startup = {} AND month = {}",
            command.credits,
            command.startup,
            month,
        )
        await CreditEntry.insert(
            CreditEntry(
                startup=command.startup,
                month=month,
                change=command.credits,
                kind="grant",
                reason=command.reason.strip(),
                created_by=viewer.user_id,
            )
        )
    return await balance(command.startup, month)


async def history(startup_id: int, month: date) -> list[CreditEntryOut]:
    rows = await CreditEntry.raw(
        "SELECT e.month, e.change, e.kind, e.reason, e.booking, e.created_at, "
        "COALESCE(u.name, '') AS created_by FROM room_credit_entry e "
        "LEFT JOIN app_user u ON u.id = e.created_by WHERE e.startup = {} AND e.month = {} "
        "ORDER BY e.id",
        startup_id,
        month,
    )
    return [CreditEntryOut(**r) for r in rows]


async def usage(viewer: Viewer, month: date, page: int = 1, per_page: int = 100):
    """Credits used per start-up in a month, most used first: those with a credit row that
    month, within the viewer's start-ups. Returns (rows, total)."""
    centres = await managed_centres(viewer)
    where, args = "m.month = {}", [month]
    if centres is not None:
        condition, more = leasing_in(centres)
        where += f" AND {condition}"
        args += more
    total = await CreditMonth.raw(
        f"SELECT COUNT(*) AS n FROM room_credit_month m WHERE {where}", *args
    )
    rows = await CreditMonth.raw(
        "SELECT m.startup, s.name_en AS startup_en, s.name_zh AS startup_zh, m.month, "
        "m.allowance, m.granted, m.spent, m.allowance + m.granted - m.spent AS balance "
        f"FROM room_credit_month m JOIN startup s ON s.id = m.startup WHERE {where} "
        "ORDER BY m.spent DESC, s.name_en LIMIT {} OFFSET {}",
        *args,
        per_page,
        (page - 1) * per_page,
    )
    return [CreditsOut(**r) for r in rows], int(total[0]["n"])


async def defaults() -> dict[str, int]:
    rows = await CreditDefault.select(CreditDefault.unit_kind, CreditDefault.monthly_credits)
    return DEFAULT_CREDITS | {r["unit_kind"]: r["monthly_credits"] for r in rows}


async def set_lease_credits(viewer: Viewer, lease_id: int, credits: int | None) -> None:
    """A lease's own monthly credits (None: its unit kind's default again), from the next
    month opened on."""
    from centres.tables import Lease

    lease = (
        await Lease.select(Lease.id, Lease.unit.centre.as_alias("centre"))
        .where(Lease.id == lease_id)
        .first()
    )
    if lease is None:
        raise NotFound(f"no lease with id {lease_id}")
    await space_policy.require_manage_centre(viewer, lease["centre"], "set a lease's room credits")
    if credits is not None and not 0 <= credits <= MAX_GRANT:
        raise ValidationFailed({"monthly_credits": f"must be between 0 and {MAX_GRANT:,}"})
    async with write_transaction():
        await LeaseCredits.delete().where(LeaseCredits.lease == lease_id)
        if credits is not None:
            await LeaseCredits.insert(LeaseCredits(lease=lease_id, monthly_credits=credits))
