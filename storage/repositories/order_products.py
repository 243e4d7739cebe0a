"""The `order_products` rows (storage.models.OrderProduct): what a product is, what a line is worth in the base
currency, and the one statement that writes the rows of given orders from their lines (docs/metrics.md,
"Products"). `refresh_order_stats` calls `write_order_products` wherever orders are added, changed, moved or
re-priced; it keeps their monthly sums (`product_months`) with them. storage.repositories.products reads both."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Float, case, cast, delete, func, insert, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Customer, Order, OrderLine, OrderProduct, ProductMonth, Workspace
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
    # The rows deleted and written, whole: most are written again as they were (a customer's old orders, when
    # a new one arrives), and only the (workspace, product, month) cells whose rows differ are re-summed, and
    # only their months' blocks cleared.
    gone: Counter[tuple[Any, ...]] = Counter()
    written: Counter[tuple[Any, ...]] = Counter()
    whole_rows = [getattr(t, c) for c in COLUMNS]
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        held = select(Order.id).where(Order.customer_id.in_(chunk))
        gone.update(
            tuple(r)
            for r in await session.execute(
                delete(t).where(or_(t.customer_id.in_(chunk), t.order_id.in_(held))).returning(*whole_rows)
            )
        )
        written.update(
            tuple(r)
            for r in await session.execute(
                insert(t).from_select(COLUMNS, _rows([Order.customer_id.in_(chunk)])).returning(*whole_rows)
            )
        )
    from storage.repositories.product_blocks import invalidate_months

    touched = _cells(r[:3] for r in (gone - written) + (written - gone))
    await _write_months(session, touched)
    await invalidate_months(session, {(ws, month) for ws, _, month in touched})


async def _write_workspace(session: AsyncSession, workspace_id: int) -> None:
    from storage.repositories.product_blocks import invalidate_workspace

    t, m = OrderProduct, ProductMonth
    await session.execute(delete(t).where(t.workspace_id == workspace_id))
    await session.execute(insert(t).from_select(COLUMNS, _rows([Order.workspace_id == workspace_id])))
    await session.execute(delete(m).where(m.workspace_id == workspace_id))
    month = month_start(session, t.created_at)
    await session.execute(
        insert(m).from_select(
            MONTH_COLUMNS, _month_sums(month, [t.workspace_id == workspace_id]).group_by(month)
        )
    )
    await invalidate_workspace(session, workspace_id)


def month_start(session: AsyncSession, at: Any) -> Any:
    """The first instant of the UTC calendar month of a stored time (SQLite keeps UTC text)."""
    if session.get_bind().dialect.name == "sqlite":
        return func.substr(at, 1, 7) + literal("-01 00:00:00.000000")
    return func.timezone("UTC", func.date_trunc("month", func.timezone("UTC", at)))


MONTH_COLUMNS = [
    "workspace_id",
    "product",
    "month",
    "status",
    "platform",
    "units",
    "value",
    "orders",
    "unpriced",
    "name",
    "min_name",
]


def _month_sums(month: Any, cond: Sequence[Any]) -> Any:
    """The `product_months` rows of the order_products rows matching `cond`, grouped by everything but the
    month (the caller groups by it or fixes it)."""
    t = OrderProduct
    return (
        select(
            t.workspace_id,
            t.product,
            month,
            t.status,
            t.platform,
            func.sum(t.units),
            func.coalesce(func.sum(t.value), 0.0),
            func.count(),
            func.count(case((t.value.is_(None), 1))),
            func.max(t.name),
            func.min(t.name),
        )
        .where(*cond)
        .group_by(t.workspace_id, t.product, t.status, t.platform)
    )


def utc_month(at: datetime) -> datetime:
    """The first instant of the UTC calendar month of an aware time (a naive one is UTC)."""
    at = at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)
    return at.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def next_month(month: datetime) -> datetime:
    """The first instant of the calendar month after `month` (a first instant)."""
    return (
        month.replace(year=month.year + 1, month=1)
        if month.month == 12
        else month.replace(month=month.month + 1)
    )


def _cells(rows: Iterable[Any]) -> set[tuple[int, str, datetime]]:
    """(workspace, product, first instant of the UTC month) of returned (workspace, product, time) rows."""
    return {
        (
            int(ws),
            str(product),
            utc_month(at if isinstance(at, datetime) else datetime.fromisoformat(str(at))),
        )
        for ws, product, at in rows
    }


async def _write_months(session: AsyncSession, cells: set[tuple[int, str, datetime]]) -> None:
    """Rewrite the `product_months` rows of these (workspace, product, month) cells from order_products: per
    month, the products' ranges of that month only."""
    t, m = OrderProduct, ProductMonth
    per: dict[tuple[int, datetime], list[str]] = defaultdict(list)
    for ws, product, month in cells:
        per[(ws, month)].append(product)
    for (ws, month), products in sorted(per.items()):
        after = next_month(month)
        for i in range(0, len(products), 500):
            some = sorted(products[i : i + 500])
            await session.execute(
                delete(m).where(m.workspace_id == ws, m.month == month, m.product.in_(some))
            )
            cond = [t.workspace_id == ws, t.product.in_(some), t.created_at >= month, t.created_at < after]
            value = literal(month, type_=m.__table__.c.month.type)
            await session.execute(insert(m).from_select(MONTH_COLUMNS, _month_sums(value, cond)))
