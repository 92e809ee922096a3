"""Academy completion: attendance per session, assessment scores, the completion rule,
certificates (issue, verify, revoke), badges on start-up profiles and the academy figures.

The rule, per course: an enrolment is complete when the share of the run's sessions attended
is at least the course's `completion_percent`, and, where the course has an assessment, the
score is at least its pass mark. Evaluating a run (after its last session) issues one
certificate per complete enrolment; a second evaluation issues nothing new (one certificate
per enrolment, a unique key).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import msgspec

from events import policy
from events.academy.schemas import (
    AcademyFigures,
    Badge,
    CompletionRule,
    CourseOut,
    IssuedCertificate,
    RevokeIn,
    Roster,
    RosterPerson,
    ScoreIn,
)
from events.academy.schemas import Certificate as CertificateView
from events.academy.services import courses as academy
from events.academy.tables import AssessmentScore, Certificate, SessionAttendance
from events.services.registrations import CODE_ALPHABET
from events.tables import Event, Registration
from incubator.auth.schemas import Viewer
from incubator.db import among, hk_quarter, utcnow, write_transaction
from incubator.errors import Conflict, NotFound, ValidationFailed
from incubator.fields import read_text, read_whole_number
from incubator.i18n import hk_text


def new_certificate_code() -> str:
    """16 symbols from 31 (about 79 bits): unguessable, and easy to read out or type."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(16))
    return "W3A-" + "-".join(raw[i : i + 4] for i in range(0, 16, 4))


async def _run_for_change(viewer: Viewer, run_id: int, action: str) -> dict:
    run = await academy.get_run(viewer, run_id)
    await policy.require_run(viewer, run.centre, action)
    return run


async def roster(viewer: Viewer, run_id: int) -> Roster:
    """The run's confirmed enrolments with attendance per session, score, share attended,
    whether each meets the rule, and its certificate (for those who run it)."""
    run = await _run_for_change(viewer, run_id, "see this run's roster")
    course = run.course_row
    sessions = [s for s in run.sessions if s.status != "cancelled"]
    people = msgspec.convert(
        await Registration.select(
            Registration.id, Registration.name, Registration.email, Registration.status
        )
        .where((Registration.event == run_id) & (Registration.status == "confirmed"))
        .order_by(Registration.name),
        list[RosterPerson],
    )
    ids = [p.id for p in people] or [0]
    marks = await SessionAttendance.select(
        SessionAttendance.session, SessionAttendance.registration
    ).where(SessionAttendance.registration.is_in(ids))
    attended: dict[int, set[int]] = {}
    for mark in marks:
        attended.setdefault(mark["registration"], set()).add(mark["session"])
    scores = {
        r["registration"]: r["score"]
        for r in await AssessmentScore.select(
            AssessmentScore.registration, AssessmentScore.score
        ).where(AssessmentScore.registration.is_in(ids))
    }
    certificates = {
        r.registration: r
        for r in msgspec.convert(
            await Certificate.select(
                Certificate.registration, Certificate.code, Certificate.revoked_at
            ).where(Certificate.registration.is_in(ids)),
            list[IssuedCertificate],
        )
    }
    session_ids = {s.id for s in sessions}
    for person in people:
        there = attended.get(person.id, set()) & session_ids
        person.attended = there
        person.percent = round(100 * len(there) / len(sessions)) if sessions else 0
        person.score = scores.get(person.id)
        person.complete = meets_rule(course, len(there), len(sessions), person.score)
        person.certificate = certificates.get(person.id)
    last = max((s.ends_at for s in sessions), default=None)
    return Roster(
        run=run,
        sessions=sessions,
        people=people,
        finished=last is not None and last <= utcnow(),
        last_session_ends=last,
    )


def meets_rule(
    course: CourseOut | CompletionRule, attended: int, sessions: int, score: int | None
) -> bool:
    if sessions == 0 or 100 * attended < course.completion_percent * sessions:
        return False
    if course.has_assessment:
        return score is not None and score >= (course.pass_mark or 0)
    return True


async def _enrolment(run_id: int, registration_id: int) -> dict:
    row = (
        await Registration.select(Registration.id, Registration.status)
        .where((Registration.id == registration_id) & (Registration.event == run_id))
        .first()
    )
    if row is None or row["status"] != "confirmed":
        raise ValidationFailed({"registration": "is not a confirmed enrolment in this run"})
    return row


async def mark_attendance(
    viewer: Viewer, session_id: int, registration_id: int, present: bool
) -> None:
    """An instructor marks one person present at (or absent from) one session."""
    session = await Event.select(Event.id, Event.kind, Event.parent, Event.starts_at).where(
        Event.id == session_id
    )
    if not session or session[0]["kind"] != "session":
        raise NotFound(f"there is no session {session_id}")
    run_id = session[0]["parent"]
    await _run_for_change(viewer, run_id, "mark attendance")
    if session[0]["starts_at"] > utcnow():
        raise Conflict(
            f"the session starts {hk_text(session[0]['starts_at'])}: mark attendance once it begins"
        )
    await _enrolment(run_id, registration_id)
    async with write_transaction():
        await _mark(session_id, registration_id, present, viewer.user_id)


