"""Products repository: set-based aggregates over `order_products` (docs/metrics.md, "Products").

A product is one (workspace, SKU) where the line has a SKU, else its normalised name (trimmed, lower-cased). A
line's value is unit price × quantity − line discount (the line total where the export gives no unit price),
converted to the base currency with its order's rate (the order's base value over its value). Order-level
shipping and discounts are not allocated to products. Both are worked out once per (order, product) when the
rows are written (storage.repositories.order_products); every function here reads those rows in one to three
grouped statements, and the domain (crm.analytics.products) ranks, shares and medians them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, case, distinct, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Order, OrderLine, OrderProduct, Product
from storage.repositories.analytics import Scope, _customer_selection, _epoch_seconds, _plain_rows
from storage.repositories.order_products import KEPT_STATUSES, product_key
from storage.statuses import VALID_ORDER_STATUSES

if TYPE_CHECKING:
    import numpy as np

VALID = VALID_ORDER_STATUSES
SEP = "\x1f"  # joins an order's product keys: a control character, which the importer keeps out of SKUs and names
OP = OrderProduct


def _keys(workspace_id: int) -> Any:
    """The workspace's products, one index seek each (a recursive walk of the product index from key to next
    key), so a period's rows are read as one range per product, in product order, with nothing to sort."""
    t = OrderProduct.__table__
    first = select(func.min(t.c.product).label("k")).where(t.c.workspace_id == workspace_id)
    keys = first.cte("product_keys", recursive=True)
    following = (
        select(func.min(t.c.product)).where(t.c.workspace_id == workspace_id, t.c.product > keys.c.k)
    ).scalar_subquery()
    keys = keys.union_all(select(following).where(keys.c.k.is_not(None)))
    return select(keys.c.k).where(keys.c.k.is_not(None))


def _conditions(
    scope: Scope,
    start: datetime | None,
    end: datetime,
    statuses: tuple[str, ...] = VALID,
    keys: list[str] | None = None,
) -> list[Any]:
    """The WHERE of every read: the scope's rows of orders in [start, end) with these statuses, of every product
    or only `keys` (then those are the ranges read: with both, SQLite walked every product's range)."""
    cond: list[Any] = [
        OP.workspace_id == scope.workspace_id,
        OP.product.in_(_keys(scope.workspace_id) if keys is None else keys),
        OP.created_at < end,
        OP.status.in_(statuses),
    ]
    if start is not None:
        cond.append(OP.created_at >= start)
    if scope.platform:
        cond.append(OP.platform == scope.platform)
    cond.extend(_customer_selection(scope, OP.customer_id))
    return cond


def _category(key: Any) -> Any:
    """The row's category: the catalogue's, else the product itself (its key)."""
    return func.coalesce(func.nullif(func.trim(Product.category), ""), key)


def _join_catalogue(q: Any, workspace_id: int) -> Any:
    return q.outerjoin(Product, and_(Product.workspace_id == workspace_id, Product.sku == OP.product))


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
    session: AsyncSession,
    scope: Scope,
    start: datetime | None,
    end: datetime,
    keys: list[str] | None = None,
    *,
    buyers: bool = True,
) -> list[ProductSales]:
    """Every product sold in the scope's valid orders in [start, end) (or only `keys`): units, revenue,
    distinct buyers and orders, in one grouped statement. Without `buyers` their count is left at 0: counting
    distinct customers is half the statement's time, and a ranking by units or revenue needs it only for the
    products it shows."""
    q = (
        select(
            OP.product,
            func.max(OP.name),
            func.sum(OP.units),
            func.sum(func.coalesce(OP.value, 0.0)),
            func.count(distinct(OP.customer_id)) if buyers else literal(0),
            func.count(),
            func.count(case((OP.value.is_(None), 1))),
        )
        .where(*_conditions(scope, start, end, keys=keys))
        .group_by(OP.product)
    )
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
        for r in await session.execute(q)
    ]


