"""Product figures from the repository's rows (docs/metrics.md, "Products"): rankings, category shares, pair
statistics, replenishment cycles and who is due. Pure functions of plain rows, so tests and the CLI share them."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from storage.repositories.products import PairCount, ProductOrders, ProductRows, ProductSales

if TYPE_CHECKING:
    import numpy as np

# A replenishment cycle needs at least this many customers with two orders of the product.
MIN_CYCLE_CUSTOMERS = 5
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()  # local days below count from 1970-01-01
DUE_WINDOW_DAYS = (
    7  # "due this week": the due day falls within the 7 days from the as-of date (or has passed)
)


def rank_products(sales: Iterable[ProductSales], by: str) -> list[ProductSales]:
    """Best sellers: by units, revenue or buyers, ties broken by revenue, then name."""
    return sorted(
        sales,
        key=lambda p: (-getattr(p, by), -round(p.revenue, 2), p.name.lower(), p.key),
    )


def buyers_per_product(rows: ProductRows) -> dict[str, int]:
    """The distinct customers of each product of rows holding their customer."""
    from storage.arrays import distinct_counts

    (customer,) = rows.columns
    if not len(customer):
        return {}
    counts = distinct_counts(rows.product, customer, len(rows.keys))
    return dict(zip(rows.keys, counts.tolist(), strict=True))


def sales_of(rows: ProductRows) -> list[ProductSales]:
    """Each product's units, revenue (priced rows), distinct buyers, orders and orders without a rate, of rows
    holding their units, value (NaN without a rate) and customer, in key order."""
    import numpy as np

    from storage.arrays import distinct_counts

    units, value, customer = rows.columns
    n = len(rows.keys)
    priced = ~np.isnan(value)
    unit_sums = np.zeros(n, np.int64)
    np.add.at(unit_sums, rows.product, units.astype(np.int64))
    revenue = np.bincount(rows.product[priced], weights=value[priced], minlength=n)
    orders = np.bincount(rows.product, minlength=n)
    unpriced = orders - np.bincount(rows.product[priced], minlength=n)
    buyers = distinct_counts(rows.product, customer, n)
    return [
        ProductSales(key, name, u, float(r), b, o, x)
        for key, name, u, r, b, o, x in zip(
            rows.keys,
            rows.names,
            unit_sums.tolist(),
            revenue.tolist(),
            buyers.tolist(),
            orders.tolist(),
            unpriced.tolist(),
            strict=True,
        )
    ]


@dataclass(frozen=True)
class Share:
    group: str
    category: str
    name: str
    value: float
    share: float
    buyers: int  # customers of the group with a line in the category
    customers: int  # customers of the group (with a priced line in the period)


@dataclass(frozen=True)
class Groups:
    """Customers' groups as arrays: `ids` ascending, `codes` aligned (an index into `names`)."""

    ids: np.ndarray
    codes: np.ndarray
    names: list[str]


def category_shares(rows: ProductRows, categories: dict[str, str], groups: Groups | None) -> list[Share]:
    """Each category's share of each group's line value (one group "" without `groups`), largest first per
    group; a customer `groups` does not know is in no group. `rows` holds each priced row's customer and value;
    a product without a catalogue category (`categories`) stands for its own, under its name. Folded with
    bincount: a (customer, category) pair per row through Python took 2 s for a year at 1,000,000 orders."""
    import numpy as np

    from storage.arrays import codes_of, distinct_counts, distinct_ids

    customer, value = rows.columns
    if not len(customer):
        return []
    index: dict[str, int] = {}
    names: dict[int, str] = {}
    of_product = []
    for key, name in zip(rows.keys, rows.names, strict=True):
        cat = categories.get(key, key)
        of_product.append(index.setdefault(cat, len(index)))
        names[index[cat]] = categories.get(key, name)
    cat = np.asarray(of_product, np.int64)[rows.product]
    if groups is None:
        group, group_names = np.zeros(len(customer), np.int64), [""]
    else:
        group, group_names = codes_of(customer, groups.ids, groups.codes), groups.names
        known = group >= 0
        customer, value, cat, group = customer[known], value[known], cat[known], group[known]
        if not len(customer):
            return []
    n_cat, n_group = len(index), len(group_names)
    cell = group * n_cat + cat
    cells = n_group * n_cat
    amount = np.bincount(cell, weights=value, minlength=cells)
    seen = np.bincount(cell, minlength=cells) > 0
    buyers = distinct_counts(cell, customer, cells)
    distinct = distinct_ids(customer)
    if groups is None:
        members = np.array([len(distinct)])
    else:
        members = np.bincount(codes_of(distinct, groups.ids, groups.codes), minlength=n_group)
    total = np.bincount(group, weights=value, minlength=n_group)
    category_keys = list(index)
    out = [
        Share(
            group=group_names[g],
            category=category_keys[c],
            name=names[c],
            value=float(amount[i]),
            share=float(amount[i] / total[g]) if total[g] else 0.0,
            buyers=int(buyers[i]),
            customers=int(members[g]),
        )
        for i in np.flatnonzero(seen).tolist()
        for g, c in [divmod(i, n_cat)]
    ]
    out.sort(key=lambda s: (s.group, -s.value, s.name.lower()))
    return out


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    both: int
    support: float
    confidence_ab: float
    confidence_ba: float
    lift: float


