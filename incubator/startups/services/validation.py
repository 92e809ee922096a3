"""Start-up profile input: one reading of its text (forms and imports) into the typed command
the API also receives, and its rules, each naming its field, for all three."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

import msgspec
from msgspec import UNSET

from incubator.commands import FormRead, read_form
from incubator.fields import EMAIL
from incubator.startups.schemas import ProfileUpdate, ProgrammeIn
from incubator.startups.tables import ProgrammeStatus, Stage

P = TypeVar("P", bound=ProfileUpdate)

# Fields a start-up's own members may change.
MEMBER_FIELDS = (
    "name_en",
    "name_zh",
    "description_en",
    "description_zh",
    "website",
    "founded_year",
    "stage",
    "team_size",
    "contact_name",
    "contact_email",
    "contact_phone",
    "tags",
    "clusters",
)
# Fields only the start-up's centre managers and administrators may change.
MANAGER_FIELDS = ("centres", "programmes")
ALL_FIELDS = MEMBER_FIELDS + MANAGER_FIELDS
LIST_FIELDS = ("tags", "clusters", "centres")
# Profile fields stored as columns of the start-up row (the others live in link tables).
SCALAR_FIELDS = tuple(f for f in MEMBER_FIELDS if f not in LIST_FIELDS)
TEXT_LIMITS = {
    "name_en": 200,
    "name_zh": 200,
    "description_en": 5000,
    "description_zh": 5000,
    "website": 300,
    "contact_name": 200,
    "contact_email": 254,
    "contact_phone": 40,
}
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*\.[^\s]+$", re.IGNORECASE)
_PHONE = re.compile(r"^[+0-9][0-9 ()\-]{5,39}$")
_TAG = re.compile(r"^[\w][\w .+#&-]{0,39}$", re.UNICODE)
MAX_TAGS = 20
STAGES = tuple(s.value for s in Stage)
PROGRAMME_STATUSES = tuple(s.value for s in ProgrammeStatus)


@dataclass(frozen=True)
class References:
    """The park's reference data that profile input is checked against."""

    clusters: dict[str, int]
    centres: dict[str, tuple[int, str]]  # slug -> (id, kind)
    programmes: dict[str, int]


def given(change: msgspec.Struct) -> dict[str, Any]:
    """The fields a command sets (the others are UNSET: left as they are)."""
    return {
        name: getattr(change, name)
        for name in change.__struct_fields__
        if getattr(change, name) is not UNSET
    }


# ---------------------------------------------------------------- reading text


def _text_list(value: Any) -> list[str]:
    """A list written as text (`a, b` or `a; b`), or a form's several values."""
    if value is None:
        return []
    if isinstance(value, str):
        value = value.replace(";", ",").split(",")
    return [str(v).strip() for v in value if str(v).strip()]


def _text_programmes(value: Any) -> tuple[list[dict[str, Any]], str]:
    """Programme entries from text: `slug:status:start[:end]` items (an import's cell, split
    on `;`) or a form's rows; the dates read, every other rule left to `clean_profile`."""
    if isinstance(value, str):
        value = [p for p in value.split(";") if p.strip()]
    entries = []
    for index, raw in enumerate(value or [], start=1):
        if isinstance(raw, str):
            parts = raw.split(":")
            raw = dict(zip(("programme", "status", "started_on", "ended_on"), parts, strict=False))
        if isinstance(raw, ProgrammeIn):
            raw = msgspec.structs.asdict(raw)
        slug = str(raw.get("programme") or "").strip()
        if not slug:
            continue
        where = f"entry {index} ({slug})"
        try:
            started = _text_date(raw.get("started_on"))
        except ValueError:
            started = None
        if started is None:
            return [], f"{where}: start date must be a date such as 2024-09-01"
        try:
            ended = _text_date(raw.get("ended_on"))
        except ValueError:
            return [], f"{where}: end date must be a date on or after the start date"
        status = str(raw.get("status") or "").strip() or "incubating"
        entries.append(
            {"programme": slug, "status": status, "started_on": started, "ended_on": ended}
        )
    return entries, ""


def _text_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    text = str(value).strip()
    return date.fromisoformat(text) if text else None


def read_profile(
    values: Mapping[str, Any],
    command: type[P] = ProfileUpdate,  # type: ignore[assignment]
) -> FormRead[P]:
    """A profile command read from text: a form's fields or an import's cells, in one way.
    Lists are written `a, b` (or `a; b`) or sent as a form's several values; programmes as
    `slug:status:start[:end]` entries joined by `;`, or as a form's rows. Only the fields in
    `values` are set; a blank year clears it; a blank size or stage is refused."""
    given_values = dict(values)
    errors: dict[str, str] = {}
    for name in LIST_FIELDS:
        if name in given_values:
            given_values[name] = _text_list(given_values[name])
    if "programmes" in given_values:
        given_values["programmes"], problem = _text_programmes(given_values["programmes"])
        if problem:
            errors["programmes"] = problem
            del given_values["programmes"]
    required = tuple(n for n in ("stage", "team_size") if n in given_values)
    return read_form(command, given_values, errors, required=required)


