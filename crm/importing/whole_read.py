"""Workbooks python-calamine reads whole (XLS, XLSB, ODS), read in a child process under a hard memory limit.

python-calamine holds a whole sheet in memory, each cell its own string: a small file whose many cells refer
to one long shared string (XLS, XLSB) expands to gigabytes when read, and calamine aborts the process when an
allocation fails (a Rust abort: no Python exception, no clean message). So the workbook is read in a child
process whose address space is capped (RLIMIT_AS): it picks the sheet, writes that sheet's rows to a file in a
scratch folder (pickled chunks of plain values: the very values calamine gives, dates included) and ends; the
importer then streams the rows from that file. When the child dies (the limit hit: MemoryError, a Rust abort,
any signal or failure) the file is refused in one sentence and the importer's own memory never saw it.

The child is a fresh interpreter (`python -P -m crm.importing.whole_read`), not a fork: the importer runs an
event loop with threads, which a fork would copy half-locked (and the part worker, crm.importing.part_worker,
is started for a different job, a text file's second half, from async code). It imports only this module and
python-calamine: about 0.03 s on a quiet machine, 0.17 s under load (bench/README.md). python-calamine cannot
read lazily nor tell a sheet's size before loading it: its iter_rows walks a sheet already loaded whole
(dimastbk/python-calamine#42), and calamine's XLS reader loads every sheet when the workbook is opened.

Protocol: arguments `workbook rows-folder budget-bytes`, the header names to look for as JSON on standard input.
The child writes `rows.pickle` (lists of (row number, cells), blank rows left out) and then `meta.pickle`
((sheet, header row number, header cells, rows under the header) or None for a workbook without data), and
exits 0; 3 when calamine cannot open the workbook; 5 when the rows it writes would pass the budget.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

log = logging.getLogger(__name__)

# The child's address space. Measured (bench/README.md): the child starts at 15 MB; honest workbooks at the
# 50 MB bound peak at 195 MB (XLSB) and 100 MB (ODS), an XLS of 1.1 million cells (22 MB) at 180 MB; the
# importer waits at under 90 MB meanwhile, so the import (both at once) stays under the benchmark's 400 MB.
READ_BUDGET_BYTES = 300 * 1024 * 1024
UNREADABLE_EXIT = 3
TOO_BIG_EXIT = 5
ROWS_FILE, META_FILE = "rows.pickle", "meta.pickle"
_CHUNK_ROWS = 2000
_CHUNK_CHARS = 1 << 20
# For tests and the benchmark: the child's peak resident memory (KB) in its last successful read, when known.
last_child_peak_kb: int | None = None

Meta = tuple[str, int, list[object], int] | None


class WorkbookTooBig(Exception):
    """The child died or gave up: the workbook expands to more than the budget when read."""


class WorkbookUnreadable(Exception):
    """python-calamine cannot open the workbook (damaged, or not really a workbook)."""


def read_in_child(
    path: Path, folder: Path, header_hint: set[str] | None, budget: int = READ_BUDGET_BYTES
) -> Meta:
    """Read the workbook at `path` in a child process limited to `budget` bytes of address space; its rows are
    left in `folder` (`stream_rows`). Raises WorkbookTooBig or WorkbookUnreadable."""
    global last_child_peak_kb
    import subprocess  # here: the child does not need it (it starts faster without)

    root = str(Path(__file__).resolve().parents[2])  # the folder holding the crm package
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)}
    # -P: the folder the import runs in is not put first on the child's path (a csv.py there would replace
    # the standard module).
    try:
        done = subprocess.run(
            [sys.executable, "-P", "-m", "crm.importing.whole_read", str(path), str(folder), str(budget)],
            input=json.dumps(sorted(header_hint) if header_hint else None).encode(),
            capture_output=True,  # a Rust abort's backtrace too: the seller gets one line, the log the rest
            env=env,
            check=False,
            timeout=900,
        )
    except subprocess.TimeoutExpired:  # killed by run(); a read that long is one that expands past reason
        raise WorkbookTooBig("the read took more than 15 minutes") from None
    if done.returncode == UNREADABLE_EXIT:
        raise WorkbookUnreadable(done.stderr.decode(errors="replace").strip()[-500:])
    if done.returncode != 0:
        log.info(
            "workbook read ended with %s: %s", done.returncode, done.stderr[-2000:].decode(errors="replace")
        )
        raise WorkbookTooBig(f"exit code {done.returncode}")
    peak = done.stdout.decode(errors="replace").split()
    last_child_peak_kb = int(peak[1]) if len(peak) == 2 and peak[1].isdigit() else None
    with (folder / META_FILE).open("rb") as fh:
        meta: Meta = pickle.load(fh)  # written by our own child, in our own folder
    return meta


def open_rows(folder: Path) -> BinaryIO:
    """The rows file the child wrote in `folder`, open for `stream_rows`."""
    return (folder / ROWS_FILE).open("rb")


def stream_rows(fh: BinaryIO) -> Iterator[tuple[int, list[object]]]:
    """The rows the child wrote, one chunk in memory at a time."""
    while True:
        try:
            chunk: list[tuple[int, list[object]]] = pickle.load(fh)  # our own child's, in our own folder
        except EOFError:
            return
        yield from chunk


# Here rather than in crm.importing.reader (which has it by this name too): the child need not import the
# reader and what it imports.
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


def _limit_memory(budget: int) -> None:
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows: no limit to set; the 50 MB bound still applies
        return
    resource.setrlimit(resource.RLIMIT_AS, (budget, budget))


def _peak_kb() -> str:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            return next(line.split()[1] for line in fh if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return "?"


def _full_row(row: Sequence[object], width: int) -> list[object]:
    """A row as `to_python(skip_empty_area=False)` gives it: iter_rows leaves out the empty columns before the
    sheet's first used one (the empty rows above it it keeps)."""
    cells = list(row)
    return [""] * (width - len(cells)) + cells if len(cells) < width else cells


