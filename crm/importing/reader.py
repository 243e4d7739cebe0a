"""Reading export files as a header and a stream of rows: CSV/TSV (any BOM, delimiter, encoding, also UTF-16)
and XLSX/XLS."""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import os
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from crm.importing.errors import UNREADABLE_WORKBOOK, ImportFileError
from crm.importing.opendocument import check_ods
from crm.importing.scratch import new_scratch_folder
from crm.importing.whole_read import (
    READ_BUDGET_BYTES,
    WorkbookTooBig,
    WorkbookUnreadable,
    open_rows,
    read_in_child,
    stream_rows,
)
from crm.importing.whole_read import (
    cell_text as cell_text,  # where the importer finds it (whole_read has it for its child)
)
from crm.importing.workbook import Sheet, XlsxWorkbook, size_text

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
TEXT_SUFFIXES = {".csv", ".txt", ".tsv", ".tab", ""}
_ENCODINGS = ("utf-8-sig", "gb18030", "cp1252")
csv.field_size_limit(16 * 1024 * 1024)


class CutRow(list[str]):
    """The last row of a text file that stops in the middle of it (fewer cells than the header and no line
    end): the file was cut short, e.g. by an interrupted download. Importers reject it with its order."""


CUT_ROW_REASON = (
    "the file ends in the middle of this row (it looks cut short, e.g. by an interrupted "
    "download); export the file again"
)


@dataclass(frozen=True)
class TextSource:
    """How a text file reads: what a second reader needs to read a part of it (`read_text_part`)."""

    path: Path
    encoding: str
    delimiter: str
    base: int  # lines above the first data line (preamble and header)
    columns: int  # cells in the header
    ends_mid_line: bool  # no line end after the last row


@dataclass
class Table:
    """A file's header and its data rows as (line number in the file, cells)."""

    header: list[str]
    rows: Iterator[tuple[int, Sequence[object]]]
    total_rows: int | None
    sheet: str | None = None
    text: TextSource | None = None  # text files only
    # Set while reading: the rows from this line on are left to another reader (`split_point`).
    stop_line: int | None = None
    lines_read: int = 0  # text files: the lines the reader has read so far (rows may be read ahead)


class PartMisaligned(Exception):
    """A row runs across the line where a text file was split (a stray quote fooled `split_point`)."""


def _is_blank(cells: Sequence[object]) -> bool:
    return all(cell_text(c) == "" for c in cells)


def _utf16_encoding(head: bytes) -> str | None:
    """The UTF-16 codec of a file starting with `head`, or None when it is not UTF-16. With a byte order mark
    (Excel's "Unicode Text" export: UTF-16 LE, tab-separated) the codec reads the mark; without one, text
    whose every other byte is zero (as in a mostly-ASCII header) is UTF-16 of that byte order."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not head.startswith(
        codecs.BOM_UTF32_LE
    ):
        return "utf-16"
    sample = head[:4096]
    sample = sample[: len(sample) - len(sample) % 2]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    for zeros, others, codec in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros.count(0) >= 0.7 * len(zeros) and others.count(0) <= 0.05 * len(others):
            return codec
    return None


def _is_utf16(encoding: str) -> bool:
    return encoding.startswith("utf-16")


def _detect_encoding(path: Path) -> str:
    with path.open("rb") as fh:
        utf16 = _utf16_encoding(fh.read(4096))
    for enc in (utf16,) if utf16 else _ENCODINGS:
        decoder = codecs.getincrementaldecoder(enc)()
        try:
            with path.open("rb") as fh:
                while chunk := fh.read(1 << 20):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            return enc
        except UnicodeDecodeError:
            continue
    raise ImportFileError(
        f"{path.name}: the file is not text in a known encoding (UTF-8, UTF-16, GB18030, Windows-1252)"
    )


def _is_preamble(line: str) -> bool:
    """What some exports put above the header: `sep=,`, or a line of bare separators (eBay)."""
    stripped = line.strip().strip("\ufeff")
    bare = stripped.replace(",", "").replace(";", "").replace("\t", "").strip() == ""
    return bare or stripped.lower().startswith("sep=")


def _parse_header(line: str) -> tuple[str, list[str]]:
    """The header line's delimiter (the most frequent of tab, comma, semicolon, bar) and its column names."""
    delimiter = max(("\t", ",", ";", "|"), key=line.count)
    return delimiter, [
        h.strip().strip("\ufeff").strip() for h in next(csv.reader([line], delimiter=delimiter))
    ]


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
    total = _count_lines(path, encoding) - offset_line - 1
    ends_mid_line = not _ends_with_newline(path, encoding)

    source = TextSource(path, encoding, delimiter, offset_line + 1, len(header), ends_mid_line)
    table = Table(header=header, rows=iter(()), total_rows=max(total, 0), text=source)
    table.rows = _text_rows(fh, source, source.base, table)
    return table