# ---------------------------------------------------------------- rules


def clean_profile(
    data: dict[str, Any], refs: References, today: date
) -> tuple[dict[str, Any], dict[str, str]]:
    """The rules of a profile: normalise the typed values in `data` (the fields a command
    sets, see `given`); return (clean values, every broken rule by field)."""
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, limit in TEXT_LIMITS.items():
        if name in data:
            value = "" if data[name] is None else str(data[name]).strip()
            if len(value) > limit:
                errors[name] = f"must be at most {limit} characters (it has {len(value)})"
            clean[name] = value
    if "name_en" in clean and not clean["name_en"]:
        errors["name_en"] = "is required"
    if clean.get("website") and not _URL.match(clean["website"]):
        errors["website"] = "must be a web address starting with http:// or https://"
    if clean.get("contact_email"):
        clean["contact_email"] = clean["contact_email"].lower()
        if not EMAIL.match(clean["contact_email"]):
            errors["contact_email"] = "must be an email address such as team@example.com"
    if clean.get("contact_phone") and not _PHONE.match(clean["contact_phone"]):
        errors["contact_phone"] = "must be a phone number of digits, spaces, +, - or brackets"
    if "founded_year" in data:
        year = data["founded_year"]
        if year is not None and not 1950 <= year <= today.year:
            errors["founded_year"] = f"must be a year from 1950 to {today.year}"
        clean["founded_year"] = year
    if "team_size" in data:
        size = data["team_size"]
        if not 1 <= size <= 100_000:
            errors["team_size"] = "must be a whole number from 1 to 100000"
        clean["team_size"] = size
    if "stage" in data:
        stage = data["stage"]
        clean["stage"] = stage.value if isinstance(stage, Stage) else str(stage)
        if clean["stage"] not in STAGES:
            errors["stage"] = f"must be one of {', '.join(STAGES)}"
    if "tags" in data:
        tags = []
        for tag in data["tags"]:
            tag = tag.strip().lower()
            if not tag:
                continue
            if not _TAG.match(tag):
                errors["tags"] = f"tag {tag[:40]!r} must be 1-40 letters, digits, spaces or .+#&-"
            elif tag not in tags:
                tags.append(tag)
        if len(tags) > MAX_TAGS:
            errors["tags"] = f"at most {MAX_TAGS} tags"
        clean["tags"] = tags
    if "clusters" in data:
        clusters = sorted({c.strip() for c in data["clusters"] if c.strip()})
        unknown = [c for c in clusters if c not in refs.clusters]
        if unknown:
            errors["clusters"] = f"unknown cluster {', '.join(unknown)}; known: " + ", ".join(
                sorted(refs.clusters)
            )
        clean["clusters"] = clusters
    if "centres" in data:
        centres = sorted({c.strip() for c in data["centres"] if c.strip()})
        unknown = [c for c in centres if c not in refs.centres]
        if unknown:
            errors["centres"] = f"unknown centre or hub {', '.join(unknown)}"
        elif not any(refs.centres[c][1] == "centre" for c in centres):
            errors["centres"] = "must include at least one of the five centres"
        clean["centres"] = centres
    if "programmes" in data:
        clean["programmes"], problem = _clean_programmes(data["programmes"], refs)
        if problem:
            errors["programmes"] = problem
    return clean, errors


def _clean_programmes(value: list[Any], refs: References) -> tuple[list[dict], str]:
    entries = []
    for index, raw in enumerate(value, start=1):
        entry = msgspec.structs.asdict(raw) if isinstance(raw, ProgrammeIn) else dict(raw)
        slug, status = entry["programme"].strip(), entry.get("status") or "incubating"
        started, ended = entry["started_on"], entry.get("ended_on")
        where = f"entry {index} ({slug})"
        if slug not in refs.programmes:
            return [], f"{where}: unknown programme; known: {', '.join(sorted(refs.programmes))}"
        if status not in PROGRAMME_STATUSES:
            return [], f"{where}: status must be one of {', '.join(PROGRAMME_STATUSES)}"
        if ended is not None and ended < started:
            return [], f"{where}: end date must be a date on or after the start date"
        entries.append(
            {"programme": slug, "status": status, "started_on": started, "ended_on": ended}
        )
    return sorted(entries, key=lambda e: (e["started_on"], e["programme"])), ""


def display_value(field: str, value: Any) -> str:
    """How a value is written in the change history."""
    if value is None:
        return ""
    if field == "programmes":
        return "; ".join(
            f"{e['programme']} ({e['status']}, {e['started_on']}"
            f"{' to ' + str(e['ended_on']) if e['ended_on'] else ''})"
            for e in value
        )
    if isinstance(value, list):
        return ", ".join(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
