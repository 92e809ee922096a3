"""Reviewing: a reviewer's queue, the application as they see it (without the applicant's
identity on a blind call), their scores by the call's rubric, and the panel's ranking by
the mean of the weighted scores, with their spread, and the shortlist."""

from __future__ import annotations

import json
from typing import Any

from incubator.auth.schemas import Viewer
from incubator.db import among, instant, is_postgres, lock_row, utcnow, write_transaction
from incubator.errors import Conflict, NotFound, ValidationFailed
from incubator.programmes import policy
from incubator.programmes.schemas import (
    FileOut,
    PanelReview,
    RankRow,
    ReviewOut,
    ReviewRow,
    Rubric,
    ScoreIn,
)
from incubator.programmes.services.applications import page_of, run_application
from incubator.programmes.services.calls import centre_of, get_call
from incubator.programmes.tables import Application, ApplicationFile, Review
from incubator.startups.policy import require_login

# Applications the panel reviews and ranks: submitted ones, and those decided since.
REVIEWED = "'submitted', 'admitted', 'waitlisted', 'declined'"


def _applicant(row: dict[str, Any], blind: bool) -> tuple[str, str]:
    if blind:
        return f"Application {row['application']}", f"申請 {row['application']}"
    return row["startup_en"], row["startup_zh"] or row["startup_en"]


_QUEUE = """SELECT r.id, r.call, r.application, r.status, r.weighted, r.scored_at,
    c.title_en AS call_en, c.title_zh AS call_zh, c.blind,
    s.name_en AS startup_en, s.name_zh AS startup_zh
    FROM application_review r
    JOIN programme_call c ON c.id = r.call
    JOIN programme_application a ON a.id = r.application
    JOIN startup s ON s.id = a.startup"""


async def queue(
    viewer: Viewer,
    call_id: int | None = None,
    page: int = 1,
    per_page: int = 100,
    peek: bool = False,
) -> list[ReviewRow]:
    """A page of the viewer's reviews they may read (declared clear), unscored first (with
    `peek`, one more: whether another page follows)."""
    require_login(viewer)
    where, args = "", [viewer.user_id]
    if call_id is not None:
        where, args = " AND r.call = {}", [viewer.user_id, call_id]
    rows = await Review.raw(
        f"{_QUEUE} WHERE r.reviewer = {{}} AND r.status IN ('open', 'scored')"
        f" AND a.status IN ({REVIEWED}){where} ORDER BY r.status, r.id LIMIT {{}} OFFSET {{}}",
        *args,
        per_page + (1 if peek else 0),
        (page - 1) * per_page,
    )
    found = []
    for row in rows:
        applicant_en, applicant_zh = _applicant(row, bool(row["blind"]))
        found.append(
            ReviewRow(
                **{k: row[k] for k in ("id", "call", "call_en", "call_zh", "application")},
                applicant_en=applicant_en,
                applicant_zh=applicant_zh,
                status=row["status"],
                weighted=row["weighted"],
                scored_at=instant(row["scored_at"]),
            )
        )
    return found


async def _mine(viewer: Viewer, review_id: int) -> dict[str, Any]:
    """The viewer's own review that they may read; any other answers as missing."""
    require_login(viewer)
    rows = await Review.raw(
        f"{_QUEUE} WHERE r.id = {{}} AND r.reviewer = {{}} AND r.status IN ('open', 'scored')",
        review_id,
        viewer.user_id,
    )
    if not rows:
        raise NotFound(f"there is no review {review_id} of yours to read")
    return rows[0]


async def get_review(viewer: Viewer, review_id: int) -> ReviewOut:
    row = await _mine(viewer, review_id)
    call = await get_call(row["call"])
    review = (
        await Review.select(Review.scores, Review.comment).where(Review.id == review_id).first()
    )
    application = (
        await Application.select(Application.answers)
        .where(Application.id == row["application"])
        .first()
    )
    files = await ApplicationFile.select(
        ApplicationFile.question,
        ApplicationFile.filename,
        ApplicationFile.content_type,
        ApplicationFile.size,
        ApplicationFile.uploaded_at,
    ).where(ApplicationFile.application == row["application"])
    applicant_en, applicant_zh = _applicant(row, call.blind)
    return ReviewOut(
        id=review_id,
        call=call.id,
        call_en=call.title_en,
        call_zh=call.title_zh,
        blind=call.blind,
        application=row["application"],
        applicant_en=applicant_en,
        applicant_zh=applicant_zh,
        status=row["status"],
        answers={
            k: v
            for k, v in json.loads(application["answers"]).items()
            if not (call.blind and k == "br_number")  # a registration number names the company
        },
        files=[
            FileOut(**(f | {"filename": blind_filename(f) if call.blind else f["filename"]}))
            for f in files
        ],
        questions=call.questions,
        rubric=call.rubric,
        scores=json.loads(review["scores"]),
        comment=review["comment"],
        weighted=row["weighted"],
        scored_at=instant(row["scored_at"]),
    )


def blind_filename(file: dict[str, Any]) -> str:
    """A file's name on a blind call: its question, not the name the applicant gave it."""
    extension = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}.get(
        file["content_type"], ""
    )
    return f"{file['question']}{extension}"


