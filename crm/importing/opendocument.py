"""What an OpenDocument spreadsheet (ODS) expands to, measured before python-calamine reads it whole.

An ODS file repeats a row or a cell by an attribute (`table:number-rows-repeated`,
`table:number-columns-repeated`), and a run of spaces by one (`<text:s text:c="…"/>`): a kilobyte of XML can
stand for millions of cells holding a long text each, which python-calamine builds in memory in full (a 1 KB
file drove an import to 2.4 GB and an abort). The byte bound on what the file unpacks to does not see that, so
`check_ods` parses content.xml as a stream (expat, a chunk at a time, counters only) and refuses the file when
what it expands to passes the bounds below, with one sentence (ImportFileError).

Only cells that carry a value or text count: LibreOffice ends every sheet with empty rows and cells repeated to
the last row and column (`table:number-rows-repeated="1048000"`), which python-calamine does not expand. The
grid it does build spans the rows and columns up to the last cell with a value, empty ones included: that area
is bounded too.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

from crm.importing.errors import ImportFileError
from crm.importing.workbook import MAX_CELL_CHARS, MAX_XML_DEPTH

# What an ODS file may expand to. A cell with a value takes 60 bytes of XML or more, so a real export within the
# 50 MB an ODS may unpack to holds under a million; these bounds leave room for that and keep python-calamine
# (which holds every cell of every sheet, about 70 bytes each with its Python copy, and their texts) within the
# import's 400 MB memory target: a grid of 5 million empty cells took 380 MB.
MAX_ODS_CELLS = 1_000_000  # cells with a value, repeats counted, in all sheets
MAX_ODS_GRID = 2_000_000  # the rows x columns up to the last cell with a value, in all sheets
MAX_ODS_CHARS = 20_000_000  # characters of all cells, repeats counted
_CHUNK = 64 * 1024

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_SHEET = f"{_TABLE}|table"
_ROW = f"{_TABLE}|table-row"
_CELLS = (f"{_TABLE}|table-cell", f"{_TABLE}|covered-table-cell")
_ROWS_REPEATED = f"{_TABLE}|number-rows-repeated"
_COLUMNS_REPEATED = f"{_TABLE}|number-columns-repeated"
_VALUE_TYPE = f"{_OFFICE}|value-type"
_STRING_VALUE = f"{_OFFICE}|string-value"
_SPACES = f"{_TEXT}|s"
_SPACE_COUNT = f"{_TEXT}|c"
_PARAGRAPH = f"{_TEXT}|p"


@dataclass
class OdsSize:
    """What an ODS file's sheets expand to."""

    cells: int = 0  # cells with a value or text
    grid: int = 0  # rows x columns up to the last cell with a value, summed over the sheets
    chars: int = 0  # characters in those cells


def _repeat(attrs: dict[str, str], name: str) -> int:
    try:
        return max(int(attrs.get(name, "1")), 1)
    except ValueError:
        return 1


