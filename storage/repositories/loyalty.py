"""The loyalty ledger: read a customer's rows, add one, find the customers whose points may be due to expire.
The arithmetic (FIFO lots, expiry) is crm.loyalty's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Customer, LoyaltyEntry, TeamMember

_CHUNK = 500


@dataclass(frozen=True)
class LedgerRow:
    id: int
    points: int
    reason: str
    note: str | None
    created_at: datetime
    order_id: int | None
    created_by: str | None  # the team member's name, when a person made the row


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _select() -> Any:
    return (
        select(
            LoyaltyEntry.customer_id,
            LoyaltyEntry.id,
            LoyaltyEntry.points,
            LoyaltyEntry.reason,
            LoyaltyEntry.note,
            LoyaltyEntry.created_at,
            LoyaltyEntry.order_id,
            TeamMember.name,
        )
        .outerjoin(TeamMember, TeamMember.id == LoyaltyEntry.created_by)
        .order_by(LoyaltyEntry.customer_id, LoyaltyEntry.created_at, LoyaltyEntry.id)
    )


def _row(r: tuple[object, ...]) -> LedgerRow:
    _cid, id_, points, reason, note, at, order_id, by = r
    return LedgerRow(
        int(id_),  # type: ignore[call-overload]
        int(points),  # type: ignore[call-overload]
        str(reason),
        note,  # type: ignore[arg-type]
        _aware(at),  # type: ignore[arg-type]
        order_id,  # type: ignore[arg-type]
        by,  # type: ignore[arg-type]
    )


async def ledger(session: AsyncSession, workspace_id: int, customer_id: int) -> list[LedgerRow]:
    """One customer's rows, oldest first."""
    rows = await session.execute(
        _select().where(LoyaltyEntry.workspace_id == workspace_id, LoyaltyEntry.customer_id == customer_id)
    )
    return [_row(tuple(r)) for r in rows]


async def ledgers_due(
    session: AsyncSession, workspace_id: int, earned_before: datetime
) -> dict[int, list[LedgerRow]]:
    """The whole ledger of each customer with a positive balance and points earned before `earned_before`
    (only they can have points due to expire)."""
    ids = [
        int(r[0])
        for r in await session.execute(
            select(LoyaltyEntry.customer_id)
            .where(LoyaltyEntry.workspace_id == workspace_id)
            .group_by(LoyaltyEntry.customer_id)
            .having(
                and_(
                    func.sum(LoyaltyEntry.points) > 0,
                    func.min(case((LoyaltyEntry.points > 0, LoyaltyEntry.created_at), else_=None))
                    < earned_before,
                )
            )
            .order_by(LoyaltyEntry.customer_id)
        )
    ]
    out: dict[int, list[LedgerRow]] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        for r in await session.execute(_select().where(LoyaltyEntry.customer_id.in_(chunk))):
            out.setdefault(int(r[0]), []).append(_row(tuple(r)))
    return out


async def add_entry(
    session: AsyncSession,
    workspace_id: int,
    customer_id: int,
    points: int,
    reason: str,
    *,
    note: str | None = None,
    order_id: int | None = None,
    member_id: int | None = None,
    at: datetime | None = None,
) -> None:
    session.add(
        LoyaltyEntry(
            workspace_id=workspace_id,
            customer_id=customer_id,
            order_id=order_id,
            points=points,
            reason=reason,
            note=note,
            created_by=member_id,
            created_at=at or datetime.now(UTC),
        )
    )
    await session.flush()


async def customer_exists(session: AsyncSession, workspace_id: int, customer_id: int) -> bool:
    found = await session.execute(
        select(Customer.id).where(
            Customer.id == customer_id,
            Customer.workspace_id == workspace_id,
            Customer.merged_into_id.is_(None),
        )
    )
    return found.first() is not None


async def lock_customer(session: AsyncSession, workspace_id: int, customer_id: int) -> None:
    """Serialise changes to one customer's points (PostgreSQL row lock; SQLite has one writer anyway)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            select(Customer.id)
            .where(Customer.id == customer_id, Customer.workspace_id == workspace_id)
            .with_for_update()
        )


async def balance(session: AsyncSession, workspace_id: int, customer_id: int) -> int:
    return int(
        (
            await session.execute(
                select(func.coalesce(func.sum(LoyaltyEntry.points), 0)).where(
                    LoyaltyEntry.workspace_id == workspace_id, LoyaltyEntry.customer_id == customer_id
                )
            )
        ).scalar_one()
    )


async def outstanding(session: AsyncSession, workspace_id: int) -> tuple[int, int]:
    """(points held by customers with a positive balance, how many such customers)."""
    per = (
        select(func.sum(LoyaltyEntry.points).label("p"))
        .where(LoyaltyEntry.workspace_id == workspace_id)
        .group_by(LoyaltyEntry.customer_id)
        .subquery()
    )
    total, n = (
        await session.execute(select(func.coalesce(func.sum(per.c.p), 0), func.count()).where(per.c.p > 0))
    ).one()
    return int(total), int(n)
