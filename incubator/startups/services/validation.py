"""Validation of start-up profile input: each rule names its field, for forms, API and import."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from incubator.fields import EMAIL
from incubator.startups.tables import ProgrammeStatus, Stage

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


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.replace(";", ",").split(",")
    return [str(v).strip() for v in value if str(v).strip()]


def _as_int(value: Any) -> int | str | None:
    """An int, None for blank, or the string back when it is not a number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        return str(value)


def _as_date(value: Any) -> date | str | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        return str(value)


def clean_profile(
    data: dict[str, Any], refs: References, today: date
) -> tuple[dict[str, Any], dict[str, str]]:
    """Normalise the fields present in `data`; return (clean values, errors by field)."""
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
        year = _as_int(data["founded_year"])
        if isinstance(year, str) or (year is not None and not 1950 <= year <= today.year):
            errors["founded_year"] = f"must be a year from 1950 to {today.year}"
        clean["founded_year"] = year if not isinstance(year, str) else None
    if "team_size" in data:
        size = _as_int(data["team_size"])
        if not isinstance(size, int) or not 1 <= size <= 100_000:
            errors["team_size"] = "must be a whole number from 1 to 100000"
        clean["team_size"] = size if isinstance(size, int) else 1
    if "stage" in data:
        clean["stage"] = str(data["stage"] or "").strip()
        if clean["stage"] not in STAGES:
            errors["stage"] = f"must be one of {', '.join(STAGES)}"
    if "tags" in data:
        tags = []
        for tag in _as_list(data["tags"]):
            tag = tag.lower()
            if not _TAG.match(tag):
                errors["tags"] = f"tag {tag[:40]!r} must be 1-40 letters, digits, spaces or .+#&-"
            elif tag not in tags:
                tags.append(tag)
        if len(tags) > MAX_TAGS:
            errors["tags"] = f"at most {MAX_TAGS} tags"
        clean["tags"] = tags
    if "clusters" in data:
        clusters = sorted(set(_as_list(data["clusters"])))
        unknown = [c for c in clusters if c not in refs.clusters]
        if unknown:
            errors["clusters"] = f"unknown cluster {', '.join(unknown)}; known: " + ", ".join(
                sorted(refs.clusters)
            )
        clean["clusters"] = clusters
    if "centres" in data:
        centres = sorted(set(_as_list(data["centres"])))
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


def _clean_programmes(value: Any, refs: References) -> tuple[list[dict], str]:
    entries = []
    for index, raw in enumerate(value or [], start=1):
        if isinstance(raw, str):
            # "slug:status:2024-01-01[:2025-01-01]", as in the import file.
            parts = raw.split(":")
            raw = dict(zip(("programme", "status", "started_on", "ended_on"), parts, strict=False))
        slug = str(raw.get("programme") or "").strip()
        if not slug:
            continue
        status = str(raw.get("status") or "incubating").strip()
        started, ended = _as_date(raw.get("started_on")), _as_date(raw.get("ended_on"))
        where = f"entry {index} ({slug})"
        if slug not in refs.programmes:
            return [], f"{where}: unknown programme; known: {', '.join(sorted(refs.programmes))}"
        if status not in PROGRAMME_STATUSES:
            return [], f"{where}: status must be one of {', '.join(PROGRAMME_STATUSES)}"
        if not isinstance(started, date):
            return [], f"{where}: start date must be a date such as 2024-09-01"
        if isinstance(ended, str) or (ended is not None and ended < started):
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
