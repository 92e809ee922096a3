"""Funding's reminders, through the ledger so each is sent once: a quarter's progress report is
due in 7 days, and is overdue (to the members of each start-up in a programme or with an
active grant that has not sent it); each step of a claim that the start-up must know of
(more evidence asked for, rejected, approved, paid), essential, with the reason given; and
each morning, to a centre's managers, the claims waiting on them."""

from __future__ import annotations

from datetime import datetime, timedelta

from incubator.money import format_hkd
from incubator.reminders.services.engine import (
    Due,
    Source,
    local_day,
    local_moment,
    register_source,
)
from incubator.settings import Settings
from incubator.startups.services.recipients import centre_managers, startup_members

BEFORE = 7  # days before a report is due
OVERDUE = 1  # days after


async def progress_reports(since: datetime, until: datetime, settings: Settings) -> list[Due]:
    from incubator.programmes.funding.services.reports import (
        due_on,
        last_ended,
        reporting_startups,
    )
    from incubator.programmes.funding.tables import ProgressReport

    dues = []
    quarters = {last_ended(local_day(since)), last_ended(local_day(until))}
    for quarter in sorted(quarters):
        due = due_on(quarter)
        for days, overdue in ((-BEFORE, False), (OVERDUE, True)):
            due_at = local_moment(due + timedelta(days=days), settings.reminder_hour)
            if not since <= due_at <= until:
                continue
            asked = await reporting_startups()
            sent = {
                r["startup"]
                for r in await ProgressReport.select(ProgressReport.startup).where(
                    ProgressReport.quarter == quarter
                )
            }
            waiting = sorted(asked - sent)
            members = await startup_members(waiting)
            for startup in waiting:
                if overdue:
                    title = {
                        "en": f"Your {quarter} progress report is overdue",
                        "zh-Hant": f"你的 {quarter} 進度報告已逾期",
                    }
                    body = {
                        "en": f"It was due on {due}. Report your headcount, funds raised and "
                        "progress for the quarter.",
                        "zh-Hant": f"報告應於 {due} 提交。請填報本季的員工人數、融資額及進展。",
                    }
                else:
                    title = {
                        "en": f"Your {quarter} progress report is due in {BEFORE} days",
                        "zh-Hant": f"你的 {quarter} 進度報告須於 {BEFORE} 天內提交",
                    }
                    body = {
                        "en": f"Report your headcount, funds raised and progress for {quarter} "
                        f"by {due}.",
                        "zh-Hant": f"請於 {due} 前填報 {quarter} 的員工人數、融資額及進展。",
                    }
                dues.append(
                    Due(
                        subject=f"startup:{startup}:progress",
                        occurrence=f"{quarter} {'overdue' if overdue else 'due'}",
                        due_at=due_at,
                        recipients=members.get(startup, []),
                        title=title,
                        body=body,
                        link=f"/grants/startups/{startup}/reports",
                    )
                )
    return dues


STEP_TITLES = {
    "returned": ("Claim {id}: more evidence needed", "申索 {id}：需要更多證明文件"),
    "rejected": ("Claim {id} was rejected", "申索 {id} 未獲批"),
    "approved": ("Claim {id} is approved: {amount}", "申索 {id} 已獲批：{amount}"),
    "paid": ("Claim {id} is paid: {amount}", "申索 {id} 已付款：{amount}"),
}
STEP_BODIES = {
    "returned": ("What is needed: {note}", "所需資料：{note}"),
    "rejected": ("The reason: {note}", "原因：{note}"),
    "approved": (
        "It goes into the next payment batch.",
        "款項將列入下一批付款。",
    ),
    "paid": ("Payment batch {note}.", "付款批次 {note}。"),
}