def _text_rows(
    fh: TextIO,
    source: TextSource,
    base: int,
    limit: Table | None,
) -> Iterator[tuple[int, list[str]]]:
    """The rows of an open text file from its position on, numbered from `base` + 1 (blank rows skipped).
    With `limit`, reading stops before the row that starts on `limit.stop_line`, once that is set."""
    ends_mid_line = source.ends_mid_line
    try:
        reader = csv.reader(fh, delimiter=source.delimiter)
        last: tuple[int, list[str]] | None = None
        before = 0  # lines read before this row
        for cells in reader:
            if limit is not None:
                if limit.stop_line is not None and base + reader.line_num >= limit.stop_line:
                    if base + before + 1 < limit.stop_line:
                        raise PartMisaligned(f"line {base + before + 1} runs past line {limit.stop_line}")
                    if last is not None:
                        yield last
                    return
                limit.lines_read = base + reader.line_num
            before = reader.line_num
            if not any(cells) or (not cells[0].strip() and _is_blank(cells)):
                continue
            if last is not None:
                yield last
            last = (base + reader.line_num, cells)
            if not ends_mid_line:  # only a file without a final line end needs to see its last row
                yield last
                last = None
        if last is not None:
            line_no, cells = last
            yield line_no, (CutRow(cells) if len(cells) < source.columns else cells)
    except csv.Error as exc:
        raise ImportFileError(f"{source.path.name}: the file is not valid CSV ({exc})") from None
    finally:
        fh.close()


def read_text_part(source: TextSource, offset: int, first_line: int) -> Iterator[tuple[int, list[str]]]:
    """The rows of a text file from byte `offset` (the start of line `first_line`, from `split_point`) to its end."""
    raw = source.path.open("rb")
    raw.seek(offset)
    fh = io.TextIOWrapper(raw, encoding=source.encoding, newline="")
    return _text_rows(fh, source, first_line - 1, None)


def split_point(source: TextSource) -> tuple[int, int] | None:
    """Where a text file's data can be cut in two, near its middle: (byte offset, line number) of the start of
    a row, or None when there is no safe place. A line end is a row end when the quotes before it pair up (CSV
    doubles quotes inside quoted cells); a stray quote in an unquoted cell can fool that, which the reader of the
    first part notices (PartMisaligned). Files with a bare carriage return as line end are not cut (their line
    numbers would differ), nor are UTF-16 files (a line end's byte can be half of another character)."""
    if _is_utf16(source.encoding):
        return None
    size = os.path.getsize(source.path)
    with source.path.open("rb") as fh:
        for _ in range(source.base):  # preamble and header
            fh.readline()
        start = fh.tell()
        target = start + (size - start) // 2
        quotes = newlines = 0
        while fh.tell() < target:
            chunk = fh.read(min(1 << 20, target - fh.tell()))
            if chunk.endswith(b"\r"):
                chunk += fh.read(1)
            quotes += chunk.count(b'"')
            newlines += chunk.count(b"\n")
            if chunk.count(b"\r") != chunk.count(b"\r\n"):
                return None
        for _ in range(10_000):  # the next line end outside quotes
            line = fh.readline()
            if not line.endswith(b"\n"):
                return None
            quotes += line.count(b'"')
            newlines += 1
            if line.count(b"\r") != line.endswith(b"\r\n"):
                return None
            if quotes % 2 == 0:
                offset = fh.tell()
                return (offset, source.base + newlines + 1) if offset < size else None
    return None


