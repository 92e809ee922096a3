"""Grant agreements: made for a start-up admitted to the programme, activated, amended with
their history kept, completed or terminated; read by their start-up and those who run them."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import msgspec
from piccolo.columns.combination import WhereRaw

from incubator.auth.schemas import Viewer
from incubator.auth.services import audit
from incubator.auth.services.audit import Action
from incubator.db import is_postgres, like_pattern, write_transaction
from incubator.errors import Conflict, NotFound, ValidationFailed
from incubator.money import format_hkd
from incubator.programmes.funding import policy
from incubator.programmes.funding.schemas import (
    GrantIn,
    GrantOut,
    GrantRow,
    MilestoneIn,
)
from incubator.programmes.funding.tables import (
    HOLDING,
    Claim,
    Grant,
    GrantAmendment,
    GrantKind,
    Milestone,
)
from incubator.programmes.services.answers import ADMITTED
from incubator.programmes.tables import Application
from incubator.startups.policy import manager_centre_ids, member_startup_ids, require_login
from incubator.startups.tables import Programme, Startup, StartupProgramme

MOST_CENTS = 20_000_000_00  # HK$20 million: beyond any programme's grant (and within 2^31)
PER_PAGE = 100


def terms_problems(
    kind: str, total: int, percent: int, starts: date, ends: date, milestones: list[MilestoneIn]
) -> dict[str, str]:
    """The rules a grant's terms break, by field."""
    errors: dict[str, str] = {}
    if kind not in GrantKind._value2member_map_:
        errors["kind"] = "must be one of milestones, matching"
    if not 0 < total <= MOST_CENTS:
        errors["total_cents"] = "must be more than HK$0 and at most HK$20,000,000"
    if not 1 <= percent <= 100:
        errors["match_percent"] = "must be a whole number from 1 to 100"
    if ends < starts:
        errors["ends_on"] = "must be on or after the start"
    if kind == "matching" and milestones:
        errors["milestones"] = "a matching grant pays against spend, not milestones"
    if kind == "milestones":
        if not milestones:
            errors["milestones"] = "a milestone grant needs at least one milestone"
        for n, m in enumerate(milestones, start=1):
            at = f"milestones.{n}"
            if not m.title_en.strip():
                errors[f"{at}.title_en"] = "is required"
            if m.tranche_cents <= 0:
                errors[f"{at}.tranche_cents"] = "must be more than HK$0"
            if not starts <= m.due_on <= ends:
                errors[f"{at}.due_on"] = "must fall within the grant's dates"
        tranches = sum(m.tranche_cents for m in milestones)
        if milestones and tranches != total and "total_cents" not in errors:
            errors["milestones"] = (
                f"the tranches add up to {format_hkd(tranches)}, not the total {format_hkd(total)}"
            )
    return errors


def milestone_values(m: MilestoneIn, position: int) -> dict[str, Any]:
    return {
        "position": position,
        "title_en": m.title_en.strip(),
        "title_zh": m.title_zh.strip(),
        "deliverables_en": m.deliverables_en.strip(),
        "deliverables_zh": m.deliverables_zh.strip(),
        "due_on": m.due_on,
        "tranche_cents": m.tranche_cents,
    }


async def _admitted(startup_id: int, programme_id: int) -> bool:
    return await StartupProgramme.exists().where(
        (StartupProgramme.startup == startup_id)
        & (StartupProgramme.programme == programme_id)
        & StartupProgramme.status.is_in(list(ADMITTED))
    )


async def _centre_for(data: GrantIn, errors: dict[str, str]) -> int | None:
    """The centre that runs the grant: its application's call's, else the programme's."""
    if data.application is not None:
        app = (
            await Application.select(
                Application.startup,
                Application.status,
                Application.call.centre.as_alias("centre"),
                Application.call.programme.as_alias("programme"),
            )
            .where(Application.id == data.application)
            .first()
        )
        if app is None:
            errors["application"] = f"there is no application {data.application}"
        elif (app["startup"], app["programme"]) != (data.startup, data.programme):
            errors["application"] = "must be this start-up's application to this programme"
        elif app["status"] != "admitted":
            errors["application"] = "must be an admitted application"
        else:
            return app["centre"]
        return None
    row = await Programme.select(Programme.centre).where(Programme.id == data.programme).first()
    if row is None:
        errors["programme"] = f"there is no programme {data.programme}"
        return None
    if row["centre"] is None:
        errors["programme"] = "this programme has no centre to run it: make it from an application"
    return row["centre"]


