"""Applications: started by a start-up's member while the call is open, saved as drafts as
they go, submitted once every required answer is given and the call's eligibility rules are
met, and withdrawn by the applicant. Nothing is accepted once the call has closed, by the
database's clock: the submission's own statement checks the closing time."""

from __future__ import annotations

import json
from typing import Any

from incubator.auth.schemas import Viewer
from incubator.db import (
    UNIQUE_VIOLATIONS,
    among,
    in_order,
    instant,
    is_postgres,
    lock_row,
    utcnow,
    write_transaction,
)
from incubator.errors import Conflict, Forbidden, NotFound, ValidationFailed
from incubator.i18n import hk_text
from incubator.programmes import policy
from incubator.programmes.schemas import (
    ApplicationOut,
    ApplicationRow,
    CallFigures,
    CallOut,
    DraftIn,
    FileOut,
    StartIn,
)
from incubator.programmes.services import answers as rules
from incubator.programmes.services.calls import centre_of, get_call
from incubator.programmes.services.panel import conflicted_applications, visible_to
from incubator.programmes.tables import Application, ApplicationFile, Call
from incubator.startups.policy import member_startup_ids, require_login
from incubator.startups.tables import Startup

_COLUMNS = """a.id, a.call, a.startup, a.status, a.answers, a.created_at, a.updated_at,
    a.submitted_at, a.withdrawn_at, a.version, a.decided_at, a.decision_en, a.decision_zh,
    c.title_en AS call_en, c.title_zh AS call_zh,
    s.name_en AS startup_en, s.name_zh AS startup_zh
    FROM programme_application a
    JOIN programme_call c ON c.id = a.call
    JOIN startup s ON s.id = a.startup"""


def _db_now() -> str:
    """The database's clock, as the submission's statement reads it once."""
    if is_postgres():
        return "clock_timestamp()"
    return "strftime('%Y-%m-%d %H:%M:%f+00:00', 'now')"


def _open_sql(now: str) -> str:
    """SQL: the call `c` takes applications at the instant `now` (SQL)."""
    if is_postgres():
        return f"c.opens_at <= {now} AND {now} < c.closes_at"
    return (
        f"julianday(c.opens_at) <= julianday({now}) AND julianday({now}) < julianday(c.closes_at)"
    )


def closed_message(call: CallOut) -> str:
    if call.status == "upcoming":
        return f"this call opens for applications at {hk_text(call.opens_at)} (Hong Kong time)"
    return f"this call closed at {hk_text(call.closes_at)} (Hong Kong time)"


async def _files(application_ids: list[int]) -> dict[int, list[FileOut]]:
    if not application_ids:
        return {}
    rows = await ApplicationFile.select(
        ApplicationFile.application,
        ApplicationFile.question,
        ApplicationFile.filename,
        ApplicationFile.content_type,
        ApplicationFile.size,
        ApplicationFile.uploaded_at,
    ).where(ApplicationFile.application.is_in(application_ids))
    found: dict[int, list[FileOut]] = {}
    for row in rows:
        application = row.pop("application")
        found.setdefault(application, []).append(FileOut(**row))
    return found


async def _read(application_id: int) -> ApplicationOut:
    rows = await Application.raw(f"SELECT {_COLUMNS} WHERE a.id = {{}}", application_id)
    if not rows:
        raise NotFound(f"there is no application {application_id}")
    row = rows[0]
    files = await _files([application_id])
    return ApplicationOut(
        **{k: row[k] for k in ("id", "call", "call_en", "call_zh", "startup", "status")},
        startup_en=row["startup_en"],
        startup_zh=row["startup_zh"],
        answers=json.loads(row["answers"]),
        files=files.get(application_id, []),
        created_at=instant(row["created_at"]),
        updated_at=instant(row["updated_at"]),
        submitted_at=instant(row["submitted_at"]),
        withdrawn_at=instant(row["withdrawn_at"]),
        version=row["version"],
        decided_at=instant(row["decided_at"]),
        decision_en=row["decision_en"],
        decision_zh=row["decision_zh"],
    )


async def get_application(viewer: Viewer, application_id: int) -> ApplicationOut:
    """An application, to its start-up's members and to those who run its call."""
    require_login(viewer)
    row = await Application.raw(
        "SELECT a.startup, c.centre FROM programme_application a "
        "JOIN programme_call c ON c.id = a.call WHERE a.id = {}",
        application_id,
    )
    if (
        not row
        or application_id in await conflicted_applications(viewer)
        or not (
            await policy.applies_for(viewer, row[0]["startup"])
            or await policy.runs_centre(viewer, row[0]["centre"])
        )
    ):
        # The same answer whether it exists or not: its existence is the applicant's own.
        raise NotFound(f"there is no application {application_id} of yours")
    return await _read(application_id)