def pair_stats(orders: int, pairs: Iterable[PairCount]) -> list[Pair]:
    """Support, confidence both ways and lift of each pair, by lift, then support, then names."""
    out = []
    for p in pairs:
        support = p.both / orders
        conf_ab, conf_ba = p.both / p.a_orders, p.both / p.b_orders
        out.append(
            Pair(p.a_name, p.b_name, p.both, support, conf_ab, conf_ba, conf_ab / (p.b_orders / orders))
        )
    out.sort(key=lambda x: (-round(x.lift, 9), -x.support, x.a.lower(), x.b.lower()))
    return out


@dataclass(frozen=True)
class Cycle:
    key: str
    name: str
    days: float | None  # None below MIN_CYCLE_CUSTOMERS
    customers: int  # customers with two or more orders of it
    gaps: int
    due: int = 0  # customers due to reorder it this week


@dataclass(frozen=True)
class Due:
    key: str
    name: str
    customer: int
    last: date
    days_since: int
    cycle: float


def cycles_and_due(
    orders: ProductOrders, tz: ZoneInfo, today: date, *, customers: bool = True
) -> tuple[list[Cycle], list[Due]]:
    """Replenishment cycles per product and the customers due to reorder (docs/metrics.md, "Products").

    The cycle is the median of the whole local days between consecutive orders containing the product, over the
    customers with two or more such orders; a customer is due this week when the day a cycle after their last
    order containing it falls on or before the as-of date + 6 days, and they are not yet a whole cycle past it
    (then they have lapsed rather than being due). Computed on arrays: each (product, customer)'s orders are
    one run once sorted by product, customer and day. Each cycle counts its customers due; they are listed
    only with `customers` (a table of every product shows the counts: about 100,000 customers at 1,000,000
    orders)."""
    import numpy as np

    keys = orders.keys
    if not keys:
        return [], []
    from crm.analytics.metrics import local_days

    p, c, d = sort_rows(orders.product, orders.customer, local_days(orders.at, tz))
    same = (p[1:] == p[:-1]) & (c[1:] == c[:-1])  # row i + 1 follows row i in one (product, customer) run
    gap, gap_product = (d[1:] - d[:-1])[same], p[1:][same]
    run_second = same & ~np.concatenate(([False], same[:-1]))  # the second order of each run of two or more
    repeaters = np.bincount(p[1:][run_second], minlength=len(keys))
    _, gap = sort_rows(gap_product, gap)
    counts = np.bincount(gap_product, minlength=len(keys))
    bounds = np.concatenate(([0], np.cumsum(counts)))
    names = orders.names
    cycle_of = [
        _median_sorted(gap[bounds[i] : bounds[i + 1]])
        if repeaters[i] >= MIN_CYCLE_CUSTOMERS and bounds[i + 1] > bounds[i]
        else None
        for i in range(len(keys))
    ]
    last = np.concatenate((~same, [True]))  # the last order of each run
    cycle = np.array([np.nan if x is None else x for x in cycle_of])[p[last]]
    since = today.toordinal() - EPOCH_ORDINAL - d[last]
    is_due = (since + DUE_WINDOW_DAYS - 1 >= cycle) & (since < 2 * cycle)  # False where there is no cycle
    due_count = np.bincount(p[last][is_due], minlength=len(keys))
    cycles = [
        Cycle(keys[i], names[keys[i]], cycle_of[i], int(repeaters[i]), int(counts[i]), int(due_count[i]))
        for i in sorted(range(len(keys)), key=lambda i: (names[keys[i]].lower(), keys[i]))
    ]
    if not customers:
        return cycles, []
    due = [
        Due(keys[i], names[keys[i]], customer, date.fromordinal(EPOCH_ORDINAL + day), n, cycle_of[i] or 0.0)
        for i, customer, day, n in zip(
            p[last][is_due].tolist(),
            c[last][is_due].tolist(),
            d[last][is_due].tolist(),
            since[is_due].tolist(),
            strict=True,
        )
    ]
    due.sort(key=lambda d: (d.name.lower(), -(d.days_since - d.cycle), d.customer))
    return cycles, due


def sort_rows(*columns: np.ndarray) -> list[np.ndarray]:
    """Integer columns of the same length sorted as rows, by the first, then the second, ...: one sort of a
    key that packs each row into an int64 where their ranges fit (np.lexsort of three columns of 1.5 million
    took 370 ms, the sort of their key 90 ms), else np.lexsort."""
    import numpy as np

    if not len(columns[0]):
        return list(columns)
    low = [int(col.min()) for col in columns]
    span = [int(col.max()) - lo + 1 for col, lo in zip(columns, low, strict=True)]
    if math.prod(span) >= 2**63:
        order = np.lexsort(columns[::-1])
        return [col[order] for col in columns]
    key = columns[0] - low[0]
    for col, lo, n in zip(columns[1:], low[1:], span[1:], strict=True):
        key = key * n + (col - lo)
    key = np.sort(key)
    out = []
    for lo, n in zip(low[:0:-1], span[:0:-1], strict=True):
        key, rest = np.divmod(key, n)
        out.append(rest + lo)
    return [key + low[0], *out[::-1]]


def _median_sorted(s: np.ndarray) -> float:
    mid = len(s) // 2
    return float(s[mid]) if len(s) % 2 else (int(s[mid - 1]) + int(s[mid])) / 2


async def pack_product_months(db: Any, workspace_id: int) -> None:
    """Pack every month of the workspace's product rows that an import or another change cleared
    (storage.repositories.product_blocks), so that the next product question does not wait for it: after a
    first import of 1,000,000 orders that is about 4 s."""
    from datetime import UTC, datetime

    from storage.repositories.product_blocks import read_blocks

    async with db.sessions() as session:
        await read_blocks(session, workspace_id, None, datetime(9999, 1, 1, tzinfo=UTC))