async def claim_steps(since: datetime, until: datetime, settings: Settings) -> list[Due]:
    """Each step of a claim the start-up must hear of, to its members."""
    from incubator.programmes.funding.tables import ClaimStep

    rows = await ClaimStep.select(
        ClaimStep.id,
        ClaimStep.claim,
        ClaimStep.step,
        ClaimStep.note,
        ClaimStep.at,
        ClaimStep.amount_cents,
        ClaimStep.claim.startup.as_alias("startup"),
    ).where(
        (ClaimStep.at >= since) & (ClaimStep.at <= until) & ClaimStep.step.is_in(list(STEP_TITLES))
    )
    members = await startup_members(sorted({r["startup"] for r in rows}))
    dues = []
    for row in rows:
        values = {
            "id": row["claim"],
            "amount": format_hkd(row["amount_cents"]),
            "note": row["note"],
        }
        (title_en, title_zh), (body_en, body_zh) = (
            STEP_TITLES[row["step"]],
            STEP_BODIES[row["step"]],
        )
        dues.append(
            Due(
                subject=f"claim:{row['claim']}",
                occurrence=f"{row['step']} {row['id']}",
                due_at=row["at"],
                recipients=members.get(row["startup"], []),
                title={"en": title_en.format(**values), "zh-Hant": title_zh.format(**values)},
                body={"en": body_en.format(**values), "zh-Hant": body_zh.format(**values)},
                link=f"/grants/claims/{row['claim']}",
            )
        )
    return dues


async def claims_waiting(since: datetime, until: datetime, settings: Settings) -> list[Due]:
    """Each morning, to each manager of a centre whose claims wait on its staff: how many
    wait for a review and how many for the manager's approval (not those the manager
    reviewed: another person approves them); nothing when none do."""
    from incubator.programmes.funding.tables import Claim
    from incubator.startups.tables import Centre

    dues = []
    for day in sorted({local_day(since), local_day(until)}):
        due_at = local_moment(day, settings.reminder_hour)
        if not since <= due_at <= until:
            continue
        review: dict[int, int] = {}
        approve: dict[int, dict[int | None, int]] = {}  # by centre, by reviewer
        for row in await Claim.raw(
            'SELECT centre, status, reviewed_by, COUNT(*) AS n FROM "grant_claim" '
            "WHERE status IN ('submitted', 'reviewed') GROUP BY centre, status, reviewed_by"
        ):
            centre, n = row["centre"], int(row["n"])
            if row["status"] == "submitted":
                review[centre] = review.get(centre, 0) + n
            else:
                approve.setdefault(centre, {})[row["reviewed_by"]] = n
        centres = sorted(set(review) | set(approve))
        names = {
            c["id"]: c
            for c in await Centre.select(Centre.id, Centre.name_en, Centre.name_zh).where(
                Centre.id.is_in(centres or [0])
            )
        }
        managers = await centre_managers(centres)
        for centre in centres:
            name_en = names[centre]["name_en"]
            name_zh = names[centre]["name_zh"] or name_en
            for manager in managers.get(centre, []):
                to_review = review.get(centre, 0)
                by_reviewer = approve.get(centre, {})
                to_approve = sum(by_reviewer.values()) - by_reviewer.get(manager.user_id, 0)
                if not (to_review or to_approve):
                    continue
                dues.append(
                    Due(
                        subject=f"centre:{centre}:claims",
                        occurrence=f"claims waiting {day.isoformat()}",
                        due_at=due_at,
                        recipients=[manager],
                        title={
                            "en": f"{name_en}: claims waiting, {to_review} to review, "
                            f"{to_approve} to approve",
                            "zh-Hant": f"{name_zh}：待處理申索，{to_review} 宗待審核，"
                            f"{to_approve} 宗待批核",
                        },
                        body={
                            "en": "Each claim is reviewed by one of the centre's staff and "
                            "approved by another. The longest waiting are first in the queue.",
                            "zh-Hant": "每宗申索由中心一名職員審核，另一名職員批核。"
                            "等候最久的排在最前。",
                        },
                        link="/grants/claims",
                    )
                )
    return dues


def register() -> None:
    register_source(
        Source(
            "progress_report",
            "A quarterly progress report is due in 7 days, or overdue",
            progress_reports,
            audience=("member",),
        )
    )
    register_source(
        Source(
            "claims_waiting",
            "Each morning: claims waiting for a review or an approval",
            claims_waiting,
            audience=("admin", "manager"),
        )
    )
    register_source(
        Source(
            "claim_step",
            "A claim is sent back, rejected, approved or paid",
            claim_steps,
            essential=True,
            audience=("member",),
        )
    )