async def own(viewer: Viewer, application_id: int) -> dict[str, Any]:
    """The application's row, when the viewer applies for its start-up."""
    require_login(viewer)
    row = (
        await Application.select(
            Application.id, Application.startup, Application.call, Application.status
        )
        .where(Application.id == application_id)
        .first()
    )
    if row is None or not await policy.applies_for(viewer, row["startup"]):
        raise NotFound(f"there is no application {application_id} of yours")
    return row


async def start(viewer: Viewer, call_id: int, data: StartIn) -> ApplicationOut:
    """Start (or find again) the application of one of the viewer's start-ups to a call."""
    require_login(viewer)
    call = await get_call(call_id)
    mine = await member_startup_ids(viewer)
    if not mine:
        raise Forbidden("applications are made by the members of a start-up")
    startup = data.startup if data.startup is not None else mine[0]
    if startup not in mine:
        raise ValidationFailed({"startup": "must be one of your start-ups"})
    existing = (
        await Application.select(Application.id)
        .where((Application.call == call_id) & (Application.startup == startup))
        .first()
    )
    if existing:
        return await _read(existing["id"])
    if call.status != "open":
        raise Conflict(closed_message(call))
    try:
        async with write_transaction():
            rows = await Application.insert(
                Application(call=call_id, startup=startup, applicant=viewer.user_id)
            ).returning(Application.id)
    except UNIQUE_VIOLATIONS:  # the start-up's other member started it at the same moment
        rows = await Application.select(Application.id).where(
            (Application.call == call_id) & (Application.startup == startup)
        )
    return await _read(rows[0]["id"])


async def save_draft(viewer: Viewer, application_id: int, data: DraftIn) -> ApplicationOut:
    """Save the answers given; every broken one is named and nothing is saved."""
    row = await own(viewer, application_id)
    call = await get_call(row["call"])
    answers, errors = rules.read_answers(call.questions, call.eligibility, data.answers)
    if errors:
        raise ValidationFailed(errors)
    async with write_transaction():
        current = await lock_row(Application, application_id, "id, status, answers, version")
        if current["status"] != "draft":
            raise Conflict(f"this application is {current['status']}: it no longer changes")
        if not await takes_now(row["call"]):
            raise Conflict(closed_message(call))
        kept = json.loads(current["answers"]) | answers
        kept = {k: v for k, v in kept.items() if v is not None}
        await Application.update(
            {
                Application.answers: json.dumps(kept, ensure_ascii=False),
                Application.updated_at: utcnow(),
                Application.version: current["version"] + 1,
            }
        ).where(Application.id == application_id)
    return await _read(application_id)


async def takes_now(call_id: int) -> bool:
    """Whether the call takes applications now, by the database's clock."""
    rows = await Call.raw(
        f"SELECT 1 AS open FROM programme_call c WHERE c.id = {{}} AND {_open_sql(_db_now())}",
        call_id,
    )
    return bool(rows)


async def submit(viewer: Viewer, application_id: int) -> ApplicationOut:
    """Submit a draft: every required answer given, the eligibility rules met, and the call
    still open at the instant the database records the submission."""
    row = await own(viewer, application_id)
    call = await get_call(row["call"])
    async with write_transaction():
        current = await lock_row(Application, application_id, "id, status, answers")
        if current["status"] != "draft":
            raise Conflict(f"this application is already {current['status']}")
        if is_postgres():  # the questions stay as read until this submission is recorded
            await Call.raw("SELECT id FROM programme_call WHERE id = {} FOR SHARE", row["call"])
            call = await get_call(row["call"])
        files = {
            r["question"]
            for r in await ApplicationFile.select(ApplicationFile.question).where(
                ApplicationFile.application == application_id
            )
        }
        answers = json.loads(current["answers"])
        errors = rules.missing_answers(call.questions, call.eligibility, answers, files)
        errors |= await rules.eligibility_problems(
            call.eligibility, await _programme_of(row["call"]), row["startup"]
        )
        if errors:
            raise ValidationFailed(errors)
        now = _db_now()
        done = await Application.raw(
            f"UPDATE programme_application SET status = 'submitted', submitted_at = {now}, "
            f"updated_at = {now}, version = version + 1 "
            "WHERE id = {} AND status = 'draft' AND EXISTS (SELECT 1 FROM programme_call c "
            f"WHERE c.id = programme_application.call AND {_open_sql(now)}) RETURNING id",
            application_id,
        )
        if not done:
            raise Conflict(closed_message(call))
    return await _read(application_id)


async def _programme_of(call_id: int) -> int:
    row = await Call.select(Call.programme).where(Call.id == call_id).first()
    return row["programme"]


