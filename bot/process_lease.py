"""One bot and one scheduler per database: the leases `sellermate run` and `sellermate worker` hold while they run.

- "bot": taken by `sellermate run` unless it is a webhook replica (`telegram.replica`). Two bots on one token
  fight over Telegram's updates, and each would run the scheduled jobs.
- "scheduler": taken by whichever process runs the scheduled jobs (`sellermate run` with `scheduler.run_in_bot`,
  or `sellermate worker`), so that every job fires once (two schedulers on one job table also trip over each
  other's jobs: JobLookupError).

A lease is renewed every RENEW_EVERY and lasts TTL, so the claim of a process that died on another machine runs
out within TTL; on the same machine a process that died (kill -9, out of memory) is recognised at once by its
pid and start time, so a restart right after a crash is not refused. A process that finds its lease taken over
(it could not renew it in time) stops rather than run twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from storage.db import Database
from storage.models import ProcessLease
from storage.repositories import leases as repo

log = logging.getLogger(__name__)

BOT = "bot"
SCHEDULER = "scheduler"
# Long enough for a renewal that waits behind a large import's write on SQLite.
TTL = timedelta(seconds=120)
RENEW_EVERY = timedelta(seconds=20)


class LeaseRefused(Exception):
    """Another live process holds the lease."""

    def __init__(self, name: str, holder: ProcessLease) -> None:
        super().__init__(f"lease {name!r} is held by pid {holder.pid} on {holder.host}")
        self.name, self.holder = name, holder


def _stat_fields(pid: int | str) -> list[str] | None:
    """/proc/<pid>/stat from the state on (the command name before it may hold spaces), or None."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _scope() -> str | None:
    """This machine's boot and this process's pid namespace: where a pid names one process; None off Linux."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        return f"{boot}/{os.readlink('/proc/self/ns/pid')}"
    except OSError:
        return None


def process_key(pid: int) -> str | None:
    """'<scope>|<pid>|<start time>': names one process for as long as its machine runs (pids are reused, a pid
    with its start time is not); None where the system does not tell."""
    scope, fields = _scope(), _stat_fields(pid)
    if scope is None or fields is None or len(fields) < 20:
        return None
    return f"{scope}|{pid}|{fields[19]}"


def _here(key: str | None) -> tuple[str, str] | None:
    """(pid, start time) of a process_key of this machine and pid namespace; None for a key from elsewhere."""
    parts = key.rsplit("|", 2) if key else []
    if len(parts) != 3 or parts[0] != _scope():
        return None
    return parts[1], parts[2]


def died(key: str | None) -> bool:
    """True when `key` (a process_key) names a process of this machine and pid namespace that is not running
    any more; False when it runs or cannot be told from here."""
    here = _here(key)
    if here is None:
        return False
    fields = _stat_fields(here[0])
    if fields is None:  # gone, or hidden from this user (/proc mounted with hidepid): ask the system
        try:
            os.kill(int(here[0]), 0)
        except ProcessLookupError:
            return True
        except (OSError, ValueError):  # another user's process: it runs
            return False
        return False
    return len(fields) < 20 or fields[19] != here[1] or fields[0] in ("Z", "X")


def _runs_here(key: str | None) -> bool:
    """True when `key` names a process of this machine and pid namespace that is running now."""
    return _here(key) is not None and not died(key)


def this_process(command: str) -> repo.LeaseHolder:
    return repo.LeaseHolder(
        id=uuid.uuid4().hex,
        command=command,
        host=socket.gethostname() or "unknown",
        pid=os.getpid(),
        process_key=process_key(os.getpid()),
    )


class ProcessLeases:
    """The leases this process holds: taken one by one, renewed in the background, released on stop."""

    def __init__(
        self,
        db: Database,
        command: str,
        *,
        ttl: timedelta = TTL,
        renew_every: timedelta = RENEW_EVERY,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.db, self.ttl, self.renew_every = db, ttl, renew_every
        self.clock = clock or (lambda: datetime.now(UTC))
        self.me = this_process(command)
        self.names: list[str] = []
        self.taken_over = (
            False  # a lease of this process was taken over by another (it could not renew in time)
        )
        self.lost: ProcessLease | None = None  # by whom, if that could be read
        self._renewing: asyncio.Task[None] | None = None

    def _stale(self, now: datetime) -> Callable[[ProcessLease], bool]:
        def stale(lease: ProcessLease) -> bool:
            if died(lease.process_key):
                return True
            # A holder on this machine that still runs keeps its lease even when its renewal is late (SQLite:
            # waiting behind an import's write); elsewhere, expiry is all there is to go by.
            return lease.expires_at <= now and not _runs_here(lease.process_key)

        return stale

    async def take(self, name: str) -> None:
        """Take lease `name` for this process, or raise LeaseRefused naming the live process that holds it."""
        now = self.clock()
        async with self.db.sessions() as session:
            holder = await repo.acquire(session, name, self.me, now=now, ttl=self.ttl, stale=self._stale(now))
            await session.commit()
        if holder is not None:
            raise LeaseRefused(name, holder)
        if name not in self.names:
            self.names.append(name)
        log.debug("holding the %r lease of this database", name)

    async def take_all(self, names: list[str], *, unless_unmigrated: bool = False) -> None:
        """Take each of `names` (LeaseRefused for the first one held by a live process). `unless_unmigrated`:
        nothing yet when the database has no lease table (the migrations create it; take them after)."""
        if unless_unmigrated and names:
            async with self.db.sessions() as session:
                if not await repo.table_exists(session):
                    return
        for name in names:
            await self.take(name)

    def keep(self, on_lost: Callable[[], object]) -> None:
        """Renew the leases in the background; `on_lost` is called once if one was taken over."""
        if self._renewing is None and self.names:
            self._renewing = asyncio.get_running_loop().create_task(self._renew(on_lost))

    async def _renew(self, on_lost: Callable[[], object]) -> None:
        while True:
            await asyncio.sleep(self.renew_every.total_seconds())
            now = self.clock()
            try:
                async with self.db.sessions() as session:
                    gone = [
                        n
                        for n in self.names
                        if not await repo.renew(session, n, self.me.id, now=now, ttl=self.ttl)
                    ]
                    for name in gone:
                        self.lost = self.lost or await repo.current(session, name)
                    await session.commit()
            except Exception:  # the database is busy or away for a moment: the lease lasts TTL, try again
                log.warning(
                    "could not renew this process's claim on the database; trying again", exc_info=True
                )
                continue
            if gone:
                self.taken_over = True
                self.names = [n for n in self.names if n not in gone]
                log.error(
                    "another process took over the %s lease of this database; stopping", ", ".join(gone)
                )
                on_lost()
                return

    async def release(self) -> None:
        """Stop renewing and give the leases up (a clean stop: the next process need not wait for expiry)."""
        if self._renewing is not None:
            self._renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._renewing
            self._renewing = None
        if not self.names:
            return
        try:
            async with self.db.sessions() as session:
                for name in self.names:
                    await repo.release(session, name, self.me.id)
                await session.commit()
        except Exception:  # they expire by themselves
            log.warning("could not release this process's claim on the database", exc_info=True)
        self.names = []


def describe(holder: ProcessLease, now: datetime | None = None) -> str:
    """'`sellermate run`, pid 1234 on host shop-1, since 2026-12-06 18:50 UTC' (+ when a silent claim runs out)."""
    now = now or datetime.now(UTC)
    text = (
        f"`sellermate {holder.command}`, pid {holder.pid} on host {holder.host}, "
        f"since {holder.acquired_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    )
    silent = (now - holder.renewed_at).total_seconds()
    if silent > 2 * RENEW_EVERY.total_seconds():
        text += (
            f"; silent for {silent:.0f} s: if it is gone, its claim runs out at "
            f"{holder.expires_at.astimezone(UTC):%H:%M:%S} UTC"
        )
    return text


REPLICA_HINT = "set telegram.replica: true (SELLERMATE_TELEGRAM__REPLICA=true) for a webhook replica"
RUN_IN_BOT_HINT = "scheduler.run_in_bot: false (SELLERMATE_SCHEDULER__RUN_IN_BOT=false)"


def refusal(exc: LeaseRefused, asking: str) -> str:
    """The one line a refused `sellermate run` (asking="run") or `sellermate worker` prints."""
    holder = exc.holder
    if exc.name == BOT:
        return (
            f"another SellerMate bot is running on this database ({describe(holder)}); stop it first, "
            f"or {REPLICA_HINT}"
        )
    where = f"the scheduled jobs already run in another process on this database ({describe(holder)})"
    if asking == "run":
        return f"{where}; stop it first, or set {RUN_IN_BOT_HINT} for this bot"
    if holder.command == "run":
        return f"{where}; set {RUN_IN_BOT_HINT} for that bot and restart it, or do without this worker"
    return f"{where}; one worker is enough: stop that one first"


def taken_over(leases: ProcessLeases) -> str:
    """The one line a process prints when it stopped because another took its lease over."""
    who = f" ({describe(leases.lost)})" if leases.lost is not None else ""
    return (
        f"stopped: another process took over this database{who} while this one could not renew its claim "
        "in time; run one bot and one scheduler per database"
    )
