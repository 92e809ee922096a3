"""The core's reminder: a start-up profile not updated for 180 days (a setting), to its
members, so the directory stays current."""

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
from incubator.startups.services.recipients import startup_members


async def profile_stale(since: datetime, until: datetime, settings: Settings) -> list[Due]:
    from incubator.startups.tables import Startup

    age = timedelta(days=settings.reminder_profile_days)
    first = local_moment(local_day(since - age) - timedelta(days=1), 0)
    last = local_moment(local_day(until - age) + timedelta(days=1), 0)
    rows = await Startup.select(
        Startup.id, Startup.name_en, Startup.name_zh, Startup.updated_at
    ).where(
        (Startup.status == "active") & (Startup.updated_at >= first) & (Startup.updated_at < last)
    )
    members = await startup_members([r["id"] for r in rows])
    dues = []
    for row in rows:
        due_at = local_moment(local_day(row["updated_at"] + age), settings.reminder_hour)
        if not since <= due_at <= until or row["id"] not in members:
            continue
        dues.append(
            Due(
                subject=f"startup:{row['id']}",
                occurrence=local_day(row["updated_at"]).isoformat(),
                due_at=due_at,
                recipients=members[row["id"]],
                title={
                    "en": f"Is the profile of {row['name_en']} still current?",
                    "zh-Hant": f"{row['name_zh'] or row['name_en']} 的資料仍然正確嗎？",
                },
                body={
                    "en": f"The profile of {row['name_en']} has not changed for "
                    f"{settings.reminder_profile_days} days. Partners and the community see it: "
                    "please check it is up to date.",
                    "zh-Hant": f"{row['name_zh'] or row['name_en']} 的資料已 "
                    f"{settings.reminder_profile_days} 日沒有更新。"
                    "夥伴及社群都會看到，請檢查是否仍然正確。",
                },
                link=f"/startups/{row['id']}/edit",
            )
        )
    return dues


def register() -> None:
    register_source(
        Source(
            "profile_stale",
            "Profile not updated for a while",
            profile_stale,
            audience=("member",),  # the start-up's own members
        )
    )
