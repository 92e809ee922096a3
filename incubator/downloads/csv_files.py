"""CSV files: UTF-8 with a BOM (so Excel reads Chinese right), CRLF line ends, every cell
quoted, formulas neutralised. One writer serves the small downloads of the pages and the
partners' exports, whose rows may come as ready text from SQL or straight from COPY."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from litestar import Response

from incubator.downloads.cells import ABSENT, plain, safe_cell

# The web framework names the charset of a text/ type itself (UTF-8); a file sent any other
# way (a webhook) says so with content_type().
MEDIA_TYPE = "text/csv"


def _csv_cell(value: Any) -> Any:
    """A CSV cell: empty for None and ABSENT, else plain and neutralised."""
    if value is None or value is ABSENT:
        return ""
    return safe_cell(plain(value))


_CELL, _ROW = "\x1f", "\x1e"  # ASCII's unit and record separators (a cell holding one is caught)

COPY_END = 30  # the code of the last cell of a COPY read's rows, ASCII's record separator
# How a row of PostgreSQL's COPY ... (FORMAT csv, FORCE_QUOTE *) ends when its last cell is
# COPY_END: inside a quoted cell every quote is doubled, so a lone quote before and after the
# separator can only open and close a cell of its own, the last, since a line end follows.
_COPY_ROW_END = b',"' + bytes([COPY_END]) + b'"\n'


class CsvEncoder:
    """UTF-8 with a BOM (so Excel reads Chinese right), CRLF line ends, every cell quoted (so
    a batch of text can be quoted at once: `text_rows`)."""

    def __init__(self, columns: Sequence[str], quote_all: bool = True) -> None:
        """`quote_all`: every cell quoted, as `text_rows` and `copied` need (an export's);
        else only the cells that must be (a page's small download)."""
        self.columns = list(columns)
        self._buffer = io.StringIO()
        quoting = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
        self._writer = csv.writer(self._buffer, lineterminator="\r\n", quoting=quoting)
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
        over one string instead of cell by cell, which the csv module does. The same bytes as
        `rows` would write."""
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

    def finish(self) -> Iterator[bytes]:
        if self._carry:
            raise ValueError(f"a copied row did not end: {self._carry[:80]!r}")
        return iter(())


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A whole small CSV file (a page's download)."""
    encoder = CsvEncoder(header, quote_all=False)
    return encoder.start() + encoder.rows(rows) + b"".join(encoder.finish())


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    return Response(
        content=csv_bytes(header, rows),
        media_type=MEDIA_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
