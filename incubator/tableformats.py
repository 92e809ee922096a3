"""Streaming encoders for tables people download: CSV, XLSX and JSON.

Each encoder turns rows into bytes as they come (`start`, `rows`, `finish`), so a file of
100,000 rows never needs 100,000 rows in memory. Rows are sequences in the columns' order:
None is an empty cell (CSV, XLSX) or null (JSON), and ABSENT leaves the key out of a JSON row
(and the cell empty elsewhere). Text cells in CSV and XLSX are neutralised so a spreadsheet
never runs them as formulas.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, Protocol
from xml.sax.saxutils import escape

from incubator.csvexport import safe_cell

ABSENT: Any = type("Absent", (), {"__repr__": lambda self: "ABSENT"})()
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


class TableEncoder(Protocol):
    def start(self) -> bytes: ...
    def rows(self, rows: Iterable[Sequence[Any]]) -> bytes: ...
    def finish(self) -> bytes: ...


def _plain(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _csv_cell(value: Any) -> Any:
    """A CSV cell: empty for None and ABSENT, else `_plain` and `safe_cell`."""
    if value is None or value is ABSENT:
        return ""
    return safe_cell(_plain(value))


_CELL, _ROW = "\x1f", "\x1e"  # ASCII's unit and record separators (a cell holding one is caught)

COPY_END = 30  # the code of the last cell of a COPY read's rows, ASCII's record separator
# How a row of PostgreSQL's COPY ... (FORMAT csv, FORCE_QUOTE *) ends when its last cell is
# COPY_END: inside a quoted cell every quote is doubled, so a lone quote before and after the
# separator can only open and close a cell of its own, the last, since a line end follows.
_COPY_ROW_END = b',"' + bytes([COPY_END]) + b'"\n'


class CsvEncoder:
    """UTF-8 with a BOM (so Excel reads Chinese right), CRLF line ends, every cell quoted (so
    a batch of text can be quoted at once: `text_rows`)."""

    def __init__(self, columns: Sequence[str]) -> None:
        self.columns = list(columns)
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
        self._carry = b""  # the start of a row `copied` has not seen the end of

    def _take(self) -> bytes:
        text = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return text.encode("utf-8")

    def start(self) -> bytes:
        self._buffer.write("\ufeff")
        self._writer.writerow(self.columns)
        return self._take()

    def rows(self, rows: Iterable[Sequence[Any]]) -> bytes:
        self._writer.writerows([_csv_cell(v) for v in row] for row in rows)
        return self._take()

    def text_rows(self, rows: Sequence[Sequence[str]]) -> bytes:
        """Rows whose cells are all text, already neutralised, with '' for an empty cell (an
        export's SQL makes them so): the batch is joined, quoted and encoded in a few passes
        over one string instead of cell by cell (the csv module took 0.75 s for 100,000
        start-ups, this 0.3 s). The same bytes as `rows` would write."""
        if not rows:
            return b""
        text = _ROW.join([_CELL.join(row) for row in rows])
        if (
            text.count(_CELL) != len(rows) * (len(self.columns) - 1)
            or text.count(_ROW) != len(rows) - 1
        ):  # a separator inside a cell: this batch the slow way
            self._writer.writerows(rows)
            return self._take()
        text = text.replace('"', '""').replace(_CELL, '","').replace(_ROW, '"\r\n"')
        return f'"{text}"\r\n'.encode()

    def copied(self, data: bytes) -> tuple[bytes, int]:
        """Rows as PostgreSQL's `COPY (...) TO STDOUT (FORMAT csv, FORCE_QUOTE *)` writes them,
        their cells text, '' for empty, already neutralised (as for `text_rows`) and followed
        by one more cell, chr(COPY_END), that marks where each row ends (a cell may hold a line
        end): the same bytes `text_rows` makes, and how many rows they are. A row the chunk
        cuts off waits for the next chunk."""
        data = self._carry + data if self._carry else data
        end = data.rfind(_COPY_ROW_END)
        if end < 0:
            self._carry = data
            return b"", 0
        end += len(_COPY_ROW_END)
        self._carry = data[end:]
        whole = data[:end]
        return whole.replace(_COPY_ROW_END, b"\r\n"), whole.count(_COPY_ROW_END)

    def finish(self) -> bytes:
        if self._carry:
            raise ValueError(f"a copied row did not end: {self._carry[:80]!r}")
        return b""


class JsonEncoder:
    """One JSON document: `meta` first, then `rows` as an array of objects."""

    def __init__(self, columns: Sequence[str], meta: dict[str, Any]) -> None:
        self.columns = list(columns)
        self.meta = meta
        self._first = True

    def start(self) -> bytes:
        head = json.dumps(self.meta | {"columns": self.columns}, ensure_ascii=False, default=str)
        return (head[:-1] + ', "rows": [').encode("utf-8")

    def rows(self, rows: Iterable[Sequence[Any]]) -> bytes:
        parts = []
        for row in rows:
            item = {c: v for c, v in zip(self.columns, row, strict=True) if v is not ABSENT}
            text = json.dumps(item, ensure_ascii=False, default=str)
            parts.append(text if self._first else "," + text)
            self._first = False
        return "\n".join(parts).encode("utf-8")

    def finish(self) -> bytes:
        return b"]}\n"


class _Sink:
    """A write-only stream ZipFile writes into; what was written is taken out as it comes.
    It has no tell(), so ZipFile writes the streaming form (data descriptors)."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_STATIC_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/styles" Target="styles.xml"/></Relationships>'
    ),
    "xl/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        "</cellStyleXfs>"
        '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    ),
}


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class XlsxEncoder:
    """A one-sheet workbook written as a streamed zip: cells are inline strings or numbers,
    the header row is bold. Readable by Excel, LibreOffice and openpyxl."""

    def __init__(self, columns: Sequence[str], sheet_name: str = "Sheet1") -> None:
        self.columns = list(columns)
        self._letters = [_column_letter(i) for i in range(len(self.columns))]
        self._sheet_name = escape(sheet_name[:31], {'"': "&quot;"})
        self._sink = _Sink()
        self._zip = zipfile.ZipFile(self._sink, "w", compression=zipfile.ZIP_DEFLATED)
        self._sheet: Any = None
        self._row = 0

    def _cell(self, ref: str, value: Any, style: str = "") -> str:
        value = safe_cell(_plain(value))
        if isinstance(value, bool) or value is None or value == "":
            return "" if value in (None, "") else f'<c r="{ref}"{style}><v>{int(value)}</v></c>'
        if isinstance(value, int | float):
            return f'<c r="{ref}"{style}><v>{value}</v></c>'
        text = escape(_XML_ILLEGAL.sub("", str(value)))
        return f'<c r="{ref}" t="inlineStr"{style}><is><t xml:space="preserve">{text}</t></is></c>'

    def _write_row(self, values: Sequence[Any], style: str = "") -> None:
        self._row += 1
        cells = "".join(
            self._cell(f"{letter}{self._row}", value, style)
            for letter, value in zip(self._letters, values, strict=True)
        )
        self._sheet.write(f'<row r="{self._row}">{cells}</row>'.encode())

    def start(self) -> bytes:
        for name, text in _STATIC_PARTS.items():
            self._zip.writestr(name, text)
        self._zip.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name="{self._sheet_name}" sheetId="1" r:id="rId1"/></sheets>'
            "</workbook>",
        )
        self._sheet = self._zip.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        self._sheet.write(
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b"<sheetData>"
        )
        self._write_row(self.columns, ' s="1"')
        return self._sink.take()

    def rows(self, rows: Iterable[Sequence[Any]]) -> bytes:
        for row in rows:
            self._write_row([None if v is ABSENT else v for v in row])
        return self._sink.take()

    def finish(self) -> bytes:
        self._sheet.write(b"</sheetData></worksheet>")
        self._sheet.close()
        self._zip.close()
        return self._sink.take()


def encoder(fmt: str, columns: Sequence[str], meta: dict[str, Any]) -> TableEncoder:
    if fmt == "csv":
        return CsvEncoder(columns)
    if fmt == "xlsx":
        return XlsxEncoder(columns, str(meta.get("title") or "Sheet1"))
    if fmt == "json":
        return JsonEncoder(columns, meta)
    raise ValueError(f"unknown format {fmt!r}")
