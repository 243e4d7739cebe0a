"""Currency repository: the workspace's base currency, its exchange rates and the order amounts priced with them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import tables
from storage.repositories.analytics import refresh_order_stats

RatePeriods = list[tuple[datetime | None, datetime | None, float]]


async def lock_base_currency(session: AsyncSession, workspace_id: int) -> str:
    """The workspace's base currency, with its row locked until the transaction ends (PostgreSQL; SQLite has
    one writer anyway), so two changes of currency cannot interleave."""
    code = (
        await session.execute(
            select(tables.workspaces.c.base_currency)
            .where(tables.workspaces.c.id == workspace_id)
            .with_for_update()
        )
    ).scalar_one_or_none()
    if code is None:
        raise LookupError(f"workspace {workspace_id} does not exist")
    return str(code)


async def base_currency(session: AsyncSession, workspace_id: int) -> str | None:
    """The currency the workspace's amounts are stored in (None for a workspace that does not exist)."""
    code = (
        await session.execute(
            select(tables.workspaces.c.base_currency).where(tables.workspaces.c.id == workspace_id)
        )
    ).scalar()
    return None if code is None else str(code)


async def set_base_currency(session: AsyncSession, workspace_id: int, code: str) -> None:
    from storage.models import Workspace  # the writes keep the ORM's statements; the reads use the tables

    await session.execute(update(Workspace).where(Workspace.id == workspace_id).values(base_currency=code))


async def count_orders(session: AsyncSession, workspace_id: int) -> tuple[int, int]:
    """(orders, orders with an amount in the base currency) of the workspace."""
    row = (
        await session.execute(
            select(func.count(), func.count(tables.orders.c.value_base)).where(
                tables.orders.c.workspace_id == workspace_id
            )
        )
    ).one()
    return int(row[0] or 0), int(row[1] or 0)


async def replace_rates(
    session: AsyncSession, workspace_id: int, rows: list[tuple[str, Decimal, date | None]]
) -> None:
    """The workspace's exchange rates become exactly `rows` (currency, rate, valid from)."""
    from storage.models import FxRate

    await session.execute(delete(FxRate).where(FxRate.workspace_id == workspace_id))
    session.add_all(
        FxRate(workspace_id=workspace_id, currency=cur, rate=rate, valid_from=valid_from)
        for cur, rate, valid_from in rows
    )
    await session.flush()


async def reprice_all_orders(
    session: AsyncSession, workspace_id: int, periods: dict[str, RatePeriods]
) -> None:
    """Every order's value in the base currency from its own amount and the rates by currency ([start, end)
    windows); orders in a currency without a rate have none. Then the per-customer statistics follow."""
    from storage.models import Order
    from storage.repositories.imports import indexes_deferred, reprice_orders  # the importer's own rules

    orders = (
        await session.execute(select(func.count()).where(Order.workspace_id == workspace_id))
    ).scalar_one()
    # Every order's value changes, and it is in two covering indexes: rebuilt once, not row by row (SQLite).
    async with indexes_deferred(session, Order.__tablename__, int(orders)):
        for currency, windows in sorted(periods.items()):
            await reprice_orders(session, workspace_id, currency, windows)
        await session.execute(
            update(Order)
            .where(
                Order.workspace_id == workspace_id,
                Order.currency.not_in(sorted(periods)),
                Order.value_base.is_not(None),
            )
            .values(value_base=None)
        )
    await refresh_order_stats(session, workspace_id=workspace_id, values_only=True)
