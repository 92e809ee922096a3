"""Event times: typed and shown in Hong Kong time, stored in UTC, whole minutes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from incubator.errors import BadParameter
from incubator.i18n import HONG_KONG, today_hk

RULE = "must be a date and time written YYYY-MM-DD HH:MM (Hong Kong time)"


def parse_local(value: Any) -> datetime:
    """A UTC instant from "2026-12-01T14:00" or "2026-12-01 14:00" (Hong Kong time) or an
    aware datetime; ValueError names the rule."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=HONG_KONG)
    else:
        text = str(value or "").strip().replace(" ", "T")
        if not text:
            raise ValueError("is required")
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(RULE) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=HONG_KONG)
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


def local_input(moment: datetime | None) -> str:
    """What a datetime-local input shows: 2026-12-01T14:00 in Hong Kong time."""
    return "" if moment is None else moment.astimezone(HONG_KONG).strftime("%Y-%m-%dT%H:%M")


def day_named(text: str, name: str = "date") -> date:
    """The day a query names as YYYY-MM-DD (today, Hong Kong time, when blank)."""
    if not text.strip():
        return today_hk()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise BadParameter({name: "must be a date written YYYY-MM-DD"}) from None
