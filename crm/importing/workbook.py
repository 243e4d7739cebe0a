"""Reading XLSX/XLSM workbooks one row at a time, in memory that stays small whatever the file unpacks to.

An XLSX file is a zip of XML parts; a small file can unpack to gigabytes (a "decompression bomb"), and a
reader that builds the whole sheet in memory (as python-calamine does) needs several times that. This reader
checks the archive before reading it (`MAX_UNPACKED_BYTES`, `MAX_COMPRESSION_RATIO`), then parses the sheet
XML as a stream, holding one row at a time; a cell, a row or an XML element past its limit ends the read with
one sentence (ImportFileError). The shared strings table, which every sheet refers to, moves to a scratch
file once it outgrows `SHARED_STRINGS_IN_MEMORY`. Cell values are those python-calamine gives (the previous
reader): text, floats, booleans, dates and times by the cell's number format, "" for empty and error cells.
"""

from __future__ import annotations

import contextlib
import posixpath
import re
import sys
import tempfile
import zipfile
from array import array
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO
from xml.parsers import expat

from crm.importing.errors import UNREADABLE_WORKBOOK, ImportFileError

# What a workbook may unpack to. Real exports: a 1,000,000-line Shopee order export is about 170 MB zipped
# and 1.5-2 GB unzipped; their parts compress 5-15 times.
MAX_UNPACKED_BYTES = 4 * 1024**3  # all parts together, uncompressed
MAX_COMPRESSION_RATIO = 100  # uncompressed / compressed size of any part over RATIO_CHECKED_FROM
RATIO_CHECKED_FROM = 1024 * 1024
MAX_PART_BYTES = 64 * 1024 * 1024  # the workbook, relationships and styles parts, read whole
MAX_SHEETS = 1000
# What one row may hold: Excel's own limits for a cell and a row's columns, and a bound on a row's text.
MAX_CELL_CHARS = 32_767
MAX_COLUMNS = 16_384
MAX_ROW_CHARS = 2_000_000
MAX_SHARED_STRINGS = 16_000_000
MAX_XML_DEPTH = 64
# Bytes of XML a parser may take in without finishing anything (one huge tag, attribute or comment).
MAX_QUIET_BYTES = 8 * 1024 * 1024
SHARED_STRINGS_IN_MEMORY = 32 * 1024 * 1024  # estimated bytes of Python strings before they move to a file

_CHUNK = 256 * 1024
_SLICE = 16 * 1024
_OFFICE_DOCUMENT = "/officeDocument"
_SHARED_STRINGS = "/sharedStrings"
_STYLES = "/styles"
_WORKSHEET = "/worksheet"
_CELL_REF = re.compile(r"([A-Za-z]{1,3})(\d*)")
_DIGITS = "0123456789"
# Number formats Excel has built in that show dates and times (ECMA-376 18.8.30); 46 is [h]:mm:ss, a duration.
_BUILTIN_DATE_FORMATS = frozenset(range(14, 23)) | {45, 47}
_BUILTIN_DURATION_FORMATS = frozenset({46})
_EPOCH_1900 = datetime(1899, 12, 30)
_EPOCH_1904 = datetime(1904, 1, 1)


class _Stop(Exception):
    """Ends a parse early: the rows wanted have been read."""


def size_text(n: int) -> str:
    """A size in bytes as a person reads it: 730 KB, 86 MB, 4.0 GB."""
    if n >= 1024**3:
        return f"{n / 1024**3:,.1f} GB"
    if n >= 1024**2:
        return f"{n / 1024**2:,.0f} MB"
    return f"{n / 1024:,.0f} KB"


def _refuse(path: Path, reason: str) -> ImportFileError:
    return ImportFileError(f"{path.name}: {reason}")


