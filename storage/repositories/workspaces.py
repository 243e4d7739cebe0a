"""Workspace repository: the seller's workspace and its stores."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import hold_setup_lock
from storage.models import Customer, Order, Store, Workspace


async def get_or_create_workspace(
    session: AsyncSession,
    *,
    name: str,
    base_currency: str,
    timezone: str,
    override: frozenset[str] = frozenset(),
) -> Workspace:
    """The first workspace is the default one. Settings fill it on creation; afterwards what the owner chose
    in onboarding stays, except for the fields named in `override` (set explicitly in config or environment)."""
    await hold_setup_lock(await session.connection())  # two first starts at once: still one workspace
    ws = (await session.execute(select(Workspace).order_by(Workspace.id).limit(1))).scalar_one_or_none()
    if ws is None:
        ws = Workspace(name=name, base_currency=base_currency, timezone=timezone, settings={})
        session.add(ws)
        await session.flush()
    else:
        if "base_currency" in override:
            ws.base_currency = base_currency
        if "timezone" in override:
            ws.timezone = timezone
    return ws


async def get_or_create_store(
    session: AsyncSession,
    workspace_id: int,
    platform: str,
    name: str,
    *,
    country: str | None = None,
    currency: str | None = None,
    timezone: str | None = None,
) -> Store:
    store = (
        await session.execute(
            select(Store).where(
                Store.workspace_id == workspace_id, Store.platform == platform, Store.name == name
            )
        )
    ).scalar_one_or_none()
    if store is None:
        store = Store(
            workspace_id=workspace_id,
            platform=platform,
            name=name,
            country=country,
            currency=currency,
            timezone=timezone,
        )
        session.add(store)
        await session.flush()
    else:
        store.country = store.country or country
        store.currency = store.currency or currency
        store.timezone = store.timezone or timezone
    return store


async def workspace_counts(session: AsyncSession, workspace_id: int) -> tuple[int, int]:
    """(orders, customers) the workspace holds now; merged-away customer records are not counted."""
    orders = await session.scalar(
        select(func.count()).select_from(Order).where(Order.workspace_id == workspace_id)
    )
    customers = await session.scalar(
        select(func.count())
        .select_from(Customer)
        .where(Customer.workspace_id == workspace_id, Customer.merged_into_id.is_(None))
    )
    return int(orders or 0), int(customers or 0)


async def has_orders(session: AsyncSession, workspace_id: int) -> bool:
    """Whether the workspace holds any order yet (one index probe, not a count)."""
    found = await session.scalar(select(Order.id).where(Order.workspace_id == workspace_id).limit(1))
    return found is not None
