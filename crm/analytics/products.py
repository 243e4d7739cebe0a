"""Product figures from the repository's rows (docs/metrics.md, "Products"): rankings, category shares, pair
statistics, replenishment cycles and who is due. Pure functions of plain rows, so tests and the CLI share them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise
from zoneinfo import ZoneInfo

from storage.repositories.products import PairCount, ProductSales

# A replenishment cycle needs at least this many customers with two orders of the product.
MIN_CYCLE_CUSTOMERS = 5
DUE_WINDOW_DAYS = (
    7  # "due this week": the due day falls within the 7 days from the as-of date (or has passed)
)


def rank_products(sales: Iterable[ProductSales], by: str) -> list[ProductSales]:
    """Best sellers: by units, revenue or buyers, ties broken by revenue, then name."""
    return sorted(
        sales,
        key=lambda p: (-getattr(p, by), -round(p.revenue, 2), p.name.lower(), p.key),
    )


@dataclass(frozen=True)
class Share:
    group: str
    category: str
    name: str
    value: float
    share: float
    buyers: int  # customers of the group with a line in the category
    customers: int  # customers of the group (with a priced line in the period)


def category_shares(
    rows: Iterable[tuple[int, str, str, float]], group_of: dict[int, str] | None
) -> list[Share]:
    """Each category's share of each group's line value (one group "" without `group_of`), largest first per
    group; a customer `group_of` does not know is in no group."""
    value: dict[tuple[str, str], float] = defaultdict(float)
    buyers: dict[tuple[str, str], set[int]] = defaultdict(set)
    names: dict[str, str] = {}
    total: dict[str, float] = defaultdict(float)
    members: dict[str, set[int]] = defaultdict(set)
    for customer, cat, name, v in rows:
        group = "" if group_of is None else group_of.get(customer)
        if group is None:
            continue
        value[(group, cat)] += v
        buyers[(group, cat)].add(customer)
        names[cat] = name
        total[group] += v
        members[group].add(customer)
    out = [
        Share(
            group=g,
            category=c,
            name=names[c],
            value=v,
            share=v / total[g] if total[g] else 0.0,
            buyers=len(buyers[(g, c)]),
            customers=len(members[g]),
        )
        for (g, c), v in value.items()
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


@dataclass(frozen=True)
class Due:
    key: str
    name: str
    customer: int
    last: date
    days_since: int
    cycle: float


def _median(values: list[int]) -> float:
    s = sorted(values)
    mid = len(s) // 2
    return float(s[mid]) if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def cycles_and_due(
    rows: Iterable[tuple[str, str, int, datetime]], tz: ZoneInfo, today: date
) -> tuple[list[Cycle], list[Due]]:
    """Replenishment cycles per product and the customers due to reorder (docs/metrics.md, "Products").

    The cycle is the median of the whole local days between consecutive orders containing the product, over the
    customers with two or more such orders; a customer is due this week when the day a cycle after their last
    order containing it falls on or before the as-of date + 6 days, and they are not yet a whole cycle past it
    (then they have lapsed rather than being due)."""
    days: dict[tuple[str, int], list[date]] = defaultdict(list)
    names: dict[str, str] = {}
    for key, name, customer, at in rows:
        days[(key, customer)].append(at.astimezone(tz).date())
        names[key] = name
    gaps: dict[str, list[int]] = defaultdict(list)
    repeaters: dict[str, int] = defaultdict(int)
    last: dict[tuple[str, int], date] = {}
    for (key, customer), ds in days.items():
        ds.sort()
        last[(key, customer)] = ds[-1]
        if len(ds) >= 2:
            repeaters[key] += 1
            gaps[key].extend((b - a).days for a, b in pairwise(ds))
    cycles = []
    for key in sorted(names, key=lambda k: (names[k].lower(), k)):
        n = repeaters.get(key, 0)
        g = gaps.get(key, [])
        cycles.append(
            Cycle(key, names[key], _median(g) if n >= MIN_CYCLE_CUSTOMERS and g else None, n, len(g))
        )
    by_key = {c.key: c for c in cycles}
    due = []
    for (key, customer), when in last.items():
        cycle = by_key[key].days
        if cycle is None:
            continue
        since = (today - when).days
        if since + DUE_WINDOW_DAYS - 1 >= cycle and since < 2 * cycle:
            due.append(Due(key, names[key], customer, when, since, cycle))
    due.sort(key=lambda d: (d.name.lower(), -(d.days_since - d.cycle), d.customer))
    return cycles, due
