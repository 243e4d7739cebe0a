"""Analytics repository: set-based aggregates over valid orders (the only place analytics SQL is written)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Float,
    Integer,
    LargeBinary,
    Select,
    Table,
    any_,
    bindparam,
    case,
    cast,
    delete,
    distinct,
    exists,
    func,
    insert,
    literal,
    literal_column,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from storage import tables
from storage.statuses import ORDER_STATUSES, VALID_ORDER_STATUSES
from storage.tables import CLOSE_REPEAT_POSTGRESQL, CLOSE_REPEAT_SQLITE, MONEY_SCALE

if TYPE_CHECKING:
    import numpy as np  # imported by the functions that build arrays: a KPI needs none

VALID = VALID_ORDER_STATUSES


@dataclass(frozen=True)
class Scope:
    """Which orders and customers a metric looks at (docs/metrics.md: platform filters orders; country, tag and
    segment select customers). `customer_ids` carries a segment (or any precomputed selection)."""

    workspace_id: int
    platform: str | None = None
    country: str | None = None
    tag: str | None = None
    customer_ids: frozenset[int] | None = None


def _customer_selection(scope: Scope, customer_col: Any) -> list[Any]:
    """Conditions on a customer id column for the scope's country, tag and segment."""
    cond: list[Any] = []
    if scope.country:
        cond.append(
            customer_col.in_(
                select(tables.customers.c.id).where(
                    tables.customers.c.workspace_id == scope.workspace_id, customer_country() == scope.country
                )
            )
        )
    if scope.tag:
        cond.append(
            customer_col.in_(
                select(tables.customer_tags.c.customer_id)
                .join(tables.tags, tables.tags.c.id == tables.customer_tags.c.tag_id)
                .where(
                    tables.tags.c.workspace_id == scope.workspace_id,
                    func.lower(tables.tags.c.name) == scope.tag.lower(),
                )
            )
        )
    if scope.customer_ids is not None:
        # Rendered inline: a segment can hold more customers than a statement may have parameters.
        cond.append(
            customer_col.in_(
                bindparam(
                    "scope_customer_ids", sorted(scope.customer_ids), expanding=True, literal_execute=True
                )
            )
        )
    return cond


def _value() -> Any:
    return func.coalesce(cast(tables.orders.c.value_base, Float), 0.0)


def customer_country() -> Any:
    """A customer's country: the importer keeps `customers.country` at the country of the most recent valid
    order; when it is missing, that order's country is looked up (COALESCE evaluates it only then)."""
    o = tables.orders.alias("latest_order")
    latest = (
        select(o.c.country)
        .where(o.c.customer_id == tables.customers.c.id, o.c.status.in_(VALID), o.c.country.is_not(None))
        .order_by(o.c.created_at.desc(), o.c.id.desc())
        .limit(1)
        .correlate(tables.customers)
        .scalar_subquery()
    )
    return func.coalesce(tables.customers.c.country, latest)


def _epoch_seconds(session: AsyncSession, expr: Any) -> Any:
    """Whole UTC seconds since 1970 of a timestamp expression, exact on both databases (no float days)."""
    if session.get_bind().dialect.name == "sqlite":
        # The text's first 19 characters ('YYYY-MM-DD HH:MM:SS'): both functions round a fraction to the
        # millisecond, so 15:59:59.9997 read whole became 16:00:00, the next second (and the next month, at a
        # month's last moment), where the statistics' seconds are compared with whole-second window bounds.
        whole = func.substr(expr, 1, 19)
        # unixepoch() (SQLite 3.38) reads the text ten times faster than strftime('%s')
        if sqlite3.sqlite_version_info >= (3, 38):
            return func.unixepoch(whole)
        return cast(func.strftime("%s", whole), BigInteger)
    return cast(func.floor(func.extract("epoch", expr)), BigInteger)


def _where(
    session: AsyncSession,
    scope: Scope,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    per_customer: bool = False,
) -> list[Any]:
    """Conditions for the valid orders of a scope in [start, end).

    On SQLite the workspace and status terms are written so that they cannot pick an index when the query
    selects customers (country, tag, segment) or aggregates per customer (`per_customer`): SQLite then walks
    ix_orders_customer_created customer by customer, often 5x faster than scanning the whole window, and
    does not depend on ANALYZE statistics to find that plan.
    """
    selects_customers = bool(scope.country or scope.tag or scope.customer_ids is not None)
    if session.get_bind().dialect.name == "sqlite" and (per_customer or selects_customers):
        # SQLite's unary + keeps a term from using an index and costs nothing.
        cond: list[Any] = [
            literal_column("+orders.workspace_id") == scope.workspace_id,
            literal_column("+orders.status").in_(VALID),
        ]
    else:
        cond = [tables.orders.c.workspace_id == scope.workspace_id, tables.orders.c.status.in_(VALID)]
    return cond + _orders_of(scope, start, end)


def _orders_of(scope: Scope, start: datetime | None, end: datetime | None) -> list[Any]:
    """The terms after workspace and status that every order read shares: orders with a customer, created in
    [start, end) (no bound where None), on the scope's platform, of its customer selection."""
    cond: list[Any] = [tables.orders.c.customer_id.is_not(None)]
    if start is not None:
        cond.append(tables.orders.c.created_at >= start)
    if end is not None:
        cond.append(tables.orders.c.created_at < end)
    if scope.platform:
        cond.append(tables.orders.c.platform == scope.platform)
    cond.extend(_customer_selection(scope, tables.orders.c.customer_id))
    return cond


async def order_totals(
    session: AsyncSession,
    scope: Scope,
    start: datetime | None,
    end: datetime,
    *,
    distinct_customers: bool = True,
) -> tuple[int, float, int, int]:
    """(valid orders, revenue in base currency, distinct customers, orders priced in base currency) in
    [start, end); an order in a currency without a rate has no price and is left out of revenue.

    Without `distinct_customers` the third is 0. Without a platform filter a customer is counted at their
    first order in the window (`previous_order_at` before it), in the same pass; with one, by a DISTINCT.
    """
    customers = _distinct_customers(scope, start) if distinct_customers else literal(0)
    row = (
        await session.execute(
            select(func.count(), func.sum(_value()), customers, func.count(tables.orders.c.value_base)).where(
                *_where(session, scope, start=start, end=end)
            )
        )
    ).one()
    return int(row[0] or 0), float(row[1] or 0.0), int(row[2] or 0), int(row[3] or 0)


async def unpriced_orders(
    session: AsyncSession, scope: Scope, start: datetime | None, end: datetime
) -> dict[str, int]:
    """Valid orders in scope and [start, end) without a value in the base currency (no rate for their
    currency), counted per currency; those currencies absent when every order is priced."""
    rows = await session.execute(
        select(tables.orders.c.currency, func.count())
        .where(*_where(session, scope, start=start, end=end), tables.orders.c.value_base.is_(None))
        .group_by(tables.orders.c.currency)
    )
    return {str(cur): int(n) for cur, n in rows}


async def unpriced_by_customer(
    session: AsyncSession, scope: Scope, start: datetime | None, end: datetime
) -> dict[int, tuple[int, dict[str, int]]]:
    """Per customer of the scope with valid orders in [start, end) lacking a value in the base currency: (their
    priced orders there, their unpriced ones counted per currency). Customers whose orders are all priced are
    absent."""
    rows = await session.execute(
        select(
            tables.orders.c.customer_id,
            tables.orders.c.currency,
            func.count(),
            func.count(tables.orders.c.value_base),
        )
        .where(*_where(session, scope, start=start, end=end, per_customer=True))
        .group_by(tables.orders.c.customer_id, tables.orders.c.currency)
    )
    priced: dict[int, int] = {}
    unpriced: dict[int, dict[str, int]] = {}
    for cid, cur, n, n_priced in rows:
        if cid is None:
            continue  # never: the conditions select orders with a customer
        priced[cid] = priced.get(cid, 0) + int(n_priced)
        if int(n) > int(n_priced):
            unpriced.setdefault(cid, {})[str(cur)] = int(n) - int(n_priced)
    return {cid: (priced[cid], counts) for cid, counts in unpriced.items()}


async def customer_records(session: AsyncSession, workspace_id: int) -> int:
    """Customers in the workspace (merged ones counted once, in the customer they were merged into)."""
    return int(
        (
            await session.execute(
                select(func.count()).where(
                    tables.customers.c.workspace_id == workspace_id,
                    tables.customers.c.merged_into_id.is_(None),
                )
            )
        ).scalar()
        or 0
    )


async def status_counts(
    session: AsyncSession, scope: Scope, start: datetime | None, end: datetime
) -> dict[str, int]:
    """Orders created in [start, end) by their current status (every status, not only valid ones), with the
    scope's platform and customer selection; statuses without orders are absent."""
    cond = _any_status(scope, start, end)
    rows = await session.execute(
        select(tables.orders.c.status, func.count()).where(*cond).group_by(tables.orders.c.status)
    )
    return {str(status): int(n) for status, n in rows}


def _any_status(scope: Scope, start: datetime | None = None, end: datetime | None = None) -> list[Any]:
    """The scope's orders with a customer created in [start, end) (no bound where None), whatever their status,
    with the scope's platform and customer selection. Every stored status is one of ORDER_STATUSES; naming them
    lets both databases read the covering (workspace, status, created_at, ...) index, range by range, instead
    of looking up each order of the window in the table."""
    return [
        tables.orders.c.workspace_id == scope.workspace_id,
        tables.orders.c.status.in_(ORDER_STATUSES),
        *_orders_of(scope, start, end),
    ]


def _first_in_window(start: datetime | None) -> Any:
    """The order is its customer's first valid order in a window starting at `start` (None: ever)."""
    if start is None:
        return tables.orders.c.previous_order_at.is_(None)
    return tables.orders.c.previous_order_at.is_(None) | (tables.orders.c.previous_order_at < start)


def _distinct_customers(scope: Scope, start: datetime | None) -> Any:
    """The distinct customers among the scope's valid orders from `start` on, as an aggregate."""
    if scope.platform:  # previous_order_at is across platforms
        return func.count(distinct(tables.orders.c.customer_id))
    return func.count(case((_first_in_window(start), 1)))


async def first_valid_order_at(session: AsyncSession, scope: Scope, end: datetime) -> datetime | None:
    """When the first valid order in scope was placed (None without any)."""
    first: datetime | None = (
        await session.execute(
            select(func.min(tables.orders.c.created_at)).where(*_where(session, scope, end=end))
        )
    ).scalar()
    return first


async def ltv_totals(session: AsyncSession, scope: Scope, end: datetime) -> tuple[int, float]:
    """(customers with a valid order before `end`, their total value).

    From the order statistics (per platform with a platform filter): the customers are those whose first
    valid order is before `end`, and their value is every customer's total less the valid orders from `end`
    on (a short scan of the newest orders when `end` is in the past, none when it is now; on a platform only
    when every valid order is before `end`). Otherwise a pass over the orders in customer order."""
    whole = end.timestamp() % 1 == 0
    covered = whole and await _stats_cover(session, scope.workspace_id, end)
    if whole and (covered or not scope.platform):
        t, cond = _stats_table(scope, UNGROUPED)
        first = _first_order_unindexed(session, t)
        row = (
            await session.execute(
                select(func.count(), func.sum(t.c.value)).where(*cond, first < int(end.timestamp()))
            )
        ).one()
        total = float(row[1] or 0.0)
        if not covered:
            # The value before `end` is every total less the orders from `end` on; customers whose first
            # order is later have only such orders, so summing every customer's total is right.
            everyone = (await session.execute(select(func.sum(t.c.value)).where(*cond))).scalar()
            later = await session.execute(
                select(func.sum(_value())).where(*_where(session, scope, start=end))
            )
            total = float(everyone or 0.0) - float(later.scalar() or 0.0)
        return int(row[0] or 0), total
    per = (
        select(func.sum(_value()).label("v"))
        .where(*_where(session, scope, end=end, per_customer=True))
        .group_by(tables.orders.c.customer_id)
        .subquery()
    )
    row = (await session.execute(select(func.count(), func.sum(per.c.v)))).one()
    return int(row[0] or 0), float(row[1] or 0.0)


