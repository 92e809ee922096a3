"""The audit trail: every staff action that changes people's data or access, with who made
it, when, from which address, what it was and what it touched.

Entries are written by the services that make the change, inside the change's own write
transaction, so a change and its entry commit or fail together. Nothing updates or deletes an
entry (the database refuses to: see the auth migrations). Administrators read it at
/admin/audit.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from enum import Enum
from typing import Any

import msgspec

from incubator.auth.schemas import Viewer
from incubator.auth.tables import AuditEntry
from incubator.db import contains
from incubator.errors import Forbidden, ValidationFailed
from incubator.i18n import HONG_KONG


class Action(str, Enum):
    """What a staff member did; the pages name each in the reader's language."""

    account_created = "account_created"
    account_deactivated = "account_deactivated"
    account_reactivated = "account_reactivated"
    role_changed = "role_changed"
    centres_assigned = "centres_assigned"
    centres_changed = "centres_changed"
    partner_user_added = "partner_user_added"
    partner_user_removed = "partner_user_removed"
    consent_granted = "consent_granted"
    consent_withdrawn = "consent_withdrawn"
    export_made = "export_made"
    token_created = "token_created"  # noqa: S105 (a name, not a secret)
    token_revoked = "token_revoked"  # noqa: S105
    lease_created = "lease_created"
    lease_activated = "lease_activated"
    lease_discarded = "lease_discarded"
    lease_notice_given = "lease_notice_given"
    lease_terminated = "lease_terminated"
    lease_renewed = "lease_renewed"
    mou_created = "mou_created"
    mou_changed = "mou_changed"
    mou_terminated = "mou_terminated"
    mou_renewed = "mou_renewed"
    grant_created = "grant_created"
    grant_amended = "grant_amended"
    grant_activated = "grant_activated"
    grant_completed = "grant_completed"
    grant_terminated = "grant_terminated"
    claim_approved = "claim_approved"
    claim_rejected = "claim_rejected"
    batch_made = "batch_made"
    batch_paid = "batch_paid"


class AuditRow(msgspec.Struct):
    id: int
    at: datetime
    actor_id: int | None
    actor_email: str
    address: str
    action: str
    subject: str
    detail: dict[str, Any]


class AuditPage(msgspec.Struct):
    rows: list[AuditRow]
    page: int
    pages: int
    total: int


async def record(
    viewer: Viewer, action: Action, subject: str, detail: dict[str, Any] | None = None
) -> None:
    """Add one entry. Call it inside the write transaction of the change it records."""
    await AuditEntry.insert(
        AuditEntry(
            actor_id=viewer.user_id,
            actor_email=viewer.email or viewer.name,
            address=viewer.address[:64],
            action=action.value,
            subject=subject[:200],
            detail=msgspec.json.encode(detail or {}).decode(),
        )
    )


PER_PAGE = 50


async def entries(
    viewer: Viewer,
    *,
    action: str = "",
    actor: str = "",
    since: date | None = None,
    until: date | None = None,
    page: int = 1,
) -> AuditPage:
    """The trail, newest first, for administrators; filtered by action, by the actor's email
    (a part of it) and by Hong Kong days."""
    if not viewer.is_admin:
        raise Forbidden("only administrators may read the audit trail")
    if action and action not in Action.__members__:
        raise ValidationFailed({"action": "must be one of the listed actions"})
    if since and until and until < since:
        raise ValidationFailed({"until": "must not be before the first day"})
    query = AuditEntry.select()
    count = AuditEntry.count()
    conditions = []
    if action:
        conditions.append(AuditEntry.action == action)
    if actor:
        conditions.append(contains(AuditEntry.actor_email, actor.strip()))
    if since:
        conditions.append(AuditEntry.at >= datetime.combine(since, time(), HONG_KONG))
    if until:
        next_day = datetime.combine(until + timedelta(days=1), time(), HONG_KONG)
        conditions.append(AuditEntry.at < next_day)
    for condition in conditions:
        query = query.where(condition)
        count = count.where(condition)
    total = await count
    pages = max(1, math.ceil(total / PER_PAGE))
    page = min(max(page, 1), pages)
    rows = (
        await query.order_by(AuditEntry.id, ascending=False)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )
    for row in rows:
        row["detail"] = msgspec.json.decode(row["detail"] or "{}")
    return AuditPage(
        rows=msgspec.convert(rows, list[AuditRow]), page=page, pages=pages, total=total
    )