def weighted_score(rubric: Rubric, scores: dict[str, int]) -> float:
    total = sum(c.weight for c in rubric.criteria)
    return sum(c.weight * scores[c.key] for c in rubric.criteria) / total


def score_problems(rubric: Rubric, data: ScoreIn) -> dict[str, str]:
    errors = {}
    keys = {c.key for c in rubric.criteria}
    for criterion in rubric.criteria:
        value = data.scores.get(criterion.key)
        if value is None:
            errors[criterion.key] = "is required"
        elif not 1 <= value <= rubric.scale:
            errors[criterion.key] = f"must be a whole number from 1 to {rubric.scale}"
    for key in data.scores:
        if key not in keys:
            errors[key] = "is not a criterion of this call's rubric"
    if len(data.comment) > 5000:
        errors["comment"] = "must be at most 5,000 characters"
    if not rubric.criteria:
        errors["scores"] = "this call's rubric has no criteria to score"
    return errors


async def score(viewer: Viewer, review_id: int, data: ScoreIn) -> ReviewOut:
    """Score an application by the rubric (again, until a decision); the application's mean
    and spread are kept in the same transaction."""
    row = await _mine(viewer, review_id)
    call = await get_call(row["call"])
    errors = score_problems(call.rubric, data)
    if errors:
        raise ValidationFailed(errors)
    weighted = weighted_score(call.rubric, data.scores)
    async with write_transaction():
        application = await lock_row(Application, row["application"], "id, status")
        if application["status"] != "submitted":
            raise Conflict(f"this application is {application['status']}: it is not reviewed")
        await Review.update(
            {
                Review.status: "scored",
                Review.scores: json.dumps(data.scores),
                Review.comment: data.comment.strip(),
                Review.weighted: weighted,
                Review.scored_at: utcnow(),
            }
        ).where(Review.id == review_id)
        await _keep_score(row["application"])
    return await get_review(viewer, review_id)


async def _keep_score(application_id: int) -> None:
    scored = [
        r["weighted"]
        for r in await Review.select(Review.weighted).where(
            (Review.application == application_id) & (Review.status == "scored")
        )
    ]
    await Application.update(
        {
            Application.reviews_done: len(scored),
            Application.score_mean: sum(scored) / len(scored) if scored else None,
            Application.score_spread: max(scored) - min(scored) if scored else None,
        }
    ).where(Application.id == application_id)


async def ranking(
    viewer: Viewer, call_id: int, page: int = 1, per_page: int = 100, shortlisted: bool = False
) -> tuple[list[RankRow], int]:
    """A call's submitted (and decided) applications by their mean score (unscored last): a
    page of them and how many in all; those the viewer is conflicted with are left out."""
    await policy.require_run(viewer, await centre_of(call_id), "see this call's ranking")
    where = f"a.call = {{}} AND a.status IN ({REVIEWED})" + (
        " AND a.shortlisted" if shortlisted else ""
    )
    order = "a.score_mean DESC NULLS LAST, a.id" if is_postgres() else "a.score_mean DESC, a.id"
    rows, total = await page_of(
        viewer,
        where,
        [call_id],
        order,
        "a.id AS application, a.startup, s.name_en AS startup_en, s.name_zh AS startup_zh, "
        "a.status, a.reviews_done, a.score_mean, a.score_spread, a.shortlisted",
        page,
        per_page,
    )
    ids = [r["application"] for r in rows]
    condition, id_args = among("application", ids)
    assigned = (
        {
            r["application"]: r["n"]
            for r in await Review.raw(
                "SELECT application, count(*) AS n FROM application_review "
                f"WHERE status <> 'conflicted'{condition} GROUP BY application",
                *id_args,
            )
        }
        if ids
        else {}
    )
    return [
        RankRow(
            rank=(page - 1) * per_page + n,
            **(row | {"shortlisted": bool(row["shortlisted"])}),
            reviews_assigned=assigned.get(row["application"], 0),
        )
        for n, row in enumerate(rows, start=1)
    ], total


async def shortlist(viewer: Viewer, application_id: int, on: bool) -> None:
    row = await run_application(viewer, application_id, "shortlist applications")
    if row["status"] not in ("submitted", "waitlisted"):
        raise Conflict(f"this application is {row['status']}: it cannot be shortlisted")
    async with write_transaction():
        await Application.update({Application.shortlisted: on}).where(
            Application.id == application_id
        )


async def reviews_of(viewer: Viewer, application_id: int) -> list[PanelReview]:
    """The panel's reviews of an application, for those who run the call."""
    await run_application(viewer, application_id, "see this application's reviews")
    rows = await Review.raw(
        "SELECT r.id, u.name AS reviewer, r.status, r.scores, r.weighted, r.comment, r.scored_at "
        "FROM application_review r JOIN app_user u ON u.id = r.reviewer "
        "WHERE r.application = {} ORDER BY u.name",
        application_id,
    )
    return [
        PanelReview(
            **(row | {"scores": json.loads(row["scores"]), "scored_at": instant(row["scored_at"])})
        )
        for row in rows
    ]


async def is_shortlisted(application_id: int) -> bool:
    row = (
        await Application.select(Application.shortlisted)
        .where(Application.id == application_id)
        .first()
    )
    return bool(row and row["shortlisted"])