def _ends_with_newline(path: Path, encoding: str) -> bool:
    with path.open("rb") as fh:
        if _is_utf16(encoding):
            big_endian = encoding == "utf-16-be" or (
                encoding == "utf-16" and fh.read(2) == codecs.BOM_UTF16_BE
            )
            fh.seek(-2, os.SEEK_END)
            last = fh.read(2)
            return (last[::-1] if big_endian else last) in (b"\n\x00", b"\r\x00")
        fh.seek(-1, os.SEEK_END)
        return fh.read(1) in (b"\n", b"\r")


def _count_lines(path: Path, encoding: str) -> int:
    n = 0
    if _is_utf16(encoding):  # a line end's byte (0x0A) can also be half of a character: count characters
        with path.open("r", encoding=encoding, newline="") as text:
            while chunk := text.read(1 << 20):
                n += chunk.count("\n")
        return n + 1
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            n += block.count(b"\n")
    return n + 1


# Spreadsheets other than XLSX (XLS, XLSB, ODS) are read whole by python-calamine, which holds a sheet in
# memory at a few times its unpacked size: they may unpack to this much (XLS: its file size). An ODS file is
# also measured by what its repeated rows and cells expand to (crm.importing.opendocument), and every one is
# read in a child process under a hard memory limit (crm.importing.whole_read), for what no size tells: cells
# that refer to one long shared string.
MAX_WHOLE_READ_BYTES = 50 * 1024 * 1024


