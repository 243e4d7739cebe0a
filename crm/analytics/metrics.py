"""KPIs (docs/metrics.md), RFM segments, lifecycle stages, cohort retention and predicted value, as of a moment."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any, TypeAlias
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from crm import catalog
from crm.analytics.samples import SampleUnit
from storage.arrays import codes_of, distinct_ids, sorted_unique, text_codes
from storage.repositories import analytics as repo
from storage.repositories.analytics import Scope
from storage.statuses import ORDER_STATUSES

if TYPE_CHECKING:
    import numpy as np  # imported by the functions that build arrays: a KPI needs none

SEGMENT_RULES = {  # (R high, F high, M high) -> segment
    (True, True, True): "important_value",
    (True, False, True): "important_develop",
    (False, True, True): "important_keep",
    (False, False, True): "important_winback",
    (True, True, False): "general_value",
    (True, False, False): "general_develop",
    (False, True, False): "general_keep",
    (False, False, False): "general_winback",
}


def as_of_date(as_of: datetime, tz: ZoneInfo) -> date:
    """The as-of day: the as-of moment is the end of that day (local midnight after it)."""
    return (as_of.astimezone(tz) - timedelta(microseconds=1)).date()


@dataclass(frozen=True)
class Figure:
    """A ratio or an average with the number of items it rests on (crm.analytics.samples)."""

    value: float | int | None
    n: int
    unit: SampleUnit


Value = float | int | None


async def _order_totals(
    session: AsyncSession, metric: str, scope: Scope, start: datetime | None, end: datetime
) -> Value | Figure:
    if metric == "customers" and start is not None:
        active = await repo.active_customers(session, scope, repo.UNGROUPED, start, end)
        if active is not None:
            return active[None]
    totals = await repo.order_totals(session, scope, start, end, distinct_customers=metric == "customers")
    return _figure_from_raw("order_totals", metric, totals)


async def _new_customers(
    session: AsyncSession, metric: str, scope: Scope, start: datetime | None, end: datetime
) -> float | int | None:
    return await repo.new_customers(session, scope, start, end)


async def _repeat_counts(
    session: AsyncSession, metric: str, scope: Scope, start: datetime | None, end: datetime
) -> Value | Figure:
    return _figure_from_raw("repeat_counts", metric, await repo.repeat_counts(session, scope, start, end))


async def _churn_counts(
    session: AsyncSession, metric: str, scope: Scope, start: datetime | None, end: datetime
) -> Value | Figure:
    if start is None:
        return None
    prev_start = start - (end - start)
    counts = await repo.churn_counts(session, scope, prev_start, start, end)
    return _figure_from_raw("churn_counts", metric, counts)


async def _ltv_totals(
    session: AsyncSession, metric: str, scope: Scope, start: datetime | None, end: datetime
) -> Value | Figure:
    return _figure_from_raw("ltv_totals", metric, await repo.ltv_totals(session, scope, end))


async def _status_counts(
    session: AsyncSession, metric: str, scope: Scope, start: datetime | None, end: datetime
) -> Value | Figure:
    return _figure_from_raw("status_counts", metric, await repo.status_counts(session, scope, start, end))


async def _service(
    session: AsyncSession, metric: str, scope: Scope, start: datetime | None, end: datetime
) -> float | int | None:
    from crm.analytics.service import service_value

    return await service_value(session, metric, scope, start, end)


# A computation gives the value, or a Figure: a ratio or an average with the items it rests on, so the answer
# can show its n and mark a small sample.
Computation = Callable[[AsyncSession, str, Scope, datetime | None, datetime], Awaitable[Value | Figure]]
# Each catalogue metric names one of these (crm.catalog.Metric.computation); a new metric adds its own here
# unless an existing one already answers it.
COMPUTATIONS: dict[str, Computation] = {
    "order_totals": _order_totals,
    "new_customers": _new_customers,
    "repeat_counts": _repeat_counts,
    "churn_counts": _churn_counts,
    "ltv_totals": _ltv_totals,
    "status_counts": _status_counts,
    "service": _service,  # reviews, NPS answers, complaints and returns (crm.analytics.service)
}


async def metric_value(
    session: AsyncSession, metric: str, scope: Scope, start: datetime | None, end: datetime
) -> float | int | None:
    """One metric over [start, end); None when it is undefined (no orders, nobody to divide by)."""
    found = await metric_figure(session, metric, scope, start, end)
    return found.value if isinstance(found, Figure) else found


async def metric_figure(
    session: AsyncSession, metric: str, scope: Scope, start: datetime | None, end: datetime
) -> Value | Figure:
    """One metric over [start, end), a ratio or an average with the number of items it rests on."""
    try:
        entry = catalog.metric(metric)
    except KeyError:
        raise ValueError(f"unknown metric {metric}") from None
    return await COMPUTATIONS[entry.computation](session, metric, scope, start, end)


Breakdown = list[tuple[str, float | int | None]]
# The computations `metric_breakdown` answers in one grouped pass, and the catalogue metrics they answer.
GROUPED_COMPUTATIONS = frozenset(
    {"order_totals", "new_customers", "repeat_counts", "churn_counts", "ltv_totals", "status_counts"}
)
BREAKDOWN_METRICS = tuple(m.id for m in catalog.METRICS if m.computation in GROUPED_COMPUTATIONS)


async def metric_breakdown(
    session: AsyncSession,
    metric: str,
    scope: Scope,
    by: str,
    start: datetime | None,
    end: datetime,
    *,
    windows: list[tuple[str, datetime, datetime]] | None = None,
    segments: SegmentMap | None = None,
) -> Breakdown:
    """One metric for every group of a breakdown, in one set-based pass (docs/metrics.md's definitions, the
    same numbers as `metric_value` for each group): (key, value) for the platforms or customer countries with
    valid orders in [start, end) (by key), each calendar window of `windows` (by month, quarter or year), or
    each RFM segment of `segments` (customer → segment), in catalogue order. A value is None where the metric
    is undefined for the group."""
    found = await metric_breakdown_figures(
        session, metric, scope, by, start, end, windows=windows, segments=segments
    )
    return [(k, v.value if isinstance(v, Figure) else v) for k, v in found]


async def metric_breakdown_figures(
    session: AsyncSession,
    metric: str,
    scope: Scope,
    by: str,
    start: datetime | None,
    end: datetime,
    *,
    windows: list[tuple[str, datetime, datetime]] | None = None,
    segments: SegmentMap | None = None,
) -> list[tuple[str, Value | Figure]]:
    """`metric_breakdown` with each group's ratio or average as a Figure: the customers or orders it rests on,
    as `metric_figure` gives them for one group."""
    entry = catalog.metric(metric)
    if by in ("platform", "country"):
        g = repo.Grouping(by)
    elif by == "segment":
        g = repo.Grouping("customer")
    elif windows is not None:
        g = repo.Grouping("window", tuple(windows))
    else:
        raise ValueError(f"cannot break down by {by} without its windows")
    if g.by == "window" and not windows:
        return []
    seg_map: SegmentMap = segments if segments is not None else {}
    raw: dict[Any, Any] | None = None
    if by == "segment":
        # Folded from arrays (each order, or each customer's statistics, given its customer's segment) rather
        # than rows summed up per customer by the database first.
        raw = await _segment_arrays_raw(session, entry.computation, metric, scope, start, end, seg_map)
    folded = raw is not None
    if raw is None:
        raw = await _grouped_raw(session, entry.computation, metric, scope, g, start, end)
    if raw is None:  # undefined for every group (churn without a start)
        raw = {}
    if by == "segment":
        if not folded:
            raw = _fold_segments(entry.computation, raw, seg_map)
        # Every segment, empty ones too, unless no customer has one (an empty shop: no data, not eight zeros)
        keys: list[Any] = list(catalog.SEGMENT_IDS) if _has_segments(seg_map) else []
    elif by in ("platform", "country"):
        if entry.computation in ("order_totals", "repeat_counts"):
            keys = sorted(raw)
        elif entry.computation == "status_counts":  # the groups with a valid order, read off the counts
            keys = sorted(k for k, counts in raw.items() if any(counts.get(st) for st in repo.VALID))
        elif entry.computation == "churn_counts":  # the groups with customers in the window before: the
            keys = sorted(k for k, counts in raw.items() if counts[0])  # others have no churn to show
        elif entry.computation == "ltv_totals" and start is None:  # all time: the groups with customers
            keys = sorted(k for k, totals in raw.items() if totals[0])  # (a second read found the same ones)
        else:
            keys = await repo.group_keys(session, scope, by, start, end)
    else:
        keys = [label for label, _, _ in g.windows]
    return [(str(k), _figure_from_raw(entry.computation, metric, raw.get(k))) for k in keys]


def _has_segments(segments: SegmentMap) -> bool:
    return bool(len(segments[0]) if isinstance(segments, tuple) else segments)


async def _grouped_raw(
    session: AsyncSession,
    computation: str,
    metric: str,
    scope: Scope,
    g: repo.Grouping,
    start: datetime | None,
    end: datetime,
) -> dict[Any, Any] | None:
    if g.by == "window":  # each window is its own period
        start = g.windows[0][1]
    if computation == "order_totals":
        if metric == "customers" and start is not None:
            active = await repo.active_customers(session, scope, g, start, end)
            if active is not None:  # only the customers are shown: (orders, revenue, customers, priced)
                return {k: (0, 0.0, n, 0) for k, n in active.items()}
        distinct = metric == "customers" or g.by == "customer"  # a customer's own row: one customer
        return await repo.grouped_order_totals(session, scope, g, start, end, distinct_customers=distinct)
    if computation == "new_customers":
        if start is None:  # every customer active in the window (as `new_customers` without a start)
            return {
                k: t[2] for k, t in (await repo.grouped_order_totals(session, scope, g, None, end)).items()
            }
        return await repo.grouped_new_customers(session, scope, g, start, end)
    if computation == "repeat_counts":
        return await repo.grouped_repeat_counts(session, scope, g, start, end)
    if computation == "churn_counts":
        if start is None:
            return None
        return await repo.grouped_churn_counts(session, scope, g, start, end)
    if computation == "ltv_totals":
        return await repo.grouped_ltv_totals(session, scope, g, end)
    if computation == "status_counts":
        return await repo.grouped_status_counts(session, scope, g, start, end)
    raise ValueError(f"no breakdown for {computation}")


SegmentMap: TypeAlias = "dict[int, str] | tuple[np.ndarray, np.ndarray]"


def _fold_segments(computation: str, raw: dict[Any, Any], segments: SegmentMap) -> dict[Any, Any]:
    """Per-customer figures summed up per segment (customers without a segment left out), vectorised:
    `segments` is customer → segment, or (customer ids ascending, segment index in catalogue order)."""
    import numpy as np

    ids, codes = segments if isinstance(segments, tuple) else segment_arrays(segments)
    if not raw or not len(ids):
        return {}
    customers = np.fromiter(raw.keys(), dtype=np.int64, count=len(raw))
    if computation == "status_counts":
        statuses = sorted({st for counts in raw.values() for st in counts})
        values = np.array(
            [[counts.get(st, 0) for st in statuses] for counts in raw.values()], dtype=np.float64
        )
    else:
        values = np.array(list(raw.values()), dtype=np.float64).reshape(len(raw), -1)
    at = np.minimum(np.searchsorted(ids, customers), len(ids) - 1)
    known = ids[at] == customers
    seg = codes[at[known]]
    values = values[known]
    n = len(catalog.SEGMENT_IDS)
    sums = np.stack([np.bincount(seg, weights=values[:, j], minlength=n) for j in range(values.shape[1])], 1)
    present = np.bincount(seg, minlength=n) > 0
    out: dict[str, Any] = {}
    for i, name in enumerate(catalog.SEGMENT_IDS):
        if not present[i]:
            continue
        row = sums[i]
        if computation == "status_counts":
            out[name] = {st: int(v) for st, v in zip(statuses, row, strict=True)}
        elif computation == "new_customers":
            out[name] = int(row[0])
        elif computation == "order_totals":
            out[name] = (int(row[0]), float(row[1]), int(row[2]), int(row[3]))
        elif computation == "ltv_totals":
            out[name] = (int(row[0]), float(row[1]))
        else:
            out[name] = (int(row[0]), int(row[1]))
    return out


async def _segment_arrays_raw(
    session: AsyncSession,
    computation: str,
    metric: str,
    scope: Scope,
    start: datetime | None,
    end: datetime,
    segments: SegmentMap,
) -> dict[str, Any] | None:
    """Per RFM segment (customers without one left out; only segments with something to count): from each
    order of the period with its customer's segment, the valid orders' (orders, revenue, distinct customers,
    priced orders) for `order_totals` (the amounts only where the metric needs them) and every order's count
    per status for `status_counts`; from each customer's statistics, (customers, their value) for
    `ltv_totals`, (customers, those with two orders) for `repeat_counts` and, across platforms, (the earlier
    window's customers, those churned) for `churn_counts`. None for the other computations and where the
    statistics are not the history up to `end`.

    The rows are summed up per segment by the database where it folds faster (`repo.fold_by_code`), else read
    back as arrays and folded here. Folded by the database, the `customers` metric counts only the customers
    (its orders 0, as the statistics give customers by platform and country: `active_customers`)."""
    import numpy as np

    ids, codes = segments if isinstance(segments, tuple) else segment_arrays(segments)
    if not len(ids):
        return {}  # no customer has a segment: nothing to count, whatever the metric
    lookup = repo.code_lookup(ids, codes) if repo.folds_by_code(session) else None
    parts: list[tuple[str, repo.CustomerRows]]  # (what the rows count, the rows)
    if computation == "order_totals":
        rows = repo.order_value_rows(session, scope, start, end, values=metric not in ("orders", "customers"))
        parts = [("orders", rows)]
        if metric == "customers" and lookup is not None:  # only the customers are shown, each in one
            once = await repo.repeat_rows(session, scope, start, end)  # segment: a row per customer of the
            parts = [("distinct", once if once is not None else repo.distinct_customers(rows))]  # period
    elif computation == "status_counts":
        parts = [("statuses", repo.order_status_rows(scope, start, end))]
    elif computation in ("ltv_totals", "repeat_counts"):
        found = await (
            repo.ltv_value_rows(session, scope, end)
            if computation == "ltv_totals"
            else repo.repeat_rows(session, scope, start, end)
        )
        if found is None:
            return None
        parts = [("customers", found)]
    elif computation == "churn_counts" and start is not None:
        churn = await repo.churn_rows(session, scope, start, end)
        if churn is None:
            return None
        parts = [("gone", churn[0]), ("seen", churn[1])]  # the earlier window's customers: one row each
    else:
        return None
    n, m = len(catalog.SEGMENT_IDS), len(ORDER_STATUSES)
    count, total, priced = np.zeros(n, np.int64), np.zeros(n), np.zeros(n, np.int64)
    distinct, statuses = np.zeros(n, np.int64), np.zeros((n, m), np.int64)
    for role, rows in parts:
        if lookup is not None:  # summed up by the database: (code, rows, sum, rows with a value) per code
            folded = await repo.fold_by_code(session, rows, lookup, per_value=role == "statuses")
            for code, *figures in folded:
                if code >= n:  # customers without a segment
                    continue
                if role == "statuses":
                    statuses[code, figures[0]] += figures[1]
                elif role == "distinct":
                    distinct[code] += figures[0]
                else:
                    count[code] += figures[0]
                    priced[code] += figures[2]
                    total[code] += figures[0] if role == "gone" else (figures[1] or 0.0)
            continue
        customer, value = await repo.customer_arrays(session, rows)
        seg = codes_of(customer, ids, codes)
        known = seg >= 0
        seg, customer = seg[known], customer[known]
        value = None if value is None else value[known]
        if role == "statuses":
            assert value is not None
            statuses += np.bincount(seg * m + value.astype(np.int64), minlength=n * m).reshape(n, m)
        else:
            if role == "orders" and metric == "customers":  # their distinct customers, from the same arrays
                distinct += np.bincount(codes_of(distinct_ids(customer), ids, codes), minlength=n)
            count += np.bincount(seg, minlength=n)
            if role == "gone":
                total += np.bincount(seg, minlength=n)
            elif value is not None:
                has = ~np.isnan(value)
                total += np.bincount(seg, weights=np.where(has, value, 0.0), minlength=n)
                priced += np.bincount(seg, weights=has, minlength=n).astype(np.int64)
    out: dict[str, Any] = {}
    for i, name in enumerate(catalog.SEGMENT_IDS):
        if computation == "status_counts":
            if statuses[i].any():
                out[name] = {st: int(k) for st, k in zip(ORDER_STATUSES, statuses[i], strict=True) if k}
        elif not (count[i] or distinct[i]):  # (customers counted alone: their orders are not)
            continue
        elif computation == "order_totals":
            out[name] = (int(count[i]), float(total[i]), int(distinct[i]), int(priced[i]))
        elif computation == "ltv_totals":
            out[name] = (int(count[i]), float(total[i]))
        else:
            out[name] = (int(count[i]), round(float(total[i])))
    return out


def segment_arrays(segments: dict[int, str]) -> tuple[np.ndarray, np.ndarray]:
    """(customer ids ascending, segment index in catalogue order) of a customer → segment map."""
    return code_arrays(segments, catalog.SEGMENT_IDS)


def code_arrays(mapping: dict[int, str], names: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(customer ids ascending, index in `names` of each one's group) of a customer → group map: the form
    `codes_of` looks customers up in."""
    import numpy as np

    order = {name: i for i, name in enumerate(names)}
    ids = np.fromiter(mapping.keys(), dtype=np.int64, count=len(mapping))
    codes = np.fromiter((order[v] for v in mapping.values()), dtype=np.int64, count=len(mapping))
    sort = np.argsort(ids, kind="stable")
    return ids[sort], codes[sort]


def _figure_from_raw(computation: str, metric: str, raw: Any) -> Value | Figure:
    """A metric from its computation's raw figures (for the whole scope or one group of a breakdown), with the
    items it rests on where it is a ratio or an average: AOV on the priced orders, the cancellation and return
    rates on their orders, repeat rate, churn and LTV on their customers."""
    value = _from_raw(computation, metric, raw)
    if computation == "order_totals" and metric == "aov":
        return Figure(value, int(raw[3]) if raw else 0, "orders")
    if computation in ("repeat_counts", "churn_counts", "ltv_totals"):
        return Figure(value, int(raw[0]) if raw else 0, "customers")
    if computation == "status_counts" and metric in ("cancellation_rate", "return_rate"):
        counts = raw or {}
        if metric == "cancellation_rate":
            n = sum(k for status, k in counts.items() if status != "pending")
        else:
            n = sum(counts.get(status, 0) for status in repo.VALID) + counts.get("returned", 0)
        return Figure(value, int(n), "orders")
    return value


def _from_raw(computation: str, metric: str, raw: Any) -> float | int | None:
    """A metric's value from one group's raw figures (None: the group had none)."""
    if computation == "order_totals":
        return from_totals(metric, raw or (0, 0.0, 0, 0))
    if computation == "new_customers":
        return int(raw or 0)
    if computation in ("repeat_counts", "churn_counts"):
        base, part = raw or (0, 0)
        return part / base if base else None
    if computation == "ltv_totals":
        customers, revenue = raw or (0, 0.0)
        return revenue / customers if customers else None
    return from_status_counts(metric, raw or {})


def from_status_counts(metric: str, counts: dict[str, int]) -> float | int | None:
    """Cancellations and returns from orders by current status: counts of cancelled / returned orders;
    cancellation rate = cancelled / orders that are not pending; return rate = returned / (valid + returned)."""
    cancelled, returned = counts.get("cancelled", 0), counts.get("returned", 0)
    if metric == "cancelled_orders":
        return cancelled
    if metric == "returned_orders":
        return returned
    if metric == "cancellation_rate":
        placed = sum(n for status, n in counts.items() if status != "pending")
        return cancelled / placed if placed else None
    valid = sum(counts.get(status, 0) for status in repo.VALID)
    return returned / (valid + returned) if valid + returned else None


# The metrics read from valid orders' totals (the compiler breaks them down in one query per grouping).
ORDER_METRICS = frozenset(m.id for m in catalog.METRICS if m.computation == "order_totals")


def from_totals(metric: str, totals: tuple[int, float, int, int]) -> float | int | None:
    """An order metric from (valid orders, revenue, distinct customers, priced orders). AOV divides by the
    priced orders: an order without a rate is left out of revenue, so of the average too."""
    n, revenue, customers, priced = totals
    if metric == "orders":
        return n
    if metric == "revenue":
        return round(revenue, 6)
    if metric == "customers":
        return customers
    return revenue / priced if priced else None


# The calendar months of each window a breakdown by calendar period uses.
WINDOW_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def month_windows(
    start: datetime, end: datetime, tz: ZoneInfo, months: int = 1
) -> list[tuple[str, datetime, datetime]]:
    """Calendar months (or quarters with months=3, years with 12) covering [start, end), in local time."""
    first = _calendar_start(start, tz, months)
    out = []
    while True:
        y, m = divmod(first.year * 12 + first.month - 1 + months, 12)
        nxt = date(y, m + 1, 1)
        s = max(datetime.combine(first, time(0), tzinfo=tz), start)
        e = min(datetime.combine(nxt, time(0), tzinfo=tz), end)
        if s >= end:
            break
        label = (
            f"{first.year}-{first.month:02d}"
            if months == 1
            else f"{first.year}-Q{(first.month - 1) // 3 + 1}"
            if months == 3
            else str(first.year)
        )
        out.append((label, s, e))
        first = nxt
    return out


def _calendar_start(moment: datetime, tz: ZoneInfo, months: int) -> date:
    local = moment.astimezone(tz)
    if months == 3:
        return date(local.year, 3 * ((local.month - 1) // 3) + 1, 1)
    if months == 12:
        return date(local.year, 1, 1)
    return date(local.year, local.month, 1)


def calendar_start(moment: datetime, tz: ZoneInfo, months: int = 1) -> datetime:
    """The local midnight starting the calendar month (quarter with months=3, year with 12) of `moment`."""
    return datetime.combine(_calendar_start(moment, tz, months), time(0), tzinfo=tz)


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
    # Purchases as the CLV model counts them: local calendar days with a valid order (set with the CLV).
    purchase_days: np.ndarray | None = None
    model_fitted: bool = False  # False: too few customers to fit, P(alive) 1 and predicted value 0 everywhere

    def index(self) -> dict[int, int]:
        return {int(c): i for i, c in enumerate(self.ids)}


def _quintile_scores(values: np.ndarray, higher_is_better: bool) -> np.ndarray:
    """Scores 1–5 by quintile of the rank (ties share the average rank)."""
    import numpy as np

    n = len(values)
    if n == 0:
        return np.zeros(0, dtype=int)
    ranks = average_ranks(values if higher_is_better else -values)
    scores: np.ndarray = np.minimum(5, 1 + ((ranks - 1) * 5 // n).astype(int))
    return scores


def average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks, ascending, ties sharing the average of their ranks (what a rank "average" gives): one sort,
    then each run of equal values gets the mean of the positions it spans."""
    import numpy as np

    order = np.argsort(values, kind="stable")
    ordered = values[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    ends = np.append(starts[1:], len(values))
    ranks = np.empty(len(values), dtype=float)
    ranks[order] = np.repeat((starts + 1 + ends) / 2, ends - starts)
    return ranks


EPOCH = date(1970, 1, 1)


@cache
def _segment_by_code() -> np.ndarray:
    """Segment names indexed by 4·R high + 2·F high + M high."""
    import numpy as np

    return np.array([SEGMENT_RULES[(bool(c & 4), bool(c & 2), bool(c & 1))] for c in range(8)], dtype=object)


@cache
def _stages() -> np.ndarray:
    import numpy as np

    return np.array(["new", "active", "dormant", "churned"], dtype=object)


def local_days(at: np.ndarray, tz: ZoneInfo) -> np.ndarray:
    """Each UTC epoch second's calendar day in `tz`, as days since 1970-01-01. The zone's offset is looked up at
    each UTC midnight from the first moment to the last; where it differs from the next midnight's, the second
    it changes is found by bisection, so every moment gets its exact offset from a search of those changes
    (a lookup per moment, or per quarter hour that occurs, cost half a second at 1.5 million). It assumes a
    zone changes its offset at most once in a UTC day, as every zone has since 1970."""
    import numpy as np

    at = np.asarray(at, dtype=np.int64)
    if not len(at):
        return at // 86400
    first, last = int(at.min()) // 86400, int(at.max()) // 86400 + 1
    starts, offsets = [first * 86400], [_offset(first * 86400, tz)]
    for day in range(first + 1, last + 1):
        lo, hi = (day - 1) * 86400, day * 86400
        offset = _offset(hi, tz)
        if offset == offsets[-1]:
            continue
        while hi - lo > 1:  # the first second with the new offset
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if _offset(mid, tz) == offsets[-1] else (lo, mid)
        starts.append(hi)
        offsets.append(offset)
    if len(offsets) == 1:
        return (at + offsets[0]) // 86400
    index = np.searchsorted(np.asarray(starts, np.int64), at, side="right") - 1
    return (at + np.asarray(offsets, np.int64)[index]) // 86400


def _offset(epoch: int, tz: ZoneInfo) -> int:
    delta = datetime.fromtimestamp(epoch, tz).utcoffset()
    return int(delta.total_seconds()) if delta is not None else 0


def segment_of(recency_days: np.ndarray, frequency: np.ndarray, monetary: np.ndarray) -> np.ndarray:
    """docs/metrics.md segments: R high when recency < its mean, F and M high when above their means."""
    import numpy as np

    if len(recency_days) == 0:
        return np.zeros(0, dtype=object)
    segments: np.ndarray = _segment_by_code()[_rfm_code(recency_days, frequency, monetary)]
    return segments


def _rfm_inputs(
    summary: dict[str, np.ndarray], as_of: datetime, tz: ZoneInfo
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(recency in whole local days, frequency, monetary) per customer of a `customer_summary`: what the RFM
    segment compares with its means."""
    recency = ((as_of_date(as_of, tz) - EPOCH).days - local_days(summary["last"], tz)).astype(float)
    return recency, summary["orders"].astype(float), summary["value"]


def _rfm_code(recency_days: np.ndarray, frequency: np.ndarray, monetary: np.ndarray) -> np.ndarray:
    """4·R high + 2·F high + M high per customer (`segment_of`'s comparisons with the means)."""
    code: np.ndarray = (
        (recency_days < recency_days.mean()) * 4
        + (frequency > frequency.mean()) * 2
        + (monetary > monetary.mean())
    ).astype(int)
    return code


@cache
def _catalogue_index_by_code() -> np.ndarray:
    """The catalogue index (catalog.SEGMENT_IDS) of the segment of each `_rfm_code`."""
    import numpy as np

    return np.array([catalog.SEGMENT_IDS.index(name) for name in _segment_by_code()], dtype=np.int64)


def lifecycle_codes(
    age_days: np.ndarray, recency_days: np.ndarray, lifecycle_days: tuple[int, int, int]
) -> np.ndarray:
    """docs/metrics.md lifecycle, as indexes into STAGE_ORDER: new (first valid order within `new` days), else
    active (last within `active`), dormant (up to `dormant`), churned (longer). Whole local days, vectorised."""
    import numpy as np

    new_d, active_d, dormant_d = lifecycle_days
    codes: np.ndarray = np.where(
        age_days <= new_d, 0, np.where(recency_days <= active_d, 1, np.where(recency_days <= dormant_d, 2, 3))
    )
    return codes


STAGE_ORDER = ("new", "active", "dormant", "churned")


async def customer_scores(
    session: AsyncSession,
    workspace_id: int,
    as_of: datetime,
    tz: ZoneInfo,
    *,
    lifecycle_days: tuple[int, int, int] = (30, 90, 180),
    with_clv: bool = False,
    horizon_days: int = 365,
) -> CustomerScores:
    """RFM scores, segments and lifecycle over all customers with a valid order up to `as_of`; optionally
    BG/NBD + Gamma-Gamma predicted value.

    Days are whole local calendar days: R = as-of date − local date of the last valid order (an order on the
    as-of date itself has R = 0), and the same for days since the first order.
    """
    summary = await repo.customer_summary(session, workspace_id, as_of)
    ids = summary["id"]
    rec, freq, mon = _rfm_inputs(summary, as_of, tz)
    age = ((as_of_date(as_of, tz) - EPOCH).days - local_days(summary["first"], tz)).astype(float)
    stage = lifecycle_codes(age, rec, lifecycle_days)
    scores = CustomerScores(
        ids,
        rec,
        freq,
        mon,
        age,
        _quintile_scores(rec, higher_is_better=False),
        _quintile_scores(freq, True),
        _quintile_scores(mon, True),
        segment_of(rec, freq, mon),
        _stages()[stage],
    )
    if with_clv:
        scores.purchase_days = await purchase_days(session, workspace_id, as_of, tz, ids, summary["orders"])
        add_predicted_value(scores, horizon_days)
    return scores


async def purchase_days(
    session: AsyncSession,
    workspace_id: int,
    as_of: datetime,
    tz: ZoneInfo,
    ids: np.ndarray,
    orders: np.ndarray,
) -> np.ndarray:
    """Each customer's purchase days up to `as_of`: the local calendar days (in `tz`) with a valid order, for
    customers `ids` (ascending) with `orders` valid orders. Orders on the same local day are one purchase, as
    `lifetimes`' `summary_data_from_transaction_data(freq="D")` counts them: a customer's purchase days are
    their orders minus the orders placed on the same local day as their previous valid order."""
    import numpy as np

    close = await repo.close_repeat_orders(session, workspace_id, as_of)
    same_day = local_days(close["at"], tz) == local_days(close["previous"], tz)
    owners = close["id"][same_day]
    who = np.minimum(np.searchsorted(ids, owners), max(len(ids) - 1, 0))
    who = who[ids[who] == owners] if len(ids) else who[:0]
    days: np.ndarray = orders.astype(np.int64) - np.bincount(who, minlength=len(ids))
    return days


# lifetimes' penalizer_coef for the BG/NBD fit, on its scale (docs/metrics.md, "Predicted value (CLV)").
BGNBD_PENALTY = 0.001


def add_predicted_value(scores: CustomerScores, horizon_days: int = 365) -> None:
    """BG/NBD (purchases) and Gamma-Gamma (value per purchase) on the whole scored base, time unit days.

    A purchase is a local calendar day with a valid order (`scores.purchase_days`; the valid orders where it is
    not set): x = purchase days − 1, t_x = days from the first to the last, T = days from the first to the
    as-of date. Spend per purchase is the customer's total value over their purchase days. Predicted CLV =
    expected purchases in the horizon × expected value per purchase (undiscounted). The BG/NBD fit carries
    `lifetimes`' penalty `BGNBD_PENALTY` on its scale (see `fit_bgnbd`); Gamma-Gamma none. With fewer than 10
    customers or 3 repeat buyers there is nothing to fit: P(alive) 1, value 0.
    """
    # Imported here: SciPy takes ~0.4 s to load, and most questions (every KPI) never fit a model.
    import numpy as np

    from crm.analytics.clv import fit_bgnbd, fit_gamma_gamma

    n = len(scores.ids)
    purchases = (scores.purchase_days if scores.purchase_days is not None else scores.frequency).astype(float)
    x = purchases - 1
    T = scores.first_days_ago
    t_x = T - scores.recency_days
    scores.p_alive, scores.expected_purchases, scores.predicted_clv = np.ones(n), np.zeros(n), np.zeros(n)
    if n < 10 or (x > 0).sum() < 3:
        return
    model = fit_bgnbd(x, t_x, T, penalty=BGNBD_PENALTY)
    mean_value = np.divide(scores.monetary, purchases, out=np.zeros(n), where=purchases > 0)
    gg = fit_gamma_gamma(purchases, mean_value)
    spend = gg.expected_spend(purchases, mean_value, fallback=float(mean_value.mean())) if gg else mean_value
    scores.p_alive = model.p_alive(x, t_x, T)
    scores.expected_purchases = model.expected_purchases(horizon_days, x, t_x, T)
    scores.predicted_clv = scores.expected_purchases * spend
    scores.model_fitted = True


async def cohort_table(
    session: AsyncSession,
    workspace_id: int,
    as_of: datetime,
    tz: ZoneInfo,
    *,
    scope: Scope | None = None,
    first_month: date | None = None,
    max_offset: int = 12,
) -> tuple[list[str], list[int], list[list[float | None]]]:
    """Retention: cohorts by month of first valid order; cell (m, k) = share with a valid order in m+k. Months
    are local calendar months in `tz`, counted as months since January 1970."""
    import numpy as np

    customer, at = await repo.purchase_arrays(session, workspace_id, as_of, scope)
    if not len(customer):
        return [], [], []
    month = local_days(at, tz).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    ids, who = np.unique(customer, return_inverse=True)
    cohort_of = np.full(len(ids), np.iinfo(np.int64).max)
    np.minimum.at(cohort_of, who, month)
    if first_month is not None:
        first = (first_month.year - 1970) * 12 + first_month.month - 1
        kept = cohort_of[who] >= first
        who, month = who[kept], month[kept]
        if not len(who):
            return [], [], []
    k = month - cohort_of[who]
    span = int(k.max()) + 1
    pairs = sorted_unique(who * span + k)  # each customer once per month offset
    cohort, offset = cohort_of[pairs // span], pairs % span
    cohorts, size = np.unique(cohort[offset == 0], return_counts=True)
    shown = offset <= max_offset
    cells = np.bincount(
        np.searchsorted(cohorts, cohort[shown]) * (max_offset + 1) + offset[shown],
        minlength=len(cohorts) * (max_offset + 1),
    ).reshape(len(cohorts), max_offset + 1)
    last = as_of_date(as_of, tz)
    labels, counts, matrix = [], [], []
    for c, n, row in zip(cohorts.tolist(), size.tolist(), cells.tolist(), strict=True):
        year, month_of_year = 1970 + c // 12, c % 12 + 1
        months_seen = (last.year - year) * 12 + last.month - month_of_year
        labels.append(f"{year}-{month_of_year:02d}")
        counts.append(int(n))
        matrix.append([round(a / n, 4) if k <= months_seen else None for k, a in enumerate(row)])
    return labels, counts, matrix


_SEGMENT_MEMO: OrderedDict[tuple[Any, ...], dict[int, str]] = OrderedDict()
_SEGMENT_ARRAYS: OrderedDict[tuple[Any, ...], tuple[np.ndarray, np.ndarray]] = OrderedDict()


_COUNTRY_ARRAYS: OrderedDict[tuple[Any, ...], tuple[np.ndarray, np.ndarray, list[str]]] = OrderedDict()


async def _memoised(store: OrderedDict[tuple[Any, ...], Any], key: tuple[Any, ...], compute: Any) -> Any:
    """`store[key]`, computed by awaiting `compute()` the first time; the four newest keys are kept."""
    found = store.get(key)
    if found is None:
        found = store[key] = await compute()
        while len(store) > 4:
            store.popitem(last=False)
    store.move_to_end(key)
    return found


async def segment_codes(
    db: Any, session: AsyncSession, workspace_id: int, as_of: datetime, tz: ZoneInfo
) -> tuple[np.ndarray, np.ndarray]:
    """`segments_by_customer` as (customer ids ascending, segment index in catalogue order), the form a
    breakdown by segment folds with; computed once per data version and as-of day like it."""
    import numpy as np

    key = (await repo.data_token(db, session, workspace_id), workspace_id, str(tz), as_of_date(as_of, tz))

    async def compute() -> tuple[np.ndarray, np.ndarray]:
        # customer_scores' segments from the same columns, without its quintile scores and without a
        # customer → name dict turned back into arrays (together 0.25 of 0.8 s at 200,000 customers)
        summary = await repo.customer_summary(session, workspace_id, as_of, first=False)
        ids = np.asarray(summary["id"], dtype=np.int64)
        if not len(ids):
            return ids, np.zeros(0, np.int64)
        return ids, _catalogue_index_by_code()[_rfm_code(*_rfm_inputs(summary, as_of, tz))]

    found: tuple[np.ndarray, np.ndarray] = await _memoised(_SEGMENT_ARRAYS, key, compute)
    return found


async def country_codes(
    db: Any, session: AsyncSession, workspace_id: int
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(ids ascending of the live customers with a known country, the index of each one's country in the
    third, the countries ascending): what a breakdown by country folds with, read once per data version."""
    import numpy as np

    async def compute() -> tuple[np.ndarray, np.ndarray, list[str]]:
        ids, countries = await repo.customer_country_arrays(session, workspace_id)
        codes, names = text_codes(countries)
        known = codes >= 0
        ids, codes = ids[known], codes[known]
        order = np.argsort(ids, kind="stable")
        return ids[order], codes[order], names

    key = (await repo.data_token(db, session, workspace_id), workspace_id)
    found: tuple[np.ndarray, np.ndarray, list[str]] = await _memoised(_COUNTRY_ARRAYS, key, compute)
    return found


async def segments_by_customer(
    db: Any, session: AsyncSession, workspace_id: int, as_of: datetime, tz: ZoneInfo
) -> dict[int, str]:
    """Every scored customer's RFM segment as of the local as-of date, computed once per data version.

    Segments compare each customer with the means of the whole base, so one customer's segment costs a scan
    of all of them; drafting for many customers in a day reuses it until the data changes."""
    key = (await repo.data_token(db, session, workspace_id), workspace_id, str(tz), as_of_date(as_of, tz))

    async def compute() -> dict[int, str]:
        # from the arrays a breakdown by segment uses: one scoring for both
        ids, codes = await segment_codes(db, session, workspace_id, as_of, tz)
        names = catalog.SEGMENT_IDS
        return {customer: names[code] for customer, code in zip(ids.tolist(), codes.tolist(), strict=True)}

    found: dict[int, str] = await _memoised(_SEGMENT_MEMO, key, compute)
    return found
