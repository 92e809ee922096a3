"""Start-up profiles: reading them as each viewer may, changing them with a history, creating
and archiving start-ups."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import msgspec
from msgspec import UNSET

from incubator.auth.schemas import Viewer
from incubator.db import lock_row, read_snapshot, utcnow, write_transaction
from incubator.errors import Forbidden, NotFound, ValidationFailed
from incubator.i18n import today_hk
from incubator.startups import policy
from incubator.startups.schemas import (
    NewStartup,
    ProfileUpdate,
    StartupDetail,
    TeamMemberOut,
)
from incubator.startups.services.history import changed_since
from incubator.startups.services.onsite import DERIVED_MESSAGE
from incubator.startups.services.reference import references
from incubator.startups.services.search import (
    DirectoryPage,
    DirectoryQuery,
    attach_links,
    directory_rows,
)
from incubator.startups.services.terms import search_document as build_search_document
from incubator.startups.services.validation import (
    MANAGER_FIELDS,
    SCALAR_FIELDS,
    References,
    clean_profile,
    display_value,
    given,
)
from incubator.startups.tables import (
    ProfileChange,
    Startup,
    StartupAffiliation,
    StartupCluster,
    StartupProgramme,
    TeamMember,
)


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or "startup"


# ---------------------------------------------------------------- reference data


# ---------------------------------------------------------------- reading


async def directory(viewer: Viewer, query: DirectoryQuery) -> DirectoryPage:
    """The directory page for anyone; archived start-ups only for those who manage them."""
    if query.archived:
        if viewer.is_admin:
            query.within_centres = None
        elif viewer.is_manager:
            query.within_centres = await policy.manager_centre_ids(viewer)
        else:
            raise Forbidden("only managers and administrators may list archived start-ups")
    async with read_snapshot():
        return await directory_rows(query)


async def get_profile(viewer: Viewer, startup_id: int) -> StartupDetail:
    """A whole profile as the viewer may see it; raises NotFound for what they may not see."""
    row = await Startup.select().where(Startup.id == startup_id).first()
    if row is None:
        raise NotFound(f"no start-up with id {startup_id}")
    row.pop("search_document", None)
    can_manage = await policy.can_manage(viewer, startup_id)
    can_edit = can_manage or await policy.can_edit(viewer, startup_id)
    if row["status"] != "active" and not can_edit:  # archived, or an applicant's
        raise NotFound(f"no start-up with id {startup_id}")
    await attach_links([row], today_hk())
    row["tags"] = [t for t in row["tags"].split(",") if t]
    row["programmes"] = (
        await StartupProgramme.select(
            StartupProgramme.id,
            StartupProgramme.programme.slug.as_alias("programme"),
            StartupProgramme.programme.name_en.as_alias("name_en"),
            StartupProgramme.programme.name_zh.as_alias("name_zh"),
            StartupProgramme.status,
            StartupProgramme.started_on,
            StartupProgramme.ended_on,
        )
        .where(StartupProgramme.startup == startup_id)
        .order_by(StartupProgramme.started_on)
    )
    groups = await policy.visible_groups(viewer, startup_id)
    row["team"] = await team(startup_id) if "team" in groups else []
    if "team_emails" not in groups:
        for member in row["team"]:
            member.email = ""
    if "contact" not in groups:
        # Personal data stays inside the community (PDPO), and with partners it was shared
        # with: the public and other partners see the company only.
        for key in ("contact_name", "contact_email", "contact_phone"):
            row[key] = ""
    if "headcount" not in groups:
        row["headcount"] = None
    if "funds_raised" not in groups:
        row["funds_raised_cents"] = None
    if row["headcount"] is None and row["funds_raised_cents"] is None:
        row["progress_quarter"] = ""
    row["can_edit"] = can_edit
    row["can_manage"] = can_manage
    return msgspec.convert(row, StartupDetail)


async def team(startup_id: int) -> list[TeamMemberOut]:
    rows = (
        await TeamMember.select(
            TeamMember.id,
            TeamMember.name,
            TeamMember.name_zh,
            TeamMember.title,
            TeamMember.email,
            TeamMember.is_founder,
        )
        .where(TeamMember.startup == startup_id)
        .order_by(TeamMember.sort_order)
        .order_by(TeamMember.id)
    )
    return msgspec.convert(rows, list[TeamMemberOut])


async def current_values(startup_id: int, *, lock: bool = False) -> dict[str, Any]:
    """The profile's values as stored. Inside a write transaction that will change them,
    `lock` holds the start-up's row until it ends, so concurrent changes happen one after
    the other and each rebuilds the search text and replaces the sets from what the one
    before it wrote (PostgreSQL's FOR UPDATE; SQLite's single writer already holds it)."""
    if lock:
        await lock_row(Startup, startup_id)
    row = await Startup.select().where(Startup.id == startup_id).first()
    if row is None:
        raise NotFound(f"no start-up with id {startup_id}")
    values: dict[str, Any] = {k: row[k] for k in SCALAR_FIELDS}
    values["status"] = row["status"]
    values["version"] = row["version"]
    values["tags"] = [t for t in row["tags"].split(",") if t]
    values["clusters"] = sorted(
        r["cluster.slug"]
        for r in await StartupCluster.select(StartupCluster.cluster.slug).where(
            StartupCluster.startup == startup_id
        )
    )
    values["centres"] = sorted(
        r["centre.slug"]
        for r in await StartupAffiliation.select(StartupAffiliation.centre.slug).where(
            StartupAffiliation.startup == startup_id
        )
    )
    values["programmes"] = [
        {
            "programme": r["programme.slug"],
            "status": r["status"],
            "started_on": r["started_on"],
            "ended_on": r["ended_on"],
        }
        for r in await StartupProgramme.select(
            StartupProgramme.programme.slug,
            StartupProgramme.status,
            StartupProgramme.started_on,
            StartupProgramme.ended_on,
        ).where(StartupProgramme.startup == startup_id)
    ]
    values["programmes"].sort(key=lambda e: (e["started_on"], e["programme"]))
    return values


# ---------------------------------------------------------------- changing


@dataclass(frozen=True)
class Change:
    field: str
    old: Any
    new: Any


async def apply_changes(
    startup_id: int,
    old: dict,
    clean: dict,
    refs: References,
    actor: Viewer | None,
    created: bool = False,
) -> list[Change]:
    """Write the fields of `clean` that differ from `old`, with one history row each (or, for
    a start-up just `created`, one row that says who created it: each later change records
    the value it replaced). `old` must be read with `current_values(..., lock=True)` in the
    same write transaction."""
    changes = [Change(f, old.get(f), v) for f, v in clean.items() if old.get(f) != v]
    if not changes:
        return []
    row_update: dict[Any, Any] = {}
    for change in changes:
        if change.field in SCALAR_FIELDS:
            row_update[getattr(Startup, change.field)] = change.new
        elif change.field == "tags":
            row_update[Startup.tags] = ",".join(change.new)
        elif change.field == "clusters":
            await StartupCluster.delete().where(StartupCluster.startup == startup_id)
            if change.new:
                await StartupCluster.insert(
                    *[
                        StartupCluster(startup=startup_id, cluster=refs.clusters[c])
                        for c in change.new
                    ]
                )
        elif change.field == "centres":
            await StartupAffiliation.delete().where(StartupAffiliation.startup == startup_id)
            await StartupAffiliation.insert(
                *[
                    StartupAffiliation(startup=startup_id, centre=refs.centres[c][0])
                    for c in change.new
                ]
            )
        elif change.field == "programmes":
            await StartupProgramme.delete().where(StartupProgramme.startup == startup_id)
            if change.new:
                await StartupProgramme.insert(
                    *[
                        StartupProgramme(
                            startup=startup_id,
                            programme=refs.programmes[e["programme"]],
                            status=e["status"],
                            started_on=e["started_on"],
                            ended_on=e["ended_on"],
                        )
                        for e in change.new
                    ]
                )
    merged = old | clean
    now = utcnow()
    row_update[Startup.search_document] = build_search_document(
        merged["name_en"],
        merged["name_zh"],
        merged["description_en"],
        merged["description_zh"],
        ",".join(merged["tags"]),
    )
    row_update[Startup.updated_at] = now
    row_update[Startup.version] = Startup.version + 1
    await Startup.update(row_update).where(Startup.id == startup_id)
    logged = [Change("created", "", merged["name_en"])] if created else changes
    await ProfileChange.insert(
        *[
            ProfileChange(
                startup=startup_id,
                actor=actor.user_id if actor else None,
                actor_name=(actor.name if actor else "import"),
                field=c.field,
                old_value=display_value(c.field, c.old),
                new_value=display_value(c.field, c.new),
                changed_at=now,
            )
            for c in logged
        ]
    )
    return changes


async def update_profile(
    viewer: Viewer, startup_id: int, change: ProfileUpdate, expected_version: int | None = None
) -> list[Change]:
    """Change the fields `change` sets; members may change their profile, managers
    everything. With `expected_version` (an If-Match), a profile changed since is refused
    with a 412 that says who changed it and when, and nothing is written."""
    await policy.require_edit(viewer, startup_id)
    data = given(change)
    manager_fields = [f for f in MANAGER_FIELDS if f in data]
    if manager_fields and not await policy.can_manage(viewer, startup_id):
        raise Forbidden(
            f"only the start-up's centre managers and administrators may change "
            f"{', '.join(manager_fields)}",
            {
                f: "may be changed by centre managers and administrators only"
                for f in manager_fields
            },
        )
    if "onsite" in data:
        raise ValidationFailed({"onsite": DERIVED_MESSAGE})
    refs = await references()
    clean, errors = clean_profile(data, refs, today_hk())
    if "centres" in clean and not errors:
        errors |= await _keeps_own_centre(viewer, refs, clean["centres"], "keep")
    if errors:
        raise ValidationFailed(errors)
    async with write_transaction():
        old = await current_values(startup_id, lock=True)
        if expected_version is not None and old["version"] != expected_version:
            raise await changed_since(startup_id, old["version"])
        return await apply_changes(startup_id, old, clean, refs, viewer)


async def profile_problems(values: dict[str, Any]) -> dict[str, str]:
    """The profile rules that typed `values` break (what a form could read of a change)."""
    return clean_profile(values, await references(), today_hk())[1]


async def _keeps_own_centre(
    viewer: Viewer, refs: References, centres: list[str], verb: str
) -> dict[str, str]:
    """A manager's start-ups stay inside their scope: one of their centres or hubs remains."""
    if not viewer.is_manager:
        return {}
    mine = set(await policy.manager_centre_ids(viewer))
    if any(refs.centres[c][0] in mine for c in centres):
        return {}
    return {"centres": f"must {verb} at least one of your own centres or hubs"}


