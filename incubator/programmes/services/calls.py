"""Calls for applications: opened and changed by their centre's managers; their questions,
eligibility rules and rubric checked whole; the questions frozen once an application has
been submitted."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import msgspec

from incubator.auth.schemas import Viewer
from incubator.db import instant, lock_row, utcnow, write_transaction
from incubator.errors import Conflict, NotFound, ValidationFailed
from incubator.i18n import parse_local
from incubator.programmes import policy
from incubator.programmes.schemas import (
    CallIn,
    CallOut,
    Criterion,
    Eligibility,
    Question,
    QuestionKind,
    Rubric,
)
from incubator.programmes.tables import Application, Call
from incubator.startups.tables import Centre, Cluster, Programme

MAX_QUESTIONS = 50
MAX_CRITERIA = 20
KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
RESERVED_KEYS = {"br_number"}  # asked by the eligibility rule "incorporated in Hong Kong"

_CALL_COLUMNS = """
    c.id, c.title_en, c.title_zh, c.description_en, c.description_zh, c.opens_at,
    c.closes_at, c.reviews_due_at, c.decisions_due_at, c.eligibility, c.questions, c.rubric,
    c.blind, c.version, c.centre AS centre_id,
    p.slug AS programme, p.name_en AS programme_en, p.name_zh AS programme_zh,
    ce.slug AS centre, ce.name_en AS centre_en, ce.name_zh AS centre_zh,
    EXISTS (SELECT 1 FROM programme_application a
            WHERE a.call = c.id AND a.submitted_at IS NOT NULL) AS frozen
    FROM programme_call c
    JOIN programme p ON p.id = c.programme
    JOIN centre ce ON ce.id = c.centre"""


def status_at(opens_at: datetime, closes_at: datetime, now: datetime) -> str:
    if now < opens_at:
        return "upcoming"
    return "open" if now < closes_at else "closed"


def _call_out(row: dict[str, Any]) -> CallOut:
    opens_at, closes_at = instant(row["opens_at"]), instant(row["closes_at"])
    return CallOut(
        id=row["id"],
        programme=row["programme"],
        programme_en=row["programme_en"],
        programme_zh=row["programme_zh"],
        centre=row["centre"],
        centre_en=row["centre_en"],
        centre_zh=row["centre_zh"],
        title_en=row["title_en"],
        title_zh=row["title_zh"],
        description_en=row["description_en"],
        description_zh=row["description_zh"],
        opens_at=opens_at,
        closes_at=closes_at,
        status=status_at(opens_at, closes_at, utcnow()),
        reviews_due_at=instant(row["reviews_due_at"]),
        decisions_due_at=instant(row["decisions_due_at"]),
        eligibility=msgspec.json.decode(row["eligibility"], type=Eligibility),
        questions=msgspec.json.decode(row["questions"], type=list[Question]),
        rubric=msgspec.json.decode(row["rubric"], type=Rubric),
        blind=bool(row["blind"]),
        frozen=bool(row["frozen"]),
        version=row["version"],
    )


async def get_call(call_id: int) -> CallOut:
    rows = await Call.raw(f"SELECT {_CALL_COLUMNS} WHERE c.id = {{}}", call_id)
    if not rows:
        raise NotFound(f"there is no call {call_id}")
    return _call_out(rows[0])


async def centre_of(call_id: int) -> int:
    row = await Call.select(Call.centre).where(Call.id == call_id).first()
    if row is None:
        raise NotFound(f"there is no call {call_id}")
    return row["centre"]


async def list_calls(which: str = "") -> list[CallOut]:
    """Every call, the newest closing first; `which` keeps the open, upcoming or closed."""
    rows = await Call.raw(f"SELECT {_CALL_COLUMNS} ORDER BY c.closes_at DESC, c.id DESC")
    calls = [_call_out(row) for row in rows]
    return [c for c in calls if c.status == which] if which else calls


# ----------------------------------------------------------------------- checks


def _text(errors: dict[str, str], name: str, value: str, limit: int, required: bool) -> str:
    text = value.strip()
    if required and not text:
        errors[name] = "is required"
    elif len(text) > limit:
        errors[name] = f"must be at most {limit:,} characters"
    return text


def checked_questions(questions: list[Question], errors: dict[str, str]) -> list[Question]:
    """The questions with their keys filled in; what each breaks goes into `errors` under
    `questions.<n>.<field>` (n from 1, as a form numbers them)."""
    if len(questions) > MAX_QUESTIONS:
        errors["questions"] = f"a call asks at most {MAX_QUESTIONS} questions"
    seen: set[str] = set()
    cleaned = []
    for n, question in enumerate(questions, start=1):
        at = f"questions.{n}"
        label_en = _text(errors, f"{at}.label_en", question.label_en, 300, True)
        label_zh = _text(errors, f"{at}.label_zh", question.label_zh, 300, False)
        key = question.key.strip() or f"q{n}"
        if not KEY.match(key) or key in RESERVED_KEYS:
            errors[f"{at}.key"] = (
                "must start with a letter and hold only a-z, 0-9 and _ (at most 40), "
                "and not be br_number"
            )
        elif key in seen:
            errors[f"{at}.key"] = f"{key} names another question of this call"
        seen.add(key)
        choices = [c.strip() for c in question.choices if c.strip()]
        choices_zh = [c.strip() for c in question.choices_zh if c.strip()]
        if question.kind is QuestionKind.choice:
            if len(choices) < 2 or len(set(choices)) < len(choices):
                errors[f"{at}.choices"] = "a choice question needs two or more different options"
            elif choices_zh and len(choices_zh) != len(choices):
                errors[f"{at}.choices_zh"] = (
                    f"give a Chinese label for each of the {len(choices)} options, or none"
                )
        elif choices:
            errors[f"{at}.choices"] = "only a choice question has options"
        cleaned.append(
            Question(
                kind=question.kind,
                label_en=label_en,
                label_zh=label_zh,
                required=question.required,
                key=key,
                choices=choices,
                choices_zh=choices_zh,
            )
        )
    return cleaned


def checked_rubric(rubric: Rubric, errors: dict[str, str]) -> Rubric:
    if len(rubric.criteria) > MAX_CRITERIA:
        errors["rubric"] = f"a rubric has at most {MAX_CRITERIA} criteria"
    if not 2 <= rubric.scale <= 10:
        errors["rubric.scale"] = "scores run from 1 to a top score from 2 to 10"
    criteria = []
    for n, criterion in enumerate(rubric.criteria, start=1):
        at = f"rubric.{n}"
        label_en = _text(errors, f"{at}.label_en", criterion.label_en, 200, True)
        label_zh = _text(errors, f"{at}.label_zh", criterion.label_zh, 200, False)
        if not 1 <= criterion.weight <= 100:
            errors[f"{at}.weight"] = "must be a whole number from 1 to 100"
        key = criterion.key.strip() or f"c{n}"
        criteria.append(
            Criterion(label_en=label_en, label_zh=label_zh, weight=criterion.weight, key=key)
        )
    return Rubric(criteria=criteria, scale=rubric.scale)


async def checked_eligibility(rules: Eligibility, errors: dict[str, str]) -> Eligibility:
    years = rules.founded_within_years
    if years is not None and not 1 <= years <= 50:
        errors["eligibility.founded_within_years"] = "must be a whole number from 1 to 50"
    clusters = list(dict.fromkeys(c.strip() for c in rules.clusters if c.strip()))
    if clusters:
        known = {r["slug"] for r in await Cluster.select(Cluster.slug)}
        unknown = [c for c in clusters if c not in known]
        if unknown:
            errors["eligibility.clusters"] = (
                f"unknown: {', '.join(unknown)}; choose from {', '.join(sorted(known))}"
            )
    return Eligibility(
        incorporated_hk=rules.incorporated_hk,
        founded_within_years=years,
        clusters=clusters,
        not_admitted=rules.not_admitted,
    )


async def _checked(data: CallIn) -> tuple[dict[str, Any], int]:
    """The call's columns from `data`, and its centre; every broken rule raised at once."""
    errors: dict[str, str] = {}
    programme = await Programme.select(Programme.id).where(Programme.slug == data.programme).first()
    if programme is None:
        errors["programme"] = f"there is no programme {data.programme}"
    centre = await Centre.select(Centre.id).where(Centre.slug == data.centre).first()
    if centre is None:
        errors["centre"] = f"there is no centre or hub {data.centre}"
    columns: dict[str, Any] = {
        "title_en": _text(errors, "title_en", data.title_en, 200, True),
        "title_zh": _text(errors, "title_zh", data.title_zh, 200, False),
        "description_en": _text(errors, "description_en", data.description_en, 5000, False),
        "description_zh": _text(errors, "description_zh", data.description_zh, 5000, False),
        "blind": data.blind,
    }
    for name in ("opens_at", "closes_at"):
        try:
            columns[name] = parse_local(getattr(data, name))
        except ValueError as exc:
            errors[name] = str(exc)
    if (
        "opens_at" in columns
        and "closes_at" in columns
        and columns["closes_at"] <= columns["opens_at"]
    ):
        errors["closes_at"] = "must be after the opening time"
    for name in ("reviews_due_at", "decisions_due_at"):
        columns[name] = None
        if getattr(data, name).strip():
            try:
                columns[name] = parse_local(getattr(data, name))
            except ValueError as exc:
                errors[name] = str(exc)
            else:
                if "closes_at" in columns and columns[name] <= columns["closes_at"]:
                    errors[name] = "must be after the closing time"
    eligibility = await checked_eligibility(data.eligibility, errors)
    questions = checked_questions(data.questions, errors)
    rubric = checked_rubric(data.rubric, errors)
    if errors:
        raise ValidationFailed(errors)
    columns |= {
        "programme": programme["id"],
        "centre": centre["id"],
        "eligibility": msgspec.json.encode(eligibility).decode(),
        "questions": msgspec.json.encode(questions).decode(),
        "rubric": msgspec.json.encode(rubric).decode(),
    }
    return columns, centre["id"]


