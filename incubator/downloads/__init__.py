"""Tables people download, as CSV, XLSX or JSON, encoded as the rows come.

Each encoder turns rows into bytes as they come (`start`, `rows`, then `finish`, which yields
the rest in chunks), so a file of 100,000 rows never needs 100,000 rows in memory. Rows are
sequences in the columns' order: None is an empty cell (CSV, XLSX) or null (JSON), and
ABSENT leaves the key out of a JSON row (and the cell empty elsewhere). Text cells in CSV and
XLSX are neutralised so a spreadsheet never runs them as formulas.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol

from incubator.downloads import csv_files, xlsx_files
from incubator.downloads.csv_files import CsvEncoder
from incubator.downloads.json_files import JsonEncoder
from incubator.downloads.xlsx_files import XlsxEncoder

MEDIA_TYPES = {
    "csv": csv_files.MEDIA_TYPE,
    "xlsx": xlsx_files.MEDIA_TYPE,
    "json": "application/json",
}


def content_type(fmt: str) -> str:
    """The Content-Type header of a file of this format sent other than as a page's response
    (a webhook's body): a text type names its charset."""
    media = MEDIA_TYPES[fmt]
    return f"{media}; charset=utf-8" if media.startswith("text/") else media


class TableEncoder(Protocol):
    def start(self) -> bytes: ...
    def rows(self, rows: Iterable[Sequence[Any]]) -> bytes: ...
    def finish(self) -> Iterator[bytes]: ...


def encoder(fmt: str, columns: Sequence[str], meta: dict[str, Any]) -> TableEncoder:
    if fmt == "csv":
        return CsvEncoder(columns)
    if fmt == "xlsx":
        return XlsxEncoder(columns, str(meta.get("title") or "Sheet1"))
    if fmt == "json":
        return JsonEncoder(columns, meta)
    raise ValueError(f"unknown format {fmt!r}")
