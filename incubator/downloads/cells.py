"""Cells of the tables people download: plain values, and text that a spreadsheet would run as a
formula neutralised (OWASP "CSV injection")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Sheets;
# a leading apostrophe makes it plain text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "|")

# Leaves the key out of a JSON row (and the cell empty elsewhere).
ABSENT: Any = type("Absent", (), {"__repr__": lambda self: "ABSENT"})()


def safe_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def plain(value: Any) -> Any:
    """Lists as "a; b", dates and instants in ISO 8601, anything else as it is."""
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
