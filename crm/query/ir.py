"""The question IR: a typed, validated description of every question the bot can answer.

Both parsers (offline rules and the LLM) produce these objects; the compiler turns them into repository
calls. Nothing here touches the database, so the LLM can only ever ask for something on this list.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, model_validator

from crm import catalog

# The closed lists come from the domain catalogue (crm.catalog); pydantic checks values against them. Type
# checkers see plain strings: the lists are data, not code.
if TYPE_CHECKING:
    Platform = str
    Metric = str
    Segment = str
    Lifecycle = str
else:
    Platform = Literal[catalog.PLATFORM_IDS]
    Metric = Literal[catalog.METRIC_IDS]
    Segment = Literal[catalog.SEGMENT_IDS]
    Lifecycle = Literal[catalog.STAGE_IDS]
PLATFORMS: tuple[str, ...] = catalog.PLATFORM_IDS
METRICS: tuple[str, ...] = catalog.METRIC_IDS
RATIO_METRICS = catalog.metrics_in("ratio")
MONEY_METRICS = catalog.metrics_in("money")
# Orders by their current status (not only valid orders): cancellations and returns.
STATUS_METRICS = frozenset(m.id for m in catalog.METRICS if m.by_status)
SEGMENTS: tuple[str, ...] = catalog.SEGMENT_IDS
# "product": service figures only (the products of the orders reviews and complaints name).
GroupBy = Literal["platform", "country", "month", "quarter", "year", "segment", "product"]
TopSortKey = Literal["revenue", "orders", "aov", "predicted_clv", "p_alive", "churn_risk", "recency_days"]

if TYPE_CHECKING:
    PeriodKind = str
else:
    PeriodKind = Literal[catalog.PERIOD_KINDS]


class _IR(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Period(_IR):
    """A half-open calendar window [start, end) in the workspace time zone, relative to the as-of moment."""

    kind: PeriodKind
    n: int | None = Field(default=None, ge=1, le=3660, description="days, for last_n_days")
    year: int | None = Field(default=None, ge=2000, le=2100)
    month: int | None = Field(default=None, ge=1, le=12)
    quarter: int | None = Field(default=None, ge=1, le=4)
    start: date | None = None
    end: date | None = Field(default=None, description="exclusive, for range")

    @model_validator(mode="after")
    def _check(self) -> Period:
        need = {
            "last_n_days": ("n",),
            "month": ("year", "month"),
            "quarter": ("year", "quarter"),
            "year": ("year",),
            "range": ("start", "end"),
        }.get(self.kind, ())
        missing = [f for f in need if getattr(self, f) is None]
        if missing:
            raise ValueError(f"period {self.kind} needs {', '.join(missing)}")
        if self.kind == "range" and self.start and self.end and self.start >= self.end:
            raise ValueError("period range must end after it starts")
        return self

    def bounds(self, as_of: datetime, tz: ZoneInfo) -> tuple[datetime | None, datetime]:
        """Return [start, end) as aware datetimes (start None = from the beginning); end never passes as_of."""
        local = as_of.astimezone(tz)
        # An as-of moment at local midnight is "the end of the previous day" (bot.context.AppContext.as_of).
        today = (local - timedelta(microseconds=1)).date()

        def at(d: date) -> datetime:
            return datetime.combine(d, time(0), tzinfo=tz)

        def month_start(y: int, m: int) -> date:
            return date(y, m, 1)

        def add_months(d: date, k: int) -> date:
            y, m = divmod(d.year * 12 + d.month - 1 + k, 12)
            return date(y, m + 1, 1)

        qstart = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        k = self.kind
        start: datetime | None
        if k == "today":
            start, end = at(today), local
        elif k == "yesterday":
            start, end = at(today - timedelta(days=1)), at(today)
        elif k == "this_week":
            start, end = at(today - timedelta(days=today.weekday())), local
        elif k == "last_week":
            monday = today - timedelta(days=today.weekday())
            start, end = at(monday - timedelta(days=7)), at(monday)
        elif k == "this_month":
            start, end = at(month_start(today.year, today.month)), local
        elif k == "last_month":
            first = month_start(today.year, today.month)
            start, end = at(add_months(first, -1)), at(first)
        elif k == "this_quarter":
            start, end = at(qstart), local
        elif k == "last_quarter":
            start, end = at(add_months(qstart, -3)), at(qstart)
        elif k == "this_year":
            start, end = at(date(today.year, 1, 1)), local
        elif k == "last_year":
            start, end = at(date(today.year - 1, 1, 1)), at(date(today.year, 1, 1))
        elif k == "last_n_days":
            assert self.n is not None
            start, end = local - timedelta(days=self.n), local
        elif k == "month":
            assert self.year and self.month
            first = month_start(self.year, self.month)
            start, end = at(first), at(add_months(first, 1))
        elif k == "quarter":
            assert self.year and self.quarter
            first = date(self.year, 3 * (self.quarter - 1) + 1, 1)
            start, end = at(first), at(add_months(first, 3))
        elif k == "year":
            assert self.year
            start, end = at(date(self.year, 1, 1)), at(date(self.year + 1, 1, 1))
        elif k == "range":
            assert self.start and self.end
            start, end = at(self.start), at(self.end)
        else:  # all_time
            start, end = None, local
        return start, min(end, local)

    def label(self) -> str:
        k = self.kind
        if k == "last_n_days":
            return f"last {self.n} days"
        if k == "month":
            return f"{calendar.month_name[self.month or 1]} {self.year}"
        if k == "quarter":
            return f"Q{self.quarter} {self.year}"
        if k == "year":
            return str(self.year)
        if k == "range":
            first, last = self.inclusive_days()
            return str(first) if first == last else f"{first} to {last}"
        return k.replace("_", " ")

    def inclusive_days(self) -> tuple[date, date]:
        """A range's first and last day as people say them (the stored end is the exclusive next day)."""
        assert self.start and self.end
        return self.start, max(self.start, self.end - timedelta(days=1))