async def _mark(session_id: int, registration_id: int, present: bool, by: int | None) -> None:
    await SessionAttendance.delete().where(
        (SessionAttendance.session == session_id)
        & (SessionAttendance.registration == registration_id)
    )
    if present:
        await SessionAttendance.insert(
            SessionAttendance(session=session_id, registration=registration_id, marked_by=by)
        )


async def _score(registration_id: int, score: int, by: int | None) -> None:
    await AssessmentScore.delete().where(AssessmentScore.registration == registration_id)
    await AssessmentScore.insert(
        AssessmentScore(registration=registration_id, score=score, marked_by=by)
    )


async def set_score(viewer: Viewer, run_id: int, registration_id: int, mark: ScoreIn) -> None:
    run = await _run_for_change(viewer, run_id, "record assessment scores")
    if not run.course_row.has_assessment:
        raise ValidationFailed({"score": "this course has no assessment"})
    errors: dict[str, str] = {}
    score = read_whole_number({"score": mark.score}, "score", errors, 0, 100)
    if errors:
        raise ValidationFailed(errors)
    await _enrolment(run_id, registration_id)
    async with write_transaction():
        await _score(registration_id, score, viewer.user_id)


async def save_roster(
    viewer: Viewer, run_id: int, present: set[str], scores: dict[int, str]
) -> dict[str, str]:
    """The whole grid as the instructor left it: `present` holds "session:registration" for
    every tick, `scores` the typed score per enrolment. The run is checked once, and every
    change of attendance is written in one transaction; a score that breaks its rule is not
    saved and comes back as an error under `score-<id>`."""
    state = await roster(viewer, run_id)
    now = utcnow()
    errors: dict[str, str] = {}
    marks: list[tuple[int, int, bool]] = []
    new_scores: list[tuple[int, int]] = []
    assessed = state.run.course_row.has_assessment
    for person in state.people:
        for session in state.sessions:
            if session.starts_at > now:
                continue  # marked once it begins
            want = f"{session.id}:{person.id}" in present
            if want != (session.id in person.attended):
                marks.append((session.id, person.id, want))
        raw = scores.get(person.id, "").strip()
        if assessed and raw and raw != str(person.score):
            rule: dict[str, str] = {}
            score = read_whole_number({"score": raw}, "score", rule, 0, 100)
            if score is None:
                errors[f"score-{person.id}"] = rule["score"]
            else:
                new_scores.append((person.id, score))
    async with write_transaction():
        for session_id, registration_id, want in marks:
            await _mark(session_id, registration_id, want, viewer.user_id)
        for registration_id, score in new_scores:
            await _score(registration_id, score, viewer.user_id)
    return errors


async def evaluate_run(viewer: Viewer, run_id: int) -> list[str]:
    """After the last session: a certificate for each complete enrolment that has none yet.
    Returns the new certificates' codes."""
    state = await roster(viewer, run_id)
    if not state.sessions:
        raise Conflict("the run has no sessions yet")
    if not state.finished:
        raise Conflict(
            f"the run's last session ends {hk_text(state.last_session_ends)}: "
            "evaluate it after that"
        )
    course = state.run.course_row
    issued = []
    async with write_transaction():
        await academy.lock_run(run_id)
        for person in state.people:
            if not person.complete or person.certificate:
                continue
            registration = await Registration.select().where(Registration.id == person.id)
            code = new_certificate_code()
            await Certificate.insert(
                Certificate(
                    registration=person.id,
                    code=code,
                    course=course.id,
                    run=run_id,
                    startup=registration[0]["startup"],
                    name=person.name,
                    email=person.email,
                    course_title_en=course.title_en,
                    course_title_zh=course.title_zh,
                    attended_percent=person.percent,
                    score=person.score,
                    issued_by=viewer.user_id,
                )
            )
            issued.append(code)
    return issued


def _normalise(code: str) -> str:
    return code.strip().upper().replace(" ", "")


async def verify(code: str) -> CertificateView:
    """The public check of a certificate code: who earned what and when, or why not valid."""
    row = (
        await Certificate.select(
            Certificate.all_columns(),
            Certificate.run.starts_at.as_alias("run_starts_at"),
            Certificate.run.ends_at.as_alias("run_ends_at"),
            Certificate.course.track.as_alias("track"),
            Certificate.startup.name_en.as_alias("startup_name_en"),
            Certificate.startup.name_zh.as_alias("startup_name_zh"),
        )
        .where(Certificate.code == _normalise(code))
        .first()
    )
    if row is None:
        raise NotFound("no certificate has this code: it may be mistyped or forged")
    row["valid"] = row["revoked_at"] is None
    return msgspec.convert(row, CertificateView)


