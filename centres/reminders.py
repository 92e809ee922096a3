"""Tenancy's reminders: a lease ends in 90, 30 and 7 days (the days are a setting), to the
start-up's members and the managers of the unit's centre. A lease already renewed, or a
draft, is not reminded of."""

from __future__ import annotations

from datetime import datetime, timedelta

from incubator.reminders.services.engine import (
    Due,
    Source,
    local_day,
    local_moment,
    register_source,
)
from incubator.settings import Settings
from incubator.startups.services.recipients import centre_managers, startup_members


async def lease_ends(since: datetime, until: datetime, settings: Settings) -> list[Due]:
    from centres.tables import Lease

    dues: list[Due] = []
    for days in settings.reminder_lease_days:
        first = local_day(since) + timedelta(days=days)
        last = local_day(until) + timedelta(days=days)
        rows = await Lease.raw(
            """
            SELECT l.id, l.ends_on, l.startup, u.centre, u.code, s.name_en, s.name_zh
            FROM lease l JOIN unit u ON u.id = l.unit JOIN startup s ON s.id = l.startup
            WHERE l.status <> 'draft' AND l.ends_on BETWEEN {} AND {}
              AND NOT EXISTS (SELECT 1 FROM lease r WHERE r.renewal_of = l.id)
            """,
            first,
            last,
        )
        members = await startup_members([r["startup"] for r in rows])
        managers = await centre_managers([r["centre"] for r in rows])
        for row in rows:
            due_at = local_moment(row["ends_on"] - timedelta(days=days), settings.reminder_hour)
            if not since <= due_at <= until:
                continue
            ends = row["ends_on"].isoformat()
            dues.append(
                Due(
                    subject=f"lease:{row['id']}",
                    occurrence=f"{ends}/{days}d",
                    due_at=due_at,
                    recipients=members.get(row["startup"], []) + managers.get(row["centre"], []),
                    title={
                        "en": f"Lease of {row['code']} ends in {days} days ({ends})",
                        "zh-Hant": f"{row['code']} 的租約將於 {days} 日後（{ends}）屆滿",
                    },
                    body={
                        "en": f"The lease of unit {row['code']} by {row['name_en']} ends on "
                        f"{ends}. Renew it, or plan the move, before then.",
                        "zh-Hant": f"{row['name_zh'] or row['name_en']} 租用的 {row['code']} "
                        f"單位租約於 {ends} 屆滿。請在此之前續租或安排遷出。",
                    },
                    link=f"/leases/{row['id']}",
                )
            )
    return dues


def register() -> None:
    register_source(
        Source(
            "lease_ends",
            "Lease ends soon",
            lease_ends,
            essential=True,
            audience=("member", "manager"),  # the tenant's members, the centre's managers
        )
    )
