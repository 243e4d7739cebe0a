"""Products repository: set-based aggregates over order lines (docs/metrics.md, "Products").

A product is one (workspace, SKU) where the line has a SKU, else its normalised name (trimmed, lower-cased). A
line's value is unit price × quantity − line discount (the line total where the export gives no unit price),
converted to the base currency with its order's rate (the order's base value over its value). Order-level
shipping and discounts are not allocated to products. Every function here is one statement; the domain
(crm.analytics.products) ranks, shares and medians the rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Float, and_, case, cast, distinct, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Order, OrderLine, Product
from storage.repositories.analytics import Scope, _customer_selection
from storage.statuses import VALID_ORDER_STATUSES

VALID = VALID_ORDER_STATUSES


def product_key() -> Any:
    """The product a line belongs to: its SKU, else "name:" and its normalised name (None without either)."""
    sku = func.nullif(func.trim(OrderLine.sku), "")
    name = func.nullif(func.lower(func.trim(OrderLine.product_name)), "")
    return func.coalesce(sku, literal("name:") + name)


def line_value_base(base_currency: str) -> Any:
    """A line's value in the base currency (None when its order has no rate)."""
    amount = func.coalesce(
        cast(OrderLine.unit_price, Float) * OrderLine.quantity
        - func.coalesce(cast(OrderLine.line_discount, Float), 0.0),
        cast(OrderLine.line_total, Float),
        0.0,
    )
    rate = case(
        (Order.value_base.is_(None), None),
        (Order.order_value != 0, cast(Order.value_base, Float) / cast(Order.order_value, Float)),
        (Order.currency == base_currency, 1.0),
        else_=None,
    )
    return amount * rate


def _order_conditions(
    scope: Scope, start: datetime | None, end: datetime, statuses: tuple[str, ...] = VALID
) -> list[Any]:
    cond: list[Any] = [
        Order.workspace_id == scope.workspace_id,
        Order.status.in_(statuses),
        Order.customer_id.is_not(None),
        Order.created_at < end,
    ]
    if start is not None:
        cond.append(Order.created_at >= start)
    if scope.platform:
        cond.append(Order.platform == scope.platform)
    cond.extend(_customer_selection(scope, Order.customer_id))
    return cond


def _lines(scope: Scope, start: datetime | None, end: datetime, statuses: tuple[str, ...] = VALID) -> Any:
    """The scope's order lines with a product, joined to their orders (the FROM and WHERE of every query)."""
    return (
        select()
        .select_from(OrderLine)
        .join(Order, Order.id == OrderLine.order_id)
        .where(*_order_conditions(scope, start, end, statuses), product_key().is_not(None))
    )


def _category(key: Any) -> Any:
    """The line's category: the catalogue's, else the product itself (its key)."""
    return func.coalesce(func.nullif(func.trim(Product.category), ""), key)


def _join_catalogue(q: Any, workspace_id: int) -> Any:
    return q.outerjoin(
        Product, and_(Product.workspace_id == workspace_id, Product.sku == func.trim(OrderLine.sku))
    )


@dataclass(frozen=True)
class ProductSales:
    key: str
    name: str
    units: int
    revenue: float  # priced lines only
    buyers: int
    orders: int
    unpriced_orders: int  # orders containing it without a rate (their lines are left out of revenue)


async def product_sales(
    session: AsyncSession, scope: Scope, start: datetime | None, end: datetime, base_currency: str
) -> list[ProductSales]:
    """Every product sold in the scope's valid orders in [start, end): units, revenue, distinct buyers and
    orders, in one grouped statement."""
    key = product_key().label("k")
    value = line_value_base(base_currency)
    q = _lines(scope, start, end).add_columns(
        key,
        func.max(OrderLine.product_name),
        func.sum(OrderLine.quantity),
        func.sum(func.coalesce(value, 0.0)),
        func.count(distinct(Order.customer_id)),
        func.count(distinct(Order.id)),
        func.count(distinct(case((Order.value_base.is_(None), Order.id)))),
    )
    rows = await session.execute(q.group_by(key))
    return [
        ProductSales(
            key=str(r[0]),
            name=str(r[1] or r[0]),
            units=int(r[2] or 0),
            revenue=float(r[3] or 0.0),
            buyers=int(r[4] or 0),
            orders=int(r[5] or 0),
            unpriced_orders=int(r[6] or 0),
        )
        for r in rows
    ]


async def category_values(
    session: AsyncSession, scope: Scope, start: datetime | None, end: datetime, base_currency: str
) -> list[tuple[int, str, str, float]]:
    """(customer, category, its name, line value) for every customer and category of the scope's priced valid
    lines in [start, end); a product without a catalogue category stands for its own."""
    key = product_key()
    cat = _category(key).label("c")
    value = line_value_base(base_currency)
    q = _lines(scope, start, end).where(Order.value_base.is_not(None))
    q = _join_catalogue(q, scope.workspace_id).add_columns(
        Order.customer_id,
        cat,
        func.max(func.coalesce(func.nullif(func.trim(Product.category), ""), OrderLine.product_name)),
        func.sum(value),
    )
    rows = await session.execute(q.group_by(Order.customer_id, cat))
    return [(int(r[0]), str(r[1]), str(r[2] or r[1]), float(r[3] or 0.0)) for r in rows]