def _first_order_unindexed(session: AsyncSession, t: Any) -> Any:
    """The statistics' first order for "first order before `end`", which nearly every customer's is: on SQLite
    the unary + keeps the planner off the first-order index (a table lookup per customer, 10x slower) and on
    the covering workspace index."""
    if session.get_bind().dialect.name == "sqlite":
        return literal_column(f"+{t.name}.first_order")
    return t.c.first_order


async def _stats_cover(session: AsyncSession, workspace_id: int, end: datetime) -> bool:
    """Whether every valid order lies before `end`, so the order statistics are the history up to `end`.
    Epoch seconds are floored: an order in the last second before `end` counts as not before it."""
    t = tables.customer_order_stats
    last = (
        await session.execute(select(func.max(t.c.last_order)).where(t.c.workspace_id == workspace_id))
    ).scalar()
    return last is None or last + 1 <= end.timestamp()


def _earlier_valid_order(scope: Scope, customer_col: Any, before: datetime) -> Any:
    """EXISTS a valid order of that customer (on the scope's platform) before `before`: one index seek."""
    earlier = tables.orders.alias("earlier")
    cond = [earlier.c.customer_id == customer_col, earlier.c.status.in_(VALID), earlier.c.created_at < before]
    if scope.platform:
        cond.append(earlier.c.platform == scope.platform)
    return select(1).where(*cond).exists()


async def new_customers(session: AsyncSession, scope: Scope, start: datetime | None, end: datetime) -> int:
    """Customers whose first valid order ever (in scope; on a platform: there) falls in [start, end).

    Counted on the order statistics (per platform with a platform filter); with bounds between seconds, only
    customers active in the window are looked at, each with one indexed check for an earlier order.
    """
    if start is not None and _whole_seconds(start, end):
        # A customer's first valid order ever (on a platform: there) is in the statistics, whatever came later;
        # the window's bounds are whole seconds, so comparing floored seconds is exact.
        t, cond = _stats_table(scope, UNGROUPED)
        q = select(func.count()).where(
            *cond, t.c.first_order >= int(start.timestamp()), t.c.first_order < int(end.timestamp())
        )
        return int((await session.execute(q)).scalar() or 0)
    active = (
        select(tables.orders.c.customer_id)
        .where(*_where(session, scope, start=start, end=end))
        .distinct()
        .subquery()
    )
    q = select(func.count()).select_from(active)
    if start is not None:
        q = q.where(~_earlier_valid_order(scope, active.c.customer_id, start))
    return int((await session.execute(q)).scalar() or 0)


async def repeat_counts(
    session: AsyncSession, scope: Scope, start: datetime | None, end: datetime
) -> tuple[int, int]:
    """(customers with a valid order in [start, end), of whom those with ≥2 valid orders up to end).

    When every valid order is before `end`, read from the statistics (per platform with a platform filter):
    the customers active in the window are those whose last order is from its start on, and they repeat with
    two or more. Otherwise a customer with two orders in the window repeats; one with a single order repeats
    when an earlier valid order exists (an indexed check), so history is never scanned in full.
    """
    if (
        start is not None
        and _whole_seconds(start, end)
        and await _stats_cover(session, scope.workspace_id, end)
    ):
        t, cond = _stats_table(scope, UNGROUPED)
        q: Any = select(func.count(), func.count(case((t.c.orders >= 2, 1)))).where(
            *cond, t.c.last_order >= int(start.timestamp())
        )
        row = (await session.execute(q)).one()
        return int(row[0] or 0), int(row[1] or 0)
    per = (
        select(tables.orders.c.customer_id, func.count().label("n"))
        .where(*_where(session, scope, start=start, end=end))
        .group_by(tables.orders.c.customer_id)
        .subquery()
    )
    repeats = per.c.n >= 2
    if start is not None:
        repeats = repeats | _earlier_valid_order(scope, per.c.customer_id, start)
    row = (await session.execute(select(func.count(), func.sum(case((repeats, 1), else_=0))))).one()
    return int(row[0] or 0), int(row[1] or 0)


async def churn_counts(
    session: AsyncSession, scope: Scope, prev_start: datetime, start: datetime, end: datetime
) -> tuple[int, int]:
    """(customers active in [prev_start, start), of whom those with no valid order in [start, end)).

    When every valid order is before `end`, a customer active in the earlier window without an order since
    is one whose last valid order (on a platform: there) lies in [prev_start, start): one indexed count on the
    order statistics, next to the distinct customers of the earlier window."""
    if _whole_seconds(prev_start, start) and await _stats_cover(session, scope.workspace_id, end):
        base = (await order_totals(session, scope, prev_start, start))[2]
        t, cond = _stats_table(scope, UNGROUPED)
        churned = (
            await session.execute(
                select(func.count()).where(
                    *cond,
                    t.c.last_order >= int(prev_start.timestamp()),
                    t.c.last_order < int(start.timestamp()),
                )
            )
        ).scalar()
        return base, int(churned or 0)
    # Else: the earlier window's distinct customers, less those of them seen again in [start, end).
    base = (await order_totals(session, scope, prev_start, start))[2]
    if not scope.platform:
        # Seen again: their first order in [start, end) follows a previous order in [prev_start, start).
        retained = (
            await session.execute(
                select(func.count()).where(
                    *_where(session, scope, start=start, end=end),
                    tables.orders.c.previous_order_at >= prev_start,
                    tables.orders.c.previous_order_at < start,
                )
            )
        ).scalar()
        return base, base - int(retained or 0)
    earlier = (
        select(tables.orders.c.customer_id)
        .where(*_where(session, scope, start=prev_start, end=start))
        .correlate(None)
    )
    retained = (
        await session.execute(
            select(func.count(distinct(tables.orders.c.customer_id))).where(
                *_where(session, scope, start=start, end=end), tables.orders.c.customer_id.in_(earlier)
            )
        )
    ).scalar()
    return base, base - int(retained or 0)


async def group_keys(
    session: AsyncSession, scope: Scope, by: str, start: datetime | None, end: datetime
) -> list[str]:
    """The platforms or customer countries that have valid orders in scope and window."""
    bounds = (end,) if start is None else (start, end)
    # Countries of a window are read from its orders' covering index (their customer's country is on it): half
    # the time of the statistics' last-order index, which needs a table row per customer for the country.
    by_stats = by == "platform" or start is None
    if by_stats and _whole_seconds(*bounds) and await _stats_cover(session, scope.workspace_id, end):
        # Every valid order is before `end`: a customer (on a platform) has one in the window when their last
        # one there is from its start on; read from the statistics instead of every order of the window.
        t, cond = _stats_table(scope, Grouping(by))
        key = t.c.platform if by == "platform" else t.c.country
        if start is not None:
            cond.append(t.c.last_order >= int(start.timestamp()))
        if by == "platform":
            return await _stats_platforms(session, scope.workspace_id, cond)
        found = await session.execute(select(key).distinct().where(*cond, key.is_not(None)))
        return sorted(r[0] for r in found if r[0])
    key = tables.orders.c.platform if by == "platform" else tables.orders.c.customer_country
    q = select(key).distinct().where(*_where(session, scope, start=start, end=end))
    return sorted(r[0] for r in await session.execute(q) if r[0])


async def _stats_platforms(session: AsyncSession, workspace_id: int, cond: Sequence[Any]) -> list[str]:
    """The platforms of the rows of customer_platform_stats matching `cond`: the workspace's platforms, each
    found from the one before in the (workspace, platform, ...) index, then one existence check each in one
    statement. A DISTINCT read every row (84 ms at 480,000 rows on PostgreSQL, several times that at 10M)."""
    t = tables.customer_platform_stats.c
    names: list[str] = []
    while True:
        q = select(func.min(t.platform)).where(t.workspace_id == workspace_id)
        if names:
            q = q.where(t.platform > names[-1])
        found = (await session.execute(q)).scalar()
        if found is None:
            break
        names.append(found)
    if not names:
        return []
    checks = (await session.execute(select(*(exists().where(*cond, t.platform == n) for n in names)))).one()
    return [n for n, there in zip(names, checks, strict=True) if there]


def _stats_select(
    session: AsyncSession, cond: Sequence[Any], *, with_workspace: bool = False
) -> Select[*tuple[Any, ...]]:
    """Per customer: [workspace,] first and last valid order (UTC epoch seconds), valid orders, total value."""
    # SQLite stores these amounts as REAL already; its total() skips the per-row CAST and COALESCE.
    # PostgreSQL sums the NUMERIC amounts exactly, as the money column they are written to expects.
    value = (
        func.total(tables.orders.c.value_base)
        if session.get_bind().dialect.name == "sqlite"
        else func.coalesce(func.sum(tables.orders.c.value_base), 0)
    )
    workspace = [func.min(tables.orders.c.workspace_id)] if with_workspace else []
    return (
        select(
            tables.orders.c.customer_id,
            *workspace,
            _epoch_seconds(session, func.min(tables.orders.c.created_at)),
            _epoch_seconds(session, func.max(tables.orders.c.created_at)),
            func.count(),
            value,
        )
        .where(*cond)
        .group_by(tables.orders.c.customer_id)
    )


def _platform_stats_select(session: AsyncSession, cond: Sequence[Any]) -> Select[*tuple[Any, ...]]:
    """The rows of customer_platform_stats for the valid orders matching `cond`: per customer and platform,
    workspace, first and last valid order (UTC epoch seconds), valid orders, total value, and the customer's
    country (`customer_country`: one lookup per row, after grouping; their latest order only when none is
    stored)."""
    q = _stats_select(session, cond, with_workspace=True)
    customer, *rest = q.selected_columns
    per = (
        q.with_only_columns(customer.label("c"), tables.orders.c.platform.label("p"), *rest)
        .group_by(tables.orders.c.platform)
        .subquery()
    )
    return select(*per.c, customer_country()).join_from(
        per, tables.customers, tables.customers.c.id == per.c.c
    )


def _stats_from_platforms(session: AsyncSession, rows: Callable[[Table], Any]) -> Select[*tuple[Any, ...]]:
    """The rows of customer_order_stats summed up from the customers' rows of customer_platform_stats that
    `rows(table)` selects: far fewer rows to read than their orders."""
    tp = tables.customer_platform_stats
    value = func.total(tp.c.value) if session.get_bind().dialect.name == "sqlite" else func.sum(tp.c.value)
    return (
        select(
            tp.c.customer_id,
            func.min(tp.c.workspace_id),
            func.min(tp.c.first_order),
            func.max(tp.c.last_order),
            func.sum(tp.c.orders),
            value,
            func.max(tp.c.country),
        )
        .where(rows(tp))
        .group_by(tp.c.customer_id)
    )


async def _write_stats(session: AsyncSession, rows: Callable[[Table], Any], cond: Sequence[Any]) -> None:
    """Replace the statistics rows `rows(table)` selects with those of the valid orders matching `cond`: per
    platform from the orders, then per customer from those."""
    t, tp = tables.customer_order_stats, tables.customer_platform_stats
    cols = ["customer_id", "workspace_id", "first_order", "last_order", "orders", "value", "country"]
    await session.execute(delete(t).where(rows(t)))
    await session.execute(delete(tp).where(rows(tp)))
    await session.execute(
        insert(tp).from_select(["customer_id", "platform", *cols[1:]], _platform_stats_select(session, cond))
    )
    await session.execute(insert(t).from_select(cols, _stats_from_platforms(session, rows)))


