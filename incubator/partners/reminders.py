"""Partners' reminders: an MOU expires in 90 and 30 days (administrators and the
Collaboration Centre's managers), and the monthly referral export pushed to each partner
with an MOU in force and a webhook endpoint (an action: the export is built and queued for
delivery, whose retries are the webhook's own)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from incubator.reminders.services.engine import (
    Due,
    Recipient,
    Source,
    local_day,
    local_moment,
    register_source,
)
from incubator.settings import Settings
from incubator.startups.services.recipients import admins_and_managers_of


async def mou_expires(since: datetime, until: datetime, settings: Settings) -> list[Due]:
    from incubator.partners.policy import PARTNERSHIP_CENTRE
    from incubator.partners.tables import Mou

    dues: list[Due] = []
    staff: list[Recipient] | None = None
    for days in settings.reminder_mou_days:
        first = local_day(since) + timedelta(days=days)
        last = local_day(until) + timedelta(days=days)
        rows = await Mou.raw(
            """
            SELECT m.id, m.title, m.expires_on, p.name FROM mou m
            JOIN partner_park p ON p.id = m.partner
            WHERE m.status = 'active' AND m.expires_on BETWEEN {} AND {}
              AND NOT EXISTS (SELECT 1 FROM mou r WHERE r.renewal_of = m.id)
            """,
            first,
            last,
        )
        for row in rows:
            due_at = local_moment(row["expires_on"] - timedelta(days=days), settings.reminder_hour)
            if not since <= due_at <= until:
                continue
            staff = staff if staff is not None else await admins_and_managers_of(PARTNERSHIP_CENTRE)
            ends = row["expires_on"].isoformat()
            dues.append(
                Due(
                    subject=f"mou:{row['id']}",
                    occurrence=f"{ends}/{days}d",
                    due_at=due_at,
                    recipients=staff,
                    title={
                        "en": f"MOU with {row['name']} expires in {days} days ({ends})",
                        "zh-Hant": f"與 {row['name']} 的合作備忘錄將於 {days} 日後（{ends}）到期",
                    },
                    body={
                        "en": f"“{row['title']}” with {row['name']} expires on {ends}. Renew it "
                        "or let the partner know; exports stop when no MOU is in force.",
                        "zh-Hant": f"與 {row['name']} 的「{row['title']}」將於 {ends} 到期。"
                        "請續簽或通知夥伴；沒有生效中的合作備忘錄時會停止匯出。",
                    },
                    link=f"/partners/mous/{row['id']}",
                )
            )
    return dues


async def monthly_export(since: datetime, until: datetime, settings: Settings) -> list[Due]:
    from incubator.partners.services.conditions import MOU_IN_FORCE
    from incubator.partners.tables import PartnerPark

    dues = []
    day = local_day(since).replace(day=1)
    while day <= local_day(until):
        due_at = local_moment(day, settings.reminder_hour)
        if since <= due_at <= until:
            parks = await PartnerPark.raw(
                f"""
                SELECT p.id, p.name FROM partner_park p WHERE p.webhook_url <> ''
                  AND EXISTS (SELECT 1 FROM mou m WHERE m.partner = p.id AND {MOU_IN_FORCE})
                """,
                day,
                day,
            )
            for park in parks:
                month = day.strftime("%Y-%m")
                dues.append(
                    Due(
                        subject=f"partner:{park['id']}",
                        occurrence=month,
                        due_at=due_at,
                        recipients=[Recipient(partner_id=park["id"], name=park["name"])],
                        title={"en": f"Referral export for {month}"},
                        body={"en": f"The monthly referral export to {park['name']}."},
                        link=f"/partners/{park['id']}",
                    )
                )
        day = (day + timedelta(days=32)).replace(day=1)
    return dues


async def push_export(settings: Settings, row: dict[str, Any]) -> None:
    """Build this month's export (JSON) and queue it for the partner's webhook."""
    from incubator.auth.schemas import ANONYMOUS
    from incubator.partners.policy import PartnerCaller
    from incubator.partners.services import exports, webhooks

    partner_id = int(row["recipient"].split(":")[1])
    caller = PartnerCaller(partner_id=partner_id, user_id=None, name="Monthly referral export")
    export_id = await exports.create_export(ANONYMOUS, partner_id, "json", caller)
    await webhooks.queue_delivery(None, export_id)


def register() -> None:
    register_source(
        Source(
            "mou_expires",
            "MOU expires soon",
            mou_expires,
            essential=True,
            audience=("admin", "manager"),  # partnership staff
        )
    )
    register_source(
        Source(
            "monthly_export",
            "Monthly referral export to partners",
            monthly_export,
            essential=True,
            deliver=push_export,
            channels=("action",),
            audience=(),
        )
    )