async def create_grant(viewer: Viewer, data: GrantIn) -> GrantOut:
    """A draft grant for a start-up admitted to the programme (one per application)."""
    require_login(viewer)
    errors = terms_problems(
        data.kind,
        data.total_cents,
        data.match_percent,
        data.starts_on,
        data.ends_on,
        data.milestones,
    )
    if not await Startup.exists().where(Startup.id == data.startup):
        errors["startup"] = f"there is no start-up {data.startup}"
    centre = await _centre_for(data, errors)
    known = "startup" not in errors and "programme" not in errors
    if known and not await _admitted(data.startup, data.programme):
        errors["startup"] = "must be admitted to the programme first"
    if centre is not None:
        await policy.require_run(viewer, centre, "make a grant")
    if errors:
        raise ValidationFailed(errors)
    assert centre is not None
    async with write_transaction():
        if data.application is not None and await Grant.exists().where(
            Grant.application == data.application
        ):
            raise Conflict(f"application {data.application} already has a grant")
        row = (
            await Grant.insert(
                Grant(
                    startup=data.startup,
                    programme=data.programme,
                    centre=centre,
                    application=data.application,
                    kind=data.kind,
                    total_cents=data.total_cents,
                    match_percent=data.match_percent,
                    starts_on=data.starts_on,
                    ends_on=data.ends_on,
                    notes=data.notes.strip(),
                    created_by=viewer.user_id,
                )
            ).returning(Grant.id)
        )[0]
        for n, m in enumerate(data.milestones, start=1):
            await Milestone.insert(Milestone(grant=row["id"], **milestone_values(m, n)))
        await audit_grant(
            viewer, Action.grant_created, row["id"], {"total": format_hkd(data.total_cents)}
        )
    return await get_grant(viewer, row["id"])


async def audit_grant(
    viewer: Viewer, action: Action, grant_id: int, detail: dict[str, Any] | None = None
) -> None:
    """The grant's entry in the audit trail, named by its start-up and programme."""
    row = (
        await Grant.select(Grant.startup.name_en, Grant.programme.name_en)
        .where(Grant.id == grant_id)
        .first()
    )
    subject = f"{row['startup.name_en']}: {row['programme.name_en']} (grant #{grant_id})"
    await audit.record(viewer, action, subject, detail)


async def grant_row(grant_id: int) -> dict:
    row = await Grant.select().where(Grant.id == grant_id).first()
    if row is None:
        raise NotFound(f"there is no grant {grant_id}")
    return row


async def run_grant(viewer: Viewer, grant_id: int, action: str) -> dict:
    row = await grant_row(grant_id)
    await policy.require_run(viewer, row["centre"], action)
    return row


async def get_grant(viewer: Viewer, grant_id: int) -> GrantOut:
    require_login(viewer)
    row = await grant_row(grant_id)
    if not await policy.may_see(viewer, row["startup"], row["centre"]):
        raise NotFound(f"there is no grant {grant_id}")  # not even that it exists
    names = (
        await Grant.select(
            Grant.startup.name_en.as_alias("startup_en"),
            Grant.startup.name_zh.as_alias("startup_zh"),
            Grant.programme.name_en.as_alias("programme_en"),
            Grant.programme.name_zh.as_alias("programme_zh"),
        )
        .where(Grant.id == grant_id)
        .first()
    )
    milestones = (
        await Milestone.select().where(Milestone.grant == grant_id).order_by(Milestone.position)
    )
    claims = await Claim.select(Claim.id, Claim.milestone, Claim.status).where(
        (Claim.grant == grant_id) & Claim.status.is_in(list(HOLDING))
    )
    held = {c["milestone"]: c for c in claims if c["milestone"] is not None}
    for m in milestones:
        claim = held.get(m["id"])
        m["claim"], m["claim_status"] = (claim["id"], claim["status"]) if claim else (None, "")
    amendments = (
        await GrantAmendment.select(
            GrantAmendment.all_columns(),
            GrantAmendment.changed_by.email.as_alias("changed_by_email"),
        )
        .where(GrantAmendment.grant == grant_id)
        .order_by(GrantAmendment.version)
    )
    return msgspec.convert(
        row
        | names
        | {
            "remaining_cents": row["total_cents"] - row["held_cents"],
            "milestones": milestones,
            "amendments": [
                a
                | {
                    "before": json.loads(a["before"]),
                    "after": json.loads(a["after"]),
                    "changed_by": a["changed_by_email"] or "",
                }
                for a in amendments
            ],
        },
        GrantOut,
        strict=False,
    )


