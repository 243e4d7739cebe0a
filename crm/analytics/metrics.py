"""KPIs (METRICS.md), RFM segments, lifecycle stages, cohort retention and predicted value, as of a moment."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl
from sqlalchemy.ext.asyncio import AsyncSession

from crm.analytics.clv import fit_bgnbd, fit_gamma_gamma
from storage.repositories import analytics as repo
from storage.repositories.analytics import Scope

SEGMENT_RULES = {  # (R high, F high, M high) -> segment
    (True, True, True): "important_value", (True, False, True): "important_develop",
    (False, True, True): "important_keep", (False, False, True): "important_winback",
    (True, True, False): "general_value", (True, False, False): "general_develop",
    (False, True, False): "general_keep", (False, False, False): "general_winback",
}


def as_of_date(as_of: datetime, tz: ZoneInfo) -> date:
    """The as-of day: the as-of moment is the end of that day (local midnight after it)."""
    return (as_of.astimezone(tz) - timedelta(microseconds=1)).date()


async def metric_value(session: AsyncSession, metric: str, scope: Scope, start: datetime | None,
                       end: datetime) -> float | int | None:
    """One metric over [start, end); None when it is undefined (no orders, nobody to divide by)."""
    if metric in ("orders", "revenue", "customers", "aov"):
        n, revenue, customers = await repo.order_totals(session, scope, start, end)
        if metric == "orders":
            return n
        if metric == "revenue":
            return round(revenue, 6)
        if metric == "customers":
            return customers
        return revenue / n if n else None
    if metric == "new_customers":
        return await repo.new_customers(session, scope, start, end)
    if metric == "repeat_rate":
        active, repeat = await repo.repeat_counts(session, scope, start, end)
        return repeat / active if active else None
    if metric == "churn_rate":
        if start is None:
            return None
        prev_start = start - (end - start)
        base, churned = await repo.churn_counts(session, scope, prev_start, start, end)
        return churned / base if base else None
    if metric == "avg_ltv":
        _, revenue, customers = await repo.order_totals(session, scope, None, end)
        return revenue / customers if customers else None
    raise ValueError(f"unknown metric {metric}")


def month_windows(start: datetime, end: datetime, tz: ZoneInfo, months: int = 1) -> list[tuple[str, datetime, datetime]]:
    """Calendar months (or quarters with months=3, years with 12) covering [start, end), in local time."""
    local = start.astimezone(tz)
    first = date(local.year, local.month, 1)
    if months == 3:
        first = date(local.year, 3 * ((local.month - 1) // 3) + 1, 1)
    elif months == 12:
        first = date(local.year, 1, 1)
    out = []
    while True:
        y, m = divmod(first.year * 12 + first.month - 1 + months, 12)
        nxt = date(y, m + 1, 1)
        s = max(datetime.combine(first, time(0), tzinfo=tz), start)
        e = min(datetime.combine(nxt, time(0), tzinfo=tz), end)
        if s >= end:
            break
        label = (f"{first.year}-{first.month:02d}" if months == 1 else
                 f"{first.year}-Q{(first.month - 1) // 3 + 1}" if months == 3 else str(first.year))
        out.append((label, s, e))
        first = nxt
    return out


@dataclass
class CustomerScores:
    """Per-customer RFM, lifecycle and predicted value as of a moment (arrays aligned on `ids`)."""

    ids: np.ndarray
    recency_days: np.ndarray
    frequency: np.ndarray
    monetary: np.ndarray
    first_days_ago: np.ndarray
    r_score: np.ndarray
    f_score: np.ndarray
    m_score: np.ndarray
    segment: np.ndarray
    lifecycle: np.ndarray
    p_alive: np.ndarray | None = None
    expected_purchases: np.ndarray | None = None
    predicted_clv: np.ndarray | None = None

    def index(self) -> dict[int, int]:
        return {int(c): i for i, c in enumerate(self.ids)}


def _quintile_scores(values: np.ndarray, higher_is_better: bool) -> np.ndarray:
    """Scores 1–5 by quintile of the rank (ties share the average rank)."""
    n = len(values)
    if n == 0:
        return np.zeros(0, dtype=int)
    ranks = pl.Series(values if higher_is_better else -values).rank("average").to_numpy()
    return np.minimum(5, 1 + ((ranks - 1) * 5 // n).astype(int))


async def customer_scores(session: AsyncSession, workspace_id: int, as_of: datetime, tz: ZoneInfo, *,
                          lifecycle_days: tuple[int, int, int] = (30, 90, 180), with_clv: bool = False,
                          horizon_days: int = 365) -> CustomerScores:
    """RFM scores and segments over all customers with a valid order up to `as_of`; optionally BG/NBD CLV."""
    facts = await repo.customer_facts(session, workspace_id, as_of)
    day = as_of_date(as_of, tz)
    if not facts:
        empty = np.zeros(0)
        return CustomerScores(empty.astype(int), empty, empty, empty, empty, empty, empty, empty,
                              empty.astype(object), empty.astype(object))
    df = pl.DataFrame(facts, schema=["id", "first", "last", "orders", "value"], orient="row")
    df = df.with_columns(
        pl.col("first").dt.convert_time_zone(str(tz)).dt.date().alias("first_day"),
        pl.col("last").dt.convert_time_zone(str(tz)).dt.date().alias("last_day"),
    ).with_columns(
        (pl.lit(day) - pl.col("last_day")).dt.total_days().alias("recency"),
        (pl.lit(day) - pl.col("first_day")).dt.total_days().alias("age"),
    )
    ids = df["id"].to_numpy()
    rec = df["recency"].to_numpy().astype(float)
    freq = df["orders"].to_numpy().astype(float)
    mon = df["value"].to_numpy().astype(float)
    age = df["age"].to_numpy().astype(float)
    r_high, f_high, m_high = rec < rec.mean(), freq > freq.mean(), mon > mon.mean()
    segment = np.array([SEGMENT_RULES[(bool(r), bool(f), bool(m))] for r, f, m in zip(r_high, f_high, m_high)],
                       dtype=object)
    new_d, active_d, dormant_d = lifecycle_days
    lifecycle = np.where(age <= new_d, "new", np.where(rec <= active_d, "active",
                                                       np.where(rec <= dormant_d, "dormant", "churned")))
    scores = CustomerScores(ids, rec, freq, mon, age, _quintile_scores(rec, higher_is_better=False),
                            _quintile_scores(freq, True), _quintile_scores(mon, True), segment,
                            lifecycle.astype(object))
    if with_clv:
        await _add_clv(session, workspace_id, as_of, tz, scores, horizon_days)
    return scores


async def _add_clv(session: AsyncSession, workspace_id: int, as_of: datetime, tz: ZoneInfo,
                   scores: CustomerScores, horizon_days: int) -> None:
    """BG/NBD + Gamma-Gamma on purchase days (time unit: days), as `lifetimes` prepares them."""
    rows = await repo.purchase_times(session, workspace_id, as_of)
    df = pl.DataFrame(rows, schema=["id", "at", "value"], orient="row").with_columns(
        pl.col("at").dt.convert_time_zone(str(tz)).dt.date().alias("day"))
    daily = df.group_by(["id", "day"]).agg(pl.col("value").sum())
    per = daily.group_by("id").agg(
        pl.col("day").min().alias("first"), pl.col("day").max().alias("last"), pl.len().alias("days"),
        pl.col("value").sum().alias("total"),
        pl.col("value").sort_by("day").first().alias("first_value"),
    )
    day = as_of_date(as_of, tz) + timedelta(days=1)  # end of the as-of day
    per = per.with_columns(
        (pl.col("days") - 1).alias("x"),
        (pl.col("last") - pl.col("first")).dt.total_days().alias("t_x"),
        (pl.lit(day) - pl.col("first")).dt.total_days().alias("T"),
    )
    order = {int(c): i for i, c in enumerate(scores.ids)}
    idx = np.array([order[int(c)] for c in per["id"].to_numpy()])
    x = per["x"].to_numpy().astype(float)
    t_x = per["t_x"].to_numpy().astype(float)
    T = per["T"].to_numpy().astype(float)
    repeat_value = (per["total"] - per["first_value"]).to_numpy().astype(float)
    m_x = np.where(x > 0, repeat_value / np.maximum(x, 1), 0.0)
    n = len(scores.ids)
    scores.p_alive, scores.expected_purchases, scores.predicted_clv = np.ones(n), np.zeros(n), np.zeros(n)
    if len(x) < 10 or (x > 0).sum() < 3:
        return
    model = fit_bgnbd(x, t_x, T, penalty=0.001)
    gg = fit_gamma_gamma(x, m_x)
    pa = model.p_alive(x, t_x, T)
    expected = model.expected_purchases(horizon_days, x, t_x, T)
    first_spend = per["first_value"].to_numpy().astype(float)
    spend = gg.expected_spend(x, m_x, fallback=float(np.mean(m_x[x > 0]))) if gg else np.where(
        x > 0, m_x, first_spend)
    scores.p_alive[idx], scores.expected_purchases[idx], scores.predicted_clv[idx] = pa, expected, expected * spend


async def cohort_table(session: AsyncSession, workspace_id: int, as_of: datetime, tz: ZoneInfo, *,
                       scope: Scope | None = None, first_month: date | None = None,
                       max_offset: int = 12) -> tuple[list[str], list[int], list[list[float | None]]]:
    """Retention: cohorts by month of first valid order; cell (m, k) = share with a valid order in m+k."""
    rows = await repo.purchase_times(session, workspace_id, as_of, scope)
    if not rows:
        return [], [], []
    df = pl.DataFrame(rows, schema=["id", "at", "value"], orient="row").with_columns(
        pl.col("at").dt.convert_time_zone(str(tz)).dt.truncate("1mo").dt.date().alias("month"))
    df = df.with_columns(pl.col("month").min().over("id").alias("cohort"))
    df = df.with_columns(((pl.col("month").dt.year() - pl.col("cohort").dt.year()) * 12
                          + pl.col("month").dt.month() - pl.col("cohort").dt.month()).alias("k"))
    if first_month is not None:
        df = df.filter(pl.col("cohort") >= first_month)
    sizes = df.filter(pl.col("k") == 0).group_by("cohort").agg(pl.col("id").n_unique().alias("n"))
    active = df.group_by(["cohort", "k"]).agg(pl.col("id").n_unique().alias("a"))
    last = as_of_date(as_of, tz)
    cohorts = sorted(sizes["cohort"].to_list())
    size_of = dict(zip(sizes["cohort"].to_list(), sizes["n"].to_list(), strict=True))
    act = {(c, k): a for c, k, a in active.iter_rows()}
    labels, counts, matrix = [], [], []
    for c in cohorts:
        months_seen = (last.year - c.year) * 12 + last.month - c.month
        labels.append(f"{c.year}-{c.month:02d}")
        counts.append(int(size_of[c]))
        matrix.append([round(act.get((c, k), 0) / size_of[c], 4) if k <= months_seen else None
                       for k in range(max_offset + 1)])
    return labels, counts, matrix
