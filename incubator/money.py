"""HKD amounts: stored as integer cents, read from what people type, shown as HK$."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_AMOUNT = re.compile(r"^(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?$")
AMOUNT_RULE = "must be an amount in HKD such as 12,500 or 12500.50"


def parse_hkd(value: Any) -> int:
    """Cents from "HK$12,500.50", "12500" or an int of whole dollars; ValueError names the
    rule."""
    if isinstance(value, bool):
        raise ValueError(AMOUNT_RULE)
    if isinstance(value, int):
        if value < 0:
            raise ValueError("must not be negative")
        return value * 100
    text = str(value or "").strip().upper().removeprefix("HK$").removeprefix("$").strip()
    if text.startswith("-"):
        raise ValueError("must not be negative")
    if not _AMOUNT.match(text):
        raise ValueError(AMOUNT_RULE)
    whole, _, fraction = text.replace(",", "").partition(".")
    return int(whole) * 100 + int((fraction + "00")[:2])


def read_amounts(
    data: Mapping[str, Any], fields: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """A form's values with each HK$ amount typed in it read into cents (`fields`: the cents
    value's name -> the form field it is typed in; a blank one is left out), and what could
    not be read, by the field it was typed in."""
    values, errors = dict(data), {}
    for cents, typed in fields.items():
        text = str(data.get(typed) or "").strip()
        if text:
            try:
                values[cents] = parse_hkd(text)
            except ValueError as exc:
                errors[typed] = str(exc)
    return values, errors


def format_hkd(cents: int | None, symbol: bool = True) -> str:
    """HK$12,500 or HK$12,500.50 (cents shown only when there are any)."""
    if cents is None:
        return ""
    whole, part = divmod(abs(int(cents)), 100)
    text = f"{whole:,}" + (f".{part:02d}" if part else "")
    return ("-" if cents < 0 else "") + ("HK$" if symbol else "") + text


def hkd_input(cents: int | None) -> str:
    """The amount as a form shows it for editing: 12500 or 12500.50."""
    if cents is None:
        return ""
    whole, part = divmod(int(cents), 100)
    return f"{whole}.{part:02d}" if part else str(whole)
