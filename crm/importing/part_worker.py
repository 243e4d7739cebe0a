"""The second half of a large text export, read, mapped and staged in a worker process.

Mapping rows is plain Python and holds the interpreter lock, so one process keeps one core busy. For a large
CSV file the importing process reads the first part of the file while this worker reads the rest (cut at a
row start by `crm.importing.reader.split_point`) on the second core and writes its staged rows to a stage file
of its own, which the importer copies into its own stage file in one statement. The worker runs the very same
mapping code (`crm.importing.staging.RowStager`), so the result is the one a single reader gets.

Protocol: a JSON job on one line of standard input; `rows N` lines on standard output as it goes; at the end
the files `stage.db` (a `storage.stage_layout.StageFile`) and `result.pickle` (read back as a PartResult) in the
job's folder. A file the worker cannot read ends it with exit code 3 and the reason on standard error.

The importer keeps the worker's standard input open until it no longer needs the worker. When it closes it, or
dies (kill -9 included: the system closes a dead process's files), the worker reads the end of that pipe and
ends at once, whatever it is doing. A pipe rather than Linux's PR_SET_PDEATHSIG: it works on every system, it
also ends a worker whose importer gave up on it without killing it, and it cannot mistake the death of the
thread that started the worker for the death of the importer.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import pickle
import sys
import threading
from dataclasses import asdict
from pathlib import Path
from typing import Any, TextIO, TypedDict

from crm.importing.errors import ImportFileError
from crm.importing.platforms import PLATFORMS, Buyer, Columns, Context, Platform
from crm.importing.reader import TextSource, read_text_part
from crm.importing.staging import PartResult, RowStager, rejecting_cut_rows
from storage.stage_layout import StageFile

BATCH = 5000
PROGRESS_EVERY = 5000
FILE_ERROR_EXIT = 3
IMPORTER_GONE_EXIT = 4


class PartJob(TypedDict):
    """The job the importer sends a worker (JSON): which part of which file, mapped how, staged where."""

    source: dict[str, Any]  # the TextSource's fields, its path as text
    offset: int
    first_line: int
    header: list[str]
    mapping: str  # the Platform's class name
    context: dict[str, Any]  # the Context's fields
    folder: str


def run(job: PartJob, out: TextIO = sys.stdout) -> None:
    """Map and stage the rows of the job's part of the file into the job's folder."""
    source = TextSource(**{**job["source"], "path": Path(job["source"]["path"])})
    mapping = next(p for p in PLATFORMS if type(p).__name__ == job["mapping"])
    header = job["header"]
    mapper = rejecting_cut_rows(mapping.mapper(Columns(header), Context(**job["context"])), len(header))
    stager = RowStager(mapper, mapping.name)
    folder = Path(str(job["folder"]))
    stage = StageFile(folder / "stage.db")
    buffer: list[tuple[object, ...]] = []
    stage_one = stager.stage
    for line_no, cells in read_text_part(source, int(job["offset"]), int(job["first_line"])):
        staged = stage_one(line_no, cells)
        if staged is not None:
            buffer.append(staged)
            if len(buffer) >= BATCH:
                stage.append(buffer)
                buffer.clear()
        if stager.rows % PROGRESS_EVERY == 0:
            print(f"rows {stager.rows}", file=out, flush=True)
    stage.append(buffer)
    stage.close()
    write_result(folder / "result.pickle", stager)
    print(f"rows {stager.rows}", file=out, flush=True)


_BUYER_FIELDS = Buyer.__slots__
_CHUNK = 10_000


def write_result(path: Path, stager: RowStager) -> None:
    """The part's counts, rejected rows and buyers, pickled as plain tuples in chunks: one pickle of all the
    Buyer objects would keep a memo of every object and double the worker's memory."""
    buyers = list(stager.buyers.values())
    with path.open("wb") as fh:
        pickle.dump(
            (stager.rows, stager.skipped, stager.bad_rows, len(buyers)), fh, protocol=pickle.HIGHEST_PROTOCOL
        )
        for i in range(0, len(buyers), _CHUNK):
            chunk = [tuple(getattr(b, f) for f in _BUYER_FIELDS) for b in buyers[i : i + _CHUNK]]
            pickle.dump(chunk, fh, protocol=pickle.HIGHEST_PROTOCOL)