def date_kind(format_code: str) -> str | None:
    """ "date" when a number format shows a date or time, "duration" for elapsed time ([h], [m], [s]), else
    None. Reads the first section only, skipping quoted text, escaped and fill characters and bracketed parts
    other than elapsed-time ones (colours, conditions, locales)."""
    quoted = escaped = False
    depth = 0
    bracket = ""
    am_pm = False
    for ch in format_code:
        if escaped:
            escaped = False
        elif quoted:
            quoted = ch != '"'
        elif ch in "\\_*":
            escaped = True
        elif ch == '"':
            quoted = True
        elif ch == ";":
            return None
        elif ch == "[":
            depth += 1
            bracket = ""
        elif ch == "]":
            if depth == 1 and bracket and bracket[0] in "hms" and bracket == bracket[0] * len(bracket):
                return "duration"
            depth = max(depth - 1, 0)
        elif depth:
            bracket += ch.lower()
        elif am_pm and ch in "pmPM/":
            return "date"
        elif ch in "aA":
            am_pm = True
        elif ch in "dmhysDMHYS":
            return "date"
    return None


def _excel_date(serial: float, kind: str, date1904: bool) -> object:
    """A date-formatted number as python-calamine gives it: a time below 1, a date when whole, else a datetime;
    a duration as a timedelta. Out-of-range serials stay numbers."""
    try:
        millis = round(serial * 86_400_000)  # to the millisecond, as python-calamine does
        if kind == "duration":
            return timedelta(milliseconds=millis)
        if date1904:
            moment = _EPOCH_1904 + timedelta(milliseconds=millis)
        else:
            # Excel counts 29 February 1900, which did not exist: serials before it are one day later.
            moment = _EPOCH_1900 + timedelta(milliseconds=millis + (86_400_000 if serial < 60 else 0))
        if serial < 1:
            return moment.time()
        if serial == int(serial):
            return moment.date()
        return moment
    except (OverflowError, ValueError):
        return serial


def _column_number(letters: str) -> int:
    """A column's number from its letters (A is 1, XFD 16,384); 0 for what is not column letters."""
    if not (letters.isascii() and letters.isalpha()) or len(letters) > 3:
        return 0
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


_COLUMNS: dict[str, int] = {}


def _column_of(letters: str) -> int:
    number = _COLUMNS.get(letters)
    if number is None:
        number = _column_number(letters)
        if 0 < number <= MAX_COLUMNS:
            _COLUMNS[letters] = number
    return number


def _local(name: str) -> str:
    return name.rpartition(":")[2]


@dataclass(frozen=True)
class Sheet:
    name: str
    part: str  # the sheet's entry in the archive


