"""Programme intake's reminders, through the ledger so each is sent once however many
schedulers sweep: a call closes in 7 days and in 1 day (to the members of start-ups with a
draft), reviews are due in 3 days and 1 day (to reviewers with applications to score),
decisions are due in 3 days and 1 day (to the centre's managers, while any await one), and
a decision's message to the applicant's members (essential)."""

from __future__ import annotations

from datetime import datetime, timedelta

from incubator.i18n import hk_text
from incubator.reminders.services.engine import Due, Source, register_source
from incubator.settings import Settings
from incubator.startups.services.recipients import centre_managers, startup_members, users

CLOSING = (7, 1)  # days before a call closes
DUE = (3, 1)  # days before reviews and decisions are due


async def _calls_due(column: str, days: int, since: datetime, until: datetime) -> list[dict]:
    """The calls whose `column` falls `days` after the window [since, until]."""
    from incubator.programmes.tables import Call

    moment = getattr(Call, column)
    ahead = timedelta(days=days)
    return await Call.select(
        Call.id, Call.title_en, Call.title_zh, Call.centre, moment.as_alias("at")
    ).where((moment >= since + ahead) & (moment <= until + ahead))


def _in_days(days: int) -> tuple[str, str]:
    return ("tomorrow", "明天") if days == 1 else (f"in {days} days", f"{days} 天後")


async def call_closing(since: datetime, until: datetime, settings: Settings) -> list[Due]:
    from incubator.programmes.tables import Application

    dues = []
    for days in CLOSING:
        for call in await _calls_due("closes_at", days, since, until):
            drafts = await Application.select(Application.id, Application.startup).where(
                (Application.call == call["id"]) & (Application.status == "draft")
            )
            members = await startup_members(sorted({d["startup"] for d in drafts}))
            when, when_zh = _in_days(days)
            closes = hk_text(call["at"])
            title_zh = call["title_zh"] or call["title_en"]
            for draft in drafts:
                dues.append(
                    Due(
                        subject=f"application:{draft['id']}",
                        occurrence=f"closing {days}d {call['at'].isoformat()}",
                        due_at=call["at"] - timedelta(days=days),
                        recipients=members.get(draft["startup"], []),
                        title={
                            "en": f"{call['title_en']} closes {when}",
                            "zh-Hant": f"{title_zh}{when_zh}截止",
                        },
                        body={
                            "en": f"Your application is still a draft. The call closes at "
                            f"{closes} (Hong Kong time); nothing is accepted after that.",
                            "zh-Hant": f"你的申請仍是草稿。徵集於 {closes}（香港時間）截止，"
                            "之後不再接受申請。",
                        },
                        link=f"/programmes/applications/{draft['id']}",
                    )
                )
    return dues


async def reviews_due(since: datetime, until: datetime, settings: Settings) -> list[Due]:
    from incubator.programmes.tables import Review

    dues = []
    for days in DUE:
        for call in await _calls_due("reviews_due_at", days, since, until):
            rows = await Review.select(Review.reviewer, Review.id).where(
                (Review.call == call["id"]) & Review.status.is_in(["pending", "open"])
            )
            waiting: dict[int, int] = {}
            for row in rows:
                waiting[row["reviewer"]] = waiting.get(row["reviewer"], 0) + 1
            people = await users(sorted(waiting))
            when, when_zh = _in_days(days)
            due = hk_text(call["at"])
            title_zh = call["title_zh"] or call["title_en"]
            for reviewer, n in waiting.items():
                if reviewer not in people:
                    continue
                dues.append(
                    Due(
                        subject=f"call:{call['id']}:reviews",
                        occurrence=f"reviews due {days}d {call['at'].isoformat()}",
                        due_at=call["at"] - timedelta(days=days),
                        recipients=[people[reviewer]],
                        title={
                            "en": f"Reviews due {when}: {call['title_en']}",
                            "zh-Hant": f"評審{when_zh}到期：{title_zh}",
                        },
                        body={
                            "en": f"{n} application(s) await your scores by {due} "
                            "(Hong Kong time).",
                            "zh-Hant": f"有 {n} 份申請等待你於 {due}（香港時間）前評分。",
                        },
                        link="/programmes/reviews",
                    )
                )
    return dues


