"""A call's review panel: who sits on it, which applications each reviewer is given, and the
conflicts of interest they declare before they see any of them. A reviewer declares against
the names of the applicants they were given, listed alphabetically and never linked to an
application, so a blind call stays blind; an application they are conflicted with is never
shown to them, on any page or API."""

from __future__ import annotations

from collections import Counter

from incubator.auth.schemas import Viewer
from incubator.auth.tables import Role, User
from incubator.db import UNIQUE_VIOLATIONS, utcnow, write_transaction
from incubator.errors import Conflict, NotFound, ValidationFailed
from incubator.programmes import policy
from incubator.programmes.schemas import (
    AssignIn,
    ConflictChoice,
    DeclarationDue,
    DeclareIn,
    PanelMember,
)
from incubator.programmes.services.calls import centre_of
from incubator.programmes.tables import Application, CallReviewer, Review
from incubator.startups.policy import require_login

REVIEWER_ROLES = (Role.admin.value, Role.manager.value, Role.reviewer.value)


async def panel(viewer: Viewer, call_id: int) -> list[PanelMember]:
    await policy.require_run(viewer, await centre_of(call_id), "see this call's panel")
    rows = await CallReviewer.raw(
        "SELECT u.id AS user, u.name, u.email, u.role, "
        "count(r.id) AS assigned, "
        "sum(CASE WHEN r.status = 'scored' THEN 1 ELSE 0 END) AS scored, "
        "sum(CASE WHEN r.status = 'conflicted' THEN 1 ELSE 0 END) AS conflicted "
        'FROM call_reviewer cr JOIN app_user u ON u.id = cr."user" '
        'LEFT JOIN application_review r ON r.call = cr.call AND r.reviewer = cr."user" '
        "WHERE cr.call = {} GROUP BY u.id, u.name, u.email, u.role ORDER BY u.name",
        call_id,
    )
    return [
        PanelMember(**(row | {"scored": row["scored"] or 0, "conflicted": row["conflicted"] or 0}))
        for row in rows
    ]


async def add_reviewer(viewer: Viewer, call_id: int, email: str) -> list[PanelMember]:
    """Seat a member of staff or an external reviewer on the call's panel."""
    await policy.require_run(viewer, await centre_of(call_id), "change this call's panel")
    address = email.strip().lower()
    person = (
        await User.select(User.id, User.role, User.is_active).where(User.email == address).first()
    )
    if person is None or not person["is_active"]:
        raise ValidationFailed({"email": f"no active account has the email {address or '(blank)'}"})
    if person["role"] not in REVIEWER_ROLES:
        raise ValidationFailed(
            {"email": "reviewers are staff or external reviewers, not start-up members or partners"}
        )
    try:
        async with write_transaction():
            await CallReviewer.insert(
                CallReviewer(call=call_id, user=person["id"], added_by=viewer.user_id)
            )
    except UNIQUE_VIOLATIONS:
        raise Conflict(f"{address} is on this call's panel already") from None
    return await panel(viewer, call_id)


async def remove_reviewer(viewer: Viewer, call_id: int, user_id: int) -> list[PanelMember]:
    """Take a reviewer off the panel; their reviews not yet scored go with them."""
    await policy.require_run(viewer, await centre_of(call_id), "change this call's panel")
    async with write_transaction():
        gone = (
            await CallReviewer.delete()
            .where((CallReviewer.call == call_id) & (CallReviewer.user == user_id))
            .returning(CallReviewer.id)
        )
        if not gone:
            raise NotFound(f"user {user_id} is not on this call's panel")
        await Review.delete().where(
            (Review.call == call_id)
            & (Review.reviewer == user_id)
            & Review.status.is_in(["pending", "open"])
        )
    return await panel(viewer, call_id)


