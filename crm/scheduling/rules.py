"""Alert rules and digests: churn risk among important customers, KPI thresholds, cool-downs, weekly/monthly digests.

The numbers come from crm.analytics (RFM segments, BG/NBD P(alive), the docs/metrics.md KPIs); this module only
decides who and what deserves an alert, and what a digest contains.
- Churn alert ("slipping away"): a customer in an `important_*` segment with no interaction for
  `churn_inactive_days` (orders of any status, chats, reviews, complaints, returns and outreach sent count;
  seller's notes do not), or with P(alive) below `churn_p_alive_below`, who is not long lost. Long lost = no
  interaction for over `churn_long_lost_days` (the lifecycle stage `churned`) or P(alive) below
  `churn_p_alive_floor`: those are counted for a win-back, never named as slipping away. A customer alerted
  within `alert_cooldown_days` is not alerted again.
- Value at risk, the ranking of both lists (highest first): what the customer is expected to spend in the
  next 365 days, the predicted CLV (BG/NBD × Gamma-Gamma, docs/metrics.md); when the base is too small to fit the
  model, their historical spend per year (total valid order value over the years since their first order,
  at least one year).
- Stale data: the newest order (any status) is more than `stale_data_days` days old on the as-of date.
- KPI alerts over the default window (the last 90 days, as for any question without a period):
  repeat rate below `repeat_rate_below`, churn rate above `churn_rate_above`, AOV below `aov_below` (if set);
  a KPI alerted within the cool-down is not alerted again.
- Weekly digest: the previous calendar week (Monday to Monday, local time) against the week before it.
  Monthly review: the previous calendar month against the month before it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from crm.analytics.metrics import as_of_date, customer_scores, metric_value
from crm.query.result import ChartSpec
from storage.repositories import alerts as alerts_repo
from storage.repositories.analytics import Scope

DIGEST_METRICS: tuple[str, ...] = (
    "revenue",
    "orders",
    "customers",
    "new_customers",
    "aov",
    "repeat_rate",
    "churn_rate",
)
KPI_WINDOW_DAYS = 90


YEAR_DAYS = 365


@dataclass(frozen=True)
class ChurnAlert:
    customer_id: int
    segment: str
    days_inactive: int
    p_alive: float | None
    monetary: float
    reasons: tuple[str, ...]  # "inactive", "p_alive"
    value_at_risk: float = 0.0

    @property
    def subject(self) -> str:
        return str(self.customer_id)


@dataclass(frozen=True)
class ChurnReview:
    """Important customers at risk, each list ranked by value at risk (highest first)."""

    slipping: list[ChurnAlert]  # still worth a call: the churn alert
    long_lost: list[ChurnAlert]  # gone too long (or P(alive) under the floor): a win-back count


@dataclass(frozen=True)
class KpiAlert:
    metric: str
    value: float
    threshold: float
    direction: Literal["below", "above"]
    start: datetime
    end: datetime

    @property
    def subject(self) -> str:
        return self.metric


@dataclass(frozen=True)
class KpiChange:
    metric: str
    current: float | None
    previous: float | None

    @property
    def change(self) -> float | None:
        """Relative change for counts and money; for ratios the difference in points (0.02 = 2 points)."""
        if self.current is None or self.previous is None:
            return None
        if self.metric in ("repeat_rate", "churn_rate"):
            return self.current - self.previous
        if self.previous == 0:
            return None
        return (self.current - self.previous) / abs(self.previous)


@dataclass(frozen=True)
class Digest:
    kind: Literal["weekly", "monthly"]
    label: str  # "2026-W47" or "2026-10": the period's name, the alert record's subject
    start: datetime
    end: datetime
    previous_start: datetime
    kpis: list[KpiChange]
    chart: ChartSpec
    at_risk: int = 0
    long_lost: int = 0
    newest_order: date | None = None  # set when the data is stale (older than `stale_data_days`)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def has_orders(self) -> bool:
        """Any valid order in the period: without one there is nothing to report or draw."""
        orders = next((k.current for k in self.kpis if k.metric == "orders"), None)
        return bool(orders)


# ----------------------------------------------------------------------------------------------------
# churn
# ----------------------------------------------------------------------------------------------------
def _ranked(alerts: list[ChurnAlert]) -> list[ChurnAlert]:
    return sorted(alerts, key=lambda a: (-round(a.value_at_risk, 2), -a.monetary, a.customer_id))


async def churn_review(
    session: AsyncSession, workspace_id: int, rules: Any, as_of: datetime, tz: ZoneInfo
) -> ChurnReview:
    """Important customers at risk as of `as_of`: slipping away and long lost (cool-down not applied)."""
    scores = await customer_scores(session, workspace_id, as_of, tz, with_clv=True, horizon_days=YEAR_DAYS)
    if len(scores.ids) == 0:
        return ChurnReview([], [])
    last = await alerts_repo.last_interactions(session, workspace_id)
    day = as_of_date(as_of, tz)
    slipping: list[ChurnAlert] = []
    long_lost: list[ChurnAlert] = []
    for i, raw_id in enumerate(scores.ids):
        segment = str(scores.segment[i])
        if not segment.startswith("important_"):
            continue
        cid = int(raw_id)
        last_at = last.get(cid)
        days = (
            (day - last_at.astimezone(tz).date()).days if last_at is not None else int(scores.recency_days[i])
        )
        p_alive = float(scores.p_alive[i]) if scores.p_alive is not None and scores.model_fitted else None
        reasons = []
        if days >= rules.churn_inactive_days:
            reasons.append("inactive")
        if p_alive is not None and p_alive < rules.churn_p_alive_below:
            reasons.append("p_alive")
        if not reasons:
            continue
        monetary = float(scores.monetary[i])
        if scores.model_fitted and scores.predicted_clv is not None:
            value = float(scores.predicted_clv[i])
        else:  # no model: the customer's historical pace, per year
            value = monetary * YEAR_DAYS / max(float(scores.first_days_ago[i]) + 1, YEAR_DAYS)
        alert = ChurnAlert(cid, segment, days, p_alive, monetary, tuple(reasons), value)
        lost = days > rules.churn_long_lost_days or (
            p_alive is not None and p_alive < rules.churn_p_alive_floor
        )
        (long_lost if lost else slipping).append(alert)
    return ChurnReview(_ranked(slipping), _ranked(long_lost))


async def churn_candidates(
    session: AsyncSession, workspace_id: int, rules: Any, as_of: datetime, tz: ZoneInfo
) -> list[ChurnAlert]:
    """Important customers slipping away as of `as_of`, highest value at risk first (no cool-down)."""
    return (await churn_review(session, workspace_id, rules, as_of, tz)).slipping


def cooldown_start(rules: Any, as_of: datetime) -> datetime:
    return as_of - timedelta(days=rules.alert_cooldown_days)


async def due_churn_alerts(
    session: AsyncSession,
    workspace_id: int,
    rules: Any,
    as_of: datetime,
    tz: ZoneInfo,
    *,
    review: ChurnReview | None = None,
    before: datetime | None = None,
) -> list[ChurnAlert]:
    """Customers slipping away not alerted within the cool-down before `as_of`, ranked by value at risk.

    With `before`, alerts recorded from that moment on do not count: the list a past scan sent is derived
    again (the "show more" pages of its message) from the scan's moment.
    """
    candidates = (review or await churn_review(session, workspace_id, rules, as_of, tz)).slipping
    if not candidates:
        return []
    recent = await alerts_repo.alerted_since(
        session,
        workspace_id,
        "churn",
        cooldown_start(rules, as_of),
        [c.subject for c in candidates],
        until=before,
    )
    return [c for c in candidates if c.subject not in recent]


async def stale_since(
    session: AsyncSession, workspace_id: int, rules: Any, as_of: datetime, tz: ZoneInfo
) -> date | None:
    """The local date of the newest order when it is more than `stale_data_days` days before `as_of`."""
    newest = await alerts_repo.newest_order_at(session, workspace_id)
    if newest is None:
        return None
    newest_day = newest.astimezone(tz).date()
    return newest_day if (as_of_date(as_of, tz) - newest_day).days > rules.stale_data_days else None


# ----------------------------------------------------------------------------------------------------
# KPIs
# ----------------------------------------------------------------------------------------------------
async def kpi_breaches(
    session: AsyncSession, workspace_id: int, rules: Any, as_of: datetime
) -> list[KpiAlert]:
    """KPIs over the last 90 days that cross the configured thresholds (cool-down not applied)."""
    start = as_of - timedelta(days=KPI_WINDOW_DAYS)
    scope = Scope(workspace_id)
    checks: list[tuple[str, float | None, Literal["below", "above"]]] = [
        ("repeat_rate", rules.repeat_rate_below, "below"),
        ("churn_rate", rules.churn_rate_above, "above"),
        ("aov", rules.aov_below, "below"),
    ]
    out = []
    for metric, threshold, direction in checks:
        if threshold is None:
            continue
        value = await metric_value(session, metric, scope, start, as_of)
        if value is None:
            continue
        crossed = value < threshold if direction == "below" else value > threshold
        if crossed:
            out.append(KpiAlert(metric, float(value), float(threshold), direction, start, as_of))
    return out


async def due_kpi_alerts(
    session: AsyncSession, workspace_id: int, rules: Any, as_of: datetime
) -> list[KpiAlert]:
    breaches = await kpi_breaches(session, workspace_id, rules, as_of)
    if not breaches:
        return []
    recent = await alerts_repo.alerted_since(
        session, workspace_id, "kpi", cooldown_start(rules, as_of), [b.subject for b in breaches]
    )
    return [b for b in breaches if b.subject not in recent]


# ----------------------------------------------------------------------------------------------------
# digests
# ----------------------------------------------------------------------------------------------------
def _midnight(d: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(d, time(0), tzinfo=tz)


def last_week(as_of: datetime, tz: ZoneInfo) -> tuple[str, date, date]:
    """(ISO week label, its Monday, the next Monday) of the last complete week before `as_of`."""
    today = as_of.astimezone(tz).date()
    monday = today - timedelta(days=today.weekday()) - timedelta(days=7)
    iso = monday.isocalendar()
    return f"{iso.year}-W{iso.week:02d}", monday, monday + timedelta(days=7)


def last_month(as_of: datetime, tz: ZoneInfo) -> tuple[str, date, date]:
    today = as_of.astimezone(tz).date()
    first = today.replace(day=1)
    start = (first - timedelta(days=1)).replace(day=1)
    return f"{start.year}-{start.month:02d}", start, first


async def _daily_revenue(
    session: AsyncSession, scope: Scope, start: date, days: int, tz: ZoneInfo
) -> list[float | None]:
    out: list[float | None] = []
    for k in range(days):
        d = start + timedelta(days=k)
        value = await metric_value(
            session, "revenue", scope, _midnight(d, tz), _midnight(d + timedelta(days=1), tz)
        )
        out.append(float(value) if value is not None else None)
    return out


async def build_digest(
    session: AsyncSession,
    workspace_id: int,
    kind: Literal["weekly", "monthly"],
    as_of: datetime,
    tz: ZoneInfo,
    *,
    chart_title: str = "Revenue per day",
    series_names: tuple[str, str] = ("this period", "previous period"),
) -> Digest:
    """The KPIs of the last complete week (or month) with the change against the one before, and a chart."""
    if kind == "weekly":
        label, start_day, end_day = last_week(as_of, tz)
        prev_day = start_day - timedelta(days=7)
        x = [(start_day + timedelta(days=k)).strftime("%a") for k in range(7)]
    else:
        label, start_day, end_day = last_month(as_of, tz)
        prev_day = (start_day - timedelta(days=1)).replace(day=1)
        x = [str(k + 1) for k in range((end_day - start_day).days)]
    start, end, prev_start = _midnight(start_day, tz), _midnight(end_day, tz), _midnight(prev_day, tz)
    scope = Scope(workspace_id)
    kpis = []
    for metric in DIGEST_METRICS:
        current = await metric_value(session, metric, scope, start, end)
        previous = await metric_value(session, metric, scope, prev_start, start)
        kpis.append(
            KpiChange(
                metric,
                None if current is None else float(current),
                None if previous is None else float(previous),
            )
        )
    days_now, days_prev = (end_day - start_day).days, (start_day - prev_day).days
    current_series = await _daily_revenue(session, scope, start_day, days_now, tz)
    previous_series = await _daily_revenue(session, scope, prev_day, days_prev, tz)
    previous_series = (previous_series + [None] * days_now)[:days_now]
    chart = ChartSpec(
        kind="line",
        title=chart_title,
        x=x,
        value_format="money",
        series={series_names[0]: current_series, series_names[1]: previous_series},
    )
    return Digest(kind, label, start, end, prev_start, kpis, chart)
