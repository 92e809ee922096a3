"""The download encoders, on their own: no database."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from incubator.downloads.csv_files import COPY_END, CsvEncoder

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


def copy_output(rows: list[list[str]]) -> bytes:
    """What PostgreSQL's COPY ... (FORMAT csv, FORCE_QUOTE *) sends for these rows of text
    with the end cell after each (test_db checks the server's own output has this form)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows(
        [*row, chr(COPY_END)] for row in rows
    )
    return out.getvalue().encode()


def test_csv_from_a_copy_is_the_text_rows_file_however_the_chunks_fall():
    """Rows end where the end cell and a line end follow; a line end, a quote or the end cell's
    own character inside a cell, even the whole ending as a cell's text, ends nothing. Cut at
    any byte, a row waits for the rest."""
    rows = [
        *AWKWARD,
        ['a cell ending ,"\x1e"\n like a row', "\x1e", '"\x1e"'],
        ["", "last", "row"],
    ]
    expected = CsvEncoder(["a", "b", "c"]).rows(rows)
    data = copy_output(rows)
    for cut in range(len(data) + 1):
        encoder = CsvEncoder(["a", "b", "c"])
        first, second = encoder.copied(data[:cut]), encoder.copied(data[cut:])
        assert first[0] + second[0] + b"".join(encoder.finish()) == expected
        assert first[1] + second[1] == len(rows)
    encoder = CsvEncoder(["a", "b", "c"])
    encoder.copied(data[:-3])
    with pytest.raises(ValueError, match="a copied row did not end"):
        list(encoder.finish())


def test_an_xlsx_workbook_keeps_text_as_text_and_numbers_as_numbers(tmp_path):
    import openpyxl

    from incubator.downloads.cells import ABSENT
    from incubator.downloads.xlsx_files import XlsxEncoder

    encoder = XlsxEncoder(["name", "note", "team"], sheet_name="Lingang: referrals [Q4]")
    data = encoder.start() + encoder.rows(
        [
            ["港島 fintech", '=HYPERLINK("http://x")', 12],
            ["+86 21 5555", "http://example.com", None],
            ["bell\x07", ABSENT, True],
        ]
    )
    data += b"".join(encoder.finish())
    path = tmp_path / "out.xlsx"
    path.write_bytes(data)
    sheet = openpyxl.load_workbook(path).active
    assert sheet.title == "Lingang referrals Q4"
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["name", "note", "team"]
    assert sheet["A1"].font.b
    assert rows[1] == ["港島 fintech", '\'=HYPERLINK("http://x")', 12]
    assert rows[2] == ["'+86 21 5555", "http://example.com", None]
    assert rows[3][1] is None and rows[3][2] == 1
    assert not sheet["B3"].hyperlink
    assert not Path(encoder._path).exists()  # the temporary sheet went with the last chunk
