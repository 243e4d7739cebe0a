"""Workspace repository: the seller's workspace and its stores."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import tables
from storage.db import hold_setup_lock

if TYPE_CHECKING:
    from storage.models import Store


class WorkspaceRow(NamedTuple):
    """What opening a workspace needs of its row."""

    id: int
    base_currency: str
    timezone: str


async def get_or_create_workspace(
    session: AsyncSession,
    *,
    name: str,
    base_currency: str,
    timezone: str,
    override: frozenset[str] = frozenset(),
) -> WorkspaceRow:
    """The first workspace is the default one. Settings fill it on creation; afterwards what the owner chose
    in onboarding stays, except for the fields named in `override` (set explicitly in config or environment).

    Read and updated through the table (every command opens its workspace here, and a question imports no ORM
    model); a new workspace is created as an ORM object, as before."""
    await hold_setup_lock(await session.connection())  # two first starts at once: still one workspace
    w = tables.workspaces
    row = (
        await session.execute(select(w.c.id, w.c.base_currency, w.c.timezone).order_by(w.c.id).limit(1))
    ).first()
    if row is None:
        from storage.models import Workspace

        ws = Workspace(name=name, base_currency=base_currency, timezone=timezone, settings={})
        session.add(ws)
        await session.flush()
        return WorkspaceRow(ws.id, ws.base_currency, ws.timezone)
    found = WorkspaceRow(*row)
    # As the ORM did on flush: a column is written only when its value changes.
    changes = {
        key: value
        for key, value in (("base_currency", base_currency), ("timezone", timezone))
        if key in override and getattr(found, key) != value
    }
    if changes:
        await session.execute(update(w).where(w.c.id == found.id).values(**changes))
        found = WorkspaceRow(
            found.id,
            changes.get("base_currency", found.base_currency),
            changes.get("timezone", found.timezone),
        )
    return found


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
    from storage.models import Store

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
    o, c = tables.orders, tables.customers
    orders = await session.scalar(select(func.count()).select_from(o).where(o.c.workspace_id == workspace_id))
    customers = await session.scalar(
        select(func.count())
        .select_from(c)
        .where(c.c.workspace_id == workspace_id, c.c.merged_into_id.is_(None))
    )
    return int(orders or 0), int(customers or 0)


async def has_orders(session: AsyncSession, workspace_id: int) -> bool:
    """Whether the workspace holds any order yet (one index probe, not a count)."""
    o = tables.orders
    found = await session.scalar(select(o.c.id).where(o.c.workspace_id == workspace_id).limit(1))
    return found is not None