async def _seen_by(viewer: Viewer) -> Any:
    """The condition on grants a viewer sees: their start-ups' (members), their centres'
    (managers), all (administrators); None for anyone else."""
    require_login(viewer)
    if viewer.is_member:
        return Grant.startup.is_in(await member_startup_ids(viewer) or [0])
    if viewer.is_manager:
        return Grant.centre.is_in(await manager_centre_ids(viewer) or [0])
    return Grant.id > 0 if viewer.is_admin else None


def named(table: type[Grant] | type[Claim], text: str) -> WhereRaw:
    """Rows of start-ups whose English or Chinese name holds the text (any case). The names
    are matched in the start-up table alone, then its ids among the rows': joining first
    had PostgreSQL read every claim's start-up (50 ms at 24,000 claims, bench/funding.py)."""
    # PostgreSQL: lower() and LIKE, as ILIKE took twice as long over 8,000 names. SQLite's
    # LIKE already ignores ASCII case (its lower() folds no more).
    en, zh = ("lower(name_en)", "lower(name_zh)") if is_postgres() else ("name_en", "name_zh")
    pattern = like_pattern(text.lower())
    return WhereRaw(
        f'"{table._meta.tablename}"."startup" IN (SELECT id FROM "startup" '
        f"WHERE {en} LIKE {{}} OR {zh} LIKE {{}})",
        pattern,
        pattern,
    )


async def list_grants(
    viewer: Viewer, status: str = "", programme: int | None = None, page: int = 1, text: str = ""
) -> tuple[list[GrantRow], int]:
    """The grants a viewer sees, the latest first, a page at a time: of one status, under one
    programme, of start-ups whose name holds `text`, as asked."""
    where = await _seen_by(viewer)
    if where is None:
        return [], 0
    if status:
        where &= Grant.status == status
    if programme:
        where &= Grant.programme == programme
    if text.strip():
        where &= named(Grant, text.strip())
    total = await Grant.count().where(where)
    rows = (
        await Grant.select(
            Grant.all_columns(),
            Grant.startup.name_en.as_alias("startup_en"),
            Grant.startup.name_zh.as_alias("startup_zh"),
            Grant.programme.name_en.as_alias("programme_en"),
            Grant.programme.name_zh.as_alias("programme_zh"),
        )
        .where(where)
        .order_by(Grant.id, ascending=False)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )
    return msgspec.convert(rows, list[GrantRow], strict=False), total


async def granting_programmes(viewer: Viewer) -> list[dict]:
    """The programmes under which the viewer sees grants (id and names, by English name):
    what the lists' programme filter offers."""
    where = await _seen_by(viewer)
    if where is None:
        return []
    rows = (
        await Grant.select(
            Grant.programme.as_alias("id"),
            Grant.programme.name_en.as_alias("name_en"),
            Grant.programme.name_zh.as_alias("name_zh"),
        )
        .where(where)
        .distinct()
    )
    return sorted(rows, key=lambda r: r["name_en"].lower())


# An admission without a grant (other than a terminated one) under its programme.
UNGRANTED = (
    "NOT EXISTS (SELECT 1 FROM programme_grant g WHERE g.startup = startup_programme.startup "
    "AND g.programme = startup_programme.programme AND g.status <> 'terminated')"
)


async def admissions(viewer: Viewer) -> list[dict]:
    """The start-ups admitted to a programme the viewer runs that have no grant under it yet:
    what a new grant's form offers (start-up and programme, by name)."""
    require_login(viewer)
    where = (
        StartupProgramme.status.is_in(list(ADMITTED))
        & (StartupProgramme.startup.status == "active")
        & WhereRaw(UNGRANTED)
    )
    if not viewer.is_admin:
        where &= StartupProgramme.programme.centre.is_in(await manager_centre_ids(viewer) or [0])
    rows = await StartupProgramme.select(
        StartupProgramme.startup,
        StartupProgramme.programme,
        StartupProgramme.startup.name_en.as_alias("startup_en"),
        StartupProgramme.startup.name_zh.as_alias("startup_zh"),
        StartupProgramme.programme.name_en.as_alias("programme_en"),
        StartupProgramme.programme.name_zh.as_alias("programme_zh"),
    ).where(where)
    return sorted(rows, key=lambda r: (r["startup_en"].lower(), r["programme_en"]))