class _SharedStrings:
    """The workbook's shared strings, by index: Python strings while they are few, then UTF-8 text in a
    scratch file with an array of where each ends (4 bytes a string), read back on demand."""

    _CACHED_CHARS = 256

    def __init__(self) -> None:
        self._strings: list[str] = []
        self._size = 0
        self._file: IO[bytes] | None = None
        self._ends = array("I")
        self._written = 0
        self._cache: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self._strings) if self._file is None else len(self._ends)

    def append(self, text: str) -> None:
        if self._file is None:
            self._strings.append(text)
            self._size += sys.getsizeof(text) + 8
            if self._size > SHARED_STRINGS_IN_MEMORY:
                self._spill()
            return
        data = text.encode("utf-8")
        self._file.write(data)
        self._written += len(data)
        if self._written >= 1 << 32:  # cannot happen within MAX_UNPACKED_BYTES; refused rather than wrapped
            raise ValueError("shared strings over 4 GB")
        self._ends.append(self._written)

    def _spill(self) -> None:
        self._file = tempfile.TemporaryFile(prefix="sellermate-strings-")  # noqa: SIM115
        strings, self._strings = self._strings, []
        for text in strings:
            self.append(text)

    def finish(self) -> None:
        if self._file is not None:
            self._file.flush()

    def __getitem__(self, index: int) -> str:
        if self._file is None:
            return self._strings[index]
        text = self._cache.get(index)
        if text is None:
            start = self._ends[index - 1] if index else 0
            self._file.seek(start)
            text = self._file.read(self._ends[index] - start).decode("utf-8")
            if len(text) <= self._CACHED_CHARS:
                if len(self._cache) >= 100_000:
                    self._cache.clear()
                self._cache[index] = text
        return text

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class XlsxWorkbook:
    """An XLSX/XLSM file opened for reading rows; `close()` when done (rows() generators close themselves)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, ValueError):
            raise _refuse(path, UNREADABLE_WORKBOOK) from None
        try:
            self._entries = {info.filename: info for info in self._zip.infolist()}
            self._check_archive()
            self._open_workbook()
        except BaseException:
            self._zip.close()
            raise
        self._strings: _SharedStrings | None = None

    # ------------------------------------------------------------ the archive and its small parts

    def _check_archive(self) -> None:
        total = 0
        for info in self._entries.values():
            total += info.file_size
            if info.file_size > RATIO_CHECKED_FROM and info.file_size > MAX_COMPRESSION_RATIO * max(
                info.compress_size, 1
            ):
                raise _refuse(
                    self.path,
                    (
                        f"the spreadsheet part {info.filename} unpacks to {size_text(info.file_size)} from "
                        f"{size_text(info.compress_size)}, more than {MAX_COMPRESSION_RATIO} times its packed size; "
                        "real exports are far less compressible, so it is not imported"
                    ),
                )
        if total > MAX_UNPACKED_BYTES:
            raise _refuse(
                self.path,
                (
                    f"the spreadsheet unpacks to {size_text(total)}, more than the {size_text(MAX_UNPACKED_BYTES)} "
                    "an import reads; split the export into smaller files"
                ),
            )

    def _info(self, part: str) -> zipfile.ZipInfo:
        info = self._entries.get(part)
        if info is None:  # some writers differ in case from their own relationships
            info = next((i for n, i in self._entries.items() if n.lower() == part.lower()), None)
        if info is None:
            raise KeyError(part)
        return info

    def _open(self, part: str) -> IO[bytes]:
        return self._zip.open(self._info(part))

    def _parse_part(
        self,
        part: str,
        start: Callable[[str, dict[str, str]], None],
        data: Callable[[str], None] | None = None,
        end: Callable[[str], None] | None = None,
    ) -> None:
        """Parse a small part whole (workbook, relationships, styles), element names without prefixes."""
        info = self._info(part)
        if info.file_size > MAX_PART_BYTES:
            raise _refuse(
                self.path, f"the spreadsheet part {part} is too large ({size_text(info.file_size)})"
            )
        parser = self._parser()
        events = [0]
        depth = [0]

        def on_start(name: str, attrs: dict[str, str]) -> None:
            events[0] += 1
            depth[0] += 1
            if depth[0] > MAX_XML_DEPTH:
                raise self._too_deep()
            start(_local(name), attrs)

        def on_end(name: str) -> None:
            depth[0] -= 1
            if end is not None:
                end(_local(name))

        parser.StartElementHandler, parser.EndElementHandler = on_start, on_end
        if data is not None:
            parser.CharacterDataHandler = data
        with self._open(part) as fh:
            self._feed(parser, fh, lambda: events[0])

    def _parser(self) -> expat.XMLParserType:
        parser = expat.ParserCreate()
        parser.buffer_text = True

        def no_doctype(*_: object) -> None:  # a workbook has no DTD: no entity tricks either
            raise self._damaged("a DOCTYPE")

        parser.StartDoctypeDeclHandler = no_doctype
        return parser

    def _damaged(self, what: str) -> ImportFileError:
        return _refuse(
            self.path,
            f"the spreadsheet is damaged or not a real export ({what}); open it in Excel and save it again",
        )

    def _feed(self, parser: expat.XMLParserType, fh: IO[bytes], progress: Callable[[], int]) -> None:
        for _ in _ChunkedParse(self, parser, fh, progress, lambda: None):
            pass

    def _relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """A part's relationships: id -> (type, target entry)."""
        folder, name = posixpath.split(part)
        rels_part = posixpath.join(folder, "_rels", name + ".rels")
        found: dict[str, tuple[str, str]] = {}

        def start(tag: str, attrs: dict[str, str]) -> None:
            if tag == "Relationship" and attrs.get("TargetMode") != "External":
                target = attrs.get("Target", "")
                resolved = (
                    target.lstrip("/")
                    if target.startswith("/")
                    else posixpath.normpath(posixpath.join(folder, target))
                )
                found[attrs.get("Id", "")] = (attrs.get("Type", ""), resolved)

        with contextlib.suppress(KeyError):
            self._parse_part(rels_part, start)
        return found

    def _open_workbook(self) -> None:
        root = self._relationships("")
        workbook = next((t for k, t in root.values() if k.endswith(_OFFICE_DOCUMENT)), "xl/workbook.xml")
        rels = self._relationships(workbook)
        sheets: list[Sheet] = []
        flags = {"date1904": False}

        def start(tag: str, attrs: dict[str, str]) -> None:
            if tag == "sheet":
                rel = next((v for k, v in attrs.items() if _local(k) == "id"), None)
                kind, target = rels.get(rel or "", ("", ""))
                if kind.endswith(_WORKSHEET):
                    if len(sheets) >= MAX_SHEETS:
                        raise _refuse(self.path, f"the spreadsheet has more than {MAX_SHEETS} sheets")
                    sheets.append(Sheet(attrs.get("name", ""), target))
            elif tag == "workbookPr":
                flags["date1904"] = attrs.get("date1904", "").lower() in ("1", "true")

        try:
            self._parse_part(workbook, start)
        except KeyError:
            raise _refuse(self.path, "cannot open the spreadsheet (it has no workbook part)") from None
        self.sheets = [s for s in sheets if self._has(s.part)]
        self.date1904 = flags["date1904"]
        self._shared_part = next((t for k, t in rels.values() if k.endswith(_SHARED_STRINGS)), None)
        styles = next((t for k, t in rels.values() if k.endswith(_STYLES)), None)
        self._date_styles = self._read_styles(styles) if styles and self._has(styles) else []

    def _has(self, part: str) -> bool:
        try:
            self._info(part)
        except KeyError:
            return False
        return True

    def _read_styles(self, part: str) -> list[str | None]:
        """For each cell style index: "date", "duration" or None, from its number format."""
        custom: dict[int, str | None] = {}
        styles: list[str | None] = []
        where = {"cellXfs": False}

        def start(tag: str, attrs: dict[str, str]) -> None:
            if tag == "numFmt":
                with contextlib.suppress(ValueError):
                    custom[int(attrs.get("numFmtId", ""))] = date_kind(attrs.get("formatCode", ""))
            elif tag == "cellXfs":
                where["cellXfs"] = True
            elif tag == "xf" and where["cellXfs"]:
                try:
                    fmt = int(attrs.get("numFmtId", "0"))
                except ValueError:
                    fmt = 0
                if fmt in custom:
                    styles.append(custom[fmt])
                else:
                    styles.append(
                        "date"
                        if fmt in _BUILTIN_DATE_FORMATS
                        else "duration"
                        if fmt in _BUILTIN_DURATION_FORMATS
                        else None
                    )

        def end(tag: str) -> None:
            if tag == "cellXfs":
                where["cellXfs"] = False

        self._parse_part(part, start, end=end)
        return styles

    def _shared_strings(self) -> _SharedStrings:
        if self._strings is not None:
            return self._strings
        strings = self._strings = _SharedStrings()
        if self._shared_part is None or not self._has(self._shared_part):
            return strings
        parts: list[str] = []
        state = {"text": False, "phonetic": 0, "chars": 0, "events": 0, "depth": 0}

        def start(name: str, attrs: dict[str, str]) -> None:
            tag = _local(name)
            state["events"] += 1
            state["depth"] += 1
            if state["depth"] > MAX_XML_DEPTH:
                raise self._too_deep()
            if tag == "t":
                state["text"] = not state["phonetic"]
            elif tag == "rPh":
                state["phonetic"] += 1
            elif tag == "si":
                parts.clear()
                state["chars"] = 0

        def end(name: str) -> None:
            tag = _local(name)
            state["depth"] -= 1
            if tag == "t":
                state["text"] = False
            elif tag == "rPh":
                state["phonetic"] -= 1
            elif tag == "si":
                try:
                    if len(strings) >= MAX_SHARED_STRINGS:
                        raise ValueError
                    strings.append("".join(parts))
                except ValueError:
                    raise _refuse(
                        self.path,
                        f"the spreadsheet has more than {MAX_SHARED_STRINGS:,} different "
                        "texts; split the export into smaller files",
                    ) from None

        def data(text: str) -> None:
            state["events"] += 1
            if state["text"]:
                state["chars"] += len(text)
                if state["chars"] > MAX_CELL_CHARS:
                    raise self._too_long(None)
                parts.append(text)

        parser = self._parser()
        parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, data
        try:
            with self._open(self._shared_part) as fh:
                self._feed(parser, fh, lambda: state["events"])
        except BaseException:
            strings.close()
            self._strings = None
            raise
        strings.finish()
        return strings

    def _too_deep(self) -> ImportFileError:
        return self._damaged(f"XML nested more than {MAX_XML_DEPTH} deep")

    def _too_long(self, ref: str | None) -> ImportFileError:
        where = f"cell {ref}" if ref else "a cell"
        return _refuse(
            self.path,
            f"{where} holds more than {MAX_CELL_CHARS:,} characters, more than a "
            "spreadsheet cell can (Excel's limit); the file is not imported",
        )

    # ------------------------------------------------------------ sheets

    def rows(
        self,
        sheet: Sheet,
        *,
        last_row: int | None = None,
        width: int | None = None,
        dimension: list[int] | None = None,
    ) -> Generator[tuple[int, list[object]], None, None]:
        """The sheet's rows as (row number, cells), blank rows included when written, up to `last_row`, each
        with at most `width` cells (those after are dropped). `dimension` receives the last row number the sheet
        declares, when it does."""
        strings = self._shared_strings()
        date1904, path = self.date1904, self.path
        date_styles = {str(i): kind for i, kind in enumerate(self._date_styles) if kind is not None}
        columns = _COLUMNS
        ready: list[tuple[int, list[object]]] = []
        row: list[object] = []
        parts: list[str] = []
        # Parser state, in locals of the handlers below (this is the hot loop of an XLSX import).
        row_no = 0
        column = 0
        cell_type = "n"
        cell_style: str | None = None
        cell_ref: str | None = None
        collecting = False
        in_inline = False
        phonetic = 0
        chars = 0
        row_chars = 0
        depth = 0
        events = 0

        def start(name: str, attrs: dict[str, str]) -> None:
            nonlocal row_no, column, cell_type, cell_style, cell_ref, collecting, in_inline, phonetic
            nonlocal chars, row_chars, depth
            depth += 1
            if ":" in name:
                name = name[name.index(":") + 1 :]
            if name == "c":
                cell_ref = attrs.get("r")
                if cell_ref:
                    letters = cell_ref.rstrip(_DIGITS)
                    column = columns.get(letters) or _column_of(letters)
                    if not column:
                        raise self._damaged(f"a cell named {cell_ref[:20]!r}")
                else:
                    column += 1
                if column > MAX_COLUMNS:
                    raise _refuse(
                        path,
                        f"row {row_no} has cells past column {MAX_COLUMNS:,} (XFD), more than "
                        "a spreadsheet can; the file is not imported",
                    )
                cell_type = attrs.get("t", "n")
                cell_style = attrs.get("s")
                parts.clear()
                chars = 0
            elif name == "v":
                collecting = True
            elif name == "t":
                collecting = in_inline and not phonetic
            elif name == "row":
                number = attrs.get("r")
                row_no = int(number) if number and number.isdigit() else row_no + 1
                if last_row is not None and row_no > last_row:
                    raise _Stop
                row.clear()
                column = 0
                row_chars = 0
            elif name == "is":
                in_inline = True
            elif name == "rPh":
                phonetic += 1
            elif name == "dimension" and dimension is not None:
                match = _CELL_REF.match((attrs.get("ref") or "").rpartition(":")[2])
                if match and match.group(2):
                    dimension.append(int(match.group(2)))
            if depth > MAX_XML_DEPTH:
                raise self._too_deep()

        def end(name: str) -> None:
            nonlocal collecting, in_inline, phonetic, row_chars, depth, events
            depth -= 1
            events += 1
            if ":" in name:
                name = name[name.index(":") + 1 :]
            if name == "c":
                text = parts[0] if len(parts) == 1 else "".join(parts)
                value: object
                if cell_type == "s":
                    try:
                        value = strings[int(text)]
                    except (ValueError, IndexError):
                        raise self._damaged(f"cell {cell_ref} refers to a text that is not there") from None
                elif cell_type == "n":
                    if not text:
                        value = ""
                    else:
                        try:
                            value = float(text)
                        except ValueError:
                            raise self._damaged(f"cell {cell_ref} holds {text[:20]!r} as a number") from None
                        if cell_style is not None and cell_style in date_styles:
                            value = _excel_date(value, date_styles[cell_style], date1904)
                elif cell_type in ("inlineStr", "str"):
                    value = text
                elif cell_type == "b":
                    value = text.strip() in ("1", "true") if text else ""
                elif cell_type == "d":
                    try:
                        value = datetime.fromisoformat(text) if text else ""
                    except ValueError:
                        value = text
                else:  # "e": an error (#N/A, #DIV/0!) reads as empty
                    value = ""
                if isinstance(value, str):
                    row_chars += len(value)
                    if row_chars > MAX_ROW_CHARS:
                        raise _refuse(
                            path,
                            f"row {row_no} holds more than {MAX_ROW_CHARS:,} characters; the file "
                            "is not imported",
                        )
                if column > len(row):
                    if width is None or column <= width:
                        row.extend([""] * (column - 1 - len(row)))
                        row.append(value)
                else:
                    row[column - 1] = value
            elif name == "v" or name == "t":
                collecting = False
            elif name == "row":
                ready.append((row_no, row[:]))
            elif name == "is":
                in_inline = False
            elif name == "rPh":
                phonetic -= 1
            elif name == "sheetData":  # what follows (merged cells, links, print setup) is not data
                raise _Stop

        def data(text: str) -> None:
            nonlocal chars, events
            events += 1
            if collecting:
                chars += len(text)
                if chars > MAX_CELL_CHARS:
                    raise self._too_long(cell_ref)
                parts.append(text)

        parser = self._parser()
        parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, data
        try:
            fh = self._open(sheet.part)
        except KeyError:
            raise self._damaged(f"the sheet {sheet.name} is missing") from None
        with fh:
            pending: list[tuple[int, list[object]]] = []

            def take() -> None:
                pending.extend(ready)
                ready.clear()

            reader = _ChunkedParse(self, parser, fh, lambda: events, take)
            try:
                for _ in reader:
                    yield from pending
                    pending.clear()
            except _Stop:
                yield from pending

    def close(self) -> None:
        if self._strings is not None:
            self._strings.close()
        self._zip.close()