async def open_call(viewer: Viewer, data: CallIn) -> CallOut:
    columns, centre = await _checked(data)
    await policy.require_run(viewer, centre, "open a call for this centre")
    async with write_transaction():
        rows = await Call.insert(Call(**columns, created_by=viewer.user_id)).returning(Call.id)
    return await get_call(rows[0]["id"])


async def change_call(viewer: Viewer, call_id: int, data: CallIn) -> CallOut:
    """Change a call. Once an application has been submitted its questions stay as they are
    (the change is refused, naming them); the rest may still change."""
    await policy.require_run(viewer, await centre_of(call_id), "change this call")
    columns, centre = await _checked(data)
    await policy.require_run(viewer, centre, "move a call to this centre")
    async with write_transaction():
        current = await lock_row(Call, call_id, "id, questions, version")
        if current is None:
            raise NotFound(f"there is no call {call_id}")
        if columns["questions"] != current["questions"]:
            submitted = await Application.count().where(
                (Application.call == call_id) & Application.submitted_at.is_not_null()
            )
            if submitted:
                raise Conflict(
                    f"the questions cannot change: {submitted} application(s) have been "
                    "submitted to this call",
                    {"questions": "cannot change once an application has been submitted"},
                )
        await Call.update(
            {**columns, Call.updated_at: utcnow(), Call.version: current["version"] + 1}
        ).where(Call.id == call_id)
    return await get_call(call_id)