DEFAULT_PERIOD = Period(kind="last_n_days", n=90)


class Filters(_IR):
    platform: Platform | None = None
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")
    tag: str | None = None
    segment: Segment | None = None


class MetricQuery(_IR):
    intent: Literal["metric"] = "metric"
    metric: Metric
    period: Period | None = None  # None = docs/metrics.md default (last 90 days)
    filters: Filters = Field(default_factory=Filters)
    group_by: GroupBy | None = None
    compare: Literal["previous_period", "previous_year"] | None = None
    # A second period answered side by side with the first ("revenue this year vs last year").
    compare_to: Period | None = None
    # With group_by platform or country: only these groups, in this order ("Lazada vs Shopee revenue").
    only: list[str] | None = Field(default=None, min_length=2, max_length=10)


class TopCustomersQuery(_IR):
    intent: Literal["top_customers"] = "top_customers"
    n: int = Field(default=10, ge=1, le=100)
    sort_by: TopSortKey = "revenue"
    period: Period | None = None  # None = all time
    filters: Filters = Field(default_factory=Filters)
    export: bool = False  # "as csv": the chat sends the list as a CSV file too


class CustomerListQuery(_IR):
    """Customers meeting a condition, most spent first: a segment, a lifecycle stage, no valid order in the
    last `inactive_days` days, or several of these at once ("important winback customers in Thailand")."""

    intent: Literal["customer_list"] = "customer_list"
    segment: Segment | None = None
    stage: Literal["new", "active", "dormant", "churned"] | None = None
    inactive_days: int | None = Field(default=None, ge=1, le=3660)
    filters: Filters = Field(default_factory=Filters)
    export: bool = False

    @model_validator(mode="after")
    def _check(self) -> CustomerListQuery:
        if self.segment is None and self.stage is None and self.inactive_days is None:
            raise ValueError("a customer list needs a condition: segment, stage or inactive_days")
        if self.filters.platform is not None or self.filters.segment is not None:
            raise ValueError("a customer list is over all platforms; its segment is the segment field")
        return self


# What a question about one customer asks: their whole card, or one number of it ("churn risk of X").
# "clv" alone may mean spend so far or the predicted value: both are said, and no single value is given.
CustomerAspect = Literal[
    "card",
    "spend",
    "orders",
    "last_order",
    "aov",
    "clv",
    "predicted_clv",
    "churn_risk",
    "p_alive",
    "segment",
    "points",
]


class CustomerQuery(_IR):
    intent: Literal["customer"] = "customer"
    search: str = Field(min_length=1, max_length=200)
    aspect: CustomerAspect = "card"


class SegmentsQuery(_IR):
    """Segment counts (segment None = the distribution of all eight)."""

    intent: Literal["segments"] = "segments"
    segment: Segment | None = None
    filters: Filters = Field(default_factory=Filters)
    # With a period, the segments as they stood at its end ("重要挽留客户 last month" = as of the month's end).
    period: Period | None = None


class LifecycleQuery(_IR):
    intent: Literal["lifecycle"] = "lifecycle"
    stage: Lifecycle | None = None
    filters: Filters = Field(default_factory=Filters)


class CohortQuery(_IR):
    intent: Literal["cohort"] = "cohort"
    period: Period | None = None  # which first-order months; None = last 12 months
    filters: Filters = Field(default_factory=Filters)
    max_offset: int = Field(default=12, ge=1, le=36)
    # One cell of the table: the share of the `period` month's cohort ordering `offset` months later
    # ("month-3 retention of the June cohort", "3月首购客户的次月留存率").
    offset: int | None = Field(default=None, ge=1, le=36)


