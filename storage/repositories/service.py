"""Service history: reviews, NPS answers, complaints and returns (interactions), for the service figures
(docs/metrics.md), the customer card and the service-recovery alert."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, distinct, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import tables
from storage.arrays import sorted_unique
from storage.repositories.analytics import (
    Scope,
    _customer_selection,
    _plain_rows,
    _where,
    array_of,
    customer_country,
    in_ids,
    parse_array,
    split_texts,
    texts_of,
)

# The interactions the service figures and the card's timeline read.
SERVICE_KINDS = ("review", "nps", "complaint", "return")


@dataclass(frozen=True, slots=True)
class ServiceRow:
    id: int
    customer_id: int
    kind: str
    rating: int | None
    reason: str | None
    channel: str | None
    country: str | None
    order_id: int | None
    occurred_at: datetime
    product: str | None = None  # the product a review is of (platform review exports); else its order's


def _service_conditions(
    scope: Scope, kinds: Sequence[str], start: datetime | None, end: datetime
) -> list[Any]:
    cond: list[Any] = [
        tables.interactions.c.workspace_id == scope.workspace_id,
        tables.interactions.c.kind.in_(list(kinds)),
        tables.interactions.c.occurred_at < end,
        *_customer_selection(scope, tables.interactions.c.customer_id),
    ]
    if start is not None:
        cond.append(tables.interactions.c.occurred_at >= start)
    if scope.platform:
        cond.append(tables.interactions.c.channel == scope.platform)
    return cond


async def service_rows(
    session: AsyncSession, scope: Scope, kinds: Sequence[str], start: datetime | None, end: datetime
) -> list[ServiceRow]:
    """The interactions of `kinds` in [start, end) of the scope's customers; a platform filter keeps those
    that came from that platform (the file's platform column)."""
    cond = _service_conditions(scope, kinds, start, end)
    rows = await session.execute(
        select(
            tables.interactions.c.id,
            tables.interactions.c.customer_id,
            tables.interactions.c.kind,
            tables.interactions.c.rating,
            tables.interactions.c.reason,
            tables.interactions.c.channel,
            customer_country(),
            tables.interactions.c.order_id,
            tables.interactions.c.occurred_at,
            tables.interactions.c.product,
        )
        .join(tables.customers, tables.customers.c.id == tables.interactions.c.customer_id)
        .where(*cond)
        .order_by(tables.interactions.c.occurred_at, tables.interactions.c.id)
    )
    return [ServiceRow(*tuple(r)) for r in rows]


@dataclass(frozen=True, slots=True)
class ServiceCounts:
    """What a service figure needs of the interactions of one window: how many, how many with a rating, the sum
    of those ratings, and how many ratings are 9-10 (NPS promoters) and 0-6 (detractors)."""

    rows: int = 0
    rated: int = 0
    rating_sum: int = 0
    promoters: int = 0
    detractors: int = 0


async def service_counts(
    session: AsyncSession, scope: Scope, kinds: Sequence[str], bounds: Sequence[datetime | None]
) -> list[ServiceCounts]:
    """The counts of the interactions `service_rows` would read, per window [bounds[i], bounds[i + 1]) (the
    first bound None: from the beginning), in one grouped statement: no row is fetched."""
    edges = list(bounds[1:-1])
    end = bounds[-1]
    assert end is not None
    window = (
        case(*((tables.interactions.c.occurred_at < b, i) for i, b in enumerate(edges)), else_=len(edges))
        if edges
        else literal(0)
    )
    rated = tables.interactions.c.rating.is_not(None)
    q = (
        select(
            window.label("w"),
            func.count(),
            func.count(tables.interactions.c.rating),
            func.coalesce(func.sum(tables.interactions.c.rating), 0),
            func.sum(case((tables.interactions.c.rating >= 9, 1), else_=0)),
            func.sum(case((and_(rated, tables.interactions.c.rating <= 6), 1), else_=0)),
        )
        .join(tables.customers, tables.customers.c.id == tables.interactions.c.customer_id)
        .where(*_service_conditions(scope, kinds, bounds[0], end))
        .group_by(window)
    )
    out = [ServiceCounts() for _ in range(len(bounds) - 1)]
    for w, n, r, total, pro, det in await session.execute(q):
        out[int(w)] = ServiceCounts(int(n), int(r), int(total or 0), int(pro or 0), int(det or 0))
    return out


async def service_counts_by_product(
    session: AsyncSession, scope: Scope, kinds: Sequence[str], start: datetime | None, end: datetime
) -> dict[str, ServiceCounts]:
    """The counts of the interactions `service_rows` would read in [start, end) per product: a review of a
    product (platform review exports) is that product's; any other interaction is the products' (name, else SKU)
    of the order it names, once per product. Read in two statements, each one aggregated row: the interactions,
    then the lines of the orders they name, in order-id order; folded by NumPy. One statement joining each
    interaction to its customer and its order's lines looked them up at random, and a row per line through the
    driver and Python cost as much again (45,000 reviews of a year at 1,000,000 orders: 0.5 s)."""
    import numpy as np

    cond = _service_conditions(scope, kinds, start, end)
    # no join to customers: every interaction has one (a foreign key, not null)
    row = (
        await _plain_rows(
            session,
            select(
                array_of(session, func.coalesce(tables.interactions.c.rating, -1), np.int64),
                array_of(session, func.coalesce(tables.interactions.c.order_id, -1), np.int64),
                texts_of(session, func.nullif(tables.interactions.c.product, "")),
            ).where(*cond),
        )
    )[0]
    rating, order = parse_array(row[0], np.int64), parse_array(row[1], np.int64)
    own = split_texts(row[2])
    if not len(rating):
        return {}
    names: dict[str, int] = {}
    own_code = np.array([-1 if p is None else names.setdefault(p, len(names)) for p in own], np.int64)
    of_order = (own_code < 0) & (order >= 0)
    wanted = sorted_unique(order[of_order])
    line_order, line_label = np.empty(0, np.int64), np.empty(0, np.int64)
    if len(wanted):
        lines = (
            await _plain_rows(
                session,
                select(
                    array_of(session, tables.order_lines.c.order_id, np.int64), texts_of(session, _product())
                ).where(
                    in_ids(session, tables.order_lines.c.order_id, wanted.tolist()), _product().is_not(None)
                ),
            )
        )[0]
        line_order = parse_array(lines[0], np.int64)
        # a label is never NULL here (the WHERE); split_texts reads "" as None: it is the name ""
        labels = ["" if p is None else str(p) for p in split_texts(lines[1])]
        line_label = np.array([names.setdefault(p, len(names)) for p in labels], np.int64)
    n = np.int64(max(len(names), 1))
    pairs = sorted_unique(line_order * n + line_label)  # each (order, product) once, by order
    pair_order, pair_label = pairs // n, pairs % n
    asked = np.flatnonzero(of_order)
    first = np.searchsorted(pair_order, order[asked], "left")
    many = np.searchsorted(pair_order, order[asked], "right") - first
    which = np.repeat(asked, many)  # an interaction once per product of its order
    at = np.arange(int(many.sum())) - np.repeat(np.cumsum(many) - many, many) + np.repeat(first, many)
    mine = np.flatnonzero(own_code >= 0)
    label = np.concatenate((own_code[mine], pair_label[at]))
    r = rating[np.concatenate((mine, which))]
    rated = r >= 0

    def per(mask: np.ndarray, weights: np.ndarray | None = None) -> list[int]:
        w = None if weights is None else weights[mask]
        counts: list[int] = np.bincount(label[mask], weights=w, minlength=int(n)).astype(np.int64).tolist()
        return counts

    rows = per(np.ones(len(label), bool))
    counted = [rows, per(rated), per(rated, r), per(r >= 9), per(rated & (r <= 6))]
    return {name: ServiceCounts(*(c[code] for c in counted)) for name, code in names.items() if rows[code]}


async def first_service_time(
    session: AsyncSession, scope: Scope, kinds: Sequence[str], end: datetime
) -> datetime | None:
    """When the first interaction `service_rows` would read happened (None: there is none)."""
    q = (
        select(func.min(tables.interactions.c.occurred_at))
        .join(tables.customers, tables.customers.c.id == tables.interactions.c.customer_id)
        .where(*_service_conditions(scope, kinds, None, end))
    )
    found: datetime | None = (await session.execute(q)).scalar()
    return found


def _product() -> Any:
    return func.coalesce(tables.order_lines.c.product_name, tables.order_lines.c.sku)


async def valid_orders_by_product(
    session: AsyncSession, scope: Scope, start: datetime | None, end: datetime
) -> dict[str, int]:
    """Valid orders in scope and [start, end) per product their lines name (an order counts once per product)."""
    rows = await session.execute(
        select(_product().label("p"), func.count(distinct(tables.orders.c.id)))
        .join(tables.order_lines, tables.order_lines.c.order_id == tables.orders.c.id)
        .where(*_where(session, scope, start=start, end=end), _product().is_not(None))
        .group_by(_product())
    )
    return {str(p): int(n) for p, n in rows}


async def customer_service(session: AsyncSession, customer_id: int, limit: int) -> list[Any]:
    """A customer's latest reviews, NPS answers, complaints and returns, latest first, with the order number and
    the product a review is of (platform review exports)."""
    rows = await session.execute(
        select(
            tables.interactions.c.kind,
            tables.interactions.c.occurred_at,
            tables.interactions.c.rating,
            tables.interactions.c.reason,
            tables.interactions.c.body,
            tables.orders.c.platform_order_id,
            tables.interactions.c.product,
        )
        .outerjoin(tables.orders, tables.orders.c.id == tables.interactions.c.order_id)
        .where(
            tables.interactions.c.customer_id == customer_id, tables.interactions.c.kind.in_(SERVICE_KINDS)
        )
        .order_by(tables.interactions.c.occurred_at.desc(), tables.interactions.c.id.desc())
        .limit(limit)
    )
    return list(rows.all())


async def unhappy_interactions(
    session: AsyncSession,
    workspace_id: int,
    since: datetime,
    until: datetime,
    *,
    review_at_most: int,
    nps_at_most: int,
) -> list[Any]:
    """Low reviews, low NPS answers and complaints of live customers in [since, until) that no service alert
    has named yet (alert_records kind "service", subject "interaction:<id>"), oldest first."""
    # An alert is sent after what it names happened: the records since `since` are all that can match.
    alerted = set(
        (
            await session.execute(
                select(tables.alert_records.c.subject).where(
                    tables.alert_records.c.workspace_id == workspace_id,
                    tables.alert_records.c.kind == "service",
                    tables.alert_records.c.sent_at >= since,
                )
            )
        ).scalars()
    )
    rows = await session.execute(
        select(
            tables.interactions.c.id,
            tables.interactions.c.customer_id,
            tables.interactions.c.kind,
            tables.interactions.c.rating,
            tables.interactions.c.reason,
            tables.interactions.c.body,
            tables.interactions.c.occurred_at,
            tables.interactions.c.channel,
            tables.orders.c.platform_order_id,
        )
        .join(tables.customers, tables.customers.c.id == tables.interactions.c.customer_id)
        .outerjoin(tables.orders, tables.orders.c.id == tables.interactions.c.order_id)
        .where(
            tables.interactions.c.workspace_id == workspace_id,
            tables.interactions.c.occurred_at >= since,
            tables.interactions.c.occurred_at < until,
            tables.customers.c.merged_into_id.is_(None),
            (
                (tables.interactions.c.kind == "complaint")
                | (
                    (tables.interactions.c.kind == "review")
                    & (tables.interactions.c.rating <= review_at_most)
                )
                | ((tables.interactions.c.kind == "nps") & (tables.interactions.c.rating <= nps_at_most))
            ),
        )
        .order_by(tables.interactions.c.occurred_at, tables.interactions.c.id)
    )
    return [r for r in rows.all() if f"interaction:{r.id}" not in alerted]


# ---------------------------------------------------------------- platform review exports
async def customers_by_email(
    session: AsyncSession, workspace_id: int, platform: str, emails: Iterable[str]
) -> dict[str, int]:
    """Normalised e-mail -> customer, for the platform's buyer identities that carry it (a buyer known only
    through the platform's customers export, keyed by its customer id, is found by their e-mail)."""
    out: dict[str, int] = {}
    wanted = sorted(set(emails))
    for i in range(0, len(wanted), 900):
        rows = await session.execute(
            select(tables.buyer_identities.c.email_norm, tables.buyer_identities.c.customer_id)
            .where(
                tables.buyer_identities.c.workspace_id == workspace_id,
                tables.buyer_identities.c.platform == platform,
                tables.buyer_identities.c.email_norm.in_(wanted[i : i + 900]),
                tables.buyer_identities.c.customer_id.is_not(None),
            )
            .order_by(tables.buyer_identities.c.id)
        )
        for email, customer in rows:
            if email is not None and customer is not None:  # always: the query asks for both
                out.setdefault(email, customer)
    return out


@dataclass(frozen=True, slots=True)
class ProductLine:
    """A product as one of a platform's order lines names it: `label` is what answers by product show (the
    name, else the SKU)."""

    label: str
    name: str | None
    sku: str | None


async def platform_products(session: AsyncSession, workspace_id: int, platform: str) -> list[ProductLine]:
    """The distinct products the platform's imported order lines name."""
    rows = await session.execute(
        select(tables.order_lines.c.product_name, tables.order_lines.c.sku)
        .join(tables.orders, tables.orders.c.id == tables.order_lines.c.order_id)
        .where(
            tables.orders.c.workspace_id == workspace_id,
            tables.orders.c.platform == platform,
            _product().is_not(None),
        )
        .distinct()
    )
    return sorted(
        (ProductLine(str(name or sku), name, sku) for name, sku in rows), key=lambda p: (p.label, p.sku or "")
    )


async def customers_product_orders(
    session: AsyncSession, workspace_id: int, platform: str, customer_ids: Iterable[int]
) -> list[tuple[int, int, datetime, ProductLine]]:
    """(customer, order id, order time, product line) of the customers' orders on the platform, oldest first."""
    out: list[tuple[int, int, datetime, ProductLine]] = []
    ids = sorted(set(customer_ids))
    for i in range(0, len(ids), 900):
        rows = await session.execute(
            select(
                tables.orders.c.customer_id,
                tables.orders.c.id,
                tables.orders.c.created_at,
                tables.order_lines.c.product_name,
                tables.order_lines.c.sku,
            )
            .join(tables.order_lines, tables.order_lines.c.order_id == tables.orders.c.id)
            .where(
                tables.orders.c.workspace_id == workspace_id,
                tables.orders.c.platform == platform,
                tables.orders.c.customer_id.in_(ids[i : i + 900]),
                _product().is_not(None),
            )
        )
        for customer, order_id, created, name, sku in rows:
            if customer is not None:  # always: the query asks for the customers' orders
                out.append((customer, order_id, created, ProductLine(str(name or sku), name, sku)))
    out.sort(key=lambda t: (t[2], t[1]))
    return out