def check_ods(path: Path) -> OdsSize:
    """Measure an ODS file's content.xml; raises ImportFileError when it expands past the bounds. A file that
    is not a zip with content.xml is left to python-calamine (which says it cannot open it)."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        return OdsSize()
    with archive:
        if "content.xml" not in archive.namelist():
            return OdsSize()
        return _measure(path, archive)


def _measure(path: Path, archive: zipfile.ZipFile) -> OdsSize:
    size = OdsSize()
    # Per sheet: the row being read, the last row and widest column with a value; per row: its repeat, its
    # columns so far, its widest column with a value, its cells and characters; per cell: its repeat and text.
    state = {
        "depth": 0,
        "row": 0,
        "last_row": 0,
        "width": 0,
        "row_repeat": 0,
        "column": 0,
        "row_width": 0,
        "row_cells": 0,
        "row_chars": 0,
        "cell_repeat": 0,
        "cell_chars": 0,
        "cell_value": 0,
        "in_cell": 0,
        "paragraphs": 0,
    }

    def refuse(reason: str) -> ImportFileError:
        return ImportFileError(f"{path.name}: {reason}")

    def too_much(what: str, limit: int) -> ImportFileError:
        return refuse(
            f"this spreadsheet expands to more than {limit:,} {what} (its repeated rows and cells counted); "
            "ODS files are read whole, so it is not imported: save it as XLSX or CSV and import that"
        )

    def end_sheet() -> None:
        size.grid += state["last_row"] * state["width"]
        if size.grid > MAX_ODS_GRID:
            raise too_much("cells from the first to the last one with a value", MAX_ODS_GRID)
        state.update(row=0, last_row=0, width=0)

    def add_chars(n: int) -> None:
        state["cell_chars"] += n
        if state["cell_chars"] > MAX_CELL_CHARS:
            raise refuse(
                f"a cell in row {state['row'] + 1} holds more than {MAX_CELL_CHARS:,} characters, more than a "
                "spreadsheet cell can; the file is damaged or not a real export"
            )

    def start(name: str, attrs: dict[str, str]) -> None:
        state["depth"] += 1
        if state["depth"] > MAX_XML_DEPTH:
            raise refuse(
                f"the spreadsheet is damaged or not a real export (XML nested more than {MAX_XML_DEPTH} deep)"
            )
        if state["in_cell"]:
            state["in_cell"] += 1
            if name == _SPACES:
                add_chars(_repeat(attrs, _SPACE_COUNT))
            elif name == _PARAGRAPH:
                state["paragraphs"] += 1
                if state["paragraphs"] > 1:  # paragraphs are joined with a line break
                    add_chars(1)
            return
        if name == _ROW:
            state.update(
                row_repeat=_repeat(attrs, _ROWS_REPEATED), column=0, row_width=0, row_cells=0, row_chars=0
            )
        elif name in _CELLS:
            state.update(
                in_cell=1,
                cell_repeat=_repeat(attrs, _COLUMNS_REPEATED),
                cell_chars=0,
                cell_value=int(_VALUE_TYPE in attrs),
                paragraphs=0,
            )
            add_chars(len(attrs.get(_STRING_VALUE, "")))

    def end(name: str) -> None:
        state["depth"] -= 1
        if state["in_cell"] > 1:
            state["in_cell"] -= 1
            return
        if state["in_cell"] == 1:  # the cell ends
            state["in_cell"] = 0
            repeat = state["cell_repeat"]
            state["column"] += repeat
            if state["cell_value"] or state["cell_chars"]:
                state["row_width"] = state["column"]
                state["row_cells"] += repeat
                state["row_chars"] += repeat * state["cell_chars"]
            return
        if name == _ROW:
            repeat = state["row_repeat"]
            state["row"] += repeat
            if state["row_cells"]:
                state["last_row"] = state["row"]
                state["width"] = max(state["width"], state["row_width"])
                size.cells += repeat * state["row_cells"]
                size.chars += repeat * state["row_chars"]
                if size.cells > MAX_ODS_CELLS:
                    raise too_much("cells with a value", MAX_ODS_CELLS)
                if size.chars > MAX_ODS_CHARS:
                    raise too_much("characters", MAX_ODS_CHARS)
                if state["last_row"] * state["width"] + size.grid > MAX_ODS_GRID:
                    raise too_much("cells from the first to the last one with a value", MAX_ODS_GRID)
        elif name == _SHEET:
            end_sheet()

    def data(text: str) -> None:
        if state["in_cell"]:
            add_chars(len(text))

    def no_doctype(*_: object) -> None:  # a spreadsheet has no DTD: no entity tricks either
        raise refuse("the spreadsheet is damaged or not a real export (a DOCTYPE)")

    parser = expat.ParserCreate(namespace_separator="|")
    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = data
    parser.StartDoctypeDeclHandler = no_doctype
    try:
        with archive.open("content.xml") as fh:
            while chunk := fh.read(_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise refuse(
            f"the spreadsheet is damaged or not a real export (bad XML: {expat.ErrorString(exc.code)})"
        ) from None
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise refuse(f"cannot open the spreadsheet ({exc.__class__.__name__})") from None
    return size