class CLVQuery(_IR):
    """Predicted value lists: top predicted CLV, highest churn risk, or P(alive) of the base."""

    intent: Literal["clv"] = "clv"
    sort_by: Literal["predicted_clv", "churn_risk", "p_alive", "expected_purchases"] = "predicted_clv"
    n: int = Field(default=10, ge=1, le=100)
    horizon_days: int = Field(default=365, ge=1, le=3650)
    filters: Filters = Field(default_factory=Filters)


JourneyStage = Literal["new", "active", "dormant", "churned", "prospect"]


class TransitionsQuery(_IR):
    """Customers counted by lifecycle stage at d1 and at d2 (docs/metrics.md, "Journeys"), with row shares.

    `start` (d1) and `end` (d2) are days; None: d1 = 30 days before the as-of date, d2 = the as-of date. A
    question may name one move to read out ("from new to active")."""

    intent: Literal["transitions"] = "transitions"
    start: date | None = None
    end: date | None = None
    from_stage: JourneyStage | None = None
    to_stage: JourneyStage | None = None

    @model_validator(mode="after")
    def _check(self) -> TransitionsQuery:
        if self.start is not None and self.end is not None and self.start >= self.end:
            raise ValueError("the first date of a transition table must be before the second")
        return self


class SecondOrderQuery(_IR):
    """Of the customers whose first valid order falls in `period`, the share with a second valid order within
    `window_days` of the first; None: the `window_days` just before the last `window_days` (all observable)."""

    intent: Literal["second_order"] = "second_order"
    period: Period | None = None
    window_days: int = Field(default=90, ge=1, le=730)


ProductKind = Literal["best", "mix", "together", "reorder", "returns", "winback"]


class ProductQuery(_IR):
    """Questions about products (docs/metrics.md, "Products"): best sellers, category preference of a group of
    customers, products bought together, replenishment cycles and who is due, return rate by product, and what
    lapsed valuable customers bought most."""

    intent: Literal["products"] = "products"
    kind: ProductKind = "best"
    by: Literal["units", "revenue", "buyers"] = "units"  # best sellers ranked by
    n: int = Field(default=10, ge=1, le=100)
    period: Period | None = (
        None  # None = docs/metrics.md default (last 90 days; all time for reorder, winback)
    )
    filters: Filters = Field(default_factory=Filters)
    group_by: Literal["country", "segment"] | None = None  # category preference per group
    product: str | None = Field(default=None, max_length=200)  # reorder: a SKU or words of the product's name
    min_orders: int = Field(default=5, ge=1, le=10_000)  # bought together: orders containing both, at least


class PointsQuery(_IR):
    """Loyalty points of the whole shop (docs/loyalty.md): the points customers hold ("total points
    outstanding"), or the points that expire within a window ("points expiring this month")."""

    intent: Literal["points"] = "points"
    kind: Literal["outstanding", "expiring"] = "outstanding"
    within: Literal["this_week", "this_month", "next_month", "this_year", "days"] = "this_month"
    days: int | None = Field(default=None, ge=1, le=3660, description="for within=days: the next N days")


OutreachIntent = Literal[
    "welcome",
    "thank_you",
    "abandoned_cart",
    "replenishment",
    "winback",
    "review_request",
    "service_recovery",
    "festival",
    "custom",
]


class DraftQuery(_IR):
    intent: Literal["draft"] = "draft"
    outreach: OutreachIntent = "custom"
    customer: str | None = None
    segment: Segment | None = None
    filters: Filters = Field(default_factory=Filters)
    language: Literal["en", "zh", "ms", "th", "id", "vi"] | None = None
    brief: str | None = None
    festival: str | None = None
    # The seller's offer, only as written in the request: a draft may mention no other code, discount or date.
    coupon: str | None = Field(default=None, max_length=40)
    discount: str | None = Field(default=None, max_length=60)
    expires: date | None = None


class ReminderQuery(_IR):
    intent: Literal["reminder"] = "reminder"
    text: str


class Clarify(_IR):
    intent: Literal["clarify"] = "clarify"
    reason: Literal["ambiguous", "out_of_scope", "unsafe", "unknown"] = "unknown"
    message: str | None = None
    suggestions: list[str] = Field(default_factory=list)


Query = Annotated[
    MetricQuery
    | TopCustomersQuery
    | CustomerListQuery
    | CustomerQuery
    | SegmentsQuery
    | LifecycleQuery
    | CohortQuery
    | CLVQuery
    | TransitionsQuery
    | SecondOrderQuery
    | ProductQuery
    | PointsQuery
    | DraftQuery
    | ReminderQuery
    | Clarify,
    Field(discriminator="intent"),
]


class ParsedQuestion(_IR):
    """A parser's output: the query plus the language the user wrote in (replies use it)."""

    query: Query
    language: Literal["en", "zh"] = "en"
    parser: Literal["offline", "llm"] = "offline"
    # Misspelt words read as vocabulary words ("revnue" -> "revenue"); the answer says so.
    corrections: list[tuple[str, str]] = Field(default_factory=list)