async def refresh_order_stats(
    session: AsyncSession,
    customer_ids: Sequence[int] | None = None,
    *,
    workspace_id: int | None = None,
    values_only: bool = False,
) -> None:
    """Recompute `customer_order_stats`, `customer_platform_stats` and `order_products` from the orders, for
    these customers or (ids None) a whole workspace, the orders' `customer_country`, and their
    `previous_order_at` unless only order values changed (`values_only`, e.g. new FX rates). Every repository
    path that adds, changes or moves orders ends here; a customer (or a customer on a platform) left without a
    valid order loses its row."""
    # Writes keep the ORM's statements (the session's objects are kept in step); a question reads the tables.
    from storage.models import Customer, Order
    from storage.repositories.order_products import write_order_products

    if customer_ids is None:
        if workspace_id is None:
            raise ValueError("refresh_order_stats needs customer ids or a workspace")
        await _write_stats(
            session,
            lambda table: table.c.workspace_id == workspace_id,
            _where(session, Scope(workspace_id), per_customer=True),
        )
        await write_order_products(session, workspace_id=workspace_id)
        await _refresh_customer_countries(session, Customer.workspace_id == workspace_id)
        if not values_only:
            await _refresh_previous_orders(session, [Order.workspace_id == workspace_id])
        await refresh_second_orders(session, lambda table: table.c.workspace_id == workspace_id)
        return
    ids = sorted(set(customer_ids))
    await write_order_products(session, customer_ids=ids)
    for i in range(0, len(ids), 5000):
        chunk = ids[i : i + 5000]
        await _write_stats(
            session, _customers_in(chunk), [Order.customer_id.in_(chunk), Order.status.in_(VALID)]
        )
        await _refresh_customer_countries(session, Customer.id.in_(chunk))
        if not values_only:
            await _refresh_previous_orders(session, [Order.customer_id.in_(chunk)])
        await refresh_second_orders(session, _customers_in(chunk))


def _customers_in(chunk: list[int]) -> Callable[[Table], Any]:
    return lambda table: table.c.customer_id.in_(chunk)


async def _refresh_customer_countries(session: AsyncSession, customers: Any) -> None:
    """Set `orders.customer_country` on every order of the customers matching `customers` (a condition on
    Customer) to the customer's country (`customer_country`). Rows already right are not written: the
    importer writes each order's own country, its customer's for nearly every order, so after an import this
    is a read of the customers' orders (1.3 s per million on SQLite) and a write of the few that differ."""
    from storage.models import Customer, Order

    country = select(Customer.id.label("id"), customer_country().label("country")).where(customers).subquery()
    await session.execute(
        update(Order)
        .where(Order.customer_id == country.c.id, Order.customer_country.is_distinct_from(country.c.country))
        .values(customer_country=country.c.country)
    )


async def refresh_second_orders(session: AsyncSession, rows: Callable[[Table], Any]) -> None:
    """Set `customer_order_stats.second_order` on the rows `rows(table)` selects (written by `_write_stats`,
    whose rows start without it): the customer's second valid order in UTC epoch seconds, floored, read from
    the orders' `previous_order_at` (only the first valid order has none; so it must be current); NULL with
    one order. One index seek per customer with two or more."""
    t = tables.customer_order_stats
    second = (
        select(_epoch_seconds(session, func.min(tables.orders.c.created_at)))
        .where(tables.orders.c.customer_id == t.c.customer_id, tables.orders.c.previous_order_at.is_not(None))
        .scalar_subquery()
    )
    await session.execute(update(t).where(rows(t), t.c.orders >= 2).values(second_order=second))


async def _refresh_previous_orders(session: AsyncSession, cond: Sequence[Any]) -> None:
    """Set `orders.previous_order_at` for the orders matching `cond` (whole customers): the time of the same
    customer's previous valid order, NULL for the first and for orders that are not valid. Rows already right
    are not written."""
    from storage.models import Order

    prev = (
        select(
            Order.id.label("id"),
            func.lag(Order.created_at)
            .over(partition_by=Order.customer_id, order_by=(Order.created_at, Order.id))
            .label("prev"),
        )
        .where(*cond, Order.status.in_(VALID), Order.customer_id.is_not(None))
        .subquery()
    )
    await session.execute(
        update(Order)
        .where(Order.id == prev.c.id, Order.previous_order_at.is_distinct_from(prev.c.prev))
        .values(previous_order_at=prev.c.prev)
    )
    await session.execute(
        update(Order)
        .where(
            *cond,
            Order.previous_order_at.is_not(None),
            ~Order.status.in_(VALID) | Order.customer_id.is_(None),
        )
        .values(previous_order_at=None)
    )


async def customer_summary(
    session: AsyncSession, workspace_id: int, end: datetime, *, first: bool = True
) -> dict[str, np.ndarray]:
    """Per customer with a valid order before `end`, as aligned arrays ordered by id: id, first (unless not
    asked for) and last order (UTC epoch seconds), valid orders and total value (base currency).

    Read from `customer_order_stats` (one row per customer), each column aggregated into one value
    (`array_of`: at 200,000 customers about 120 ms on SQLite and 90 on PostgreSQL, against 175 and 130 as a row
    per customer); only when some valid order is not before `end` (an as-of date in the past) are the orders
    themselves aggregated, in one grouped scan of a covering index.
    """
    import numpy as np

    t = tables.customer_order_stats
    names = ["id", "first", "last", "orders", "value"] if first else ["id", "last", "orders", "value"]
    sqlite = session.get_bind().dialect.name == "sqlite"
    columns = {
        "id": (t.c.customer_id, np.int64),
        "first": (t.c.first_order, np.int64),
        "last": (t.c.last_order, np.int64),
        "orders": (t.c.orders, np.int64),
        # SQLite holds each total as the double its additions gave; read as the money it is (whole units of
        # the column's scale, as integers: 40 ms against 98 for 17 digits of text at 200,000 customers), it is
        # the double nearest that amount, which is also what PostgreSQL's exact NUMERIC total becomes.
        "value": (
            (cast(func.round(t.c.value * 10**MONEY_SCALE), BigInteger), np.int64)
            if sqlite
            else (t.c.value, np.float64)
        ),
    }
    found = await _column_arrays(session, [columns[n] for n in names], [t.c.workspace_id == workspace_id])
    order = np.argsort(found[0], kind="stable")  # the index's order already: a linear pass
    data = {n: a[order] for n, a in zip(names, found, strict=True)}
    if sqlite:
        data["value"] = data["value"] / 10**MONEY_SCALE
    # Epoch seconds are floored: an order in the last second before `end` already sends us to the orders.
    if len(data["last"]) and data["last"].max() + 1 > end.timestamp():
        cond = _where(session, Scope(workspace_id), end=end, per_customer=True)
        q = _stats_select(session, cond).order_by(tables.orders.c.customer_id)
        if session.get_bind().dialect.name != "sqlite":
            *keys, value = q.selected_columns
            q = q.with_only_columns(*keys, cast(value, Float))
        data = await _summary_arrays(session, q)
        if sqlite:  # money, as from the statistics
            data["value"] = np.round(data["value"] * 10**MONEY_SCALE) / 10**MONEY_SCALE
        if not first:
            del data["first"]
    return data


async def close_repeat_orders(
    session: AsyncSession, workspace_id: int, end: datetime
) -> dict[str, np.ndarray]:
    """The valid orders before `end` placed within 1.1 days (26.4 hours) of the same customer's previous valid
    order, as aligned arrays: customer id, the order's time and the previous order's (UTC epoch seconds,
    floored).

    Only these can fall on the same local calendar day as the previous order (no day is longer than 25
    hours; the caller checks which do in its time zone): a customer's purchase days are their valid orders
    minus those. Read from the orders' `previous_order_at` through the partial index ix_orders_close_repeat,
    which holds only such orders (a few percent of them).
    """
    import numpy as np

    # The index's predicate word for word (the planners match it as written; the query reads orders alone).
    sqlite = session.get_bind().dialect.name == "sqlite"
    close = CLOSE_REPEAT_SQLITE if sqlite else CLOSE_REPEAT_POSTGRESQL
    q = select(
        tables.orders.c.customer_id,
        _epoch_seconds(session, tables.orders.c.created_at),
        _epoch_seconds(session, tables.orders.c.previous_order_at),
    ).where(
        tables.orders.c.workspace_id == workspace_id,
        tables.orders.c.status.in_(VALID),
        tables.orders.c.customer_id.is_not(None),
        tables.orders.c.created_at < end,
        text(close),
    )
    conn = await session.connection()
    rows = await conn.run_sync(lambda sync: _driver_rows(sync, q))
    data = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=3 * len(rows)).reshape(-1, 3)
    return {"id": data[:, 0], "at": data[:, 1], "previous": data[:, 2]}


async def _summary_arrays(session: AsyncSession, q: Select[*tuple[Any, ...]]) -> dict[str, np.ndarray]:
    import numpy as np

    conn = await session.connection()
    # Plain DBAPI tuples: at 200,000 customers building Row objects would cost more than the query itself.
    rows = await conn.run_sync(lambda sync: _driver_rows(sync, q))
    data = np.fromiter(chain.from_iterable(rows), dtype=np.float64, count=5 * len(rows)).reshape(-1, 5)
    return {
        "id": data[:, 0].astype(np.int64),
        "first": data[:, 1].astype(np.int64),
        "last": data[:, 2].astype(np.int64),
        "orders": data[:, 3].astype(np.int64),
        "value": data[:, 4],
    }


async def _plain_rows(session: AsyncSession, statement: Any) -> list[Any]:
    """The driver's own rows of a SELECT whose columns need no result processing (counts, sums, ids, keys):
    a breakdown by segment reads a row per customer, and building SQLAlchemy rows cost more than the query
    (200,000 customers: about 1 s of 1.5)."""
    conn = await session.connection()
    return await conn.run_sync(lambda sync: _driver_rows(sync, statement))


def _driver_rows(sync_conn: Any, statement: Any) -> list[Any]:
    """Run a SELECT whose columns need no result processing and return the driver's own rows."""
    result = sync_conn.execute(statement)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


async def live_customers(session: AsyncSession, workspace_id: int) -> np.ndarray:
    """Ids of every customer not merged away (those without a valid order are prospects)."""
    import numpy as np

    rows = await session.execute(
        select(tables.customers.c.id).where(
            tables.customers.c.workspace_id == workspace_id, tables.customers.c.merged_into_id.is_(None)
        )
    )
    return np.fromiter((r[0] for r in rows), dtype=np.int64)


async def purchase_times(
    session: AsyncSession, workspace_id: int, end: datetime, scope: Scope | None = None
) -> list[tuple[int, datetime, float]]:
    """(customer, created_at, value) of every valid order before `end`, for cohort and CLV calculations."""
    q = (
        select(tables.orders.c.customer_id, tables.orders.c.created_at, _value())
        .where(*_where(session, scope or Scope(workspace_id), end=end))
        .order_by(tables.orders.c.customer_id, tables.orders.c.created_at)
    )
    return [tuple(r) for r in await session.execute(q)]


