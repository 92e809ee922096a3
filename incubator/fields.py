"""Reading typed values out of submitted data (a form or a JSON body), collecting one
message per field that breaks its rule, so a page can show them all at once."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def read_text(
    data: dict[str, Any],
    name: str,
    errors: dict[str, str],
    max_length: int,
    required: bool = False,
) -> str:
    text = str(data.get(name) or "").strip()
    if required and not text:
        errors[name] = "is required"
    elif len(text) > max_length:
        errors[name] = f"must be at most {max_length:,} characters"
    return text


def read_email(data: dict[str, Any], name: str, errors: dict[str, str], required: bool = False):
    text = str(data.get(name) or "").strip().lower()
    if (text or required) and not EMAIL.match(text):
        errors[name] = "must be an email address such as name@example.com"
    return text


def read_url(data: dict[str, Any], name: str, errors: dict[str, str], required: bool = False):
    text = str(data.get(name) or "").strip()
    if (text or required) and not re.match(r"^https?://[^\s/]+\S*$", text):
        errors[name] = "must be a web address starting with https:// or http://"
    elif len(text) > 500:
        errors[name] = "must be at most 500 characters"
    return text


def read_date(
    data: dict[str, Any], name: str, errors: dict[str, str], required: bool = True
) -> date | None:
    value = data.get(name)
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    if not text:
        if required:
            errors[name] = "is required (YYYY-MM-DD)"
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[name] = "must be a date written YYYY-MM-DD"
        return None


def read_whole_number(
    data: dict[str, Any],
    name: str,
    errors: dict[str, str],
    low: int,
    high: int,
    required: bool = True,
) -> int | None:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors[name] = "is required"
        return None
    if isinstance(value, bool):
        value = None
    try:
        number = int(str(value).strip()) if value is not None else None
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        errors[name] = f"must be a whole number from {low:,} to {high:,}"
        return None
    return number


def read_choices(
    data: dict[str, Any], name: str, errors: dict[str, str], allowed: dict[str, Any] | list[str]
) -> list[str]:
    """A list of keys (a JSON list, checkboxes, or comma-separated text), each one allowed."""
    value = data.get(name) or []
    items = value.split(",") if isinstance(value, str) else list(value)
    chosen = [str(item).strip() for item in items if str(item).strip()]
    unknown = [item for item in chosen if item not in allowed]
    if unknown:
        errors[name] = f"unknown: {', '.join(unknown)}; choose from {', '.join(allowed)}"
    return list(dict.fromkeys(chosen))
