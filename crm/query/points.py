"""Answers about loyalty points (docs/loyalty.md): one customer's balance and next expiry, the points customers
hold in total, and the points that expire within a window. The arithmetic is crm/loyalty.py's."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from crm import loyalty
from crm.query import texts
from crm.query.ir import PointsQuery
from crm.query.result import Result
from crm.settings import workspace_of


def expiry_days(ctx: Any) -> int | None:
    days = getattr(workspace_of(ctx.settings), "loyalty_expiry_days", None)
    return int(days) if days else None


async def customer_points_result(ctx: Any, card: Result) -> Result:
    """ "How many points does Tan Wei Ling have": the balance, and the next points to expire."""
    val = {r[0]: r[1] for r in card.rows}
    who = f"{val['name'] or '#' + str(val['id'])} (#{val['id']})"
    async with ctx.db.sessions() as session:
        acc = await loyalty.account(
            session,
            ctx.workspace_id,
            int(val["id"]),
            expiry_days=expiry_days(ctx),
            tz=str(ctx.tz),
            now=ctx.as_of,
            recent=0,
        )
    pos = acc.position
    text = texts.t(ctx.lang, "customer_points", who=who, points=pos.available)
    soon = pos.next_expiry()
    if soon is not None:
        text += texts.t(ctx.lang, "customer_points_expiring", points=soon[1], date=soon[0].isoformat())
    return Result(
        intent="customer",
        query=card.query,
        value=pos.available,
        text=text,
        language=ctx.lang,
        unit="count",
        columns=["expires_on", "points"],
        rows=[[d.isoformat(), p] for d, p in pos.upcoming],
        card_ids=[int(val["id"])],
    )


def window(q: PointsQuery, today: date) -> tuple[date, date]:
    """[start, end) in shop-local days, from today."""

    def first_of(y: int, m: int) -> date:
        y, m = divmod(y * 12 + m - 1, 12)
        return date(y, m + 1, 1)

    if q.within == "days":
        return today, today + timedelta(days=q.days or 30)
    if q.within == "this_week":
        return today, today + timedelta(days=7 - today.weekday())
    if q.within == "next_month":
        return first_of(today.year, today.month + 1), first_of(today.year, today.month + 2)
    if q.within == "this_year":
        return today, date(today.year + 1, 1, 1)
    return today, first_of(today.year, today.month + 1)


async def points_result(ctx: Any, q: PointsQuery) -> Result:
    from storage.repositories import loyalty as repo

    query = q.model_dump(mode="json")
    days = expiry_days(ctx)
    zone: ZoneInfo = ctx.tz
    today = loyalty.local_day(ctx.as_of, zone)
    async with ctx.db.sessions() as session:
        if q.kind == "outstanding":
            total, customers = await repo.outstanding(session, ctx.workspace_id)
            return Result(
                intent="points",
                query=query,
                value=total,
                unit="count",
                text=texts.t(ctx.lang, "points_outstanding", points=total, customers=customers),
                language=ctx.lang,
            )
        if not days:
            return Result(
                intent="points", query=query, text=texts.t(ctx.lang, "points_no_expiry"), language=ctx.lang
            )
        start, end = window(q, today)
        per_day: dict[date, list[int]] = {}
        ledgers = await repo.ledgers_due(session, ctx.workspace_id, ctx.as_of + timedelta(days=1))
    customers = 0
    for rows in ledgers.values():
        entries = [loyalty.Entry(r.id, r.points, r.reason, r.created_at, r.order_id) for r in rows]
        pos = loyalty.position(entries, expiry_days=days, today=today, tz=zone)
        days_hit = set()
        for lot in pos.lots:
            if lot.expires_on is not None and start <= lot.expires_on < end:
                per_day.setdefault(lot.expires_on, [0, 0])[0] += lot.remaining
                days_hit.add(lot.expires_on)
        for day in days_hit:
            per_day[day][1] += 1
        customers += bool(days_hit)
    total = sum(v[0] for v in per_day.values())
    return Result(
        intent="points",
        query=query,
        value=total,
        unit="count",
        text=texts.t(
            ctx.lang,
            "points_expiring",
            points=total,
            customers=customers,
            start=start.isoformat(),
            end=(end - timedelta(days=1)).isoformat(),
        ),
        language=ctx.lang,
        columns=["expires_on", "points", "customers"],
        rows=[[d.isoformat(), v[0], v[1]] for d, v in sorted(per_day.items())],
    )