async def withdraw(viewer: Viewer, application_id: int) -> ApplicationOut:
    """Withdraw an application (a draft or a submitted one) before a decision."""
    await own(viewer, application_id)
    async with write_transaction():
        done = await Application.raw(
            "UPDATE programme_application SET status = 'withdrawn', withdrawn_at = {}, "
            "updated_at = {}, version = version + 1 "
            "WHERE id = {} AND status IN ('draft', 'submitted') RETURNING id",
            utcnow(),
            utcnow(),
            application_id,
        )
    if not done:
        status = (
            await Application.select(Application.status)
            .where(Application.id == application_id)
            .first()
        )["status"]
        if status == "withdrawn":
            raise Conflict("this application has already been withdrawn")
        raise Conflict(f"this application is {status}: a decision has been made")
    return await _read(application_id)


async def my_applications(viewer: Viewer) -> list[ApplicationOut]:
    """The applications of the viewer's start-ups, the latest first."""
    require_login(viewer)
    mine = await member_startup_ids(viewer)
    if not mine:
        return []
    rows = (
        await Application.select(Application.id)
        .where(Application.startup.is_in(mine))
        .order_by(Application.updated_at, ascending=False)
    )
    return [await _read(r["id"]) for r in rows]


async def call_applications(
    viewer: Viewer, call_id: int, status: str = "", page: int = 1, per_page: int = 100
) -> tuple[list[ApplicationRow], int]:
    """A call's applications for those who run it, by number: a page of them, and how many
    in all."""
    await policy.require_run(viewer, await centre_of(call_id), "see this call's applications")
    where, args = "a.call = {}", [call_id]
    if status:
        where, args = where + " AND a.status = {}", [*args, status]
    rows, total = await page_of(
        viewer,
        where,
        args,
        "a.id",
        "a.id, a.startup, s.name_en AS startup_en, s.name_zh AS startup_zh, a.status, "
        "a.updated_at, a.submitted_at",
        page,
        per_page,
    )
    return [
        ApplicationRow(
            **{k: r[k] for k in ("id", "startup", "startup_en", "startup_zh", "status")},
            updated_at=instant(r["updated_at"]),
            submitted_at=instant(r["submitted_at"]),
        )
        for r in rows
    ], total


async def run_application(viewer: Viewer, application_id: int, action: str) -> dict[str, Any]:
    """An application's call, start-up and status, for one who runs its call and has not
    declared a conflict with it (to them, it is missing)."""
    row = (
        await Application.select(Application.call, Application.startup, Application.status)
        .where(Application.id == application_id)
        .first()
    )
    if row is None or application_id in await conflicted_applications(viewer):
        raise NotFound(f"there is no application {application_id}")
    await policy.require_run(viewer, await centre_of(row["call"]), action)
    return row


async def page_of(
    viewer: Viewer,
    where: str,
    args: list,
    order: str,
    columns: str,
    page: int,
    per_page: int,
) -> tuple[list[dict[str, Any]], int]:
    """A page of a call's applications `a` (joined to their start-up `s`) that the viewer
    may see, and how many in all. The page's ids come from one narrow read in `order` (an
    index's order), then only those rows are read in full: sorting a call's 10,000 rows
    joined to their start-ups for every page cost 50 ms (bench/README.md)."""
    where, args = await visible_to(viewer, where, args)
    counted = await Application.raw(
        f"SELECT count(*) AS n FROM programme_application a WHERE {where}", *args
    )
    chosen = await Application.raw(
        f"SELECT a.id FROM programme_application a WHERE {where} ORDER BY {order} "
        "LIMIT {} OFFSET {}",
        *args,
        per_page,
        (page - 1) * per_page,
    )
    ids = [r["id"] for r in chosen]
    if not ids:
        return [], counted[0]["n"]
    condition, id_args = among("a.id", ids)
    rows = await Application.raw(
        f"SELECT {columns}, a.id AS page_id FROM programme_application a "
        f"JOIN startup s ON s.id = a.startup WHERE 1 = 1{condition}",
        *id_args,
    )
    ordered = in_order(rows, ids, key="page_id")
    for row in ordered:
        del row["page_id"]
    return ordered, counted[0]["n"]


async def figures(call_id: int) -> CallFigures:
    """How many applications were started, are drafts, were ever submitted, withdrawn."""
    rows = await Application.raw(
        "SELECT status, submitted_at IS NOT NULL AS sent, count(*) AS n "
        "FROM programme_application WHERE call = {} GROUP BY 1, 2",
        call_id,
    )
    count = {(r["status"], bool(r["sent"])): r["n"] for r in rows}
    return CallFigures(
        call=call_id,
        started=sum(count.values()),
        drafts=count.get(("draft", False), 0),
        submitted=sum(n for (_status, sent), n in count.items() if sent),
        withdrawn=sum(n for (status, _sent), n in count.items() if status == "withdrawn"),
    )


async def startup_choices(viewer: Viewer) -> list[dict[str, Any]]:
    """The viewer's start-ups, as the start form offers them."""
    mine = await member_startup_ids(viewer)
    if not mine:
        return []
    return (
        await Startup.select(Startup.id, Startup.name_en, Startup.name_zh)
        .where(Startup.id.is_in(mine))
        .order_by(Startup.name_en)
    )
