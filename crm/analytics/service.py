"""Service figures (docs/metrics.md): average rating, NPS, complaint rate and return reasons, each with the count
n it rests on, overall or broken down by period, platform, country or product. Whether n is too few to rely on
is the product-wide rule's (crm.analytics.samples), applied by the answers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from storage.repositories import analytics as analytics_repo
from storage.repositories import service as repo
from storage.repositories.analytics import Scope
from storage.repositories.service import ServiceRow

# The interactions each service figure reads.
KINDS = {
    "avg_rating": ("review",),
    "nps": ("nps",),
    "complaint_rate": ("complaint",),
    "return_reasons": ("return",),
}
SERVICE_METRICS = frozenset(KINDS)
GROUPS = ("platform", "country", "product", "month", "quarter", "year")


@dataclass(frozen=True)
class Figure:
    """A service figure and what it rests on: `n` reviews, NPS answers, valid orders (complaint rate) or
    returns; `count` the complaints of a complaint rate. `value` None when there is nothing to compute from."""

    value: float | None
    n: int
    count: int = 0


def average_rating(ratings: Sequence[int]) -> Figure:
    return Figure(sum(ratings) / len(ratings) if ratings else None, len(ratings))


def net_promoter(scores: Sequence[int]) -> Figure:
    """% answering 9-10 minus % answering 0-6 (−100 to +100)."""
    if not scores:
        return Figure(None, 0)
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    return Figure((promoters - detractors) * 100 / len(scores), len(scores))


def complaint_rate(complaints: int, orders: int) -> Figure:
    return Figure(complaints / orders if orders else None, orders, complaints)


def _figure(metric: str, rows: Sequence[ServiceRow], orders: int = 0) -> Figure:
    if metric == "avg_rating":
        return average_rating([r.rating for r in rows if r.rating is not None])
    if metric == "nps":
        return net_promoter([r.rating for r in rows if r.rating is not None])
    if metric == "complaint_rate":
        return complaint_rate(len(rows), orders)
    return Figure(len(rows) or None, len(rows))


def _counted(metric: str, c: repo.ServiceCounts, orders: int = 0) -> Figure:
    """The figure from a window's counts (the database counted them; `_figure` is the same from rows)."""
    if metric == "avg_rating":
        return Figure(c.rating_sum / c.rated if c.rated else None, c.rated)
    if metric == "nps":
        return Figure((c.promoters - c.detractors) * 100 / c.rated if c.rated else None, c.rated)
    if metric == "complaint_rate":
        return complaint_rate(c.rows, orders)
    return Figure(c.rows or None, c.rows)


async def figure(
    session: AsyncSession, metric: str, scope: Scope, start: datetime | None, end: datetime
) -> Figure:
    """One service figure over [start, end), counted by the database."""
    (counts,) = await repo.service_counts(session, scope, KINDS[metric], [start, end])
    orders = 0
    if metric == "complaint_rate":
        orders = (await analytics_repo.order_totals(session, scope, start, end, distinct_customers=False))[0]
    return _counted(metric, counts, orders)


async def figures_by(
    session: AsyncSession,
    metric: str,
    scope: Scope,
    by: str,
    start: datetime | None,
    end: datetime,
    tz: ZoneInfo,
) -> list[tuple[str, Figure]]:
    """The figure per platform, customer country, product (of the orders the rows name) or calendar window;
    groups with nothing to compute from are left out."""
    from crm.analytics.metrics import WINDOW_MONTHS, month_windows

    if by in ("month", "quarter", "year"):
        # One grouped statement counts every window; only a complaint rate asks for each window's orders.
        if start is None:
            start = await repo.first_service_time(session, scope, KINDS[metric], end) or end
        windows = month_windows(start, end, tz, WINDOW_MONTHS[by])
        counts = (
            await repo.service_counts(session, scope, KINDS[metric], [*(s for _, s, _ in windows), end])
            if windows
            else []
        )
        out = []
        for (label, s, e), c in zip(windows, counts, strict=True):
            in_window = 0
            if metric == "complaint_rate":
                totals = await analytics_repo.order_totals(session, scope, s, e, distinct_customers=False)
                in_window = totals[0]
            f = _counted(metric, c, in_window)
            if f.value is not None:
                out.append((label, f))
        return out
    if by == "product":
        return await _by_product(session, metric, scope, start, end)
    rows = await repo.service_rows(session, scope, KINDS[metric], start, end)
    grouped: dict[str, list[ServiceRow]] = {}
    for r in rows:
        key = r.channel if by == "platform" else r.country
        if key:
            grouped.setdefault(key, []).append(r)
    orders: dict[str, int] = {}
    if metric == "complaint_rate":
        by_group = await analytics_repo.grouped_order_totals(
            session, scope, analytics_repo.Grouping(by), start, end, distinct_customers=False
        )
        orders = {k: t[0] for k, t in by_group.items() if k}
        keys = set(grouped) | set(orders)
    else:
        keys = set(grouped)
    out = []
    for key in sorted(keys):
        f = _figure(metric, grouped.get(key, []), orders.get(key, 0))
        if f.value is not None or (metric == "complaint_rate" and f.n):
            out.append((key, f if f.value is not None else Figure(0.0, f.n)))
    return out


async def _by_product(
    session: AsyncSession, metric: str, scope: Scope, start: datetime | None, end: datetime
) -> list[tuple[str, Figure]]:
    """The figure per product of the orders the interactions name, counted by the database."""
    counts = await repo.service_counts_by_product(session, scope, KINDS[metric], start, end)
    orders: dict[str, int] = {}
    if metric == "complaint_rate":
        orders = await repo.valid_orders_by_product(session, scope, start, end)
    out = []
    for key in sorted(set(counts) | set(orders)):
        f = _counted(metric, counts.get(key, repo.ServiceCounts()), orders.get(key, 0))
        if f.value is not None or (metric == "complaint_rate" and f.n):
            out.append((key, f if f.value is not None else Figure(0.0, f.n)))
    return out


async def reasons(
    session: AsyncSession, scope: Scope, start: datetime | None, end: datetime
) -> list[tuple[str | None, int]]:
    """Returns in [start, end) per reason as written (None: no reason given), most frequent first."""
    rows = await repo.service_rows(session, scope, KINDS["return_reasons"], start, end)
    counts = Counter(_reason_key(r.reason) for r in rows)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] is None, kv[0] or ""))


def _reason_key(reason: str | None) -> str | None:
    """Reasons written alike ("Wrong size", "wrong size ") are one reason."""
    text = " ".join((reason or "").split())
    return text.lower() if text else None


async def service_value(
    session: AsyncSession, metric: str, scope: Scope, start: datetime | None, end: datetime
) -> float | int | None:
    """The figure alone (crm.analytics.metrics.COMPUTATIONS); answers also say its n."""
    f = await figure(session, metric, scope, start, end)
    return f.value