async def decisions_due(since: datetime, until: datetime, settings: Settings) -> list[Due]:
    from incubator.programmes.tables import Application

    dues = []
    for days in DUE:
        for call in await _calls_due("decisions_due_at", days, since, until):
            n = await Application.count().where(
                (Application.call == call["id"]) & (Application.status == "submitted")
            )
            if not n:
                continue
            managers = (await centre_managers([call["centre"]])).get(call["centre"], [])
            when, when_zh = _in_days(days)
            due = hk_text(call["at"])
            title_zh = call["title_zh"] or call["title_en"]
            dues.append(
                Due(
                    subject=f"call:{call['id']}:decisions",
                    occurrence=f"decisions due {days}d {call['at'].isoformat()}",
                    due_at=call["at"] - timedelta(days=days),
                    recipients=managers,
                    title={
                        "en": f"Decisions due {when}: {call['title_en']}",
                        "zh-Hant": f"決定{when_zh}到期：{title_zh}",
                    },
                    body={
                        "en": f"{n} submitted application(s) await a decision by {due} "
                        "(Hong Kong time).",
                        "zh-Hant": f"有 {n} 份已提交的申請須於 {due}（香港時間）前作出決定。",
                    },
                    link=f"/programmes/calls/{call['id']}/ranking",
                )
            )
    return dues


DECISION_TITLES = {
    "admitted": ("Admitted to {programme}", "獲 {programme} 取錄"),
    "waitlisted": ("On the waiting list for {programme}", "列入 {programme} 候補名單"),
    "declined": ("Your application to {programme}", "你申請 {programme} 的結果"),
}


async def decisions(since: datetime, until: datetime, settings: Settings) -> list[Due]:
    """Each decision made in the window, to the members of the start-up that applied."""
    from incubator.programmes.tables import Application

    rows = await Application.select(
        Application.id,
        Application.startup,
        Application.status,
        Application.decided_at,
        Application.decision_en,
        Application.decision_zh,
        Application.call.programme.name_en.as_alias("programme_en"),
        Application.call.programme.name_zh.as_alias("programme_zh"),
    ).where(
        (Application.decided_at >= since)
        & (Application.decided_at <= until)
        & Application.status.is_in(["admitted", "waitlisted", "declined"])
    )
    members = await startup_members(sorted({r["startup"] for r in rows}))
    dues = []
    for row in rows:
        decided_at = row["decided_at"]
        english, chinese = DECISION_TITLES[row["status"]]
        dues.append(
            Due(
                subject=f"application:{row['id']}",
                occurrence=f"{row['status']} {decided_at.isoformat()}",
                due_at=decided_at,
                recipients=members.get(row["startup"], []),
                title={
                    "en": english.format(programme=row["programme_en"]),
                    "zh-Hant": chinese.format(programme=row["programme_zh"] or row["programme_en"]),
                },
                body={
                    "en": row["decision_en"],
                    "zh-Hant": row["decision_zh"] or row["decision_en"],
                },
                link=f"/programmes/applications/{row['id']}",
            )
        )
    return dues


def register() -> None:
    register_source(
        Source(
            "call_closing", "A call closes in 7 days or 1 day", call_closing, audience=("member",)
        )
    )
    register_source(
        Source(
            "reviews_due",
            "Reviews are due in 3 days or 1 day",
            reviews_due,
            audience=("admin", "manager", "reviewer"),
        )
    )
    register_source(
        Source(
            "decisions_due",
            "Decisions on a call are due in 3 days or 1 day",
            decisions_due,
            audience=("admin", "manager"),
        )
    )
    register_source(
        Source(
            "programme_decision",
            "A decision on an application to a programme",
            decisions,
            essential=True,
            audience=("member",),
        )
    )
