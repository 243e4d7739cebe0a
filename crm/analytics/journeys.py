"""Customer journeys (docs/metrics.md, "Journeys"): every customer's lifecycle stage at a past date, the table of
moves between two dates, and the second-order conversion of a period's new customers.

Everything is set-based. The transition table is counted by the database in one grouped pass over the
per-customer order statistics: each lifecycle rule at a date is a comparison of the first or last order with a
moment worked out here in the workspace time zone (`cuts`), and only a customer who also ordered after the date
has their orders probed, through the per-customer index (storage.repositories.analytics.stage_pairs). The stages
of every customer at one date (`stages_at`) come from the statistics and one grouped query for the customers who
ordered after it; second orders from one windowed query; then NumPy over aligned arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from crm.analytics.metrics import EPOCH, STAGE_ORDER, lifecycle_codes, local_days
from storage.repositories import analytics as repo

# Stages a customer with a record can be in at a date (the four lifecycle stages, then no valid order yet).
STAGES: tuple[str, ...] = (*STAGE_ORDER, "prospect")
# A row of the transition table: customers who had no record at the first date.
NOT_YET = "not_yet"
FROM_STAGES: tuple[str, ...] = (*STAGES, NOT_YET)
DEFAULT_WINDOW_DAYS = 90
DEFAULT_LOOKBACK_DAYS = 30


def end_of_day(day: date, tz: ZoneInfo) -> datetime:
    """The moment a day ends in the workspace time zone (local midnight after it): orders before it count."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)


@dataclass
class StagesAt:
    """Every customer with a record at the end of `day` (sorted ids) and their stage then."""

    day: date
    ids: np.ndarray
    stages: np.ndarray  # object array of STAGES


async def stages_at(
    session: AsyncSession,
    workspace_id: int,
    day: date,
    tz: ZoneInfo,
    lifecycle_days: tuple[int, int, int] = (30, 90, 180),
) -> StagesAt:
    """The lifecycle rules evaluated with `day` as the as-of date: only valid orders before the end of `day`
    count. A customer without a valid order by then is a prospect if their record existed (created before the
    end of the day); otherwise they have no record at `day` and are left out."""
    end = end_of_day(day, tz)
    summary = await repo.first_last_before(session, workspace_id, end)
    today = (day - EPOCH).days
    first_day, last_day = local_days(summary["first"], tz), local_days(summary["last"], tz)
    codes = lifecycle_codes(today - first_day, today - last_day, lifecycle_days)
    buyers = summary["id"]
    prospect_ids = await repo.prospects_before(session, workspace_id, end)
    ids = np.concatenate([buyers, prospect_ids])
    stages = np.concatenate(
        [np.array(STAGE_ORDER, dtype=object)[codes], np.full(len(prospect_ids), "prospect", dtype=object)]
    )
    order = np.argsort(ids, kind="stable")
    return StagesAt(day, ids[order], stages[order])


@dataclass
class Transitions:
    """Customers counted by (stage at d1, stage at d2): rows FROM_STAGES, columns STAGES."""

    d1: date
    d2: date
    counts: np.ndarray  # shape (len(FROM_STAGES), len(STAGES)), int

    def row(self, stage: str) -> np.ndarray:
        row: np.ndarray = self.counts[FROM_STAGES.index(stage)]
        return row

    def share(self, from_stage: str, to_stage: str) -> float | None:
        """The row percentage: of the customers in `from_stage` at d1, the share in `to_stage` at d2."""
        row = self.row(from_stage)
        total = int(row.sum())
        return int(row[STAGES.index(to_stage)]) / total if total else None


