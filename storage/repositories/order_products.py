"""The `order_products` rows (storage.models.OrderProduct): what a product is, what a line is worth in the base
currency, and the one statement that writes the rows of given orders from their lines (docs/metrics.md,
"Products"). `refresh_order_stats` calls `write_order_products` wherever orders are added, changed, moved or
re-priced; storage.repositories.products reads the rows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Float, case, cast, delete, func, insert, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Customer, Order, OrderLine, OrderProduct, Workspace
from storage.statuses import VALID_ORDER_STATUSES

# The orders a product figure may count: valid ones, and returned ones for the return rate.
KEPT_STATUSES: tuple[str, ...] = (*VALID_ORDER_STATUSES, "returned")


def product_key() -> Any:
    """The product a line belongs to: its SKU, else "name:" and its normalised name (None without either)."""
    sku = func.nullif(func.trim(OrderLine.sku), "")
    name = func.nullif(func.lower(func.trim(OrderLine.product_name)), "")
    return func.coalesce(sku, literal("name:") + name)


def line_value_base() -> Any:
    """A line's value in its workspace's base currency: unit price × quantity − line discount (the line total
    without a unit price) at its order's rate, the order's base value over its value; None when the order has
    no rate (a zero-value order has rate 1 in the base currency and none in another)."""
    amount = func.coalesce(
        cast(OrderLine.unit_price, Float) * OrderLine.quantity
        - func.coalesce(cast(OrderLine.line_discount, Float), 0.0),
        cast(OrderLine.line_total, Float),
        0.0,
    )
    base = select(Workspace.base_currency).where(Workspace.id == Order.workspace_id).scalar_subquery()
    rate = case(
        (Order.value_base.is_(None), None),
        (Order.order_value != 0, cast(Order.value_base, Float) / cast(Order.order_value, Float)),
        (Order.currency == base, 1.0),
        else_=None,
    )
    return amount * rate


def _rows(cond: Sequence[Any]) -> Any:
    """The order_products rows of the kept orders matching `cond`: one per (order, product) of their lines, in
    the table's order."""
    key = product_key()
    created = func.min(Order.created_at)
    return (
        select(
            func.min(Order.workspace_id),
            key,
            created,
            Order.id,
            func.min(Order.customer_id),
            func.min(Order.status),
            func.min(Order.platform),
            func.sum(OrderLine.quantity),
            func.sum(line_value_base()),
            func.max(OrderLine.product_name),
        )
        .select_from(OrderLine)
        .join(Order, Order.id == OrderLine.order_id)
        .where(*cond, Order.customer_id.is_not(None), Order.status.in_(KEPT_STATUSES), key.is_not(None))
        .group_by(Order.id, key)
        .order_by(func.min(Order.workspace_id), key, created, Order.id)
    )


COLUMNS = [
    "workspace_id",
    "product",
    "created_at",
    "order_id",
    "customer_id",
    "status",
    "platform",
    "units",
    "value",
    "name",
]
# A refresh of at least this share of a workspace's customers rewrites the workspace's rows whole, in the
# table's order: a first import of 1,000,000 orders then writes its 1.5 million rows one after the other
# (about 9 s on SQLite) instead of into random places of the table (about 20 s).
WHOLE_SHARE = 0.25
CHUNK = 5000


async def write_order_products(
    session: AsyncSession, *, workspace_id: int | None = None, customer_ids: Sequence[int] = ()
) -> None:
    """Rewrite the order_products rows of a whole workspace, or of these customers: their rows, and those of the
    orders they now hold, wherever the rows say the order was before."""
    t = OrderProduct
    if workspace_id is not None:
        await _write_workspace(session, workspace_id)
        return
    ids = sorted(set(customer_ids))
    workspace_of: dict[int, int] = {}
    for i in range(0, len(ids), CHUNK):
        rows = await session.execute(
            select(Customer.id, Customer.workspace_id).where(Customer.id.in_(ids[i : i + CHUNK]))
        )
        workspace_of.update((int(c), int(ws)) for c, ws in rows)
    whole = set()
    for ws, n in Counter(workspace_of.values()).items():
        everyone = await session.scalar(select(func.count()).where(Customer.workspace_id == ws))
        if n >= WHOLE_SHARE * (everyone or 0):
            await _write_workspace(session, ws)
            whole.add(ws)
    # the rest: customers of other workspaces, and customers no longer there (merged away)
    ids = [c for c in ids if workspace_of.get(c) not in whole]
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        held = select(Order.id).where(Order.customer_id.in_(chunk))
        await session.execute(delete(t).where(or_(t.customer_id.in_(chunk), t.order_id.in_(held))))
        await session.execute(insert(t).from_select(COLUMNS, _rows([Order.customer_id.in_(chunk)])))


async def _write_workspace(session: AsyncSession, workspace_id: int) -> None:
    t = OrderProduct
    await session.execute(delete(t).where(t.workspace_id == workspace_id))
    await session.execute(insert(t).from_select(COLUMNS, _rows([Order.workspace_id == workspace_id])))
