"""XLSX downloads written with XlsxWriter: one sheet, a bold header row, text and numbers as
they are, formulas neutralised. XlsxWriter's constant-memory mode keeps only the current row
in memory and the sheet in a temporary file; the finished workbook is read back in chunks."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import xlsxwriter

from incubator.downloads.cells import ABSENT, plain, safe_cell

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
READ_BYTES = 256 * 1024
# Sheet names may not hold these, nor be longer than 31 characters.
_SHEET_NAME_ILLEGAL = str.maketrans({c: " " for c in "[]:*?/\\"})


def _cell(value: Any) -> Any:
    if value is None or value is ABSENT:
        return None
    if isinstance(value, bool):
        return int(value)
    return safe_cell(plain(value))


class XlsxEncoder:
    def __init__(self, columns: Sequence[str], sheet_name: str = "Sheet1") -> None:
        self.columns = list(columns)
        handle, self._path = tempfile.mkstemp(suffix=".xlsx")
        os.close(handle)
        # Text is text: nothing a cell holds becomes a formula, a link or a number.
        self._book = xlsxwriter.Workbook(
            self._path,
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        name = " ".join(sheet_name.translate(_SHEET_NAME_ILLEGAL).split()).strip("'")[:31]
        name = name or "Sheet1"
        self._sheet = self._book.add_worksheet(name)
        self._bold = self._book.add_format({"bold": True})
        self._row = 0

    def start(self) -> bytes:
        self._sheet.write_row(0, 0, self.columns, self._bold)
        return b""

    def rows(self, rows: Iterable[Sequence[Any]]) -> bytes:
        write_row = self._sheet.write_row
        for row in rows:
            self._row += 1
            write_row(self._row, 0, [_cell(v) for v in row])
        return b""

    def finish(self) -> Iterator[bytes]:
        """The workbook's bytes, a chunk at a time; the temporary file goes with the last."""
        try:
            self._book.close()
            with open(self._path, "rb") as workbook:
                while data := workbook.read(READ_BYTES):
                    yield data
        finally:
            os.unlink(self._path)
