"""The download encoders, on their own: no database."""

from __future__ import annotations

import csv
import io

from incubator.tableformats import CsvEncoder

AWKWARD = [
    ["plain", "with, comma", 'a "quoted" word'],
    ["line\nbreak", "carriage\r\nreturn", ""],
    ["港島 fintech", "'=already neutralised", "trailing space "],
]


def test_csv_text_rows_writes_the_bytes_the_csv_module_would():
    """The fast path quotes a batch at once; the csv module cell by cell: the same file."""
    fast, slow = CsvEncoder(["a", "b", "c"]), CsvEncoder(["a", "b", "c"])
    assert fast.start() == slow.start()
    assert fast.text_rows(AWKWARD) == slow.rows(AWKWARD)
    text = (fast.start() + fast.text_rows(AWKWARD)).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text, newline=""))) == [["a", "b", "c"], *AWKWARD]
    assert fast.text_rows([]) == b""


def test_csv_text_rows_takes_the_slow_way_when_a_cell_holds_a_separator():
    """The batch is joined with ASCII's unit and record separators; a cell holding one (or a
    row of the wrong width) must not split a cell or a row."""
    rows = [["a\x1fb", "x\x1ey", "z"], ["one", "two", "three"]]
    got = CsvEncoder(["a", "b", "c"]).text_rows(rows)
    assert got == CsvEncoder(["a", "b", "c"]).rows(rows)
    assert list(csv.reader(io.StringIO(got.decode(), newline=""))) == rows