async def purchase_arrays(
    session: AsyncSession, workspace_id: int, end: datetime, scope: Scope | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(customer, order time in UTC epoch seconds) of every valid order before `end` in scope, as arrays."""
    import numpy as np

    customer, at = await _column_arrays(
        session,
        [
            (tables.orders.c.customer_id, np.int64),
            (_epoch_seconds(session, tables.orders.c.created_at), np.int64),
        ],
        _where(session, scope or Scope(workspace_id), end=end),
    )
    return customer, at


async def top_customers(
    session: AsyncSession, scope: Scope, start: datetime | None, end: datetime, sort_by: str, n: int
) -> list[tuple[int, str | None, float]]:
    """The n customers with the highest revenue, order count or average order value in the window."""
    # AOV over the orders with an amount: one in a currency without a rate is left out of the average too.
    aov = func.coalesce(func.sum(_value()) / func.nullif(func.count(tables.orders.c.value_base), 0), 0.0)
    metrics: dict[str, ColumnElement[Any]] = {"orders": func.count(), "aov": aov}
    metric = metrics.get(sort_by, func.sum(_value()))
    q = (
        select(tables.orders.c.customer_id, tables.customers.c.display_name, metric.label("m"))
        .join(tables.customers, tables.customers.c.id == tables.orders.c.customer_id)
        .where(*_where(session, scope, start=start, end=end))
        .group_by(tables.orders.c.customer_id, tables.customers.c.display_name)
        .order_by(metric.desc(), tables.orders.c.customer_id)
        .limit(n)
    )
    return [(r[0], r[1], float(r[2] or 0)) for r in await session.execute(q)]


async def customer_names(session: AsyncSession, ids: Sequence[int]) -> dict[int, str | None]:
    out: dict[int, str | None] = {}
    for i in range(0, len(ids), 500):
        rows = await session.execute(
            select(tables.customers.c.id, tables.customers.c.display_name).where(
                tables.customers.c.id.in_(ids[i : i + 500])
            )
        )
        out.update({r[0]: r[1] for r in rows})
    return out


async def customer_origins(
    session: AsyncSession, ids: Sequence[int]
) -> dict[int, tuple[str | None, str | None]]:
    """(platform, country) of each customer, what tells same-name customers apart in lists and alerts as the
    customer pickers do: the platform of their first buyer identity, their country (see `customer_country`)."""
    out: dict[int, tuple[str | None, str | None]] = {}
    for i in range(0, len(ids), 500):
        chunk = list(ids[i : i + 500])
        first: dict[int, str] = {}
        for cid, platform in (
            await session.execute(
                select(tables.buyer_identities.c.customer_id, tables.buyer_identities.c.platform)
                .where(tables.buyer_identities.c.customer_id.in_(chunk))
                .order_by(tables.buyer_identities.c.id)
            )
        ).all():
            if cid is not None:
                first.setdefault(int(cid), platform)
        rows = await session.execute(
            select(tables.customers.c.id, customer_country()).where(tables.customers.c.id.in_(chunk))
        )
        out.update({int(r[0]): (first.get(int(r[0])), r[1]) for r in rows})
    return out


async def customer_countries(session: AsyncSession, workspace_id: int) -> dict[int, str | None]:
    """Every live customer's country (see `customer_country`), None where unknown. The driver's own rows: a
    row object each cost two thirds of the time at 200,000 customers."""
    rows = await _plain_rows(
        session,
        select(tables.customers.c.id, customer_country()).where(
            tables.customers.c.workspace_id == workspace_id, tables.customers.c.merged_into_id.is_(None)
        ),
    )
    return {int(r[0]): r[1] for r in rows}


async def customer_country_arrays(
    session: AsyncSession, workspace_id: int
) -> tuple[np.ndarray, list[str | None]]:
    """(ids, countries) of every live customer, as `customer_countries` in one aggregated row: a category
    preference by country groups 200,000 customers, whose rows through the driver and a dict cost 150-300 ms."""
    import numpy as np

    cond = [tables.customers.c.workspace_id == workspace_id, tables.customers.c.merged_into_id.is_(None)]
    row = (
        await _plain_rows(
            session,
            select(
                array_of(session, tables.customers.c.id, np.int64), texts_of(session, customer_country())
            ).where(*cond),
        )
    )[0]
    return parse_array(row[0], np.int64), split_texts(row[1])


async def customers_in_country(session: AsyncSession, workspace_id: int, country: str) -> np.ndarray:
    """Ids of the live customers whose country (see `customer_country`) is `country`."""
    import numpy as np

    rows = await session.execute(
        select(tables.customers.c.id).where(
            tables.customers.c.workspace_id == workspace_id,
            tables.customers.c.merged_into_id.is_(None),
            customer_country() == country,
        )
    )
    return np.fromiter((r[0] for r in rows), dtype=np.int64)


async def tagged_customers(session: AsyncSession, workspace_id: int, tag: str) -> set[int]:
    rows = await session.execute(
        select(tables.customer_tags.c.customer_id)
        .join(tables.tags, tables.tags.c.id == tables.customer_tags.c.tag_id)
        .where(tables.tags.c.workspace_id == workspace_id, func.lower(tables.tags.c.name) == tag.lower())
    )
    return {r[0] for r in rows}


async def find_customers(session: AsyncSession, workspace_id: int, text: str, limit: int = 10) -> list[int]:
    """Customers matching an id, email, phone, order id, platform username or name (customer_desk's rules)."""
    from storage.repositories.customer_desk import search_customers

    return [hit.id for hit in await search_customers(session, workspace_id, text, limit=limit)]


async def customer_detail(session: AsyncSession, customer_id: int) -> dict[str, Any]:
    """Everything the customer card shows (no analytics: those come from crm.analytics)."""
    from storage.models import (
        BuyerIdentity,
        ConsentRecord,
        Customer,
        CustomerTag,
        Interaction,
        LoyaltyEntry,
        Order,
        OrderLine,
        Tag,
    )

    c = await session.get(Customer, customer_id)
    assert c is not None
    idents = (
        await session.execute(
            select(
                BuyerIdentity.platform,
                BuyerIdentity.buyer_key,
                BuyerIdentity.username,
                BuyerIdentity.name,
                BuyerIdentity.id,
            )
            .where(BuyerIdentity.customer_id == customer_id)
            .order_by(BuyerIdentity.id)
        )
    ).all()
    orders = (
        await session.execute(
            select(
                Order.platform,
                Order.platform_order_id,
                Order.status,
                Order.created_at,
                Order.value_base,
                Order.currency,
                Order.order_value,
                Order.id,
            )
            .where(Order.customer_id == customer_id)
            .order_by(Order.created_at.desc(), Order.id.desc())
            .limit(5)
        )
    ).all()
    items: dict[int, list[tuple[str, int]]] = {}
    for order_id, name, sku, quantity in await session.execute(
        select(OrderLine.order_id, OrderLine.product_name, OrderLine.sku, OrderLine.quantity)
        .where(OrderLine.order_id.in_([o.id for o in orders]))
        .order_by(OrderLine.order_id, OrderLine.line_no)
    ):
        items.setdefault(order_id, []).append((name or sku or "?", int(quantity or 0)))
    points = (
        await session.execute(
            select(func.coalesce(func.sum(LoyaltyEntry.points), 0)).where(
                LoyaltyEntry.customer_id == customer_id
            )
        )
    ).scalar()
    tags = [
        r[0]
        for r in await session.execute(
            select(Tag.name)
            .join(CustomerTag, CustomerTag.tag_id == Tag.id)
            .where(CustomerTag.customer_id == customer_id)
            .order_by(Tag.name)
        )
    ]
    consent = (
        await session.execute(
            select(ConsentRecord.granted)
            .where(ConsentRecord.customer_id == customer_id, ConsentRecord.purpose == "marketing")
            .order_by(ConsentRecord.recorded_at.desc(), ConsentRecord.id.desc())
            .limit(1)
        )
    ).scalar()
    interactions = (
        await session.execute(
            select(Interaction.kind, Interaction.occurred_at, Interaction.body, Interaction.rating)
            .where(Interaction.customer_id == customer_id)
            .order_by(Interaction.occurred_at.desc())
            .limit(3)
        )
    ).all()
    return {
        "customer": c,
        "identities": idents,
        "recent_orders": orders,
        "order_items": items,
        "points": int(points or 0),
        "tags": tags,
        "marketing_consent": consent,
        "interactions": interactions,
    }


def _marks(workspace_id: int) -> list[Any]:
    """The newest import log and merge event of the workspace, as four scalar subqueries of one statement (on
    the tables: every shared answer reads these, and importing the ORM models costs a `sellermate ask` 85 ms)."""
    logs, merges = tables.import_logs, tables.merge_events
    return [
        select(func.max(column)).where(table.c.workspace_id == workspace_id).scalar_subquery()
        for table, column in (
            (logs, logs.c.id),
            (logs, logs.c.finished_at),
            (merges, merges.c.id),
            (merges, merges.c.undone_at),
        )
    ]


async def data_marks(session: AsyncSession, workspace_id: int) -> tuple[Any, ...]:
    """What changes when another process imports or merges: the newest import log and merge event (one
    round trip)."""
    return tuple((await session.execute(select(*_marks(workspace_id)))).one())


async def data_token(db: Any, session: AsyncSession, workspace_id: int) -> tuple[Any, ...]:
    """Equal tokens mean the customer data has not changed: this process's committed writes
    (`Database.data_version`) plus other processes' imports and merges (`data_marks`)."""
    return (db.serial, db.data_version, *await data_marks(session, workspace_id))


async def data_token_and_currency(
    db: Any, session: AsyncSession, workspace_id: int
) -> tuple[tuple[Any, ...], str | None]:
    """`data_token` and the workspace's base currency (`currency.base_currency`: None for a workspace that does
    not exist) read in one round trip: what a shared answer (crm/query/cache.py) is checked against."""
    version = (db.serial, db.data_version)  # before the read, as data_token takes it
    row = (
        await session.execute(
            select(
                *_marks(workspace_id),
                select(tables.workspaces.c.base_currency)
                .where(tables.workspaces.c.id == workspace_id)
                .scalar_subquery(),
            )
        )
    ).one()
    currency = row[-1]
    return (*version, *row[:-1]), None if currency is None else str(currency)


# --- Breakdowns: a metric for every group in one set-based pass -------------------------------------------
#
# A breakdown groups by platform (the group is a platform filter: docs/metrics.md's "first order" and "two
# orders" then mean on that platform), by customer country or by RFM segment (both select customers, all of
# whose orders count), or by calendar window (month, quarter, year: each window its own period). Each function
# below answers every group of one metric family in one statement grouped by the group's key: the platform
# column, the customer's country, the window a row falls in (a small derived table of the windows, joined on
# the order time), or, for segments, the customer (folded into segments by the caller, who holds the
# segments). They return the same raw figures the one-group functions above return, per key.


@dataclass(frozen=True)
class Grouping:
    """How a breakdown groups: `by` is platform, country, window or customer; `windows` the calendar windows
    (label, start, end) of a `window` grouping."""

    by: str
    windows: tuple[tuple[str, datetime, datetime], ...] = ()

    @property
    def per_platform(self) -> bool:
        return self.by == "platform"


# One group: the whole scope (what the one-group functions read the statistics with).
UNGROUPED = Grouping("none")


def _windows_table(g: Grouping, *, with_previous: bool = False, epoch: bool = False) -> Any:
    """The windows as a derived table (label, ws, we[, wps]): wps is the start of the window of the same length
    just before (churn's earlier window). With `epoch`, the bounds in whole UTC epoch seconds, to compare with
    the statistics' columns (only for windows whose bounds are whole seconds)."""

    def bound(moment: datetime) -> Any:
        if epoch:
            return literal(int(moment.timestamp()), BigInteger())
        return literal(moment, tables.orders.c.created_at.type)

    parts = []
    for label, s, e in g.windows:
        cols = [literal(label).label("label"), bound(s).label("ws"), bound(e).label("we")]
        if with_previous:
            cols.append(bound(s - (e - s)).label("wps"))
        parts.append(select(*cols))
    return (parts[0] if len(parts) == 1 else union_all(*parts)).subquery("w")


def _window_bounds(g: Grouping, *, with_previous: bool = False) -> list[datetime]:
    """Every bound of the windows (with the start of the window before each, for churn)."""
    out = [b for _, s, e in g.windows for b in (s, e)]
    if with_previous:
        out += [s - (e - s) for _, s, e in g.windows]
    return out


@dataclass(frozen=True)
class _Grouped:
    key: Any  # the group's key column
    frm: Any  # the FROM clause
    cond: list[Any]  # the conditions
    start: Any  # the start of each row's window (a column, a moment, or None)
    before: Any  # the start of the window just before it (churn), when asked for


def _grouped(
    session: AsyncSession,
    scope: Scope,
    g: Grouping,
    start: datetime | None,
    end: datetime | None,
    *,
    earlier: bool = False,
) -> _Grouped:
    """The scope's valid orders in [start, end) grouped by `g`; for windows the orders in each window (and
    with `earlier` also those of the window before it)."""
    if g.by == "window":
        w = _windows_table(g, with_previous=earlier)
        # Only the windows' own bounds: with an overall range as well, SQLite reads the (workspace, created_at)
        # index and looks each order up in the table instead of ranging over the covering one per window.
        cond = _where(session, scope)
        cond += [
            tables.orders.c.created_at >= (w.c.wps if earlier else w.c.ws),
            tables.orders.c.created_at < w.c.we,
        ]
        return _Grouped(
            w.c.label, w.join(tables.orders, literal(True)), cond, w.c.ws, w.c.wps if earlier else None
        )
    before = start - (end - start) if earlier and start is not None and end is not None else None
    cond = _where(session, scope, start=before if earlier else start, end=end)
    frm: Any = tables.orders
    if g.by == "platform":
        key: Any = tables.orders.c.platform
    elif g.by == "country":
        key = tables.orders.c.customer_country
    elif g.by == "customer":
        key = tables.orders.c.customer_id
    else:
        raise ValueError(f"cannot group by {g.by}")
    return _Grouped(key, frm, cond, start, before)


async def grouped_order_totals(
    session: AsyncSession,
    scope: Scope,
    g: Grouping,
    start: datetime | None,
    end: datetime,
    *,
    distinct_customers: bool = True,
) -> dict[Any, tuple[int, float, int, int]]:
    """`order_totals` per group: (valid orders, revenue, distinct customers, priced orders); without
    `distinct_customers` the third is 0 (counting them costs a DISTINCT on a platform)."""
    gr = _grouped(session, scope, g, start, end)
    key, frm, cond = gr.key, gr.frm, gr.cond
    if not distinct_customers:
        customers: Any = literal(0)
    elif scope.platform or g.per_platform:  # previous_order_at is across platforms
        customers = func.count(distinct(tables.orders.c.customer_id))
    else:  # a customer is counted at their first order in the group's window
        first = tables.orders.c.previous_order_at.is_(None) if gr.start is None else _first_before(gr.start)
        customers = func.count(case((first, 1)))
    q = (
        select(
            key.label("k"),
            func.count(),
            func.sum(_value()),
            customers,
            func.count(tables.orders.c.value_base),
        )
        .select_from(frm)
        .where(*cond)
        .group_by(key)
    )
    return {
        r[0]: (int(r[1] or 0), float(r[2] or 0.0), int(r[3] or 0), int(r[4] or 0))
        for r in await _plain_rows(session, q)
        if r[0] is not None
    }


def _first_before(lo: Any) -> Any:
    return tables.orders.c.previous_order_at.is_(None) | (tables.orders.c.previous_order_at < lo)


def _whole_seconds(*moments: datetime | None) -> bool:
    return all(m is not None and m.timestamp() % 1 == 0 for m in moments)


async def grouped_new_customers(
    session: AsyncSession, scope: Scope, g: Grouping, start: datetime, end: datetime
) -> dict[Any, int]:
    """`new_customers` per group: customers whose first valid order ever (on the group's platform, if any)
    falls in the group's window."""
    bounds = _window_bounds(g) if g.by == "window" else [start, end]
    if _whole_seconds(*bounds):
        # First valid orders (on a platform: there) are in the statistics, whatever came later; the bounds are
        # whole seconds, so comparing floored seconds is exact.
        t, cond = _stats_table(scope, g)
        if g.by == "window":
            w = _windows_table(g, epoch=True)
            q: Select[Any] = (
                select(w.c.label, func.count())
                .select_from(w.join(t, literal(True)))
                .where(*cond, t.c.first_order >= w.c.ws, t.c.first_order < w.c.we)
                .group_by(w.c.label)
            )
        else:
            key, frm = _stats_key(t, g)
            q = (
                select(key, func.count())
                .select_from(frm)
                .where(
                    *cond, t.c.first_order >= int(start.timestamp()), t.c.first_order < int(end.timestamp())
                )
                .group_by(key)
            )
        return {r[0]: int(r[1]) for r in await _plain_rows(session, q) if r[0] is not None}
    # Bounds within a second: the group's customers' first order in the window, with no earlier one (on the
    # group's platform, if any).
    gr = _grouped(session, scope, g, start, end)
    key, frm, cond = gr.key, gr.frm, gr.cond
    per = (
        select(
            key.label("k"),
            tables.orders.c.platform.label("p") if g.per_platform else literal(scope.platform).label("p"),
            tables.orders.c.customer_id.label("c"),
            func.min(tables.orders.c.created_at).label("m"),
            # An order without a previous one is the customer's first ever: nothing earlier to look for.
            func.max(case((tables.orders.c.previous_order_at.is_(None), 1), else_=0)).label("f"),
        )
        .select_from(frm)
        .where(*cond)
        .group_by(key, tables.orders.c.customer_id)
        .subquery()
    )
    earlier = tables.orders.alias("earlier")
    before = [earlier.c.customer_id == per.c.c, earlier.c.status.in_(VALID), earlier.c.created_at < per.c.m]
    if scope.platform or g.per_platform:
        before.append(earlier.c.platform == per.c.p)
    first = (per.c.f == 1) | ~select(1).where(*before).exists()
    q = select(per.c.k, func.count()).where(first).group_by(per.c.k)
    return {r[0]: int(r[1]) for r in await _plain_rows(session, q) if r[0] is not None}


def _stats_table(scope: Scope, g: Grouping) -> tuple[Any, list[Any]]:
    """The statistics a breakdown reads and the scope's conditions on them: per customer, or per customer and
    platform when a platform filters or groups the orders (docs/metrics.md: "first order" and "two orders"
    then mean on that platform)."""
    t = tables.customer_platform_stats if scope.platform or g.per_platform else tables.customer_order_stats
    # The country is the statistics' own column; tag and segment select customers as everywhere else.
    others = Scope(scope.workspace_id, tag=scope.tag, customer_ids=scope.customer_ids)
    cond = [t.c.workspace_id == scope.workspace_id, *_customer_selection(others, t.c.customer_id)]
    if scope.country:
        cond.append(t.c.country == scope.country)
    if scope.platform:
        cond.append(t.c.platform == scope.platform)
    return t, cond


def _stats_key(t: Any, g: Grouping) -> tuple[Any, Any]:
    """(the group's key, the FROM clause) of a breakdown read from the statistics `t` (not by window)."""
    if g.per_platform:
        return t.c.platform, t
    if g.by == "country":
        return t.c.country, t
    return t.c.customer_id, t


async def active_customers(
    session: AsyncSession, scope: Scope, g: Grouping, start: datetime, end: datetime
) -> dict[Any, int] | None:
    """Customers with a valid order (on a platform: there) in [start, end) per platform or customer country,
    or all together with `UNGROUPED` (key None), read from the statistics; None when they cannot say (a bound
    between seconds, or a valid order at or after `end`): count them from the orders then. When every valid
    order is before `end`, a customer has one in the window exactly when their last one (there) is from its
    start on: one row per customer (and platform) instead of a distinct count over the window's orders. By
    calendar window across platforms (bounds whole seconds), each window's returning and new customers
    (`_window_customers`)."""
    if g.by == "window" and not (scope.platform or g.per_platform) and _whole_seconds(*_window_bounds(g)):
        returning, new = await _window_customers(session, scope, g)
        both = {k: returning.get(k, 0) + new.get(k, (0, 0))[0] for k, _, _ in g.windows}
        return {k: n for k, n in both.items() if n}
    if g.by not in ("none", "platform", "country"):
        return None
    if not (_whole_seconds(start, end) and await _stats_cover(session, scope.workspace_id, end)):
        return None
    t, cond = _stats_table(scope, g)
    cond.append(t.c.last_order >= int(start.timestamp()))
    if g.by == "none":
        return {None: int((await session.execute(select(func.count()).where(*cond))).scalar() or 0)}
    key, frm = _stats_key(t, g)
    q = select(key, func.count()).select_from(frm).where(*cond).group_by(key)
    return {r[0]: int(r[1]) for r in await _plain_rows(session, q) if r[0] is not None}


async def grouped_repeat_counts(
    session: AsyncSession, scope: Scope, g: Grouping, start: datetime | None, end: datetime
) -> dict[Any, tuple[int, int]]:
    """`repeat_counts` per group: (customers with a valid order in the window, of whom those with ≥ 2 valid
    orders up to its end). Across platforms a customer repeats when one of their orders in the window has a
    previous valid order (`previous_order_at`); on a platform, with two orders there in the window or an
    earlier one there (an indexed check)."""
    on_platform = bool(scope.platform or g.per_platform)
    if (
        g.by != "window"
        and start is not None
        and _whole_seconds(start, end)
        and await _stats_cover(session, scope.workspace_id, end)
    ):
        # Every valid order is before `end`: the customers with an order (on a platform: there) in the window
        # are those whose last one is from its start on, and they repeat with two or more.
        t, cond = _stats_table(scope, g)
        key, frm = _stats_key(t, g)
        q: Any = (
            select(key, func.count(), func.count(case((t.c.orders >= 2, 1))))
            .select_from(frm)
            .where(*cond, t.c.last_order >= int(start.timestamp()))
            .group_by(key)
        )
        return {r[0]: (int(r[1]), int(r[2] or 0)) for r in await _plain_rows(session, q) if r[0] is not None}
    if g.by == "window" and not on_platform and _whole_seconds(*_window_bounds(g)):
        return await _window_repeat_counts(session, scope, g)
    gr = _grouped(session, scope, g, start, end)
    key, frm, cond = gr.key, gr.frm, gr.cond
    cols = [key.label("k"), tables.orders.c.customer_id.label("c"), func.count().label("n")]
    if on_platform:
        cols += [
            func.min(tables.orders.c.created_at).label("m"),
            func.min(tables.orders.c.platform).label("p"),
            # An order without a previous one is the customer's first ever: nothing earlier to look for.
            func.max(case((tables.orders.c.previous_order_at.is_(None), 1), else_=0)).label("f"),
        ]
    else:
        cols.append(func.max(case((tables.orders.c.previous_order_at.is_not(None), 1), else_=0)).label("r"))
    per = select(*cols).select_from(frm).where(*cond).group_by(key, tables.orders.c.customer_id).subquery()
    if on_platform:
        earlier = tables.orders.alias("earlier")
        probe = select(1).where(
            earlier.c.customer_id == per.c.c,
            earlier.c.status.in_(VALID),
            earlier.c.created_at < per.c.m,
            earlier.c.platform == per.c.p,
        )
        repeats: Any = (per.c.n >= 2) | ((per.c.f == 0) & probe.exists())
    else:
        repeats = per.c.r == 1
    q = select(per.c.k, func.count(), func.sum(case((repeats, 1), else_=0))).group_by(per.c.k)
    return {r[0]: (int(r[1]), int(r[2] or 0)) for r in await _plain_rows(session, q) if r[0] is not None}


async def _window_customers(
    session: AsyncSession, scope: Scope, g: Grouping
) -> tuple[dict[Any, int], dict[Any, tuple[int, int]]]:
    """Per calendar window across platforms (bounds whole seconds): the customers active in it who ordered
    before it, counted as the window's orders whose previous valid order is from before it (one each; a
    condition in WHERE, no grouping per customer), and (the customers whose first valid order ever is in it,
    of whom those whose second is too) from the statistics. Together they are the window's customers."""
    gr = _grouped(session, scope, g, None, None)
    q: Select[Any] = (
        select(gr.key, func.count())
        .select_from(gr.frm)
        .where(*gr.cond, tables.orders.c.previous_order_at < gr.start)
        .group_by(gr.key)
    )
    returning = {r[0]: int(r[1]) for r in await _plain_rows(session, q)}
    t, cond = _stats_table(scope, g)
    w = _windows_table(g, epoch=True)
    q = (
        select(w.c.label, func.count(), func.count(case((t.c.second_order < w.c.we, 1))))
        .select_from(w.join(t, literal(True)))
        .where(*cond, t.c.first_order >= w.c.ws, t.c.first_order < w.c.we)
        .group_by(w.c.label)
    )
    new = {r[0]: (int(r[1]), int(r[2] or 0)) for r in await _plain_rows(session, q)}
    return returning, new


async def _window_repeat_counts(
    session: AsyncSession, scope: Scope, g: Grouping
) -> dict[Any, tuple[int, int]]:
    """`grouped_repeat_counts` by window across platforms, the bounds whole seconds. A customer active in a
    window who ordered before it has exactly one order there whose previous valid order is from before it:
    they repeat, counted from the window's orders without grouping them per customer. The others' first valid
    order ever is in the window (the statistics' new customers), and they repeat within it when their second
    order is before its end."""
    returning, new = await _window_customers(session, scope, g)
    out = {}
    for label, _, _ in g.windows:
        back = returning.get(label, 0)
        first, again = new.get(label, (0, 0))
        if back + first:
            out[label] = (back + first, back + again)
    return out


async def grouped_churn_counts(
    session: AsyncSession, scope: Scope, g: Grouping, start: datetime, end: datetime
) -> dict[Any, tuple[int, int]]:
    """`churn_counts` per group: (customers active in the window of the same length just before the group's,
    of whom those with no valid order in the group's window). Across platforms one pass over both windows'
    orders: a customer's first order of the earlier window has no previous order in it, and one seen again
    has their first order of the later window follow a previous one in the earlier; on a platform, per
    customer."""
    on_platform = bool(scope.platform or g.per_platform)
    lo_at = start - (end - start)
    if (
        g.by != "window"
        and _whole_seconds(lo_at, start)
        and await _stats_cover(session, scope.workspace_id, end)
    ):
        # Every valid order is before `end`: churned are the earlier window's customers whose last order (on
        # the platform: there) lies in it, from the statistics (by country on their own column).
        t, scond = _stats_table(scope, g)
        skey, sfrm = _stats_key(t, g)
        gone = {
            r[0]: int(r[1])
            for r in await _plain_rows(
                session,
                select(skey, func.count())
                .select_from(sfrm)
                .where(
                    *scond, t.c.last_order >= int(lo_at.timestamp()), t.c.last_order < int(start.timestamp())
                )
                .group_by(skey),
            )
            if r[0] is not None
        }
        if on_platform:  # next to the distinct customers of the earlier window
            before = _grouped(session, scope, g, lo_at, start)
            q: Select[Any] = (
                select(before.key, func.count(distinct(tables.orders.c.customer_id)))
                .select_from(before.frm)
                .where(*before.cond)
                .group_by(before.key)
            )
            base = {r[0]: int(r[1]) for r in await _plain_rows(session, q) if r[0] is not None}
            return {k: (n, gone.get(k, 0)) for k, n in base.items() if n}
        # Across platforms, seen again are those whose first order of the later window follows one in the
        # earlier (one order each: only those look their customer up for the group); the earlier window's
        # customers are the churned and the seen again together.
        later = _grouped(session, scope, g, start, end)
        q = (
            select(later.key, func.count())
            .select_from(later.frm)
            .where(
                *later.cond,
                tables.orders.c.previous_order_at >= lo_at,
                tables.orders.c.previous_order_at < start,
            )
            .group_by(later.key)
        )
        seen = {r[0]: int(r[1]) for r in await _plain_rows(session, q) if r[0] is not None}
        both = {k: (gone.get(k, 0) + seen.get(k, 0), gone.get(k, 0)) for k in gone.keys() | seen.keys()}
        return {k: v for k, v in both.items() if v[0]}
    if g.by == "window" and not on_platform and _whole_seconds(*_window_bounds(g, with_previous=True)):
        return await _window_churn_counts(session, scope, g)
    gr = _grouped(session, scope, g, start, end, earlier=True)
    key, frm, cond, lo, mid = gr.key, gr.frm, gr.cond, gr.before, gr.start
    if on_platform:
        per = (
            select(
                key.label("k"),
                func.max(case((tables.orders.c.created_at < mid, 1), else_=0)).label("a"),
                func.max(case((tables.orders.c.created_at >= mid, 1), else_=0)).label("b"),
            )
            .select_from(frm)
            .where(*cond)
            .group_by(key, tables.orders.c.customer_id)
            .subquery()
        )
        q = select(
            per.c.k, func.sum(per.c.a), func.sum(case(((per.c.a == 1) & (per.c.b == 1), 1), else_=0))
        ).group_by(per.c.k)
    else:
        base = (tables.orders.c.created_at < mid) & _first_before(lo)
        seen = (
            (tables.orders.c.created_at >= mid)
            & (tables.orders.c.previous_order_at >= lo)
            & (tables.orders.c.previous_order_at < mid)
        )
        q = (
            select(key, func.count(case((base, 1))), func.count(case((seen, 1))))
            .select_from(frm)
            .where(*cond)
            .group_by(key)
        )
    out = {}
    for k, n, retained in await _plain_rows(session, q):
        if k is not None and n:
            out[k] = (int(n), int(n) - int(retained or 0))
    return out


async def _window_churn_counts(
    session: AsyncSession, scope: Scope, g: Grouping
) -> dict[Any, tuple[int, int]]:
    """`grouped_churn_counts` by window across platforms, the bounds whole seconds. The customers active in
    the window before a window are those of its orders whose previous valid order is from before it, and the
    statistics' customers whose first order ever is in it; seen again are those whose first order of the
    window follows a previous one in the window before. Each a count of filtered orders (a condition in
    WHERE, not a CASE per order: half the time on SQLite)."""
    w = _windows_table(g, with_previous=True)
    frm = w.join(tables.orders, literal(True))
    cond = _where(session, scope)

    async def count(*where: Any) -> dict[Any, int]:
        q = select(w.c.label, func.count()).select_from(frm).where(*cond, *where).group_by(w.c.label)
        return {r[0]: int(r[1]) for r in await _plain_rows(session, q)}

    before = (tables.orders.c.created_at >= w.c.wps, tables.orders.c.created_at < w.c.ws)
    returning = await count(*before, tables.orders.c.previous_order_at < w.c.wps)
    seen = await count(
        tables.orders.c.created_at >= w.c.ws,
        tables.orders.c.created_at < w.c.we,
        tables.orders.c.previous_order_at >= w.c.wps,
        tables.orders.c.previous_order_at < w.c.ws,
    )
    t, scond = _stats_table(scope, g)
    ew = _windows_table(g, with_previous=True, epoch=True)
    q = (
        select(ew.c.label, func.count())
        .select_from(ew.join(t, literal(True)))
        .where(*scond, t.c.first_order >= ew.c.wps, t.c.first_order < ew.c.ws)
        .group_by(ew.c.label)
    )
    new = {r[0]: int(r[1]) for r in await _plain_rows(session, q)}
    out = {}
    for label, _, _ in g.windows:
        base = returning.get(label, 0) + new.get(label, 0)
        if base:
            out[label] = (base, base - seen.get(label, 0))
    return out


async def grouped_ltv_totals(
    session: AsyncSession, scope: Scope, g: Grouping, end: datetime
) -> dict[Any, tuple[int, float]]:
    """`ltv_totals` per group: (customers with a valid order before the group's end, their total value before
    it), read from the order statistics as `ltv_totals` reads them; per window: across platforms from the
    statistics (customers whose first order is before each window's end; every total less the orders from
    that end on), on a platform from each customer's first order there."""
    if g.by == "window":
        return await _ltv_by_window(session, scope, g)
    on_platform = bool(scope.platform or g.per_platform)
    covered = _whole_seconds(end) and await _stats_cover(session, scope.workspace_id, end)
    if _whole_seconds(end) and (covered or not on_platform):
        # On a platform only when every valid order is before `end`: each customer's history there is a row.
        t, cond = _stats_table(scope, g)
        key, frm = _stats_key(t, g)
        later: dict[Any, float] = {}
        if not covered:  # every total less the orders from `end` on (see ltv_totals)
            after = _grouped(session, scope, g, end, None)
            later = {
                r[0]: float(r[1] or 0.0)
                for r in await _plain_rows(
                    session,
                    select(after.key, func.sum(_value()))
                    .select_from(after.frm)
                    .where(*after.cond)
                    .group_by(after.key),
                )
            }
        rows = await _plain_rows(
            session,
            select(
                key,
                func.count(case((t.c.first_order < int(end.timestamp()), 1))),
                func.sum(case((t.c.first_order < int(end.timestamp()), t.c.value), else_=0))
                if covered
                else func.sum(t.c.value),
            )
            .select_from(frm)
            .where(*cond)
            .group_by(key),
        )
        out: dict[Any, tuple[int, float]] = {}
        for k, n, v in rows:
            if k is None:
                continue
            total = float(v or 0.0) - (0.0 if covered else later.get(k, 0.0))
            out[k] = (int(n), total)
        return out
    gr = _grouped(session, scope, g, None, end)
    key, frm, cond = gr.key, gr.frm, gr.cond
    customers = func.count(distinct(tables.orders.c.customer_id)) if g.by != "customer" else literal(1)
    q = select(key, customers, func.sum(_value())).select_from(frm).where(*cond).group_by(key)
    return {r[0]: (int(r[1]), float(r[2] or 0.0)) for r in await _plain_rows(session, q) if r[0] is not None}


async def _ltv_by_window(session: AsyncSession, scope: Scope, g: Grouping) -> dict[Any, tuple[int, float]]:
    ends = [e for _, _, e in g.windows]
    if not scope.platform and _whole_seconds(*ends):
        # Customers whose first valid order is before each end (one pass over the statistics), and every
        # total less the valid orders from each end on (one pass over the orders since the first end).
        t = tables.customer_order_stats
        row = (
            await _plain_rows(
                session,
                select(
                    func.sum(t.c.value),
                    *(func.count(case((t.c.first_order < int(e.timestamp()), 1))) for e in ends),
                ).where(t.c.workspace_id == scope.workspace_id, *_customer_selection(scope, t.c.customer_id)),
            )
        )[0]
        everyone, counts = float(row[0] or 0.0), [int(n or 0) for n in row[1:]]
        later = (
            await _plain_rows(
                session,
                select(
                    *(func.sum(case((tables.orders.c.created_at >= e, _value()), else_=0.0)) for e in ends)
                ).where(*_where(session, scope, start=min(ends))),
            )
        )[0]
        return {
            label: (n, everyone - float(v or 0.0))
            for (label, _, _), n, v in zip(g.windows, counts, later, strict=True)
        }
    # On a platform (or ends between seconds): each customer's first order and value before each end.
    per = (
        select(
            func.min(tables.orders.c.created_at).label("m"),
            *(
                func.sum(case((tables.orders.c.created_at < e, _value()), else_=0.0)).label(f"v{i}")
                for i, e in enumerate(ends)
            ),
        )
        .where(*_where(session, scope, end=max(ends), per_customer=True))
        .group_by(tables.orders.c.customer_id)
        .subquery()
    )
    sums = (
        await _plain_rows(
            session,
            select(
                *(func.count(case((per.c.m < e, 1))) for e in ends),
                *(func.sum(per.c[f"v{i}"]) for i in range(len(ends))),
            ),
        )
    )[0]
    return {
        label: (int(sums[i] or 0), float(sums[len(ends) + i] or 0.0))
        for i, (label, _, _) in enumerate(g.windows)
    }


async def grouped_status_counts(
    session: AsyncSession, scope: Scope, g: Grouping, start: datetime | None, end: datetime
) -> dict[Any, dict[str, int]]:
    """`status_counts` per group: orders created in the window by current status."""
    frm: Any = tables.orders
    if g.by == "window":
        w = _windows_table(g)
        key: Any = w.c.label
        frm = w.join(tables.orders, literal(True))
        cond = [
            *_any_status(scope),
            tables.orders.c.created_at >= w.c.ws,
            tables.orders.c.created_at < w.c.we,
        ]
    else:
        cond = _any_status(scope, start, end)
        if g.by == "platform":
            key = tables.orders.c.platform
        elif g.by == "country":
            key = tables.orders.c.customer_country
        else:
            key = tables.orders.c.customer_id
    q = (
        select(key, tables.orders.c.status, func.count())
        .select_from(frm)
        .where(*cond)
        .group_by(key, tables.orders.c.status)
    )
    out: dict[Any, dict[str, int]] = {}
    for k, status, n in await _plain_rows(session, q):
        if k is not None:
            out.setdefault(k, {})[str(status)] = int(n)
    return out


def array_of(session: AsyncSession, expr: Any, dtype: Any) -> Any:
    """An aggregate of `expr` over a group's rows that `parse_array` reads back as a NumPy array: its text on
    SQLite (group_concat, parsed by NumPy in C) and, on PostgreSQL, its values' binary forms joined into one
    bytea (string_agg of int8send / float8send, read by NumPy straight from the bytes). A float column's NULL
    is NaN; an integer column must not be NULL (both aggregates skip NULLs, which would misalign the arrays);
    the aggregates of one statement see the rows in the same order. On SQLite a float is written with 17
    significant digits, which read back are the same double (its own text conversion keeps 15, and a value
    read back from 15 digits can round to another cent: 0.9450000000000002 read as 0.945 shows 0.94).

    PostgreSQL's bytea rather than its array_agg: asyncpg turns an array into a Python list, an object per
    value; at 944,000 orders the two columns a breakdown by segment reads took 442 ms as arrays against 340 ms
    as bytes (the scan alone 236 ms)."""
    import numpy as np

    sqlite = session.get_bind().dialect.name == "sqlite"
    if np.dtype(dtype).kind == "f":
        if sqlite:
            expr = case((expr.is_(None), literal("nan")), else_=func.printf("%!.17g", expr))
            return func.group_concat(expr)
        send = func.float8send(func.coalesce(cast(expr, Float), literal(float("nan"), Float)))
    elif sqlite:
        return func.group_concat(expr)
    else:
        send = func.int8send(cast(expr, BigInteger))
    return func.string_agg(send, literal_column("''::bytea"), type_=LargeBinary)


def parse_array(value: Any, dtype: Any) -> np.ndarray:
    """The array of an `array_of` aggregate's value (text on SQLite, big-endian bytes on PostgreSQL; None for
    no rows)."""
    import numpy as np

    if isinstance(value, str):
        return np.fromstring(value, dtype=dtype, sep=",")
    if not value:
        return np.zeros(0, dtype=dtype)
    wire = ">f8" if np.dtype(dtype).kind == "f" else ">i8"
    return np.frombuffer(value, dtype=wire).astype(dtype)


def in_ids(session: AsyncSession, column: Any, ids: Sequence[int]) -> Any:
    """`column IN ids` for any number of ids as one parameter: a JSON array on SQLite (json_each), an array on
    PostgreSQL. Tens of thousands of ids rendered into the statement cost 150 ms to render and parse; as many
    parameters exceed SQLite's limit."""
    import json

    from sqlalchemy.dialects.postgresql import ARRAY

    if session.get_bind().dialect.name == "sqlite":
        values: Any = select(literal_column("value")).select_from(func.json_each(json.dumps(list(ids))))
        return column.in_(values)
    return column == any_(bindparam("ids", list(ids), type_=ARRAY(BigInteger)))


TEXT_SEPARATOR = "\x1f"  # between texts aggregated on SQLite (a control character no name or code needs)


def texts_of(session: AsyncSession, expr: Any) -> Any:
    """A group's texts in row order, in the row order `array_of` sees: SQLite joins them with TEXT_SEPARATOR
    (that character in a text becomes a space; NULL becomes ""), PostgreSQL keeps an array."""
    if session.get_bind().dialect.name == "sqlite":
        clean = func.coalesce(func.replace(expr, literal(TEXT_SEPARATOR), literal(" ")), literal(""))
        return func.group_concat(clean, literal(TEXT_SEPARATOR))
    return func.array_agg(expr)


def split_texts(value: Any) -> list[str | None]:
    """The texts of a `texts_of` aggregate; None for NULL and for ""."""
    if isinstance(value, str):
        return [v or None for v in value.split(TEXT_SEPARATOR)]
    return [v or None for v in value or []]


async def _column_arrays(
    session: AsyncSession, columns: Sequence[tuple[Any, Any]], cond: Sequence[Any]
) -> list[np.ndarray]:
    """Columns (expression, NumPy dtype) of the orders matching `cond` as aligned arrays, in one row, each
    column aggregated by `array_of`. A row per order or per customer through the driver costs more than the
    query: 160,000 orders of 90 days at 1M orders, 145 ms to fetch as rows against 90 ms to aggregate and 40 ms
    to parse."""
    parts = [array_of(session, expr, dtype) for expr, dtype in columns]
    row = (await _plain_rows(session, select(*parts).where(*cond)))[0]
    return [parse_array(v, d) for v, (_, d) in zip(row, columns, strict=True)]


# --- Per customer, folded into segments ----------------------------------------------------------------------
#
# A breakdown by RFM segment needs, per segment, sums over rows that each belong to a customer (the period's
# orders, or each customer's statistics). The segments are the domain's (crm.analytics.metrics scores them),
# so the rows are described here as a `CustomerRows` (a customer column, a value column, a condition) and
# either read back as arrays, which the caller folds with its segments (`customer_arrays`: SQLite, in this
# process, where reading is cheap), or folded by the database itself (`fold_by_code`: PostgreSQL), which is
# sent each customer's segment as one bytea indexed by customer id and groups by the byte it finds there.
# At 10M orders the period's 1.1 million orders cost about 1 s to send back as arrays; grouped in the
# database, in parallel, nothing but eight rows comes back.


@dataclass(frozen=True)
class CustomerRows:
    """The rows matching `cond`, each with its customer and a value (None: the rows are only counted) of
    NumPy type `dtype`."""

    customer: Any
    value: Any | None
    dtype: Any
    cond: tuple[Any, ...]


@dataclass(frozen=True)
class CodeLookup:
    """Each customer's code (an index below 255) as one byte at offset id - `low`; 255 for a customer
    without one (what `code_lookup` makes of aligned id and code arrays)."""

    table: bytes
    low: int


UNCODED = 255
# Beyond this many ids between the lowest and the highest customer (a workspace whose customers are spread
# across a shared database's id range), the lookup would be sent for little: the rows are read back instead.
MAX_LOOKUP = 64_000_000


def code_lookup(ids: np.ndarray, codes: np.ndarray) -> CodeLookup | None:
    """A `CodeLookup` of customer ids ascending and their codes; None when there are none or they are spread
    too widely to be worth sending."""
    import numpy as np

    if not len(ids) or int(ids[-1]) - int(ids[0]) >= MAX_LOOKUP:
        return None
    low = int(ids[0])
    table = np.full(int(ids[-1]) - low + 1, UNCODED, np.uint8)
    table[ids - low] = codes
    return CodeLookup(table.tobytes(), low)


def folds_by_code(session: AsyncSession) -> bool:
    """Whether `fold_by_code` is the faster way on this database (PostgreSQL); SQLite, running in this
    process, reads the arrays (`customer_arrays`) as fast."""
    return session.get_bind().dialect.name == "postgresql"


async def customer_arrays(session: AsyncSession, rows: CustomerRows) -> tuple[np.ndarray, np.ndarray | None]:
    """(customer, value or None) of each row, as arrays."""
    import numpy as np

    columns: list[tuple[Any, Any]] = [(rows.customer, np.int64)]
    if rows.value is not None:
        columns.append((rows.value, rows.dtype))
    found = await _column_arrays(session, columns, rows.cond)
    return found[0], found[1] if rows.value is not None else None


async def fold_by_code(
    session: AsyncSession, rows: CustomerRows, lookup: CodeLookup, *, per_value: bool = False
) -> list[tuple[int, ...]]:
    """Per code of the rows' customers (UNCODED included: the caller leaves it out): (code, rows, sum of the
    values, rows with a value) on PostgreSQL, in one grouped statement; with `per_value`, (code, value,
    rows) per code and value instead. An amount is summed as stored (NUMERIC, exactly) and returned as a
    float."""
    c = rows.customer
    high = lookup.low + len(lookup.table) - 1
    code = case(
        (
            c.between(lookup.low, high),
            func.get_byte(literal(lookup.table, LargeBinary), cast(c - lookup.low, Integer)),
        ),
        else_=UNCODED,
    ).label("code")
    if rows.value is None:
        q = select(code, func.count(), literal(0), literal(0)).where(*rows.cond).group_by(code)
    elif per_value:
        q = select(code, rows.value, func.count()).where(*rows.cond).group_by(code, rows.value)
    else:
        total = cast(func.coalesce(func.sum(rows.value), 0), Float)
        q = select(code, func.count(), total, func.count(rows.value)).where(*rows.cond).group_by(code)
    return [tuple(r) for r in await _plain_rows(session, q)]


def distinct_customers(rows: CustomerRows) -> CustomerRows:
    """Each distinct customer of `rows` once (a row per customer, counted)."""
    sub = select(rows.customer.label("customer")).where(*rows.cond).distinct().subquery()
    return CustomerRows(sub.c.customer, None, rows.dtype, ())


def order_value_rows(
    session: AsyncSession, scope: Scope, start: datetime | None, end: datetime, *, values: bool = True
) -> CustomerRows:
    """Every valid order in scope and [start, end) with its customer and, if asked for, its base-currency
    value (NULL or NaN without a rate): a breakdown by segment sums them per customer's segment."""
    import numpy as np

    value = tables.orders.c.value_base if values else None
    cond = _where(session, scope, start=start, end=end)
    return CustomerRows(tables.orders.c.customer_id, value, np.float64, tuple(cond))


async def ltv_value_rows(session: AsyncSession, scope: Scope, end: datetime) -> CustomerRows | None:
    """Every customer in scope with a valid order before `end` and the total value of their valid orders (on
    the scope's platform if any), from the order statistics; None when they are not the history up to `end`
    (a valid order from `end` on, or a bound between seconds): LTV by segment then reads it per customer
    from the grouped path."""
    import numpy as np

    if not (_whole_seconds(end) and await _stats_cover(session, scope.workspace_id, end)):
        return None
    t, cond = _stats_table(scope, UNGROUPED)
    first = _first_order_unindexed(session, t)
    return CustomerRows(t.c.customer_id, t.c.value, np.float64, (*cond, first < int(end.timestamp())))


async def repeat_rows(
    session: AsyncSession, scope: Scope, start: datetime | None, end: datetime
) -> CustomerRows | None:
    """Every customer in scope with a valid order (on the scope's platform: there) in [start, end), with 1
    when they have two or more valid orders up to `end` else 0, from the order statistics; None when they
    cannot say (no start, a bound between seconds, a valid order from `end` on)."""
    import numpy as np

    if start is None or not _whole_seconds(start, end):
        return None
    if not await _stats_cover(session, scope.workspace_id, end):
        return None
    t, cond = _stats_table(scope, UNGROUPED)
    repeats = case((t.c.orders >= 2, 1), else_=0)
    return CustomerRows(t.c.customer_id, repeats, np.int64, (*cond, t.c.last_order >= int(start.timestamp())))


async def churn_rows(
    session: AsyncSession, scope: Scope, start: datetime, end: datetime
) -> tuple[CustomerRows, CustomerRows] | None:
    """Across platforms, the customers of the window of the same length before [start, end), as two sets of
    rows: those whose last valid order lies in it (churned), and those seen again, one order each (the first
    of the later window, whose previous order lies in the earlier); None on a platform or where the
    statistics cannot say (as `grouped_churn_counts`)."""
    import numpy as np

    lo_at = start - (end - start)
    if scope.platform or not _whole_seconds(lo_at, start):
        return None
    if not await _stats_cover(session, scope.workspace_id, end):
        return None
    t, cond = _stats_table(scope, UNGROUPED)
    gone = (*cond, t.c.last_order >= int(lo_at.timestamp()), t.c.last_order < int(start.timestamp()))
    later = (
        *_where(session, scope, start=start, end=end),
        tables.orders.c.previous_order_at >= lo_at,
        tables.orders.c.previous_order_at < start,
    )
    return (
        CustomerRows(t.c.customer_id, None, np.int64, gone),
        CustomerRows(tables.orders.c.customer_id, None, np.int64, later),
    )


def order_status_rows(scope: Scope, start: datetime | None, end: datetime) -> CustomerRows:
    """Every order with a customer in scope and [start, end), whatever its status, with its status as an
    index in ORDER_STATUSES (the status counts by segment)."""
    import numpy as np

    code = case({status: i for i, status in enumerate(ORDER_STATUSES)}, value=tables.orders.c.status)
    return CustomerRows(tables.orders.c.customer_id, code, np.int64, tuple(_any_status(scope, start, end)))


async def prospects_before(session: AsyncSession, workspace_id: int, end: datetime) -> np.ndarray:
    """Ids of the customers (not merged away) whose record was created before `end` and who had no valid order
    before it: the prospects at that moment."""
    t = tables.customer_order_stats
    bought = (
        select(t.c.customer_id)
        .where(t.c.customer_id == tables.customers.c.id, t.c.first_order < int(end.timestamp()))
        .correlate(tables.customers)
        .exists()
    )
    q = (
        select(tables.customers.c.id)
        .where(
            tables.customers.c.workspace_id == workspace_id,
            tables.customers.c.merged_into_id.is_(None),
            tables.customers.c.created_at < end,
            ~bought,
        )
        .order_by(tables.customers.c.id)
    )
    rows = await _int_rows(session, q, 1)
    return rows[:, 0]


async def _int_rows(session: AsyncSession, q: Any, width: int) -> np.ndarray:
    """A SELECT of `width` integer columns as an (n, width) int64 array, from the driver's own rows (no Row
    objects: at 200,000 customers building them costs more than the query)."""
    import numpy as np

    conn = await session.connection()
    rows = await conn.run_sync(lambda sync: _driver_rows(sync, q))
    return np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=width * len(rows)).reshape(-1, width)


async def first_two_orders(
    session: AsyncSession, workspace_id: int, end: datetime, first_from: float, first_before: float
) -> dict[str, np.ndarray]:
    """The customers whose first valid order ever is in [first_from, first_before) (UTC epoch seconds), ordered
    by id: id, first and second valid order (epoch seconds; -1 when there is no second one before `end`).

    The first orders come from `customer_order_stats`; the second orders from one windowed pass over only the
    orders of those of them with two or more valid orders, through the per-customer index."""
    import numpy as np

    t = tables.customer_order_stats
    in_window = (
        t.c.workspace_id == workspace_id,
        t.c.first_order >= first_from,
        t.c.first_order < first_before,
    )
    rows = (
        await session.execute(
            select(t.c.customer_id, t.c.first_order).where(*in_window).order_by(t.c.customer_id)
        )
    ).all()
    n = len(rows)
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
    first = np.fromiter((r[1] for r in rows), dtype=np.int64, count=n)
    second = np.full(n, -1, dtype=np.int64)
    if n:
        repeat = select(t.c.customer_id).where(*in_window, t.c.orders >= 2)
        ranked = (
            select(
                tables.orders.c.customer_id.label("cid"),
                tables.orders.c.created_at.label("at"),
                func.row_number()
                .over(
                    partition_by=tables.orders.c.customer_id,
                    order_by=(tables.orders.c.created_at, tables.orders.c.id),
                )
                .label("rn"),
            )
            .where(
                *_where(session, Scope(workspace_id), end=end, per_customer=True),
                tables.orders.c.customer_id.in_(repeat),
            )
            .subquery()
        )
        q = select(ranked.c.cid, _epoch_seconds(session, ranked.c.at)).where(ranked.c.rn == 2)
        found = (await session.execute(q)).all()
        if found:
            got = np.fromiter((r[0] for r in found), dtype=np.int64, count=len(found))
            second[np.searchsorted(ids, got)] = np.fromiter(
                (r[1] for r in found), dtype=np.int64, count=len(found)
            )
    return {"id": ids, "first": first, "second": second}


async def first_last_before(session: AsyncSession, workspace_id: int, end: datetime) -> dict[str, np.ndarray]:
    """Per customer with a valid order before `end`, ordered by id: id, first and last valid order before `end`
    (UTC epoch seconds). Read from `customer_order_stats`; only the customers who also ordered at or after
    `end` have their last order before it looked up, through the per-customer index of their orders (not a
    scan of every order). `end` is a whole second (a local midnight)."""
    import numpy as np

    t = tables.customer_order_stats
    cut = int(end.timestamp())
    known = await _int_rows(
        session,
        select(t.c.customer_id, t.c.first_order, t.c.last_order)
        .where(t.c.workspace_id == workspace_id, t.c.first_order < cut)
        .order_by(t.c.customer_id),
        3,
    )
    n = len(known)
    ids, first, last = known[:, 0].copy(), known[:, 1].copy(), known[:, 2].copy()
    if n and last.max() >= cut:
        later = select(t.c.customer_id).where(
            t.c.workspace_id == workspace_id, t.c.first_order < cut, t.c.last_order >= cut
        )
        q = (
            select(tables.orders.c.customer_id, _epoch_seconds(session, func.max(tables.orders.c.created_at)))
            .where(
                *_where(session, Scope(workspace_id), end=end, per_customer=True),
                tables.orders.c.customer_id.in_(later),
            )
            .group_by(tables.orders.c.customer_id)
        )
        found = (await session.execute(q)).all()
        if found:
            late_ids = np.fromiter((r[0] for r in found), dtype=np.int64, count=len(found))
            late_last = np.fromiter((r[1] for r in found), dtype=np.int64, count=len(found))
            last[np.searchsorted(ids, late_ids)] = late_last
    return {"id": ids, "first": first, "last": last}


@dataclass(frozen=True)
class StageCuts:
    """The lifecycle rules at one date as moments (docs/metrics.md, "Lifecycle"): the end of the date (orders
    before it count), and the starts of the local days `new`, `active` and `dormant` days before it. "First valid
    order within `new` whole local days" is "first order at or after `new_from`", and so on: a local date is
    never earlier for a later moment, so day counts become comparisons (the caller works the days out in the
    workspace time zone)."""

    end: datetime
    new_from: datetime
    active_from: datetime
    dormant_from: datetime


# Codes of stage_pairs: the four lifecycle stages in order, then prospect, then no record yet.
PROSPECT_CODE, NOT_YET_CODE = 4, 5


async def stage_pairs(
    session: AsyncSession, workspace_id: int, before: StageCuts, after: StageCuts
) -> list[tuple[int, int, int]]:
    """(stage code at `before`, stage code at `after`, customers) for every customer with a record at
    `after.end`, in two grouped statements: the buyers from `customer_order_stats` (one row each), the
    prospects from `customers`. Codes: 0-3 new, active, dormant, churned; 4 prospect (a record but no valid
    order yet); 5 no record yet (only at `before`).

    A buyer's stage needs their last valid order before the date only when they also ordered after it; then
    the per-customer order index answers "a valid order in [from, end)?" with one probe (EXISTS), never a scan
    of the customer's orders or of the window."""
    t = tables.customer_order_stats

    def has_order(lo: datetime, hi: datetime) -> Any:
        return (
            select(tables.orders.c.id)
            .where(
                tables.orders.c.customer_id == t.c.customer_id,
                *_where(session, Scope(workspace_id), start=lo, end=hi, per_customer=True),
            )
            .correlate(t)
            .exists()
        )

    def stage(c: StageCuts) -> Any:
        end = int(c.end.timestamp())
        return case(
            (t.c.first_order >= int(c.new_from.timestamp()), 0),
            (
                t.c.last_order < end,
                case(
                    (t.c.last_order >= int(c.active_from.timestamp()), 1),
                    (t.c.last_order >= int(c.dormant_from.timestamp()), 2),
                    else_=3,
                ),
            ),
            (has_order(c.active_from, c.end), 1),
            (has_order(c.dormant_from, c.active_from), 2),
            else_=3,
        )

    had_record = (
        select(tables.customers.c.id)
        .where(tables.customers.c.id == t.c.customer_id, tables.customers.c.created_at < before.end)
        .correlate(t)
        .exists()
    )
    first_stage = case(
        (t.c.first_order < int(before.end.timestamp()), stage(before)),
        (had_record, PROSPECT_CODE),
        else_=NOT_YET_CODE,
    )
    # `first_order + 0`: not a range of the first-order index, whose every row would cost a lookup of the
    # statistics row; most customers are in range, and the covering index has all the columns read here.
    buyers = (
        select(first_stage.label("a"), stage(after).label("b"))
        .where(t.c.workspace_id == workspace_id, t.c.first_order + 0 < int(after.end.timestamp()))
        .subquery()
    )
    rows = (
        await session.execute(select(buyers.c.a, buyers.c.b, func.count()).group_by(buyers.c.a, buyers.c.b))
    ).all()
    bought = (
        select(t.c.customer_id)
        .where(t.c.customer_id == tables.customers.c.id, t.c.first_order < int(after.end.timestamp()))
        .correlate(tables.customers)
        .exists()
    )
    was = case((tables.customers.c.created_at < before.end, PROSPECT_CODE), else_=NOT_YET_CODE).label("a")
    prospects = (
        select(was, func.count())
        .where(
            tables.customers.c.workspace_id == workspace_id,
            tables.customers.c.merged_into_id.is_(None),
            tables.customers.c.created_at < after.end,
            ~bought,
        )
        .group_by(was)
    )
    found = [(int(a), int(b), int(n)) for a, b, n in rows]
    found += [(int(a), PROSPECT_CODE, int(n)) for a, n in await session.execute(prospects)]
    return found
