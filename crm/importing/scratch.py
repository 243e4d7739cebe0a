"""Scratch folders of imports (`sellermate-import-*` in the temporary folder), and removing the ones whose import died.

An import that is killed (kill -9, the out-of-memory killer, a power cut) cannot remove its folders, which hold
stage files of hundreds of megabytes. So each folder holds a lock file, locked with flock by the importing process
for as long as the folder is in use: the system releases that lock when the process ends, however it ends, and a
later process that reused the pid does not hold it. The next import (and `sellermate run` on start) removes the
folders whose lock it can take, and leaves alone the ones a live import holds, in this process or another.
No database code here: the import's worker process imports this module's neighbours.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no flock, so no folder can be told stale; none is removed
    fcntl = None  # type: ignore[assignment]  # (the module or None: typeshed knows only the module)

log = logging.getLogger(__name__)

PREFIX = "sellermate-import-"
OWNER_LOCK = "owner.lock"
# A folder without a lock file is one being set up this very moment, or one left by a version of SellerMate
# that did not lock its folders: removed only once nothing in it changed for this long.
UNLOCKED_STALE_AFTER = 3600.0


class ScratchFolder:
    """A scratch folder of this process, locked until `remove()`."""

    def __init__(self, path: Path, lock_fd: int | None) -> None:
        self.path, self._lock_fd = path, lock_fd

    def remove(self) -> None:
        """Delete the folder, then let go of its lock (again: nothing)."""
        shutil.rmtree(self.path, ignore_errors=True)
        fd, self._lock_fd = self._lock_fd, None
        if fd is not None:
            os.close(fd)


def new_scratch_folder(root: Path | None = None) -> ScratchFolder:
    """A new scratch folder (in `root`, default the temporary folder), locked by this process."""
    path = Path(tempfile.mkdtemp(prefix=PREFIX, dir=root))
    if fcntl is None:
        return ScratchFolder(path, None)
    # Locked under another name, then renamed: the lock file never exists unlocked, so a cleaner that comes
    # in between sees a folder without one (young, left alone) rather than a lock it can take.
    pending = path / f"{OWNER_LOCK}.new"
    fd = os.open(pending, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # not inherited by child processes
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.write(fd, f"{os.getpid()}\n".encode())  # for a person looking; the lock is what counts
        os.replace(pending, path / OWNER_LOCK)
    except BaseException:
        os.close(fd)
        shutil.rmtree(path, ignore_errors=True)
        raise
    return ScratchFolder(path, fd)


def remove_stale_folders(root: Path | None = None) -> list[Path]:
    """Remove the scratch folders in `root` (default the temporary folder) whose import is no longer running;
    the folders removed. Never raises: a folder that cannot be judged or removed is left for the next time."""
    if fcntl is None:
        return []
    root = Path(root if root is not None else tempfile.gettempdir())
    removed: list[Path] = []
    try:
        entries = [
            e for e in os.scandir(root) if e.name.startswith(PREFIX) and e.is_dir(follow_symlinks=False)
        ]
    except OSError:
        return removed
    for entry in entries:
        folder = Path(entry.path)
        try:
            if _remove_if_stale(folder):
                removed.append(folder)
        except OSError as exc:  # someone else's folder, a folder removed meanwhile: not ours to worry about
            log.debug("scratch folder %s left alone: %s", folder, exc)
    if removed:
        log.info(
            "removed %d scratch folder(s) of imports that did not finish: %s",
            len(removed),
            ", ".join(p.name for p in removed),
        )
    return removed


def _remove_if_stale(folder: Path) -> bool:
    assert fcntl is not None
    try:
        fd = os.open(folder / OWNER_LOCK, os.O_RDWR)
    except FileNotFoundError:
        if time.time() - _last_change(folder) < UNLOCKED_STALE_AFTER:
            return False
        shutil.rmtree(folder, ignore_errors=True)
        return True
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # a live import holds it
            return False
        # The owner is gone, and a folder is never locked again once its lock was let go: nobody can take it
        # back while it is removed (another cleaner doing the same is harmless).
        shutil.rmtree(folder, ignore_errors=True)
        return True
    finally:
        os.close(fd)


def _last_change(folder: Path) -> float:
    """When the folder or anything in it last changed."""
    latest = folder.stat().st_mtime
    for entry in os.scandir(folder):
        try:
            latest = max(latest, entry.stat(follow_symlinks=False).st_mtime)
        except FileNotFoundError:
            continue
    return latest
