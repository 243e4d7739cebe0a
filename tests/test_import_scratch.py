"""What a killed import leaves behind: its scratch folders are removed by the next import (never a live import's),
and its worker process ends with it.

Real processes throughout: imports and folder owners run as subprocesses and are killed with SIGKILL, which
nothing can catch; the kernel's own bookkeeping (closed files, released locks) is what is relied on.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from bot.settings import WorkspaceSettings
from crm.importing import part_worker, service
from crm.importing.platforms import Context, detect
from crm.importing.reader import read_table, split_point
from crm.importing.scratch import OWNER_LOCK, PREFIX, new_scratch_folder, remove_stale_folders
from storage.db import open_database
from storage.repositories.workspaces import get_or_create_workspace
from tests.test_importing import SHOPIFY_HEADER, shopify_row

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists() or sys.platform == "win32",
    reason="reads processes from /proc and needs flock",
)

# Holds a scratch folder in `root` like a running import does, prints its path, then waits to be killed.
FOLDER_OWNER = """
import sys, time
from pathlib import Path
from crm.importing.scratch import new_scratch_folder
folder = new_scratch_folder(Path(sys.argv[1]))
print(folder.path, flush=True)
time.sleep(120)
"""

# A real import of a large file, read in two parts from 1,000 rows on (as from 200,000 by default).
IMPORTER = """
import asyncio, sys
from pathlib import Path
from bot.settings import WorkspaceSettings
from crm.importing import service
from storage.db import open_database
from storage.repositories.workspaces import get_or_create_workspace

service.PARALLEL_MIN_ROWS = 1000

async def main() -> None:
    db = await open_database(sys.argv[1])
    async with db.sessions() as s:
        ws = await get_or_create_workspace(s, name="Shop", base_currency="SGD", timezone="Asia/Singapore")
        await s.commit()
    await service.import_file(db, ws.id, Path(sys.argv[2]), settings=WorkspaceSettings())

asyncio.run(main())
"""


def _env(tmp: Path) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("SELLERMATE_")},
        "PYTHONPATH": str(REPO),
        "TMPDIR": str(tmp),
    }


def _start(code: str, *args: str, tmp: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=REPO,
        env=_env(tmp),
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _live_owner(root: Path) -> tuple[subprocess.Popen[str], Path]:
    owner = _start(FOLDER_OWNER, str(root), tmp=root)
    assert owner.stdout is not None
    return owner, Path(owner.stdout.readline().strip())


def _kill(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.communicate(timeout=10)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _running(pid: int) -> bool:
    """Alive: a dead process that its new parent (init) has not reaped yet is a zombie, not running."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def big_export(path: Path, rows: int) -> Path:
    """A Shopify export of `rows` one-line orders (written fast: one row rendered, the rest by substitution)."""
    import csv
    import io

    one = io.StringIO()
    csv.writer(one, lineterminator="\n").writerow(
        shopify_row("#ORDER", "buyerBUYER@example.com", "paid", "12.50", "2026-03-01 10:00:00 +0800")
    )
    template = one.getvalue()
    with path.open("w", encoding="utf-8") as fh:
        fh.write(",".join(SHOPIFY_HEADER) + "\n")
        fh.writelines(
            template.replace("ORDER", str(10_000 + n)).replace("BUYER", str(n % 5000)) for n in range(rows)
        )
    return path


