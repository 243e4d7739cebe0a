"""Service history: reviews, NPS answers, complaints and returns (interactions), for the service figures
(docs/metrics.md), the customer card and the service-recovery alert."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, distinct, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AlertRecord, Customer, Interaction, Order, OrderLine
from storage.repositories.analytics import Scope, _customer_selection, _where, customer_country

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


def _service_conditions(
    scope: Scope, kinds: Sequence[str], start: datetime | None, end: datetime
) -> list[Any]:
    cond: list[Any] = [
        Interaction.workspace_id == scope.workspace_id,
        Interaction.kind.in_(list(kinds)),
        Interaction.occurred_at < end,
        *_customer_selection(scope, Interaction.customer_id),
    ]
    if start is not None:
        cond.append(Interaction.occurred_at >= start)
    if scope.platform:
        cond.append(Interaction.channel == scope.platform)
    return cond


async def service_rows(
    session: AsyncSession, scope: Scope, kinds: Sequence[str], start: datetime | None, end: datetime
) -> list[ServiceRow]:
    """The interactions of `kinds` in [start, end) of the scope's customers; a platform filter keeps those
    that came from that platform (the file's platform column)."""
    cond = _service_conditions(scope, kinds, start, end)
    rows = await session.execute(
        select(
            Interaction.id,
            Interaction.customer_id,
            Interaction.kind,
            Interaction.rating,
            Interaction.reason,
            Interaction.channel,
            customer_country(),
            Interaction.order_id,
            Interaction.occurred_at,
        )
        .join(Customer, Customer.id == Interaction.customer_id)
        .where(*cond)
        .order_by(Interaction.occurred_at, Interaction.id)
    )
    return [ServiceRow(*r) for r in rows]


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
        case(*((Interaction.occurred_at < b, i) for i, b in enumerate(edges)), else_=len(edges))
        if edges
        else literal(0)
    )
    rated = Interaction.rating.is_not(None)
    q = (
        select(
            window.label("w"),
            func.count(),
            func.count(Interaction.rating),
            func.coalesce(func.sum(Interaction.rating), 0),
            func.sum(case((Interaction.rating >= 9, 1), else_=0)),
            func.sum(case((and_(rated, Interaction.rating <= 6), 1), else_=0)),
        )
        .join(Customer, Customer.id == Interaction.customer_id)
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
    """The counts of the interactions `service_rows` would read in [start, end) per product (name, else SKU) of
    the order each names, an interaction once per product, in one grouped statement."""
    per = (
        select(Interaction.id.label("i"), Interaction.rating.label("r"), _product().label("p"))
        .join(Customer, Customer.id == Interaction.customer_id)
        .join(OrderLine, OrderLine.order_id == Interaction.order_id)
        .where(*_service_conditions(scope, kinds, start, end), _product().is_not(None))
        .distinct()
        .subquery()
    )
    q = select(
        per.c.p,
        func.count(),
        func.count(per.c.r),
        func.coalesce(func.sum(per.c.r), 0),
        func.sum(case((per.c.r >= 9, 1), else_=0)),
        func.sum(case((and_(per.c.r.is_not(None), per.c.r <= 6), 1), else_=0)),
    ).group_by(per.c.p)
    return {
        str(p): ServiceCounts(int(n), int(r), int(total or 0), int(pro or 0), int(det or 0))
        for p, n, r, total, pro, det in await session.execute(q)
    }


async def first_service_time(
    session: AsyncSession, scope: Scope, kinds: Sequence[str], end: datetime
) -> datetime | None:
    """When the first interaction `service_rows` would read happened (None: there is none)."""
    q = (
        select(func.min(Interaction.occurred_at))
        .join(Customer, Customer.id == Interaction.customer_id)
        .where(*_service_conditions(scope, kinds, None, end))
    )
    found: datetime | None = (await session.execute(q)).scalar()
    return found


def _product() -> Any:
    return func.coalesce(OrderLine.product_name, OrderLine.sku)


async def valid_orders_by_product(
    session: AsyncSession, scope: Scope, start: datetime | None, end: datetime
) -> dict[str, int]:
    """Valid orders in scope and [start, end) per product their lines name (an order counts once per product)."""
    rows = await session.execute(
        select(_product().label("p"), func.count(distinct(Order.id)))
        .join(OrderLine, OrderLine.order_id == Order.id)
        .where(*_where(session, scope, start=start, end=end), _product().is_not(None))
        .group_by(_product())
    )
    return {str(p): int(n) for p, n in rows}


async def customer_service(session: AsyncSession, customer_id: int, limit: int) -> list[Any]:
    """A customer's latest reviews, NPS answers, complaints and returns, latest first, with the order number."""
    rows = await session.execute(
        select(
            Interaction.kind,
            Interaction.occurred_at,
            Interaction.rating,
            Interaction.reason,
            Interaction.body,
            Order.platform_order_id,
        )
        .outerjoin(Order, Order.id == Interaction.order_id)
        .where(Interaction.customer_id == customer_id, Interaction.kind.in_(SERVICE_KINDS))
        .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
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
                select(AlertRecord.subject).where(
                    AlertRecord.workspace_id == workspace_id,
                    AlertRecord.kind == "service",
                    AlertRecord.sent_at >= since,
                )
            )
        ).scalars()
    )
    rows = await session.execute(
        select(
            Interaction.id,
            Interaction.customer_id,
            Interaction.kind,
            Interaction.rating,
            Interaction.reason,
            Interaction.body,
            Interaction.occurred_at,
            Interaction.channel,
            Order.platform_order_id,
        )
        .join(Customer, Customer.id == Interaction.customer_id)
        .outerjoin(Order, Order.id == Interaction.order_id)
        .where(
            Interaction.workspace_id == workspace_id,
            Interaction.occurred_at >= since,
            Interaction.occurred_at < until,
            Customer.merged_into_id.is_(None),
            (
                (Interaction.kind == "complaint")
                | ((Interaction.kind == "review") & (Interaction.rating <= review_at_most))
                | ((Interaction.kind == "nps") & (Interaction.rating <= nps_at_most))
            ),
        )
        .order_by(Interaction.occurred_at, Interaction.id)
    )
    return [r for r in rows.all() if f"interaction:{r.id}" not in alerted]
