"""Process leases: one bot and one scheduler per database, on SQLite and PostgreSQL.

Repository level: a lease is taken once, refused to others while it lasts, renewed by its holder, taken over
once it expires (the old holder then finds out), and of processes racing for it exactly one wins. Process level
(bot.process_lease): a holder on this machine that died is replaced at once, one that runs is never replaced,
and a process whose lease was taken over is told so it can stop.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from bot import process_lease
from bot.process_lease import BOT, SCHEDULER, LeaseRefused, ProcessLeases, refusal
from storage.db import Database
from storage.repositories import leases as repo
from storage.repositories.leases import LeaseHolder

T0 = datetime(2026, 12, 6, 18, 0, tzinfo=UTC)
TTL = timedelta(seconds=120)
A = LeaseHolder(id="a" * 32, command="run", host="shop-1", pid=1234)
B = LeaseHolder(id="b" * 32, command="run", host="shop-2", pid=4321)


async def _acquire(db: Database, who: LeaseHolder, at: datetime, name: str = BOT, **kw):  # type: ignore[no-untyped-def]
    async with db.sessions() as s:
        holder = await repo.acquire(s, name, who, now=at, ttl=TTL, **kw)
        await s.commit()
        return holder


async def _row(db: Database, name: str = BOT):  # type: ignore[no-untyped-def]
    async with db.sessions() as s:
        return await repo.current(s, name)


async def test_a_lease_is_held_by_one_process_and_renewed_by_it(db: Database) -> None:
    assert await _acquire(db, A, T0) is None
    refused = await _acquire(db, B, T0 + timedelta(seconds=119))
    assert refused is not None and (refused.holder, refused.pid, refused.host) == (A.id, 1234, "shop-1")
    assert refused.acquired_at == T0

    assert await _acquire(db, A, T0 + timedelta(seconds=100)) is None  # its holder again: renewed
    row = await _row(db)
    assert (row.holder, row.acquired_at, row.expires_at) == (A.id, T0, T0 + timedelta(seconds=220))
    assert await _acquire(db, B, T0 + timedelta(seconds=200)) is not None  # the renewed claim still lasts

    assert await _acquire(db, B, T0, name=SCHEDULER) is None  # another lease is another matter


async def test_an_expired_lease_is_taken_over_and_its_old_holder_finds_out(db: Database) -> None:
    assert await _acquire(db, A, T0) is None
    later = T0 + TTL + timedelta(seconds=1)  # A was killed: it renewed no more
    assert await _acquire(db, B, later) is None
    row = await _row(db)
    assert (row.holder, row.pid, row.acquired_at, row.expires_at) == (B.id, 4321, later, later + TTL)

    async with db.sessions() as s:
        assert not await repo.renew(s, BOT, A.id, now=later, ttl=TTL)  # A comes back: not its lease any more
        await repo.release(s, BOT, A.id)  # and cannot free B's
        await s.commit()
    assert (await _row(db)).holder == B.id
    assert await _acquire(db, A, later) is not None

    async with db.sessions() as s:  # B stops cleanly: the next process need not wait for expiry
        await repo.release(s, BOT, B.id)
        await s.commit()
    assert await _row(db) is None
    assert await _acquire(db, A, later) is None


async def test_the_caller_may_judge_a_lease_stale_before_it_expires(db: Database) -> None:
    assert await _acquire(db, A, T0) is None
    assert await _acquire(db, B, T0, stale=lambda lease: lease.holder == "someone else") is not None
    assert await _acquire(db, B, T0, stale=lambda lease: lease.holder == A.id) is None  # A is known dead
    assert (await _row(db)).holder == B.id


async def test_a_claim_replaces_only_the_claim_it_read(db: Database) -> None:
    assert await _acquire(db, A, T0) is None
    seen = await _row(db)  # B and C both find A's lease expired ...
    later = T0 + TTL * 2
    C = LeaseHolder(id="c" * 32, command="worker", host="shop-3", pid=99)
    async with db.sessions() as s:
        assert await repo.claim(s, BOT, B, now=later, ttl=TTL, replacing=seen)  # ... B is first
        await s.commit()
    async with db.sessions() as s:
        assert not await repo.claim(s, BOT, C, now=later, ttl=TTL, replacing=seen)  # C's view is out of date
        assert not await repo.claim(s, BOT, C, now=later, ttl=TTL)  # and the lease is not free
        await s.commit()
    assert (await _row(db)).holder == B.id


async def test_of_processes_racing_for_a_free_lease_exactly_one_wins(db: Database) -> None:
    racers = [LeaseHolder(id=f"{n:032d}", command="run", host=f"shop-{n}", pid=n) for n in range(6)]
    results = await asyncio.gather(*(_acquire(db, r, T0) for r in racers))
    winners = [r for r, refused in zip(racers, results, strict=True) if refused is None]
    assert len(winners) == 1
    assert {refused.holder for refused in results if refused is not None} == {winners[0].id}
    assert (await _row(db)).holder == winners[0].id


# ---------------------------------------------------------------- processes of this machine
needs_proc = pytest.mark.skipif(
    process_lease.process_key(os.getpid()) is None, reason="tells processes apart by /proc (Linux)"
)


@needs_proc
async def test_a_holder_on_this_machine_that_died_is_replaced_at_once_one_that_runs_never(
    db: Database,
) -> None:
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        key = process_lease.process_key(sleeper.pid)
        assert key is not None
        other = LeaseHolder(id="d" * 32, command="run", host="this-host", pid=sleeper.pid, process_key=key)
        await _acquire(db, other, T0)  # long ago: its claim has expired, and it is not renewing (busy?)
        leases = ProcessLeases(db, "run")
        with pytest.raises(LeaseRefused) as refused:  # it runs here, so it keeps its lease
            await leases.take(BOT)
        assert refused.value.holder.pid == sleeper.pid
        line = refusal(refused.value, "run")
        assert line.startswith(
            f"another SellerMate bot is running on this database (`sellermate run`, pid "
            f"{sleeper.pid} on host this-host, since 2026-12-06 18:00 UTC"
        )
        assert "telegram.replica: true" in line and "\n" not in line

        sleeper.kill()  # kill -9
        sleeper.wait()
        await _acquire(db, other, datetime.now(UTC))  # as if it renewed just before it died: far from expiry
        await leases.take(BOT)
        assert (await _row(db)).holder == leases.me.id
        await leases.release()
        assert await _row(db) is None
    finally:
        sleeper.kill()
        sleeper.wait()


async def test_a_process_whose_lease_was_taken_over_is_told_to_stop(db: Database) -> None:
    leases = ProcessLeases(db, "worker", renew_every=timedelta(milliseconds=20))
    await leases.take(SCHEDULER)
    lost = asyncio.Event()
    leases.keep(lost.set)
    await asyncio.sleep(0.1)  # renewing all along
    assert (
        not lost.is_set() and (await _row(db, SCHEDULER)).renewed_at > (await _row(db, SCHEDULER)).acquired_at
    )

    # Another process finds the claim expired (this one, say, was frozen for minutes) and takes it.
    assert await _acquire(db, B, datetime.now(UTC) + TTL * 2, name=SCHEDULER) is None
    await asyncio.wait_for(lost.wait(), timeout=5)
    assert leases.taken_over and leases.lost is not None and leases.lost.holder == B.id
    assert "took over this database (`sellermate run`, pid 4321 on host shop-2" in process_lease.taken_over(
        leases
    )
    await leases.release()
    assert (await _row(db, SCHEDULER)).holder == B.id  # what is B's stays B's


async def test_a_worker_is_refused_while_the_bot_runs_the_jobs_and_a_second_worker_too(db: Database) -> None:
    from bot.cli import CLIError
    from bot.cli_worker import work
    from bot.settings import Settings

    settings = Settings(database={"url": db.url}, telegram={"token": "123:abc"})  # type: ignore[attr-defined]
    for command, hint in (
        (
            "run",
            "set scheduler.run_in_bot: false (SELLERMATE_SCHEDULER__RUN_IN_BOT=false) for "
            "that bot and restart it",
        ),
        ("worker", "one worker is enough"),
    ):
        running = ProcessLeases(db, command)  # a bot that runs the jobs itself, then another worker
        await running.take(SCHEDULER)
        try:
            with pytest.raises(CLIError) as refused:
                await work(settings=settings, once=True)
        finally:
            await running.release()
        line = str(refused.value)
        assert line.startswith(
            f"the scheduled jobs already run in another process on this database (`sellermate "
            f"{command}`, pid {os.getpid()} on host "
        )
        assert hint in line and "\n" not in line
        assert (await _row(db, SCHEDULER)) is None  # the refused worker took nothing