def transition_counts(before: StagesAt, after: StagesAt) -> np.ndarray:
    """The table from two stage snapshots: every customer with a record at the later date, by stage then and
    at the earlier date ("not yet" when they had no record then)."""
    pos = np.searchsorted(before.ids, after.ids)
    pos_clipped = np.minimum(pos, max(len(before.ids) - 1, 0))
    known = (pos < len(before.ids)) & (before.ids[pos_clipped] == after.ids) if len(before.ids) else None
    from_code = np.full(len(after.ids), FROM_STAGES.index(NOT_YET), dtype=np.int64)
    if known is not None:
        code_of = {s: i for i, s in enumerate(FROM_STAGES)}
        before_codes = np.fromiter((code_of[s] for s in before.stages), dtype=np.int64, count=len(before.ids))
        from_code[known] = before_codes[pos_clipped[known]]
    to_of = {s: i for i, s in enumerate(STAGES)}
    to_code = np.fromiter((to_of[s] for s in after.stages), dtype=np.int64, count=len(after.ids))
    counts = np.zeros((len(FROM_STAGES), len(STAGES)), dtype=np.int64)
    np.add.at(counts, (from_code, to_code), 1)
    return counts


def cuts(day: date, tz: ZoneInfo, lifecycle_days: tuple[int, int, int]) -> repo.StageCuts:
    """The lifecycle rules with `day` as the as-of date, as moments: a customer is new when their first valid
    order is at or after the start of the local day `new` days before (age ≤ `new` whole local days), else
    active when their last one is at or after the start of the day `active` days before, dormant when at or
    after the start of the day `dormant` days before, churned otherwise."""
    new_d, active_d, dormant_d = lifecycle_days

    def start(days_before: int) -> datetime:
        return datetime.combine(day - timedelta(days=days_before), time(0), tzinfo=tz)

    return repo.StageCuts(end_of_day(day, tz), start(new_d), start(active_d), start(dormant_d))


async def transitions(
    session: AsyncSession,
    workspace_id: int,
    d1: date,
    d2: date,
    tz: ZoneInfo,
    lifecycle_days: tuple[int, int, int] = (30, 90, 180),
) -> Transitions:
    """The transition table between d1 < d2, counted by the database (two grouped statements)."""
    if not d1 < d2:
        raise ValueError("the first date must be before the second")
    pairs = await repo.stage_pairs(
        session, workspace_id, cuts(d1, tz, lifecycle_days), cuts(d2, tz, lifecycle_days)
    )
    counts = np.zeros((len(FROM_STAGES), len(STAGES)), dtype=np.int64)
    for a, b, n in pairs:
        counts[a, b] += n
    return Transitions(d1, d2, counts)


@dataclass
class SecondOrder:
    """Second-order conversion of the new customers of [start, end)."""

    start: datetime | None
    end: datetime
    window_days: int
    new_customers: int  # first valid order in the period
    too_recent: int  # of those, first order less than `window_days` before the as-of moment: left out
    converted: int  # of the counted ones, a second valid order within `window_days` of the first

    @property
    def counted(self) -> int:
        return self.new_customers - self.too_recent

    @property
    def rate(self) -> float | None:
        return self.converted / self.counted if self.counted else None


async def second_order(
    session: AsyncSession,
    workspace_id: int,
    start: datetime | None,
    end: datetime,
    as_of: datetime,
    window_days: int = DEFAULT_WINDOW_DAYS,
) -> SecondOrder:
    """Of the customers whose first valid order falls in [start, end), the share with a second valid order
    within `window_days` × 24 hours of the first. Only customers whose first order is at least `window_days`
    before `as_of` count (their whole window is observed); the others are counted as too recent."""
    lo = start.timestamp() if start is not None else -(2**62)
    data = await repo.first_two_orders(session, workspace_id, as_of, lo, min(end, as_of).timestamp())
    first, second = data["first"], data["second"]
    in_period = np.ones(len(first), dtype=bool)
    window = window_days * 86400
    observed = first <= as_of.timestamp() - window
    again = (second >= 0) & (second - first <= window)
    return SecondOrder(
        start=start,
        end=end,
        window_days=window_days,
        new_customers=int(in_period.sum()),
        too_recent=int((in_period & ~observed).sum()),
        converted=int((in_period & observed & again).sum()),
    )