async def create_startup(viewer: Viewer, new: NewStartup) -> int:
    """A new start-up, by an administrator or by a manager for one of their centres."""
    policy.require_login(viewer)
    if not (viewer.is_admin or viewer.is_manager):
        raise Forbidden("only managers and administrators may add start-ups")
    refs = await references()
    if new.onsite is not UNSET:
        raise ValidationFailed({"onsite": DERIVED_MESSAGE})
    data = {"name_en": "", "centres": [], "stage": "seed", "team_size": 1} | given(new)
    clean, errors = clean_profile(data, refs, today_hk())
    if not errors:
        errors |= await _keeps_own_centre(viewer, refs, clean["centres"], "include")
    if errors:
        raise ValidationFailed(errors)
    async with write_transaction():
        startup_id = await insert_startup(clean["name_en"])
        old = await current_values(startup_id)
        await apply_changes(startup_id, old, clean, refs, viewer, created=True)
    return startup_id


async def insert_startup(name_en: str, slug: str | None = None) -> int:
    """An empty profile row under a unique slug, for `apply_changes` in the same transaction."""
    base = slug or slugify(name_en)
    candidate, n = base, 1
    while await Startup.exists().where(Startup.slug == candidate):
        n += 1
        candidate = f"{base}-{n}"
    rows = await Startup.insert(
        Startup(slug=candidate, name_en=name_en, search_document=name_en)
    ).returning(Startup.id)
    return rows[0]["id"]


async def set_archived(viewer: Viewer, startup_id: int, archived: bool) -> None:
    await policy.require_manage(viewer, startup_id)
    status = "archived" if archived else "active"
    async with write_transaction():
        old = await current_values(startup_id, lock=True)
        if old["status"] == status:
            return
        await Startup.update(
            {
                Startup.status: status,
                Startup.updated_at: utcnow(),
                Startup.version: Startup.version + 1,
            }
        ).where(Startup.id == startup_id)
        await ProfileChange.insert(
            ProfileChange(
                startup=startup_id,
                actor=viewer.user_id,
                actor_name=viewer.name,
                field="status",
                old_value=old["status"],
                new_value=status,
            )
        )


# ---------------------------------------------------------------- team


async def log_change(startup_id: int, viewer: Viewer, field: str, old: str, new: str) -> None:
    await ProfileChange.insert(
        ProfileChange(
            startup=startup_id,
            actor=viewer.user_id,
            actor_name=viewer.name,
            field=field,
            old_value=old,
            new_value=new,
        )
    )