def _is_xlsx(path: Path) -> bool:
    """An XLSX/XLSM workbook (a zip with an XML workbook part), read as a stream; other spreadsheets are not."""
    try:
        with zipfile.ZipFile(path) as archive:
            return any(name.lower().endswith("workbook.xml") for name in archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def _read_spreadsheet(path: Path, header_hint: set[str] | None) -> Table:
    if _is_xlsx(path):
        return _read_xlsx(path, header_hint)
    return _read_whole_spreadsheet(path, header_hint)


def _header_score(row: Sequence[object], header_hint: set[str] | None) -> int:
    return len({cell_text(c) for c in row} & header_hint) if header_hint else len(row)


def _read_xlsx(path: Path, header_hint: set[str] | None) -> Table:
    """An XLSX workbook row by row (crm.importing.workbook): the sheet whose first non-blank row among its first
    five matches the most known header names, its rows numbered as in the spreadsheet."""
    workbook = XlsxWorkbook(path)
    try:
        best: tuple[int, Sheet, int, list[object], int | None] | None = None
        scanned: set[str] = set()
        for sheet in workbook.sheets:
            if sheet.part in scanned:  # two names for one sheet: its rows are the same
                continue
            scanned.add(sheet.part)
            declared: list[int] = []
            with contextlib.closing(workbook.rows(sheet, last_row=5, dimension=declared)) as head:
                for row_no, row in head:
                    if not _is_blank(row):
                        score = _header_score(row, header_hint)
                        if best is None or score > best[0]:
                            best = (score, sheet, row_no, row, declared[0] if declared else None)
                        break
        if best is None:
            raise ImportFileError(f"{path.name}: the spreadsheet has no data")
    except BaseException:
        workbook.close()
        raise
    _, sheet, header_row, header_cells, last_row = best
    header = [cell_text(c) for c in header_cells]
    while header and not header[-1]:
        header.pop()
    width = len(header)

    def rows() -> Iterator[tuple[int, list[object]]]:
        try:
            # Cells past the header's last column are not read: no column names them.
            for row_no, row in workbook.rows(sheet, width=width):
                if row_no > header_row and not _is_blank(row):
                    if len(row) < width:  # cells after the last written one are empty
                        row.extend([""] * (width - len(row)))
                    yield row_no, row
        finally:
            workbook.close()

    total = max(last_row - header_row, 0) if last_row is not None else None
    return Table(header=header, rows=rows(), total_rows=total, sheet=sheet.name)


def _unpacked_size(path: Path) -> int:
    """What a spreadsheet unpacks to: the entries of a zip (XLSB, ODS), else the file itself (XLS)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return os.path.getsize(path)


def _read_whole_spreadsheet(path: Path, header_hint: set[str] | None) -> Table:
    size = _unpacked_size(path)
    if size > MAX_WHOLE_READ_BYTES:
        raise ImportFileError(
            f"{path.name}: this workbook unpacks to {size_text(size)}; XLS, XLSB and ODS files are read whole, up "
            f"to {size_text(MAX_WHOLE_READ_BYTES)}: save it as XLSX or CSV and import that"
        )
    check_ods(path)  # what its repeated rows and cells expand to (a few bytes can stand for gigabytes)
    # Read in a child process under a hard memory limit (crm.importing.whole_read): cells that refer to one
    # long shared string (XLS, XLSB) can expand a small file to gigabytes, which calamine meets with an abort.
    scratch = new_scratch_folder()
    try:
        meta = read_in_child(path, scratch.path, header_hint)
    except WorkbookUnreadable:
        scratch.remove()
        raise ImportFileError(f"{path.name}: {UNREADABLE_WORKBOOK}") from None
    except WorkbookTooBig:
        scratch.remove()
        raise ImportFileError(
            f"{path.name}: the workbook expands to more than {size_text(READ_BUDGET_BYTES)} when read; save it as "
            "XLSX or CSV and import that"
        ) from None
    except BaseException:
        scratch.remove()
        raise
    if meta is None:
        scratch.remove()
        raise ImportFileError(f"{path.name}: the spreadsheet has no data")
    sheet, _header_row, header_cells, total = meta
    header = [cell_text(c) for c in header_cells]
    try:
        rows_file = open_rows(scratch.path)
    finally:
        if os.name == "posix":  # the open file stays readable: nothing is left behind, read to its end or not
            scratch.remove()

    def rows() -> Iterator[tuple[int, list[object]]]:
        try:
            yield from stream_rows(rows_file)
        finally:
            rows_file.close()
            scratch.remove()  # again: nothing (POSIX)

    return Table(header=header, rows=rows(), total_rows=total, sheet=sheet)


def peek_header(path: Path) -> list[str] | None:
    """A text file's header from its first lines only (no full read); None for spreadsheets and files that
    cannot be read (import them to get the error)."""
    try:
        if path.suffix.lower() in SPREADSHEET_SUFFIXES or not path.is_file():
            return None
        with path.open("rb") as fh:
            head = fh.read(64 * 1024)
        utf16 = _utf16_encoding(head)
        if head.startswith(b"PK\x03\x04") or (b"\x00" in head[:8] and utf16 is None):
            return None
        text = (
            head[: len(head) - len(head) % 2].decode(utf16, errors="replace")
            if utf16
            else head.decode("utf-8-sig", errors="replace")
        )
        for line in text.splitlines():
            if not _is_preamble(line):
                return _parse_header(line)[1]
    except OSError:
        return None
    return None


def _head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(4096)


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
    if suffix in SPREADSHEET_SUFFIXES or magic.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return _read_spreadsheet(path, header_hint)
    if suffix in TEXT_SUFFIXES or suffix:
        if b"\x00" in magic and _utf16_encoding(_head(path)) is None:
            raise ImportFileError(f"{path.name}: this is not a CSV, TSV or Excel file")
        return _read_text(path, header_hint)
    raise ImportFileError(f"{path.name}: unsupported file type")
