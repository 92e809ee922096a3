"""Reading an application's answers by their question's kind, and the checks a submission
must pass: every required answer given, and the call's eligibility rules met."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from incubator.i18n import today_hk
from incubator.money import format_hkd, parse_hkd
from incubator.programmes.schemas import Eligibility, Question, QuestionKind
from incubator.startups.tables import ProgrammeStatus, Startup

BR_NUMBER = re.compile(r"^\d{8}$")
# A start-up's programme statuses past applying: admitted to it.
ADMITTED = tuple(s.value for s in ProgrammeStatus if s is not ProgrammeStatus.applied)
_TEXT_LIMITS = {QuestionKind.text: 500, QuestionKind.long_text: 10_000}
_LARGEST_NUMBER = 10**12


def read_answer(question: Question, raw: Any) -> Any:
    """The answer to keep (None: no answer); ValueError names the rule it breaks."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    kind = question.kind
    if kind in _TEXT_LIMITS:
        if not isinstance(raw, str):
            raise ValueError("must be text")
        text = raw.strip()
        if len(text) > _TEXT_LIMITS[kind]:
            raise ValueError(f"must be at most {_TEXT_LIMITS[kind]:,} characters")
        return text
    if kind is QuestionKind.choice:
        text = str(raw).strip()
        if text in question.choices:
            return text
        if text in question.choices_zh:
            return question.choices[question.choices_zh.index(text)]
        raise ValueError("must be one of " + ", ".join(question.choices))
    if kind is QuestionKind.number:
        if isinstance(raw, bool):
            raise ValueError("must be a whole number")
        try:
            number = int(str(raw).strip().replace(",", ""))
        except ValueError:
            raise ValueError("must be a whole number") from None
        if abs(number) > _LARGEST_NUMBER:
            raise ValueError(f"must be a whole number within ±{_LARGEST_NUMBER:,}")
        return number
    if kind is QuestionKind.amount:
        cents = parse_hkd(raw)
        if cents > _LARGEST_NUMBER * 100:
            raise ValueError(f"must be at most {format_hkd(_LARGEST_NUMBER * 100)}")
        return cents
    if kind is QuestionKind.date:
        try:
            return date.fromisoformat(str(raw).strip()).isoformat()
        except ValueError:
            raise ValueError("must be a date written YYYY-MM-DD") from None
    raise ValueError("is answered by uploading a file")


def read_br_number(raw: Any) -> str | None:
    """A Hong Kong business registration number: its first eight digits."""
    if raw is None or not str(raw).strip():
        return None
    text = str(raw).replace(" ", "").replace("-", "")
    if not BR_NUMBER.match(text):
        raise ValueError("must be the eight digits of a Hong Kong business registration number")
    return text


def read_answers(
    questions: list[Question], eligibility: Eligibility, given: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The answers `given` (by question key) as they are kept, and what each broken one
    breaks. An answer to no question of the call is an error too."""
    by_key = {q.key: q for q in questions}
    read: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, raw in given.items():
        try:
            if key == "br_number" and eligibility.incorporated_hk:
                read[key] = read_br_number(raw)
            elif key in by_key:
                read[key] = read_answer(by_key[key], raw)
            else:
                errors[key] = "is not a question of this call"
        except ValueError as exc:
            errors[key] = str(exc)
    return read, errors


def missing_answers(
    questions: list[Question], eligibility: Eligibility, answers: dict[str, Any], files: set[str]
) -> dict[str, str]:
    """What a submission lacks: each required answer not given, the business registration
    number when the call asks for it."""
    errors = {}
    for question in questions:
        if not question.required:
            continue
        given = (
            question.key in files
            if question.kind is QuestionKind.file
            else (answers.get(question.key) is not None)
        )
        if not given:
            errors[question.key] = (
                "is required: upload a file"
                if question.kind is QuestionKind.file
                else "is required"
            )
    if eligibility.incorporated_hk and not answers.get("br_number"):
        errors["br_number"] = "is required: this call takes companies incorporated in Hong Kong"
    return errors


async def eligibility_problems(
    eligibility: Eligibility, programme_id: int, startup_id: int
) -> dict[str, str]:
    """How the start-up falls outside the call's rules, by the profile field concerned."""
    errors: dict[str, str] = {}
    if eligibility.founded_within_years is not None:
        earliest = today_hk().year - eligibility.founded_within_years
        row = await Startup.select(Startup.founded_year).where(Startup.id == startup_id).first()
        founded = row["founded_year"] if row else None
        if founded is None:
            errors["founded_year"] = (
                f"this call takes start-ups founded in {earliest} or later: "
                "give your founding year on your profile"
            )
        elif founded < earliest:
            errors["founded_year"] = (
                f"this call takes start-ups founded in {earliest} or later; "
                f"yours was founded in {founded}"
            )
    if eligibility.clusters:
        rows = await Startup.raw(
            "SELECT c.slug FROM startup_cluster sc JOIN cluster c ON c.id = sc.cluster "
            "WHERE sc.startup = {}",
            startup_id,
        )
        if not {r["slug"] for r in rows} & set(eligibility.clusters):
            errors["clusters"] = (
                "this call takes start-ups in the clusters "
                + ", ".join(eligibility.clusters)
                + ": add yours on your profile if it is one of them"
            )
    if eligibility.not_admitted:
        marks = ", ".join("{}" for _ in ADMITTED)
        rows = await Startup.raw(
            "SELECT 1 FROM startup_programme WHERE startup = {} AND programme = {} "
            f"AND status IN ({marks})",
            startup_id,
            programme_id,
            *ADMITTED,
        )
        if rows:
            errors["programme"] = "this call is for start-ups not yet admitted to the programme"
    return errors