async def assign(viewer: Viewer, call_id: int, data: AssignIn) -> int:
    """Give each submitted application `per_application` reviewers (a conflicted one does not
    count), the least busy first; returns how many reviews were assigned."""
    await policy.require_run(viewer, await centre_of(call_id), "assign this call's reviews")
    if not 1 <= data.per_application <= 10:
        raise ValidationFailed({"per_application": "must be a whole number from 1 to 10"})
    async with write_transaction():
        reviewers = [
            r["user"]
            for r in await CallReviewer.select(CallReviewer.user).where(
                CallReviewer.call == call_id
            )
        ]
        if not reviewers:
            raise ValidationFailed({"per_application": "add reviewers to the panel first"})
        applications = [
            r["id"]
            for r in await Application.select(Application.id)
            .where((Application.call == call_id) & (Application.status == "submitted"))
            .order_by(Application.id)
        ]
        existing = await Review.select(Review.application, Review.reviewer, Review.status).where(
            Review.call == call_id
        )
        load = Counter({r: 0 for r in reviewers})
        given: dict[int, set[int]] = {}
        counting: Counter[int] = Counter()
        for row in existing:
            given.setdefault(row["application"], set()).add(row["reviewer"])
            if row["reviewer"] in load:
                load[row["reviewer"]] += 1
            if row["status"] != "conflicted":
                counting[row["application"]] += 1
        new = []
        for application in applications:
            wanted = min(data.per_application, len(reviewers)) - counting[application]
            free = [r for r in reviewers if r not in given.get(application, set())]
            for reviewer in sorted(free, key=lambda r: (load[r], r))[: max(0, wanted)]:
                load[reviewer] += 1
                new.append(Review(call=call_id, application=application, reviewer=reviewer))
        for start in range(0, len(new), 500):
            await Review.insert(*new[start : start + 500])
    return len(new)


async def to_declare(viewer: Viewer, call_id: int) -> list[ConflictChoice]:
    """The applicants of the viewer's reviews not yet declared on, alphabetically."""
    require_login(viewer)
    rows = await Review.raw(
        "SELECT DISTINCT s.id AS startup, s.name_en, s.name_zh FROM application_review r "
        "JOIN programme_application a ON a.id = r.application JOIN startup s ON s.id = a.startup "
        "WHERE r.call = {} AND r.reviewer = {} AND r.status = 'pending' ORDER BY s.name_en",
        call_id,
        viewer.user_id,
    )
    return [ConflictChoice(**row) for row in rows]


async def declare(viewer: Viewer, call_id: int, data: DeclareIn) -> dict[str, int]:
    """Record the viewer's conflicts among their pending reviews: those applicants' reviews
    are closed to them for good; the others open. Returns how many of each."""
    require_login(viewer)
    choices = {c.startup for c in await to_declare(viewer, call_id)}
    unknown = [s for s in data.conflicts if s not in choices]
    if unknown:
        raise ValidationFailed(
            {"conflicts": "declare only against the applicants listed for you to declare on"}
        )
    if not choices:
        raise Conflict("you have no reviews of this call waiting for a declaration")
    now = utcnow()
    async with write_transaction():
        pending = await Review.raw(
            "SELECT r.id, a.startup FROM application_review r "
            "JOIN programme_application a ON a.id = r.application "
            "WHERE r.call = {} AND r.reviewer = {} AND r.status = 'pending'",
            call_id,
            viewer.user_id,
        )
        conflicted = [r["id"] for r in pending if r["startup"] in set(data.conflicts)]
        clear = [r["id"] for r in pending if r["startup"] not in set(data.conflicts)]
        for status, ids in (("conflicted", conflicted), ("open", clear)):
            if ids:
                await Review.update({Review.status: status, Review.declared_at: now}).where(
                    Review.id.is_in(ids)
                )
    return {"conflicted": len(conflicted), "open": len(clear)}


async def conflicted_applications(viewer: Viewer) -> set[int]:
    """The applications the viewer declared a conflict with: closed to them everywhere."""
    if not viewer.is_authenticated:
        return set()
    rows = await Review.select(Review.application).where(
        (Review.reviewer == viewer.user_id) & (Review.status == "conflicted")
    )
    return {r["application"] for r in rows}


async def calls_to_declare(viewer: Viewer) -> list[DeclarationDue]:
    """The calls where the viewer has reviews waiting for their declaration."""
    require_login(viewer)
    rows = await Review.raw(
        "SELECT c.id AS call, c.title_en AS call_en, c.title_zh AS call_zh, "
        "count(*) AS pending FROM application_review r JOIN programme_call c ON c.id = r.call "
        "WHERE r.reviewer = {} AND r.status = 'pending' "
        "GROUP BY c.id, c.title_en, c.title_zh ORDER BY c.id",
        viewer.user_id,
    )
    return [DeclarationDue(**row) for row in rows]


async def visible_to(viewer: Viewer, where: str, args: list) -> tuple[str, list]:
    """A condition on applications `a` narrowed to leave out those the viewer declared a
    conflict with (every list, ranking and file of a call reads through it)."""
    hidden = sorted(await conflicted_applications(viewer))
    if not hidden:
        return where, args
    return where + f" AND a.id NOT IN ({', '.join('{}' for _ in hidden)})", [*args, *hidden]