async def revoke(viewer: Viewer, code: str, revocation: RevokeIn) -> None:
    certificate = await verify(code)
    run = await academy.get_run(viewer, certificate.run)
    await policy.require_run(viewer, run.centre, "revoke certificates")
    errors: dict[str, str] = {}
    reason = read_text({"reason": revocation.reason}, "reason", errors, 300, required=True)
    if errors:
        raise ValidationFailed(errors)
    updated = (
        await Certificate.update(
            {Certificate.revoked_at: utcnow(), Certificate.revoked_reason: reason}
        )
        .where((Certificate.id == certificate.id) & Certificate.revoked_at.is_null())
        .returning(Certificate.id)
    )
    if not updated:
        raise Conflict("the certificate is already revoked")


async def startup_badges(viewer: Viewer, startup_id: int) -> list[Badge]:
    """Courses completed by the start-up's people: a badge each, with how many (public)."""
    rows = await Certificate.raw(
        """
        SELECT course, course_title_en, course_title_zh, COUNT(*) AS people,
               MAX(issued_at) AS latest
        FROM certificate WHERE startup = {} AND revoked_at IS NULL
        GROUP BY course, course_title_en, course_title_zh ORDER BY course_title_en
        """,
        startup_id,
    )
    return msgspec.convert(rows, list[Badge], strict=False)


async def figures(
    track: str = "",
    centres: Sequence[int] | None = None,
    between: tuple[datetime, datetime] | None = None,
) -> AcademyFigures:
    """Participants (confirmed enrolments), certificates, completion rate (certificates over
    participants of finished runs) and waitlist length, per course, per track and per
    quarter of the runs' start; for the runs of some centres (None: all) that start in
    `between` (from, until; None: any time). Summed in SQL from each run's tally, by course
    and quarter, in order of their first run; the groups roll up from those."""
    now = utcnow()
    condition = "AND co.track = {}" if track in academy.TRACKS else ""
    args: list[Any] = [now, now] + ([track] if condition else [])
    within, ids = among("e.centre", centres)
    condition += within
    args += ids
    if between is not None:
        condition += " AND e.starts_at >= {} AND e.starts_at < {}"
        args += list(between)
    quarter = hk_quarter("e.starts_at")
    rows = await Event.raw(
        f"""
        SELECT co.id AS course, co.title_en, co.title_zh, co.track, {quarter} AS quarter,
          COUNT(*) AS runs, SUM(COALESCE(t.confirmed, 0)) AS participants,
          SUM(COALESCE(t.waitlisted, 0)) AS waitlisted,
          SUM(CASE WHEN e.ends_at <= {{}} THEN COALESCE(t.confirmed, 0) ELSE 0 END)
            AS finished_participants,
          SUM(CASE WHEN e.ends_at <= {{}} THEN COALESCE(t.certificates, 0) ELSE 0 END)
            AS certificates
        FROM event e JOIN course co ON co.id = e.course
          LEFT JOIN event_tally t ON t.event = e.id
        WHERE e.kind = 'course_run' AND e.status = 'published' {condition}
        GROUP BY co.id, co.title_en, co.title_zh, co.track, {quarter}
        ORDER BY MIN(e.starts_at), co.id
        """,
        *args,
    )
    found = {
        "courses": _rollup(rows, lambda r: (r["course"], r["title_en"], r["title_zh"], r["track"])),
        "tracks": _rollup(rows, lambda r: (r["track"],)),
        "quarters": _rollup(rows, lambda r: (r["quarter"],)),
        "total": _rollup(rows, lambda r: ("all",))[0] if rows else _empty(("all",)),
    }
    return msgspec.convert(found, AcademyFigures)


def _empty(key: tuple) -> dict[str, Any]:
    return {
        "key": [str(part) for part in key],
        "runs": 0,
        "participants": 0,
        "finished_participants": 0,
        "certificates": 0,
        "waitlisted": 0,
        "completion_rate": None,
    }


# What each course-and-quarter row sums, added up again per course, track, quarter and total.
SUMMED = ("runs", "participants", "waitlisted", "finished_participants", "certificates")


def _rollup(rows: list[dict], key) -> list[dict]:
    groups: dict[tuple, dict[str, Any]] = {}
    for row in rows:
        group = groups.setdefault(key(row), _empty(key(row)))
        for figure in SUMMED:
            group[figure] += int(row[figure] or 0)
    for group in groups.values():
        done = group["finished_participants"]
        group["completion_rate"] = group["certificates"] / done if done else None
    return list(groups.values())