async def category_values(
    session: AsyncSession, scope: Scope, start: datetime | None, end: datetime
) -> list[tuple[int, str, str, float]]:
    """(customer, category, its name, line value) for every customer and category of the scope's priced valid
    lines in [start, end); a product without a catalogue category stands for its own."""
    cat = _category(OP.product).label("c")
    q = _join_catalogue(
        select(
            OP.customer_id,
            cat,
            func.max(func.coalesce(func.nullif(func.trim(Product.category), ""), OP.name)),
            func.sum(OP.value),
        ).where(*_conditions(scope, start, end), OP.value.is_not(None)),
        scope.workspace_id,
    )
    # The driver's own rows: a year holds about half a million (customer, category) pairs at 1,000,000 orders.
    rows = await _plain_rows(session, q.group_by(OP.customer_id, cat))
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
    with their counts). Each order with two or more products comes back as the list of its products, and the
    pairs are counted here: grouping the rows by order once is a fifth of the time of joining every row to the
    other products of its order."""
    cond = _conditions(scope, start, end)
    per = {
        str(r[0]): (int(r[1]), str(r[2] or r[0]))
        for r in await session.execute(
            select(OP.product, func.count(), func.max(OP.name)).where(*cond).group_by(OP.product)
        )
    }
    orders = int(
        (await session.execute(select(func.count(distinct(OP.order_id))).where(*cond))).scalar() or 0
    )
    baskets = await session.execute(
        select(func.aggregate_strings(OP.product, SEP))
        .where(*cond)
        .group_by(OP.order_id)
        .having(func.count() >= 2)
    )
    both: Counter[tuple[str, str]] = Counter()
    for (basket,) in baskets:
        both.update(combinations(sorted(basket.split(SEP)), 2))
    return orders, [
        PairCount(a, b, per[a][1], per[b][1], n, per[a][0], per[b][0], orders)
        for (a, b), n in both.items()
        if n >= min_orders
    ]


@dataclass(frozen=True)
class ProductOrders:
    """Every valid order up to a moment containing a product, once per product, as aligned arrays: the
    product (an index into `keys`), the customer, the order time (UTC epoch seconds)."""

    keys: list[str]
    names: dict[str, str]
    product: np.ndarray
    customer: np.ndarray
    at: np.ndarray


async def product_orders(
    session: AsyncSession, scope: Scope, end: datetime, keys: list[str] | None = None
) -> ProductOrders:
    """The valid orders up to `end` containing each product (all products or only `keys`): at 1,000,000 orders
    about 1.5 million rows, read as the driver's plain tuples into arrays (building a row object and a
    datetime for each took 5 of the 15 seconds the replenishment answer took)."""
    import numpy as np

    cond = _conditions(scope, None, end, keys=keys)
    names = {
        str(r[0]): str(r[1] or r[0])
        for r in await session.execute(
            select(OP.product, func.max(OP.name)).where(*cond).group_by(OP.product)
        )
    }
    rows = await _plain_rows(
        session, select(OP.product, OP.customer_id, _epoch_seconds(session, OP.created_at)).where(*cond)
    )
    index: dict[str, int] = {}
    product = np.fromiter((index.setdefault(r[0], len(index)) for r in rows), np.int64, len(rows))
    customer = np.fromiter((r[1] for r in rows), np.int64, len(rows))
    at = np.fromiter((r[2] for r in rows), np.int64, len(rows))
    return ProductOrders(list(index), names, product, customer, at)


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
    q = (
        select(OP.product, func.max(OP.name), func.count(case((OP.status == "returned", 1))), func.count())
        .where(*_conditions(scope, start, end, KEPT_STATUSES))
        .group_by(OP.product)
    )
    return [(str(r[0]), str(r[1] or r[0]), int(r[2] or 0), int(r[3] or 0)) for r in await session.execute(q)]
