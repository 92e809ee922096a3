"""Decisions: admit, waitlist or decline a submitted application, with a message in each
language that the reminders ledger sends to the start-up's members once. Admitting links
the start-up to the programme (its profile and the directory's filter show it)."""

from __future__ import annotations

from datetime import date

from incubator.auth.schemas import Viewer
from incubator.db import lock_row, utcnow, write_transaction
from incubator.errors import Conflict, ValidationFailed
from incubator.i18n import today_hk
from incubator.programmes.schemas import ApplicationOut, DecisionIn
from incubator.programmes.services.applications import get_application, run_application
from incubator.programmes.services.calls import get_call
from incubator.programmes.tables import DECIDED, Application
from incubator.startups.services import profiles
from incubator.startups.services.reference import references
from incubator.startups.tables import Startup

STANDARD = {
    "admitted": (
        "We are pleased to tell you that {startup} has been admitted to {programme}. "
        "The programme team will be in touch about the next steps.",
        "我們很高興通知你，{startup} 已獲 {programme} 取錄。計劃團隊會與你聯絡安排下一步。",
    ),
    "waitlisted": (
        "{startup} is on the waiting list for {programme}. We will tell you as soon as a "
        "place opens.",
        "{startup} 已列入 {programme} 的候補名單。如有名額，我們會盡快通知你。",
    ),
    "declined": (
        "Thank you for applying to {programme}. We are sorry that {startup} has not been "
        "offered a place this time; we hope you will apply again.",
        "感謝你申請 {programme}。很遺憾 {startup} 今次未獲取錄，希望你日後再次申請。",
    ),
}


def decision_problems(data: DecisionIn) -> dict[str, str]:
    errors = {}
    if data.decision not in DECIDED:
        errors["decision"] = "must be one of admitted, waitlisted, declined"
    for name in ("message_en", "message_zh"):
        if len(getattr(data, name)) > 5000:
            errors[name] = "must be at most 5,000 characters"
    if data.ends_on and data.ends_on < (data.starts_on or today_hk()):
        errors["ends_on"] = "must be on or after the start"
    return errors


def decision_problems_of(values: dict) -> dict[str, str]:
    """The rules broken by the values of a decision's form that could be read."""
    readable = {k: v for k, v in values.items() if k in DecisionIn.__struct_fields__}
    return decision_problems(DecisionIn(**({"decision": ""} | readable)))


async def decide(viewer: Viewer, application_id: int, data: DecisionIn) -> ApplicationOut:
    row = await run_application(viewer, application_id, "decide on this call's applications")
    call = await get_call(row["call"])
    errors = decision_problems(data)
    if errors:
        raise ValidationFailed(errors)
    application = await get_application(viewer, application_id)
    names = {"startup": application.startup_en, "programme": call.programme_en}
    names_zh = {
        "startup": application.startup_zh or application.startup_en,
        "programme": call.programme_zh or call.programme_en,
    }
    english, chinese = STANDARD[data.decision]
    message_en = data.message_en.strip() or english.format(**names)
    message_zh = data.message_zh.strip() or chinese.format(**names_zh)
    async with write_transaction():
        current = await lock_row(Application, application_id, "id, status, version")
        allowed = {"submitted", "waitlisted"} - (
            {"waitlisted"} if data.decision == "waitlisted" else set()
        )
        if current["status"] not in allowed:
            raise Conflict(f"this application is {current['status']}: it cannot be {data.decision}")
        await Application.update(
            {
                Application.status: data.decision,
                Application.decided_at: utcnow(),
                Application.decided_by: viewer.user_id,
                Application.decision_en: message_en,
                Application.decision_zh: message_zh,
                Application.version: current["version"] + 1,
            }
        ).where(Application.id == application_id)
        if data.decision == "admitted":
            await _admit(
                viewer, row["startup"], call.programme, data.starts_on or today_hk(), data.ends_on
            )
    return await get_application(viewer, application_id)


async def _admit(
    viewer: Viewer, startup_id: int, programme: str, starts_on: date, ends_on: date | None
) -> None:
    """The start-up joins the programme (incubating from `starts_on`), through the profile's
    own change, so its history records who admitted it and when."""
    old = await profiles.current_values(startup_id, lock=True)
    if old["status"] == "applicant":  # a new applicant's draft joins the community
        await Startup.update({Startup.status: "active"}).where(Startup.id == startup_id)
        await profiles.log_change(startup_id, viewer, "status", "applicant", "active")
    kept = [
        e
        for e in old["programmes"]
        if not (e["programme"] == programme and e["status"] == "applied")
    ]
    if any(e["programme"] == programme and e["status"] == "incubating" for e in kept):
        return  # in the programme already (a call that did not ask "not yet admitted")
    entry = {
        "programme": programme,
        "status": "incubating",
        "started_on": starts_on,
        "ended_on": ends_on,
    }
    programmes = sorted([*kept, entry], key=lambda e: (e["started_on"], e["programme"]))
    await profiles.apply_changes(
        startup_id, old, {"programmes": programmes}, await references(), viewer
    )
