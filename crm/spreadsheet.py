"""Files a seller opens in a spreadsheet: CSV in which Excel, LibreOffice and Sheets show text cells as text.

Customer-controlled text (a buyer's name, a product title, a username) must never run as a formula when the
seller opens a file SellerMate wrote (CSV or formula injection, CWE-1236). Every product CSV goes through
`csv_bytes` (or `SpreadsheetCsvWriter`), which follows OWASP's advice for each text cell:

- a cell starting with a character a spreadsheet reads as the start of a formula (``= + - @``, TAB, CR, LF,
  and the full-width ``＝ ＋ － ＠`` that Excel also evaluates) gets a leading single quote: ``'=HYPERLINK(...)``;
- NUL characters are removed (some readers cut the cell there; a NUL could hide the character after it);
- a cell is cut to Excel's limit of 32,767 characters (a longer one would spill into the next rows);
- text cells are written between double quotes and embedded quotes doubled (the csv module's
  ``QUOTE_NONNUMERIC``), so no separator or line break inside a value can start a new cell.

Numbers (int, float, Decimal) are written as numbers and left alone: -12.5 stays a negative number. A phone
number kept as text (``+6591234567``) is text and gets the quote, which also keeps Excel from turning it into
6591234567.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, Protocol

# Excel's limit for the characters in one cell.
MAX_CELL_CHARS = 32_767

# First characters that make a spreadsheet read a cell as a formula (OWASP's list plus LF, which LibreOffice
# trims like CR, and the full-width forms Excel also accepts as formula signs).
FORMULA_STARTS = frozenset("=+-@\t\r\n＝＋－＠")


class _TextFile(Protocol):
    def write(self, text: str, /) -> Any: ...


def safe_cell(value: object) -> object:
    """One cell as a spreadsheet must read it: numbers unchanged, anything else as text that cannot run."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)):  # bool is an int: written as True/False, never a formula
        return value
    text = str(value).replace("\x00", "")
    if text[:1] in FORMULA_STARTS:
        text = "'" + text
    return text[:MAX_CELL_CHARS]


class SpreadsheetCsvWriter:
    """A csv.writer for files a person opens in a spreadsheet; the module docstring says what it changes."""

    def __init__(self, fh: _TextFile, *, delimiter: str = ",", lineterminator: str = "\r\n") -> None:
        self._writer = csv.writer(
            fh, delimiter=delimiter, lineterminator=lineterminator, quoting=csv.QUOTE_NONNUMERIC
        )

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_bytes(header: Sequence[str], rows: Iterable[Iterable[object]]) -> bytes:
    """A whole CSV file (UTF-8, header first) as bytes, every cell written by SpreadsheetCsvWriter."""
    buf = io.StringIO()
    writer = SpreadsheetCsvWriter(buf)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")