def _write(path: Path, folder: Path, hint: set[str] | None, budget: int) -> None:
    from python_calamine import CalamineWorkbook

    def blank(row: Sequence[object]) -> bool:
        return all(cell_text(c) == "" for c in row)

    try:
        workbook: Any = CalamineWorkbook.from_path(str(path))
        names = list(workbook.sheet_names)
    except MemoryError:
        raise
    except BaseException as exc:  # calamine's own error types, and a Rust panic for a broken file
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        raise SystemExit(UNREADABLE_EXIT) from None
    best: tuple[int, str, int, list[object]] | None = None
    for name in names:
        sheet = workbook.get_sheet_by_name(name)
        width = sheet.end[1] + 1 if sheet.end is not None else 0
        for idx, row in enumerate(sheet.iter_rows()):
            if idx >= 5:
                break
            if not blank(row):  # the header is the first non-blank row
                cells = _full_row(row, width)
                score = len({cell_text(c) for c in cells} & hint) if hint else len(cells)
                if best is None or score > best[0]:
                    best = (score, name, idx, cells)
                break
        del sheet
    if best is None:
        with (folder / META_FILE).open("wb") as fh:
            pickle.dump(None, fh)
        return
    _, name, header_index, header = best
    sheet = workbook.get_sheet_by_name(name)
    width = sheet.end[1] + 1 if sheet.end is not None else 0
    total = 0
    written = 0
    with (folder / ROWS_FILE).open("wb") as fh:
        chunk: list[tuple[int, list[object]]] = []
        chars = 0
        for idx, row in enumerate(sheet.iter_rows()):
            if idx <= header_index:
                continue
            total += 1
            if blank(row):
                continue
            cells = _full_row(row, width)
            chunk.append((idx + 1, cells))  # spreadsheet row numbers start at 1
            chars += sum(len(c) for c in cells if isinstance(c, str))
            if len(chunk) >= _CHUNK_ROWS or chars >= _CHUNK_CHARS:
                written += _dump(chunk, fh, written, budget)
                chunk, chars = [], 0
        _dump(chunk, fh, written, budget)
    with (folder / META_FILE).open("wb") as fh:
        pickle.dump((name, header_index + 1, header, total), fh)


def _dump(chunk: list[tuple[int, list[object]]], fh: Any, written: int, budget: int) -> int:
    """Write a chunk of rows; the rows written may not pass the budget either (the disk is not a way round it,
    and the importer would have to hold what they expand to)."""
    data = pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL)
    if written + len(data) > budget:
        raise SystemExit(TOO_BIG_EXIT)
    fh.write(data)
    return len(data)


def main(argv: list[str]) -> int:
    path, folder, budget = Path(argv[0]), Path(argv[1]), int(argv[2])
    _limit_memory(budget)
    try:
        hint_list = json.loads(sys.stdin.buffer.read() or b"null")
        _write(path, folder, set(hint_list) if hint_list is not None else None, budget)
    except MemoryError:
        os._exit(TOO_BIG_EXIT)  # no clean-up: there is no memory to do it with
    print("peak_kb", _peak_kb(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
