"""Reading export files as a header and a stream of rows: CSV/TSV (any BOM, delimiter, encoding) and XLSX/XLS."""
from __future__ import annotations

import codecs
import csv
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from crm.importing.errors import ImportFileError

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
TEXT_SUFFIXES = {".csv", ".txt", ".tsv", ".tab", ""}
_ENCODINGS = ("utf-8-sig", "gb18030", "cp1252")
csv.field_size_limit(16 * 1024 * 1024)


def cell_text(value: object) -> str:
    """A cell as text: spreadsheet floats that hold whole numbers lose their '.0'; tabs/space trimmed."""
    if type(value) is str:
        return value.strip()  # also drops the trailing tabs TikTok Shop appends to ids and dates
    if value is None:
        return ""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, str):
        return value.strip()
    return str(value)


class CutRow(list):  # type: ignore[type-arg]
    """The last row of a text file that stops in the middle of it (fewer cells than the header and no line
    end): the file was cut short, e.g. by an interrupted download. Importers reject it with its order."""


CUT_ROW_REASON = ("the file ends in the middle of this row (it looks cut short, e.g. by an interrupted "
                  "download); export the file again")


@dataclass
class Table:
    """A file's header and its data rows as (line number in the file, cells)."""

    header: list[str]
    rows: Iterator[tuple[int, list[object]]]
    total_rows: int | None
    sheet: str | None = None


def _is_blank(cells: list[object]) -> bool:
    return all(cell_text(c) == "" for c in cells)


def _detect_encoding(path: Path) -> str:
    for enc in _ENCODINGS:
        decoder = codecs.getincrementaldecoder(enc)()
        try:
            with path.open("rb") as fh:
                while chunk := fh.read(1 << 20):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            return enc
        except UnicodeDecodeError:
            continue
    raise ImportFileError(f"{path.name}: the file is not text in a known encoding (UTF-8, GB18030, Windows-1252)")


def _is_preamble(line: str) -> bool:
    """What some exports put above the header: `sep=,`, or a line of bare separators (eBay)."""
    stripped = line.strip().strip("\ufeff")
    bare = stripped.replace(",", "").replace(";", "").replace("\t", "").strip() == ""
    return bare or stripped.lower().startswith("sep=")


def _parse_header(line: str) -> tuple[str, list[str]]:
    """The header line's delimiter (the most frequent of tab, comma, semicolon, bar) and its column names."""
    delimiter = max(("\t", ",", ";", "|"), key=line.count)
    return delimiter, [h.strip().strip("\ufeff").strip() for h in next(csv.reader([line], delimiter=delimiter))]


def _read_text(path: Path, header_hint: set[str] | None) -> Table:
    encoding = _detect_encoding(path)
    fh = path.open("r", encoding=encoding, newline="")
    # Skip what some exports put above the header: `sep=,` and a line of bare commas (eBay).
    first_lines: list[str] = []
    offset_line = 0
    while True:
        pos_line = fh.readline()
        if not pos_line:
            break
        if _is_preamble(pos_line):
            offset_line += 1
            continue
        first_lines.append(pos_line)
        break
    if not first_lines:
        fh.close()
        raise ImportFileError(f"{path.name}: the file is empty")
    head = first_lines[0]
    delimiter, header = _parse_header(head)
    if head.count(delimiter) == 0:
        fh.close()
        raise ImportFileError(f"{path.name}: no columns found in the first line; is this an order export?")
    total = _count_lines(path) - offset_line - 1
    ends_mid_line = not _ends_with_newline(path)

    def rows() -> Iterator[tuple[int, list[object]]]:
        try:
            reader = csv.reader(fh, delimiter=delimiter)
            base = offset_line + 1  # lines before the first data line
            last: tuple[int, list[object]] | None = None
            for cells in reader:
                if not any(cells) or (not cells[0].strip() and _is_blank(cells)):
                    continue
                if last is not None:
                    yield last
                last = (base + reader.line_num, cells)  # type: ignore[assignment]
                if not ends_mid_line:  # only a file without a final line end needs to see its last row
                    yield last
                    last = None
            if last is not None:
                line_no, cells = last
                yield line_no, (CutRow(cells) if len(cells) < len(header) else cells)
        except csv.Error as exc:
            raise ImportFileError(f"{path.name}: the file is not valid CSV ({exc})") from None
        finally:
            fh.close()

    return Table(header=header, rows=rows(), total_rows=max(total, 0))


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as fh:
        fh.seek(-1, os.SEEK_END)
        return fh.read(1) in (b"\n", b"\r")


def _count_lines(path: Path) -> int:
    n = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            n += chunk.count(b"\n")
    return n + 1


def _read_spreadsheet(path: Path, header_hint: set[str] | None) -> Table:
    try:
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for broken files
        raise ImportFileError(f"{path.name}: cannot open the spreadsheet ({exc.__class__.__name__})") from None
    best: tuple[int, str, list[list[object]], int] | None = None
    for name in workbook.sheet_names:
        data = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        # The header is the first non-blank row.
        for idx, row in enumerate(data[:5]):
            if not _is_blank(row):
                score = len({cell_text(c) for c in row} & header_hint) if header_hint else len(row)
                if best is None or score > best[0]:
                    best = (score, name, data[idx:], idx)
                break
    if best is None:
        raise ImportFileError(f"{path.name}: the spreadsheet has no data")
    _, sheet, data, header_index = best
    header = [cell_text(c) for c in data[0]]
    first_line = header_index + 2  # spreadsheet row numbers start at 1, the header is one row

    def rows() -> Iterator[tuple[int, list[object]]]:
        for i, row in enumerate(data[1:]):
            if not _is_blank(row):
                yield first_line + i, list(row)

    return Table(header=header, rows=rows(), total_rows=len(data) - 1, sheet=sheet)


def peek_header(path: Path) -> list[str] | None:
    """A text file's header from its first lines only (no full read); None for spreadsheets and files that
    cannot be read (import them to get the error)."""
    try:
        if path.suffix.lower() in SPREADSHEET_SUFFIXES or not path.is_file():
            return None
        with path.open("rb") as fh:
            head = fh.read(64 * 1024)
        if head.startswith(b"PK\x03\x04") or b"\x00" in head[:8]:
            return None
        for line in head.decode("utf-8-sig", errors="replace").splitlines():
            if not _is_preamble(line):
                return _parse_header(line)[1]
    except OSError:
        return None
    return None


def read_table(path: Path, header_hint: set[str] | None = None) -> Table:
    """Open an export; raises ImportFileError with one clear sentence when it cannot be read."""
    if not path.exists():
        raise ImportFileError(f"{path}: no such file")
    if path.is_dir():
        raise ImportFileError(f"{path}: is a folder, not an export file")
    if os.path.getsize(path) == 0:
        raise ImportFileError(f"{path.name}: the file is empty")
    suffix = path.suffix.lower()
    with path.open("rb") as fh:
        magic = fh.read(8)
    if suffix in SPREADSHEET_SUFFIXES or magic.startswith(b"PK\x03\x04") or magic.startswith(b"\xd0\xcf\x11\xe0"):
        return _read_spreadsheet(path, header_hint)
    if suffix in TEXT_SUFFIXES or suffix:
        if b"\x00" in magic:
            raise ImportFileError(f"{path.name}: this is not a CSV, TSV or Excel file")
        return _read_text(path, header_hint)
    raise ImportFileError(f"{path.name}: unsupported file type")