@dataclass(frozen=True)
class PairCount:
    a: str
    b: str
    a_name: str
    b_name: str
    both: int
    a_orders: int
    b_orders: int
    orders: int


async def bought_together(
    session: AsyncSession, scope: Scope, start: datetime | None, end: datetime, min_orders: int
) -> tuple[int, list[PairCount]]:
    """(valid orders with a product line in [start, end), pairs of products in at least `min_orders` of them
    with their counts), in one statement of common table expressions."""
    key = product_key()
    op = (
        _lines(scope, start, end)
        .add_columns(
            Order.id.label("order_id"), key.label("k"), func.max(OrderLine.product_name).label("name")
        )
        .group_by(Order.id, key)
        .cte("order_products")
    )
    per = (
        select(op.c.k, func.count().label("n"), func.max(op.c.name).label("name"))
        .group_by(op.c.k)
        .cte("per_product")
    )
    total = select(func.count(distinct(op.c.order_id))).scalar_subquery()
    a, b = op.alias("a"), op.alias("b")
    pairs = (
        select(a.c.k.label("a"), b.c.k.label("b"), func.count().label("both"))
        .join_from(a, b, and_(a.c.order_id == b.c.order_id, a.c.k < b.c.k))
        .group_by(a.c.k, b.c.k)
        .having(func.count() >= min_orders)
        .cte("pairs")
    )
    pa, pb = per.alias("pa"), per.alias("pb")
    q = (
        select(pairs.c.a, pairs.c.b, pa.c.name, pb.c.name, pairs.c.both, pa.c.n, pb.c.n, total)
        .join_from(pairs, pa, pa.c.k == pairs.c.a)
        .join(pb, pb.c.k == pairs.c.b)
    )
    rows = (await session.execute(q)).all()
    if not rows:
        orders = (await session.execute(select(func.count(distinct(op.c.order_id))))).scalar() or 0
        return int(orders), []
    return int(rows[0][7]), [
        PairCount(
            str(r[0]),
            str(r[1]),
            str(r[2] or r[0]),
            str(r[3] or r[1]),
            int(r[4]),
            int(r[5]),
            int(r[6]),
            int(r[7]),
        )
        for r in rows
    ]


async def product_orders(
    session: AsyncSession, scope: Scope, end: datetime, keys: list[str] | None = None
) -> list[tuple[str, str, int, datetime]]:
    """(product, its name, customer, order time) for every valid order up to `end` containing the product (each
    order once per product), all products or only `keys`."""
    key = product_key()
    q = _lines(scope, None, end).add_columns(
        key, func.max(OrderLine.product_name), Order.customer_id, Order.created_at
    )
    if keys is not None:
        q = q.where(key.in_(keys))
    rows = await session.execute(q.group_by(key, Order.id, Order.customer_id, Order.created_at))
    return [(str(r[0]), str(r[1] or r[0]), int(r[2]), r[3]) for r in rows]


async def find_products(
    session: AsyncSession, workspace_id: int, text: str, limit: int = 20
) -> list[tuple[str, str]]:
    """(key, name) of the workspace's products whose SKU is `text` or whose name contains it (case-insensitive),
    most ordered first."""
    key = product_key()
    words = text.strip().lower()
    q = (
        select(key, func.max(OrderLine.product_name), func.count())
        .select_from(OrderLine)
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            Order.workspace_id == workspace_id,
            or_(
                func.lower(func.trim(OrderLine.sku)) == words,
                func.lower(OrderLine.product_name).contains(words, autoescape=True),
            ),
        )
        .group_by(key)
        .order_by(func.count().desc(), key)
        .limit(limit)
    )
    return [(str(r[0]), str(r[1] or r[0])) for r in await session.execute(q) if r[0] is not None]


async def product_returns(
    session: AsyncSession, scope: Scope, start: datetime | None, end: datetime
) -> list[tuple[str, str, int, int]]:
    """(product, name, returned orders containing it, valid or returned orders containing it) in [start, end)."""
    key = product_key().label("k")
    q = _lines(scope, start, end, (*VALID, "returned")).add_columns(
        key,
        func.max(OrderLine.product_name),
        func.count(distinct(case((Order.status == "returned", Order.id)))),
        func.count(distinct(Order.id)),
    )
    rows = await session.execute(q.group_by(key))
    return [(str(r[0]), str(r[1] or r[0]), int(r[2] or 0), int(r[3] or 0)) for r in rows]