class _ChunkedParse:
    """Feeds a part to a parser one chunk per step (so rows can be handed on between chunks). `progress()`
    counts what the parser has finished; a long run of bytes that finishes nothing (a huge tag, attribute or
    comment, which expat holds whole) ends the read."""

    def __init__(
        self,
        workbook: XlsxWorkbook,
        parser: expat.XMLParserType,
        fh: IO[bytes],
        progress: Callable[[], int],
        after_chunk: Callable[[], None],
    ) -> None:
        self.workbook, self.parser, self.fh = workbook, parser, fh
        self.progress, self.after_chunk = progress, after_chunk

    def __iter__(self) -> Iterator[None]:
        quiet, last = 0, -1
        parser, fh, workbook = self.parser, self.fh, self.workbook
        try:
            while True:
                chunk = fh.read(_CHUNK)
                # Parsed in slices, handing on the rows after each: a slice holds few rows, however short
                # their XML (a row of one far cell is ~25 bytes, and 16,384 cells in memory).
                for at in range(0, len(chunk), _SLICE):
                    try:
                        parser.Parse(chunk[at : at + _SLICE], False)
                    finally:
                        self.after_chunk()
                    yield None
                if not chunk:
                    try:
                        parser.Parse(b"", True)
                    finally:
                        self.after_chunk()
                    yield None
                    return
                now = self.progress()
                quiet = 0 if now != last else quiet + len(chunk)
                last = now
                if quiet > MAX_QUIET_BYTES:
                    raise workbook._damaged(f"an XML element of more than {size_text(MAX_QUIET_BYTES)}")
        except expat.ExpatError as exc:
            raise workbook._damaged(f"bad XML: {expat.ErrorString(exc.code)}") from None
        except (zipfile.BadZipFile, EOFError, OSError):
            raise workbook._damaged("its compressed data is cut short or corrupt") from None
