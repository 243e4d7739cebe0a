"""Products repository: set-based aggregates over `order_products` (docs/metrics.md, "Products").

A product is one (workspace, SKU) where the line has a SKU, else its normalised name (trimmed, lower-cased). A
line's value is unit price × quantity − line discount (the line total where the export gives no unit price),
converted to the base currency with its order's rate (the order's base value over its value). Order-level
shipping and discounts are not allocated to products. Both are worked out once per (order, product) when the
rows are written (storage.repositories.order_products); every function here reads those rows in one to three
grouped statements, and the domain (crm.analytics.products) ranks, shares and medians them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.arrays import codes_of
from storage.models import Customer, Order, OrderLine, OrderProduct, Product, ProductMonth
from storage.repositories.analytics import (
    Scope,
    _customer_selection,
    _plain_rows,
)
from storage.repositories.order_products import KEPT_STATUSES, next_month, product_key, utc_month
from storage.repositories.product_blocks import WIDEST, micros_of, read_blocks
from storage.statuses import VALID_ORDER_STATUSES

if TYPE_CHECKING:
    import numpy as np

VALID = VALID_ORDER_STATUSES
OP = OrderProduct


def product_keys(workspace_id: int) -> Any:
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
        OP.product.in_(product_keys(scope.workspace_id) if keys is None else keys),
        OP.created_at < end,
        OP.status.in_(statuses),
    ]
    if start is not None:
        cond.append(OP.created_at >= start)
    if scope.platform:
        cond.append(OP.platform == scope.platform)
    cond.extend(_customer_selection(scope, OP.customer_id))
    return cond


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
    session: AsyncSession, scope: Scope, start: datetime | None, end: datetime
) -> list[ProductSales]:
    """Every product sold in the scope's valid orders in [start, end): units, revenue and orders (buyers left at
    0), the whole UTC months of the period read from their sums (`by_months`). A ranking by units or revenue
    counts the buyers only of the products it shows (`product_customers`); a ranking by buyers, or of chosen
    customers, folds the rows themselves (crm.analytics.products.sales_of over `product_rows`)."""

    def rows(start: datetime | None, end: datetime) -> Any:
        return (
            select(
                OP.product,
                func.max(OP.name),
                func.min(OP.name),
                func.sum(OP.units),
                func.sum(func.coalesce(OP.value, 0.0)),
                func.count(),
                func.count(case((OP.value.is_(None), 1))),
            )
            .where(*_conditions(scope, start, end))
            .group_by(OP.product)
        )

    pm = ProductMonth
    months = [func.sum(pm.units), func.sum(pm.value), func.sum(pm.orders), func.sum(pm.unpriced)]
    found = await by_months(session, scope, start, end, VALID, rows, months)
    return [
        ProductSales(key, name, int(units), float(value), 0, int(orders), int(unpriced))
        for key, name, units, value, orders, unpriced in found
    ]


def display_name(smallest: str | None, largest: str | None, key: str) -> str:
    """The name a product is shown with, from the smallest and largest of its rows' names: the one name, or
    what the names share at their start when that is a name ("Cushion Foundation" of "Cushion Foundation" and
    "Cushion Foundation - #25 Tan": a SKU's variants), else the largest; its key without a name. A variant's
    own name alone would label every variant's units."""
    if largest is None or smallest is None:
        return largest or smallest or key
    if smallest == largest:
        return largest
    same = 0
    while same < min(len(smallest), len(largest)) and smallest[same] == largest[same]:
        same += 1
    shared = smallest[:same]
    # back to a word's end in both: "Cat" is not what "Cat Treats" and "Catnip Toy" share
    while shared and any(len(n) > len(shared) and n[len(shared)].isalnum() for n in (smallest, largest)):
        shared = shared[:-1]
    shared = shared.rstrip(" -–—,/:;|(#").strip()
    return shared if len(shared) >= 3 else largest


def selects_customers(scope: Scope) -> bool:
    """Whether the scope chooses customers (by country, tag or a list), which the monthly sums cannot."""
    return scope.customer_ids is not None or bool(scope.country) or bool(scope.tag)


async def by_months(
    session: AsyncSession,
    scope: Scope,
    start: datetime | None,
    end: datetime,
    statuses: tuple[str, ...],
    rows: Callable[[datetime | None, datetime], Any],
    sums: Sequence[Any],
    *,
    monthly: bool = True,
) -> list[tuple[Any, ...]]:
    """(product, name, *figures) of each product in [start, end): `rows(start, end)` is the statement over
    order_products, grouped by product, giving (product, largest name, smallest name, *figures); `sums` the same figures over `product_months` (of rows
    with `statuses`), as sums. With `monthly` and no customer selection the whole UTC months of the period are
    read from product_months (a year at 1,000,000 orders: 20,000 rows instead of 850,000) and only the days
    before and after them from order_products; the figures of the parts are added (names: the largest)."""
    months = _whole_months(start, end) if monthly and not selects_customers(scope) else None
    if months is None:
        return [
            (str(r[0]), display_name(r[2], r[1], str(r[0])), *r[3:])
            for r in await session.execute(rows(start, end))
        ]
    first, last = months
    pm = ProductMonth
    cond = [pm.workspace_id == scope.workspace_id, pm.status.in_(statuses), pm.month < last]
    if first is not None:
        cond.append(pm.month >= first)
    if scope.platform:
        cond.append(pm.platform == scope.platform)
    q = select(pm.product, func.max(pm.name), func.min(pm.min_name), *sums).where(*cond).group_by(pm.product)
    parts = list(await session.execute(q))
    if first is not None and start is not None and start < first:
        parts += await session.execute(rows(start, first))
    if last < end:
        parts += await session.execute(rows(last, end))
    total: dict[str, list[Any]] = {}
    for key, largest, smallest, *figures in parts:
        seen = total.get(key)
        if seen is None:
            total[key] = [largest, smallest, *(f or 0 for f in figures)]
        else:  # the largest and smallest names of the parts that have one, as over all the rows
            seen[0] = max((n for n in (seen[0], largest) if n is not None), default=None)
            seen[1] = min((n for n in (seen[1], smallest) if n is not None), default=None)
            for i, f in enumerate(figures, start=2):
                seen[i] += f or 0
    return [(str(key), display_name(v[1], v[0], str(key)), *v[2:]) for key, v in total.items()]


def _whole_months(start: datetime | None, end: datetime) -> tuple[datetime | None, datetime] | None:
    """(first, last): the whole UTC calendar months in [start, end) are [first, last) (first None: all before
    last); None when there is no whole month."""
    last = utc_month(end)
    if start is None:
        return None, last
    first = utc_month(start)
    if first < start:
        first = next_month(first)
    return (first, last) if first < last else None


async def product_customers(
    session: AsyncSession, scope: Scope, start: datetime | None, end: datetime, keys: list[str]
) -> ProductRows:
    """The customer of each of the scope's valid rows of `keys` in [start, end), as arrays (distinct buyers are
    counted from them: SQL's count(DISTINCT) built a tree per product, 180 ms for the year's ten best sellers
    at 1,000,000 orders)."""
    return await product_rows(session, scope, start, end, ["customer"], keys=keys)


@dataclass(frozen=True)
class ProductRows:
    """Rows of `order_products` as aligned arrays: `product` indexes `keys` (ascending) and `names`, and each of
    `columns` holds one column asked for."""

    keys: list[str]
    names: list[str]
    product: np.ndarray
    columns: list[np.ndarray]


async def product_rows(
    session: AsyncSession,
    scope: Scope,
    start: datetime | None,
    end: datetime,
    columns: Sequence[str],
    *,
    keys: list[str] | None = None,
    priced: bool = False,
    statuses: tuple[str, ...] = VALID,
) -> ProductRows:
    """Columns (named as in product_blocks.WIDEST: customer, at in UTC microseconds, order, units, value) of
    the scope's rows in [start, end) with these statuses (of every product or only `keys`; with `priced` only
    rows with a value), read from the month blocks (storage.repositories.product_blocks) and filtered there:
    a row per (order, product) through the driver cost more than the figures (a year at 1,000,000 orders is
    850,000 rows). A product's name is the largest of its rows' names in the period, else its key."""
    import numpy as np

    blocks = await read_blocks(session, scope.workspace_id, start, end)
    chosen = await _chosen_customers(session, scope)
    wanted = [KEPT_STATUSES.index(s) for s in statuses]
    low = None if start is None else micros_of(start)
    high = micros_of(end)
    key_set = None if keys is None else set(keys)
    index: dict[str, int] = {}
    largest: dict[int, str] = {}
    smallest: dict[int, str] = {}
    products, parts = [], []
    for block in blocks:
        c = block.columns
        mask = np.isin(c["status"], wanted)
        if low is not None and low > micros_of(block.month):
            mask &= c["at"] >= low
        if high < micros_of(next_month(block.month)):
            mask &= c["at"] < high
        if scope.platform:
            if scope.platform not in block.platforms:
                continue
            mask &= c["platform"] == block.platforms.index(scope.platform)
        if priced:
            mask &= ~np.isnan(c["value"])
        if key_set is not None:
            mask &= np.isin(c["product"], [i for i, k in enumerate(block.keys) if k in key_set])
        if chosen is not None:
            mask &= codes_of(c["customer"], chosen, np.zeros(len(chosen), np.int64)) >= 0
        rows = np.flatnonzero(mask)
        if not len(rows):
            continue
        product = c["product"][rows]
        starts = np.flatnonzero(np.concatenate(([True], product[1:] != product[:-1])))
        # the largest and smallest name codes of each product's rows (names are in ascending order; -1: none)
        named = c["name"][rows]
        top = np.maximum.reduceat(named, starts)
        low_code = np.minimum.reduceat(np.where(named < 0, len(block.names), named), starts)
        code = np.full(len(block.keys), -1, np.int64)
        for p, n, m in zip(product[starts].tolist(), top.tolist(), low_code.tolist(), strict=True):
            g = code[p] = index.setdefault(block.keys[p], len(index))
            if n >= 0:
                largest[g] = max(largest.get(g, block.names[n]), block.names[n])
                smallest[g] = min(smallest.get(g, block.names[m]), block.names[m])
        products.append(code[product])
        parts.append([c[col][rows] for col in columns])
    ordered = sorted(index)
    position = np.empty(len(index), np.int64)
    position[[index[k] for k in ordered]] = np.arange(len(ordered))
    return ProductRows(
        keys=ordered,
        names=[display_name(smallest.get(index[k]), largest.get(index[k]), k) for k in ordered],
        product=position[np.concatenate(products)] if products else np.empty(0, np.int64),
        columns=[
            np.concatenate([p[j] for p in parts]) if parts else np.empty(0, np.dtype(WIDEST[col]))
            for j, col in enumerate(columns)
        ],
    )


async def _chosen_customers(session: AsyncSession, scope: Scope) -> np.ndarray | None:
    """The ids, ascending, of the customers the scope chooses (None: everyone)."""
    import numpy as np

    if not selects_customers(scope):
        return None
    if not scope.country and not scope.tag:
        return np.array(sorted(scope.customer_ids or ()), np.int64)
    q = select(Customer.id).where(
        Customer.workspace_id == scope.workspace_id, *_customer_selection(scope, Customer.id)
    )
    return np.sort(np.array([r[0] for r in await _plain_rows(session, q)], np.int64))


async def category_rows(
    session: AsyncSession, scope: Scope, start: datetime | None, end: datetime
) -> tuple[ProductRows, dict[str, str]]:
    """(the customer and value of each of the scope's priced valid rows in [start, end); the catalogue's
    category of each of their products that has one)."""

    rows = await product_rows(session, scope, start, end, ["customer", "value"], priced=True)
    if not rows.keys:
        return rows, {}
    category = func.trim(Product.category)
    found = await session.execute(
        select(Product.sku, category).where(
            Product.workspace_id == scope.workspace_id, func.coalesce(category, "") != ""
        )
    )
    return rows, {str(k): str(c) for k, c in found}


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
    with their counts). Each row is an (order, product); sorted by order, the pairs of an order are the rows
    one, two, ... places apart within it, counted as codes by NumPy (a basket per order through Python, and
    its pairs through itertools, cost four times as much)."""
    import numpy as np

    rows = await product_rows(session, scope, start, end, ["order"])
    (order,) = rows.columns
    if not len(order):
        return 0, []
    p = np.int64(len(rows.keys))
    per = np.bincount(rows.product, minlength=int(p))  # orders containing each product (a row per order)
    by = np.lexsort((rows.product, order))
    order, product = order[by], rows.product[by]
    orders = int(np.count_nonzero(order[1:] != order[:-1])) + 1
    codes = []
    for apart in range(1, len(order)):
        same = order[apart:] == order[:-apart]
        if not same.any():
            break
        codes.append(product[:-apart][same] * p + product[apart:][same])  # the first has the smaller key
    if not codes:
        return orders, []
    code, both = np.unique(np.concatenate(codes), return_counts=True)
    keep = both >= min_orders
    names, keys = rows.names, rows.keys
    return orders, [
        PairCount(keys[a], keys[b], names[a], names[b], n, int(per[a]), int(per[b]), orders)
        for a, b, n in zip(
            (code[keep] // p).tolist(), (code[keep] % p).tolist(), both[keep].tolist(), strict=True
        )
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
    about 1.5 million rows."""
    import numpy as np

    rows = await product_rows(session, scope, None, end, ["customer", "at"], keys=keys)
    customer, at = rows.columns
    seconds = at.astype(np.int64) // 1_000_000
    return ProductOrders(
        rows.keys, dict(zip(rows.keys, rows.names, strict=True)), rows.product, customer, seconds
    )


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

    def rows(start: datetime | None, end: datetime) -> Any:
        return (
            select(
                OP.product,
                func.max(OP.name),
                func.min(OP.name),
                func.count(case((OP.status == "returned", 1))),
                func.count(),
            )
            .where(*_conditions(scope, start, end, KEPT_STATUSES))
            .group_by(OP.product)
        )

    pm = ProductMonth
    sums = [func.sum(case((pm.status == "returned", pm.orders), else_=0)), func.sum(pm.orders)]
    found = await by_months(session, scope, start, end, KEPT_STATUSES, rows, sums)
    return [(key, name, int(returned), int(n)) for key, name, returned, n in found]