def read_result(path: Path) -> PartResult:
    """What `write_result` wrote (by our own worker, into our own folder)."""
    with path.open("rb") as fh:
        rows, skipped, bad_rows, n = pickle.load(fh)
        buyers: dict[str, Buyer] = {}
        while len(buyers) < n:
            for values in pickle.load(fh):
                buyers[values[0]] = Buyer(*values)
    return PartResult(rows, skipped, bad_rows, buyers)


def read_job(fd: int = 0) -> PartJob:
    """The job: the first line on `fd` (read from the descriptor itself, so that no buffered reader of standard
    input is left locked by the thread that waits on it afterwards)."""
    data = b""
    while not data.endswith(b"\n"):
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            break
        data += chunk
    job: PartJob = json.loads(data)  # written by PartWorker.start
    return job


def end_with_importer(fd: int = 0) -> threading.Thread:
    """Watch `fd` (the rest of standard input) in a thread and end this process when it closes: the importer is
    gone or no longer wants the result. os._exit: nothing of a half-done part is worth finishing."""

    def watch() -> None:
        while True:
            try:
                if not os.read(fd, 1 << 10):
                    break
            except InterruptedError:  # pragma: no cover - retried by Python itself since 3.5
                continue
            except OSError:
                break
        os._exit(IMPORTER_GONE_EXIT)

    thread = threading.Thread(target=watch, name="sellermate-importer-watch", daemon=True)
    thread.start()
    return thread


def main() -> int:
    try:
        job = read_job()
    except ValueError:  # the importer ended before it sent the whole job
        return IMPORTER_GONE_EXIT
    end_with_importer()
    try:
        run(job)
    except ImportFileError as exc:
        print(str(exc), file=sys.stderr, flush=True)
        return FILE_ERROR_EXIT
    return 0


class PartWorker:
    """A running worker, seen from the importing process."""

    def __init__(self, proc: asyncio.subprocess.Process, folder: Path) -> None:
        self.proc, self.folder = proc, folder
        self.rows = 0  # rows the worker has read so far (for progress)
        self._watch = asyncio.ensure_future(self._follow())
        assert proc.stderr is not None
        self._errors = asyncio.ensure_future(
            proc.stderr.read()
        )  # read as it comes: a full pipe would block it

    @classmethod
    async def start(
        cls,
        source: TextSource,
        offset: int,
        first_line: int,
        header: list[str],
        mapping: Platform,
        ctx: Context,
        folder: Path,
    ) -> PartWorker:
        job: PartJob = {
            "source": {**asdict(source), "path": str(source.path)},
            "offset": offset,
            "first_line": first_line,
            "header": header,
            "mapping": type(mapping).__name__,
            "context": asdict(ctx),
            "folder": str(folder),
        }
        root = str(Path(__file__).resolve().parents[2])  # the folder holding the crm package
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p),
        }
        # -P: the folder the import runs in is not put first on the worker's path (a csv.py there would
        # replace the standard module).
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-P",
            "-m",
            "crm.importing.part_worker",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
        )
        assert proc.stdin is not None
        # One line, and the pipe stays open: the worker ends when it closes (see the module docstring).
        proc.stdin.write(json.dumps(job).encode() + b"\n")
        await proc.stdin.drain()
        return cls(proc, folder)

    async def _follow(self) -> None:
        assert self.proc.stdout is not None
        async for raw in self.proc.stdout:
            word, _, value = raw.decode().partition(" ")
            if word == "rows" and value.strip().isdigit():
                self.rows = int(value)

    async def result(self) -> tuple[Path, PartResult]:
        """Wait for the worker: its stage file and what it collected. Raises ImportFileError for a file it
        could not read, RuntimeError should it fail otherwise."""
        errors = await self._errors
        code = await self.proc.wait()
        await self._watch
        self._close_stdin()
        message = errors.decode(errors="replace").strip()
        if code == FILE_ERROR_EXIT:
            raise ImportFileError(message.splitlines()[-1] if message else "the file could not be read")
        if code != 0:
            raise RuntimeError(f"the import worker failed (exit code {code}): {message[-2000:]}")
        return self.folder / "stage.db", read_result(self.folder / "result.pickle")

    def kill(self) -> None:
        """End the worker now if it still runs (the import failed, stopped early or was cancelled)."""
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()

    def _close_stdin(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()

    async def stop(self) -> None:
        """Kill the worker if it still runs and wait for it."""
        self.kill()
        if self.proc.returncode is None:
            await self.proc.wait()
        self._close_stdin()
        for task in (self._watch, self._errors):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


if __name__ == "__main__":
    sys.exit(main())
