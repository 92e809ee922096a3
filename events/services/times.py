"""Event times: typed and shown in Hong Kong time (`incubator.i18n.parse_local`), stored in
UTC, whole minutes; a day named in a query."""

from __future__ import annotations

from datetime import date

from incubator.errors import BadParameter
from incubator.i18n import RULE, local_input, parse_local, today_hk

__all__ = ["RULE", "day_named", "local_input", "parse_local"]


def day_named(text: str, name: str = "date") -> date:
    """The day a query names as YYYY-MM-DD (today, Hong Kong time, when blank)."""
    if not text.strip():
        return today_hk()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise BadParameter({name: "must be a date written YYYY-MM-DD"}) from None
