"""Process leases: a role on the database ("bot", "scheduler") that one process at a time holds, for a while.

A process claims a lease for `ttl`, renews it while it runs and deletes it when it stops. A lease whose holder
stopped renewing (killed, its machine gone) is stale once it expires, and another process may take it over;
the caller may also judge a lease stale sooner (its holder is known to be dead). Every write is conditional on
what was read (compare and swap on the holder and its expiry), so of two processes racing for one lease exactly
one wins, on SQLite and on PostgreSQL alike, without holding a lock between statements.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import UpdateBase, delete, inspect, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import rows_affected
from storage.models import ProcessLease

# Rounds of read-then-claim before giving up on a lease that keeps changing hands (never more than a few).
MAX_ROUNDS = 5


@dataclass(frozen=True)
class LeaseHolder:
    """The process asking for a lease."""

    id: str  # unique per process start
    command: str
    host: str
    pid: int
    process_key: str | None = None


async def table_exists(session: AsyncSession) -> bool:
    """Whether the schema has leases yet (a database not migrated to 0008 has none)."""
    conn = await session.connection()
    return bool(await conn.run_sync(lambda c: inspect(c).has_table(ProcessLease.__tablename__)))


async def current(session: AsyncSession, name: str) -> ProcessLease | None:
    """The lease row as committed now (not a copy from the session's identity map)."""
    result = await session.execute(
        select(ProcessLease).where(ProcessLease.name == name).execution_options(populate_existing=True)
    )
    return result.scalar_one_or_none()


async def claim(
    session: AsyncSession,
    name: str,
    me: LeaseHolder,
    *,
    now: datetime,
    ttl: timedelta,
    replacing: ProcessLease | None = None,
) -> bool:
    """Claim lease `name` for `me`: a free one (no row), or the one `replacing` read, provided it is still that
    very claim (same holder, same expiry). False when someone else got there first."""
    values = {
        "holder": me.id,
        "command": me.command,
        "host": me.host[:255],
        "pid": me.pid,
        "process_key": me.process_key,
        "acquired_at": now,
        "renewed_at": now,
        "expires_at": now + ttl,
    }
    stmt: UpdateBase
    if replacing is None:
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        stmt = (
            insert(ProcessLease).values(name=name, **values).on_conflict_do_nothing(index_elements=["name"])
        )
    else:
        stmt = (
            update(ProcessLease)
            .where(
                ProcessLease.name == name,
                ProcessLease.holder == replacing.holder,
                ProcessLease.expires_at == replacing.expires_at,
            )
            .values(**values)
        )
    result = await session.execute(stmt)
    return rows_affected(result) == 1


async def acquire(
    session: AsyncSession,
    name: str,
    me: LeaseHolder,
    *,
    now: datetime,
    ttl: timedelta,
    stale: Callable[[ProcessLease], bool] | None = None,
) -> ProcessLease | None:
    """Take lease `name` for `me` (or renew it, when `me` holds it already). None when `me` holds it now;
    otherwise the live claim of the process that holds it. A claim is stale, and taken over, when `stale`
    says so (default: it has expired)."""
    is_stale = stale or (lambda lease: lease.expires_at <= now)
    held: ProcessLease | None = None
    for _ in range(MAX_ROUNDS):
        held = await current(session, name)
        if held is not None and held.holder == me.id:
            await renew(session, name, me.id, now=now, ttl=ttl)
            return None
        if held is not None and not is_stale(held):
            return held
        if await claim(session, name, me, now=now, ttl=ttl, replacing=held):
            return None
    return held if held is not None else await current(session, name)


async def renew(session: AsyncSession, name: str, holder_id: str, *, now: datetime, ttl: timedelta) -> bool:
    """Extend `holder_id`'s claim; False when it holds the lease no longer (it was taken over)."""
    result = await session.execute(
        update(ProcessLease)
        .where(ProcessLease.name == name, ProcessLease.holder == holder_id)
        .values(renewed_at=now, expires_at=now + ttl)
    )
    return rows_affected(result) == 1


async def release(session: AsyncSession, name: str, holder_id: str) -> None:
    """Give the lease up (nothing when `holder_id` no longer holds it)."""
    await session.execute(
        delete(ProcessLease).where(ProcessLease.name == name, ProcessLease.holder == holder_id)
    )