def test_folders_of_dead_owners_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    root = tmp_path / "tmp"
    root.mkdir()
    dead, dead_folder = _live_owner(root)
    dead.send_signal(signal.SIGKILL)
    dead.wait(timeout=10)
    live, live_folder = _live_owner(root)
    try:
        own = new_scratch_folder(root)  # this process's, as an import running next to the cleaning one
        young = root / f"{PREFIX}being-set-up"  # no lock file yet: could be a folder made this very moment
        young.mkdir()
        old = root / f"{PREFIX}left-by-an-older-version"  # no lock file, untouched for two hours
        old.mkdir()
        (old / "stage.db").write_bytes(b"x" * 1000)
        two_hours_ago = time.time() - 7200
        for p in (old / "stage.db", old):
            os.utime(p, (two_hours_ago, two_hours_ago))
        unrelated = root / "someone-elses-folder"
        unrelated.mkdir()
        (dead_folder / "stage.db").write_bytes(b"x" * 1000)

        removed = remove_stale_folders(root)

        assert sorted(removed) == sorted([dead_folder, old])
        assert sorted(p.name for p in root.iterdir()) == sorted(
            p.name for p in (live_folder, own.path, young, unrelated)
        )
        assert (live_folder / OWNER_LOCK).exists() and (own.path / OWNER_LOCK).exists()
        assert remove_stale_folders(root) == []  # live folders stay live, whoever asks
        own.remove()
        assert not own.path.exists()
    finally:
        _kill(live)
    assert remove_stale_folders(root) == [live_folder]  # its owner died since


async def test_a_killed_import_leaves_nothing_running_and_the_next_import_cleans_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "tmp"
    root.mkdir()
    export = big_export(tmp_path / "orders_export.csv", 100_000)
    url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    importer = _start(IMPORTER, url, str(export), tmp=root)
    try:
        # Mid-way: both parts are being staged, the importer's in one folder, its worker's in another.
        deadline = time.monotonic() + 60
        while not (
            len(folders := list(root.iterdir())) == 2 and all((f / "stage.db").exists() for f in folders)
        ):
            assert importer.poll() is None, importer.communicate()
            assert time.monotonic() < deadline, "the import never got to read in two parts"
            time.sleep(0.005)
        workers = _children(importer.pid)
        assert len(workers) == 1
        importer.send_signal(signal.SIGKILL)
        importer.wait(timeout=10)
    finally:
        _kill(importer)

    deadline = time.monotonic() + 5
    while _running(workers[0]):
        assert time.monotonic() < deadline, "the import's worker outlived it"
        await asyncio.sleep(0.01)
    stale = sorted(root.iterdir())
    assert len(stale) == 2 and all((f / OWNER_LOCK).exists() for f in stale)

    live, live_folder = _live_owner(root)  # another import, still running
    try:
        monkeypatch.setattr(tempfile, "tempdir", str(root))
        db = await open_database(url)
        try:
            async with db.sessions() as s:
                ws = await get_or_create_workspace(
                    s, name="Shop", base_currency="SGD", timezone="Asia/Singapore"
                )
                await s.commit()
            small = big_export(tmp_path / "orders_export_2.csv", 10)
            report = await service.import_file(db, ws.id, small, settings=WorkspaceSettings())
        finally:
            await db.dispose()
        assert report.rows == 10
        assert list(root.iterdir()) == [live_folder]  # the killed import's folders went, the live one stayed
    finally:
        _kill(live)


async def test_a_worker_ends_as_soon_as_its_importer_lets_go_of_it(tmp_path: Path) -> None:
    """The importer dying closes the worker's standard input like this; the worker stops mid-part."""
    export = big_export(tmp_path / "orders_export.csv", 60_000)
    table = read_table(export)
    assert table.text is not None
    offset, line = split_point(table.text)  # type: ignore[misc]
    folder = new_scratch_folder(tmp_path)
    ctx = Context(store_country="SG", store_currency="SGD", default_tz="Asia/Singapore")
    worker = await part_worker.PartWorker.start(
        table.text, offset, line, table.header, detect(table.header), ctx, folder.path
    )
    try:
        assert worker.proc.stdin is not None
        worker.proc.stdin.close()
        code = await asyncio.wait_for(worker.proc.wait(), timeout=20)
    finally:
        await worker.stop()
        folder.remove()
    assert code == part_worker.IMPORTER_GONE_EXIT
    assert worker.rows < 30_000  # it did not read its part to the end
