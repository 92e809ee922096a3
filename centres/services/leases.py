"""Leases: letting a unit to a start-up, and the life cycle draft -> active -> notice given ->
ended, with renewals linked to the lease they renew and early terminations with a reason.

Two leases on one unit never overlap (drafts included: a draft holds the unit for its
period). The check runs inside the write transaction after the unit's row is locked
(PostgreSQL) or the database's write lock is taken (SQLite), and the database itself refuses
an overlap (an exclusion constraint or a trigger) should anything bypass this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

import msgspec

from centres import policy
from centres.schemas import LeaseIn, NoticeIn, RenewalIn, TerminationIn
from centres.services.lease_register import get_lease
from centres.tables import Lease, LeaseStatus, Unit, UnitStatus, UnitType
from incubator.auth.schemas import Viewer
from incubator.auth.services import audit
from incubator.auth.services.audit import Action
from incubator.db import lock_row, utcnow, write_transaction
from incubator.errors import Conflict, Forbidden, NotFound, ValidationFailed
from incubator.i18n import today_hk
from incubator.startups.tables import Startup
from incubator.versions import held_version, next_version

MAX_TERM_DAYS = 10 * 366
NEW_STATUSES = (LeaseStatus.draft.value, LeaseStatus.active.value)


# ---------------------------------------------------------------- input


def _cents(cents: int, name: str, errors: dict[str, str]) -> None:
    """An amount in HKD cents, reported beside `name` (the form's HK$ field) when negative."""
    if cents < 0:
        errors[name] = "must be a whole number of cents, 0 or more"


def _status(status: str, errors: dict[str, str]) -> None:
    if status not in NEW_STATUSES:
        errors["status"] = "must be draft or active"


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
        # The English name off its index first; the Chinese one (not indexed) only if none.
        for name in (Startup.name_en, Startup.name_zh):
            rows = rows or await Startup.select(Startup.id, Startup.status).where(name == text)
        if not rows:
            raise ValidationFailed({"startup": f"no start-up called {text}"})
        if len(rows) > 1:
            raise ValidationFailed(
                {"startup": f"{len(rows)} start-ups are called {text}: give its slug"}
            )
    if rows[0]["status"] != "active":
        raise ValidationFailed({"startup": "is archived: restore it before leasing it space"})
    return rows[0]["id"]


# ---------------------------------------------------------------- the overlap rule


async def _lock_unit(unit_id: int) -> dict:
    """The unit's row, held until the transaction ends (see db.lock_row)."""
    unit = await lock_row(Unit, unit_id, "id, code, centre, status, kind")
    if unit is None:
        raise NotFound(f"no unit with id {unit_id}")
    return unit


def _refuse_not_let(unit: dict) -> None:
    if unit["kind"] == UnitType.meeting_room.value:
        raise ValidationFailed(
            {"unit": f"unit {unit['code']} is a meeting room: members book it, it is not let"}
        )


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


async def _new_lease_rules(values: Mapping[str, Any], errors: dict[str, str]) -> int:
    """Check a new lease's rules on the values given (every one from the API; those a form's
    text could be read as), adding each broken one to `errors`; the start-up's id when it is
    found."""
    startup_id = 0
    if "startup" in values:
        try:
            startup_id = await resolve_startup(values["startup"])
        except ValidationFailed as exc:
            errors |= exc.errors
    _period(values.get("starts_on"), values.get("ends_on"), errors)
    for name in ("monthly_rent", "deposit"):
        if f"{name}_cents" in values:
            _cents(values[f"{name}_cents"], name, errors)
    if "status" in values:
        _status(values["status"], errors)
    return startup_id


async def new_lease_problems(viewer: Viewer, values: Mapping[str, Any]) -> dict[str, str]:
    """The rules a new lease's values break, for a form that could not read all of them."""
    policy.require_staff(viewer, "create leases")
    errors: dict[str, str] = {}
    await _new_lease_rules(values, errors)
    return errors


async def create_lease(viewer: Viewer, lease: LeaseIn) -> int:
    """Let a unit to a start-up; by an administrator or a manager of the unit's centre."""
    policy.require_staff(viewer, "create leases")
    errors: dict[str, str] = {}
    startup_id = await _new_lease_rules(msgspec.structs.asdict(lease), errors)
    if errors:
        raise ValidationFailed(errors)
    starts, ends = lease.starts_on, lease.ends_on
    rent, deposit, status = lease.monthly_rent_cents, lease.deposit_cents, lease.status
    async with write_transaction():
        unit = await _lock_unit(lease.unit)
        await policy.require_manage_centre(viewer, unit["centre"], "lease this unit")
        if unit["status"] != UnitStatus.available.value:
            raise ValidationFailed({"unit": f"unit {unit['code']} is retired"})
        _refuse_not_let(unit)
        lease_id = await _let(
            unit,
            startup_id,
            starts,
            ends,
            rent=rent,
            deposit=deposit,
            status=status,
            created_by=viewer.user_id,
        )
        period = {"status": status, "from": str(starts), "until": str(ends)}
        await _audit(viewer, Action.lease_created, lease_id, period)
        return lease_id


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


# ---------------------------------------------------------------- the life cycle


async def _for_change(
    viewer: Viewer, lease_id: int, action: str, expected_version: int | None
) -> dict:
    """The lease, read inside the caller's write transaction after its unit is locked, so
    changes to one unit's leases happen one at a time; only for those who manage it. With
    `expected_version` (a form's or an If-Match), a lease changed since is refused."""
    policy.require_staff(viewer, action)
    unit = await Lease.select(Lease.unit).where(Lease.id == lease_id).first()
    if unit is None:
        raise NotFound(f"no lease with id {lease_id}")
    await _lock_unit(unit["unit"])
    await held_version(Lease, lease_id, expected_version, "lease")
    lease = await get_lease(viewer, lease_id)
    if not lease.can_manage:
        raise Forbidden(f"only the managers of the unit's centre and administrators may {action}")
    return lease


async def _set(viewer: Viewer, lease_id: int, expected: str, values: dict) -> None:
    """Move a lease on from `expected`; a concurrent change that got there first is a 409."""
    values = {getattr(Lease, k): v for k, v in values.items()} | {Lease.updated_at: utcnow()}
    values |= next_version(Lease, viewer)
    changed = (
        await Lease.update(values)
        .where((Lease.id == lease_id) & (Lease.status == expected))
        .returning(Lease.id)
    )
    if not changed:
        raise Conflict("the lease was changed at the same moment; reload and try again")


async def _audit(viewer: Viewer, action: Action, lease_id: int, detail: dict[str, Any]) -> None:
    """The lease's entry in the audit trail, named by its start-up and unit."""
    row = (
        await Lease.select(Lease.startup.name_en, Lease.unit.code, Lease.unit.building.name_en)
        .where(Lease.id == lease_id)
        .first()
    )
    subject = f"{row['startup.name_en']}: {row['unit.building.name_en']} {row['unit.code']}"
    await audit.record(viewer, action, f"{subject} (#{lease_id})", detail)


async def activate_lease(
    viewer: Viewer, lease_id: int, expected_version: int | None = None
) -> None:
    """A draft becomes the lease in force for its period (signed)."""
    async with write_transaction():
        lease = await _for_change(viewer, lease_id, "activate leases", expected_version)
        if lease.status != "draft":
            raise Conflict(f"lease {lease_id} is not a draft")
        if lease.ends_on < today_hk():
            raise ValidationFailed({"ends_on": "its period has passed: change or discard it"})
        await _set(viewer, lease_id, "draft", {"status": LeaseStatus.active.value})
        await _audit(viewer, Action.lease_activated, lease_id, {})


async def discard_draft(viewer: Viewer, lease_id: int, expected_version: int | None = None) -> None:
    async with write_transaction():
        lease = await _for_change(viewer, lease_id, "discard leases", expected_version)
        if lease.status != "draft":
            raise Conflict(f"lease {lease_id} is not a draft; only drafts are discarded")
        await _audit(viewer, Action.lease_discarded, lease_id, {})
        await Lease.delete().where((Lease.id == lease_id) & (Lease.status == "draft"))


async def give_notice(
    viewer: Viewer, lease_id: int, notice: NoticeIn, expected_version: int | None = None
) -> None:
    """The tenant will leave at the end of the lease: it is not renewed."""
    on = notice.notice_given_on or today_hk()
    async with write_transaction():
        lease = await _for_change(viewer, lease_id, "record notice", expected_version)
        if lease.state not in ("active", "upcoming") or lease.status != "active":
            raise Conflict(f"lease {lease_id} is {lease.state}: notice is given on active leases")
        if lease.renewed_by:
            raise Conflict(
                f"lease {lease_id} is renewed by lease {lease.renewed_by}: "
                "discard or end that one instead"
            )
        await _set(viewer, lease_id, "active", {"status": "notice_given", "notice_given_on": on})
        await _audit(viewer, Action.lease_notice_given, lease_id, {"notice_given_on": str(on)})


def termination_problems(values: Mapping[str, Any]) -> dict[str, str]:
    """The rules an early termination's values break, before the lease is read."""
    reason = str(values.get("reason") or "").strip()
    if not reason:
        return {"reason": "is required: say why the lease ends early"}
    if len(reason) > 1000:
        return {"reason": "must be at most 1,000 characters"}
    return {}


async def terminate_early(
    viewer: Viewer,
    lease_id: int,
    termination: TerminationIn,
    expected_version: int | None = None,
) -> None:
    """End a lease before its contract's end: the last day and the reason are recorded."""
    errors = termination_problems(msgspec.structs.asdict(termination))
    if errors:
        raise ValidationFailed(errors)
    last_day, reason = termination.last_day, termination.reason.strip()
    today = today_hk()
    async with write_transaction():
        lease = await _for_change(viewer, lease_id, "end leases", expected_version)
        if lease.status not in ("active", "notice_given") or lease.state == "ended":
            raise Conflict(f"lease {lease_id} is {lease.state}: only running leases end early")
        if not lease.starts_on <= last_day <= lease.ends_on:
            raise ValidationFailed(
                {
                    "last_day": f"must be between the lease's first day {lease.starts_on} "
                    f"and its last day {lease.ends_on}"
                }
            )
        if lease.renewed_by:
            raise Conflict(
                f"lease {lease_id} is renewed by lease {lease.renewed_by}: "
                "discard or end that one first"
            )
        values = {
            "ends_on": last_day,
            "terminated_on": last_day,
            "termination_reason": reason,
            "status": "ended" if last_day < today else "notice_given",
            "notice_given_on": lease.notice_given_on or today,
        }
        await _set(viewer, lease_id, lease.status, values)
        detail = {"last_day": str(last_day), "reason": reason}
        await _audit(viewer, Action.lease_terminated, lease_id, detail)


def renewal_problems(values: Mapping[str, Any]) -> dict[str, str]:
    """The rules a renewal's values break, before the lease is read."""
    errors: dict[str, str] = {}
    if "status" in values:
        _status(values["status"], errors)
    for name in ("monthly_rent", "deposit"):
        if values.get(f"{name}_cents") is not None:
            _cents(values[f"{name}_cents"], name, errors)
    return errors


async def renew_lease(
    viewer: Viewer, lease_id: int, renewal: RenewalIn, expected_version: int | None = None
) -> int:
    """The next lease of the same unit to the same start-up, from the day after this one ends,
    linked to it. Rent and deposit default to the current ones."""
    errors = renewal_problems(msgspec.structs.asdict(renewal))
    if errors:
        raise ValidationFailed(errors)
    ends, status = renewal.ends_on, renewal.status
    async with write_transaction():
        lease = await _for_change(viewer, lease_id, "renew leases", expected_version)
        unit = await _lock_unit(lease.unit)  # already held; gives the unit's code
        if lease.renewed_by:
            raise Conflict(f"lease {lease_id} is already renewed by lease {lease.renewed_by}")
        if lease.status != "active" or lease.state == "ended":
            raise Conflict(
                f"lease {lease_id} is {lease.state.replace('_', ' ')}: "
                "only a running lease without notice is renewed"
            )
        rent, deposit = renewal.monthly_rent_cents, renewal.deposit_cents
        rent = lease.monthly_rent_cents if rent is None else rent
        deposit = lease.deposit_cents if deposit is None else deposit
        starts = lease.ends_on + timedelta(days=1)
        _period(starts, ends, errors)
        if errors:
            raise ValidationFailed(errors)
        new_id = await _let(
            unit,
            lease.startup,
            starts,
            ends,
            rent=rent,
            deposit=deposit,
            status=status,
            created_by=viewer.user_id,
            renewal_of=lease_id,
        )
        await _audit(viewer, Action.lease_renewed, lease_id, {"until": str(ends)})
        return new_id


# ---------------------------------------------------------------- export
