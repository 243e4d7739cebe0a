"""Analytics repository: set-based aggregates over valid orders (the only place analytics SQL is written)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Float, Select, case, cast, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    BuyerIdentity,
    ConsentRecord,
    Customer,
    CustomerTag,
    Interaction,
    LoyaltyEntry,
    Order,
    Tag,
)

VALID = ("paid", "shipped", "completed")


@dataclass(frozen=True)
class Scope:
    """Which orders and customers a metric looks at (METRICS.md: platform filters orders; country, tag and
    segment select customers). `customer_ids` carries a segment (or any precomputed selection)."""

    workspace_id: int
    platform: str | None = None
    country: str | None = None
    tag: str | None = None
    customer_ids: frozenset[int] | None = None


def _value() -> Any:
    return func.coalesce(cast(Order.value_base, Float), 0.0)


def _where(scope: Scope, *, start: datetime | None = None, end: datetime | None = None) -> list[Any]:
    cond: list[Any] = [Order.workspace_id == scope.workspace_id, Order.status.in_(VALID),
                       Order.customer_id.is_not(None)]
    if start is not None:
        cond.append(Order.created_at >= start)
    if end is not None:
        cond.append(Order.created_at < end)
    if scope.platform:
        cond.append(Order.platform == scope.platform)
    if scope.country:
        cond.append(Order.customer_id.in_(
            select(Customer.id).where(Customer.workspace_id == scope.workspace_id, Customer.country == scope.country)))
    if scope.tag:
        cond.append(Order.customer_id.in_(
            select(CustomerTag.customer_id).join(Tag, Tag.id == CustomerTag.tag_id)
            .where(Tag.workspace_id == scope.workspace_id, func.lower(Tag.name) == scope.tag.lower())))
    if scope.customer_ids is not None:
        cond.append(Order.customer_id.in_(sorted(scope.customer_ids)))
    return cond


async def order_totals(session: AsyncSession, scope: Scope, start: datetime | None, end: datetime) -> tuple[int, float, int]:
    """(valid orders, revenue in base currency, distinct customers) in [start, end)."""
    row = (await session.execute(
        select(func.count(), func.sum(_value()), func.count(distinct(Order.customer_id)))
        .where(*_where(scope, start=start, end=end)))).one()
    return int(row[0] or 0), float(row[1] or 0.0), int(row[2] or 0)


def _earlier_valid_order(scope: Scope, customer_col: Any, before: datetime) -> Any:
    """EXISTS a valid order of that customer (on the scope's platform) before `before`: one index seek."""
    earlier = Order.__table__.alias("earlier")
    cond = [earlier.c.customer_id == customer_col, earlier.c.status.in_(VALID), earlier.c.created_at < before]
    if scope.platform:
        cond.append(earlier.c.platform == scope.platform)
    return select(1).where(*cond).exists()


async def new_customers(session: AsyncSession, scope: Scope, start: datetime | None, end: datetime) -> int:
    """Customers whose first valid order ever (in scope) falls in [start, end).

    Only customers active in the window are looked at, each with one indexed check for an earlier order.
    """
    active = select(Order.customer_id).where(*_where(scope, start=start, end=end)).distinct().subquery()
    q = select(func.count()).select_from(active)
    if start is not None:
        q = q.where(~_earlier_valid_order(scope, active.c.customer_id, start))
    return int((await session.execute(q)).scalar() or 0)


async def repeat_counts(session: AsyncSession, scope: Scope, start: datetime | None, end: datetime) -> tuple[int, int]:
    """(customers with a valid order in [start, end), of whom those with ≥2 valid orders up to end).

    A customer with two orders in the window repeats; one with a single order repeats when an earlier valid
    order exists (an indexed check), so history is never scanned in full.
    """
    per = (select(Order.customer_id, func.count().label("n"))
           .where(*_where(scope, start=start, end=end)).group_by(Order.customer_id).subquery())
    repeats = per.c.n >= 2
    if start is not None:
        repeats = repeats | _earlier_valid_order(scope, per.c.customer_id, start)
    row = (await session.execute(select(func.count(), func.sum(case((repeats, 1), else_=0))))).one()
    return int(row[0] or 0), int(row[1] or 0)


async def churn_counts(session: AsyncSession, scope: Scope, prev_start: datetime, start: datetime,
                       end: datetime) -> tuple[int, int]:
    """(customers active in [prev_start, start), of whom those with no valid order in [start, end))."""
    in_prev = case((Order.created_at < start, 1), else_=0)
    in_now = case((Order.created_at >= start, 1), else_=0)
    per = (select(Order.customer_id, func.sum(in_prev).label("prev"), func.sum(in_now).label("now"))
           .where(*_where(scope, start=prev_start, end=end)).group_by(Order.customer_id).subquery())
    row = (await session.execute(select(func.count(), func.sum(case((per.c.now == 0, 1), else_=0)))
                                 .where(per.c.prev > 0))).one()
    return int(row[0] or 0), int(row[1] or 0)


async def group_keys(session: AsyncSession, scope: Scope, by: str, start: datetime | None, end: datetime) -> list[str]:
    """The platforms or customer countries that have valid orders in scope and window."""
    if by == "platform":
        q: Select[Any] = select(Order.platform).distinct().where(*_where(scope, start=start, end=end))
    else:
        q = (select(Customer.country).distinct().join(Order, Order.customer_id == Customer.id)
             .where(*_where(scope, start=start, end=end), Customer.country.is_not(None)))
    return sorted(r[0] for r in await session.execute(q) if r[0])


async def customer_facts(session: AsyncSession, workspace_id: int, end: datetime) -> list[tuple[Any, ...]]:
    """Per customer with a valid order before `end`: (id, first order, last order, orders, value)."""
    q = (select(Order.customer_id, func.min(Order.created_at), func.max(Order.created_at), func.count(),
                func.sum(_value()))
         .where(*_where(Scope(workspace_id), end=end)).group_by(Order.customer_id))
    return [tuple(r) for r in await session.execute(q)]


async def purchase_times(session: AsyncSession, workspace_id: int, end: datetime,
                         scope: Scope | None = None) -> list[tuple[int, datetime, float]]:
    """(customer, created_at, value) of every valid order before `end`, for cohort and CLV calculations."""
    q = (select(Order.customer_id, Order.created_at, _value())
         .where(*_where(scope or Scope(workspace_id), end=end)).order_by(Order.customer_id, Order.created_at))
    return [tuple(r) for r in await session.execute(q)]  # type: ignore[misc]


async def top_customers(session: AsyncSession, scope: Scope, start: datetime | None, end: datetime,
                        sort_by: str, n: int) -> list[tuple[int, str | None, float]]:
    """The n customers with the highest revenue, order count or average order value in the window."""
    metric = {"orders": func.count(), "aov": func.sum(_value()) / func.count()}.get(sort_by, func.sum(_value()))
    q = (select(Order.customer_id, Customer.display_name, metric.label("m"))
         .join(Customer, Customer.id == Order.customer_id)
         .where(*_where(scope, start=start, end=end))
         .group_by(Order.customer_id, Customer.display_name)
         .order_by(metric.desc(), Order.customer_id).limit(n))
    return [(r[0], r[1], float(r[2] or 0)) for r in await session.execute(q)]


async def customer_names(session: AsyncSession, ids: Sequence[int]) -> dict[int, str | None]:
    out: dict[int, str | None] = {}
    for i in range(0, len(ids), 500):
        rows = await session.execute(select(Customer.id, Customer.display_name).where(Customer.id.in_(ids[i:i + 500])))
        out.update({r[0]: r[1] for r in rows})
    return out


async def customer_countries(session: AsyncSession, workspace_id: int) -> dict[int, str | None]:
    rows = await session.execute(select(Customer.id, Customer.country).where(
        Customer.workspace_id == workspace_id, Customer.merged_into_id.is_(None)))
    return {r[0]: r[1] for r in rows}


async def tagged_customers(session: AsyncSession, workspace_id: int, tag: str) -> set[int]:
    rows = await session.execute(select(CustomerTag.customer_id).join(Tag, Tag.id == CustomerTag.tag_id)
                                 .where(Tag.workspace_id == workspace_id, func.lower(Tag.name) == tag.lower()))
    return {r[0] for r in rows}


async def find_customers(session: AsyncSession, workspace_id: int, text: str, limit: int = 10) -> list[int]:
    """Customers matching an id, email, phone, order id, platform username or (part of a) name."""
    t = text.strip()
    live = [Customer.workspace_id == workspace_id, Customer.merged_into_id.is_(None)]
    if t.lstrip("#").isdigit():
        hit = (await session.execute(select(Customer.id).where(*live, Customer.id == int(t.lstrip("#"))))).scalar()
        if hit:
            return [hit]
    low = t.lower()
    ident = select(BuyerIdentity.customer_id).where(
        BuyerIdentity.workspace_id == workspace_id,
        (func.lower(BuyerIdentity.email) == low) | (BuyerIdentity.email_norm == low)
        | (func.lower(BuyerIdentity.username) == low) | (func.lower(BuyerIdentity.buyer_key) == low)
        | (BuyerIdentity.phone == t) | (BuyerIdentity.phone_norm == t))
    order = select(Order.customer_id).where(Order.workspace_id == workspace_id, Order.platform_order_id == t)
    exact = [r[0] for r in await session.execute(
        select(Customer.id).where(*live, Customer.id.in_(ident.union(order))).limit(limit)) if r[0]]
    if exact:
        return exact
    rows = await session.execute(select(Customer.id).where(*live, func.lower(Customer.display_name).contains(low))
                                 .order_by(Customer.id).limit(limit))
    return [r[0] for r in rows]


async def customer_detail(session: AsyncSession, customer_id: int) -> dict[str, Any]:
    """Everything the customer card shows (no analytics: those come from crm.analytics)."""
    c = await session.get(Customer, customer_id)
    assert c is not None
    idents = (await session.execute(select(BuyerIdentity.platform, BuyerIdentity.buyer_key, BuyerIdentity.username,
                                           BuyerIdentity.name).where(BuyerIdentity.customer_id == customer_id))).all()
    orders = (await session.execute(
        select(Order.platform, Order.platform_order_id, Order.status, Order.created_at, Order.value_base,
               Order.currency, Order.order_value)
        .where(Order.customer_id == customer_id).order_by(Order.created_at.desc()).limit(5))).all()
    points = (await session.execute(select(func.coalesce(func.sum(LoyaltyEntry.points), 0))
                                    .where(LoyaltyEntry.customer_id == customer_id))).scalar()
    tags = [r[0] for r in await session.execute(select(Tag.name).join(CustomerTag, CustomerTag.tag_id == Tag.id)
                                                .where(CustomerTag.customer_id == customer_id).order_by(Tag.name))]
    consent = (await session.execute(select(ConsentRecord.granted).where(
        ConsentRecord.customer_id == customer_id, ConsentRecord.purpose == "marketing")
        .order_by(ConsentRecord.recorded_at.desc(), ConsentRecord.id.desc()).limit(1))).scalar()
    interactions = (await session.execute(
        select(Interaction.kind, Interaction.occurred_at, Interaction.body, Interaction.rating)
        .where(Interaction.customer_id == customer_id).order_by(Interaction.occurred_at.desc()).limit(3))).all()
    return {"customer": c, "identities": idents, "recent_orders": orders, "points": int(points or 0),
            "tags": tags, "marketing_consent": consent, "interactions": interactions}

