"""One metric (docs/metrics.md) over a period, with filters, a breakdown or a second period; counts of customers and
orders asked without a metric word ("how many customers do I have")."""

from __future__ import annotations

from typing import Any

from crm.analytics.service import SERVICE_METRICS
from crm.query import vocab
from crm.query.ir import STATUS_METRICS, Clarify, Filters, MetricQuery, Period
from crm.query.parsing.clarify import _not_understood, clarify
from crm.query.parsing.question import Question
from crm.query.parsing.recognisers import recogniser
from crm.query.parsing.scan import Scan
from crm.regex import lazy

# "active customers" with no period are the last 90 days' buyers; a bare count of customers is the whole base.
_ACTIVE_RE = lazy(r"(?<![a-z])active(?![a-z])|活跃|最近", needs=("active", "最近", "活跃"))
_ORDER_WORD_RE = lazy(r"(?<![a-z])orders?(?![a-z])|订单|单", needs=("order", "单"))
_WHICH_CUSTOMERS_RE = lazy(
    r"\bwhich (?:of (?:my|our|the) )?(?:customers|buyers|clients|shoppers|people)\b|哪些(?:客户|买家|顾客|人)",
    needs=("which ", "哪些"),
)


@recogniser("metric", rank=390)
def metric(q: Question) -> Any:
    r, s, language = q.reading, q.scan, q.language
    metrics = r.metrics
    if s.has("acquire_verb") and (r.has_entity or metrics) and set(metrics) <= {"customers", "new_customers"}:
        metrics = ["new_customers"]
    # "客户消费了多少" (how much did customers spend) outside a ranking is revenue
    if s.has("top_revenue_word") and "revenue" not in metrics:
        metrics = [*metrics, "revenue"]
    if s.has("top_orders_word") and "orders" not in metrics:
        metrics = [*metrics, "orders"]
    if any(m in STATUS_METRICS for m in metrics):
        metrics = _status_metrics(s, metrics, r.has_entity)
        if not metrics:
            return _not_understood(language)
    if len(metrics) > 1:
        # "new customers" and "customers" both match "how many new customers": keep the specific one
        specific = [m for m in metrics if m != "customers"]
        if len(specific) == 1 and "customers" in metrics and specific[0] in ("new_customers",):
            metrics = specific
        else:
            return two_metrics(language, metrics)
    if not metrics:
        return None
    if _WHICH_CUSTOMERS_RE.search(s.text):
        return _not_understood(language)  # a list of customers was asked for, not one number
    if r.group_by == "product" and metrics[0] not in SERVICE_METRICS:
        # Order figures are not kept per product; only the service figures are (by the orders they name).
        return clarify("unknown_metric", language, metric="产品" if language == "zh" else "product")
    period = r.period
    if metrics == ["customers"] and period is None and not _ACTIVE_RE.search(s.text):
        period = Period(kind="all_time")  # the customer base, not the last 90 days' buyers
    return metric_query(
        metrics[0], period, r.filters, r.group_by, language, r.compare_to if r.comparable else None
    )


_EVERY_CUSTOMER = frozenset(
    ("all customers", "all the customers", "every customer", "each customer", "所有客户", "全部客户")
)


@recogniser("customer_count", rank=380)
def customer_count(q: Question) -> Any:
    r = q.reading
    # "all customers" asks for a list, unless it is counted ("how many customers in all", "全部客户有多少")
    every = [sl.text for sl in q.scan.of("list_word") if sl.text in _EVERY_CUSTOMER]
    listing = [sl.text for sl in q.scan.of("list_word") if not (r.has_count and sl.text in every)]
    # Customers broken down ("customers by country", "客户 按平台") are counted per group, as when counted.
    counted = r.has_count or r.period is not None or r.group_by not in (None, "product")
    if (r.has_entity or every) and counted and not listing:
        # "how many customers do I have": with no period, the customer base (every customer who has ordered)
        return MetricQuery(
            metric="customers",
            period=r.period or Period(kind="all_time"),
            filters=r.filters,
            group_by=r.group_by,
        )
    return None


@recogniser("whole_base", rank=370)
def whole_base(q: Question) -> Any:
    """ "list all my customers": declined, with what can be listed instead."""
    return clarify("whole_base", q.language) if q.reading.has_entity and q.scan.has("list_word") else None


@recogniser("order_count", rank=360)
def order_count(q: Question) -> Any:
    r = q.reading
    if r.has_count and q.scan.has("order_verb") and not r.has_entity:
        return MetricQuery(metric="orders", period=r.period, filters=r.filters, group_by=r.group_by)
    return None


def _status_metrics(s: Scan, metrics: list[str], has_entity: bool) -> list[str]:
    """Cancellations and returns: the status metric is the specific one ("how many orders were cancelled" is
    cancelled orders, not orders; "cancellation rate" beats "cancelled"). A bare status word counts orders only
    beside an order word, so "customers who returned" or "有多少客户退货" is no count of returns ([] = not
    understood)."""
    status = [m for m in metrics if m in STATUS_METRICS]
    rates = [m for m in status if m.endswith("_rate")]
    kept = rates or status
    if len(kept) > 1:
        return kept  # two status measures: the caller asks which one
    order_word = "orders" in metrics or bool(_ORDER_WORD_RE.search(s.text))
    bare = any(
        sl.kind == "metric" and sl.value in STATUS_METRICS and sl.text in vocab.STATUS_PARTICIPLES
        for sl in s.slots
    )
    if not rates and not order_word and (bare or has_entity):
        return []
    return kept + [m for m in metrics if m not in STATUS_METRICS and m != "orders"]


def two_metrics(language: str, metrics: list[str]) -> Clarify:
    names = [vocab.METRIC_NAMES_ZH[m] if language == "zh" else vocab.METRIC_NAMES_EN[m] for m in metrics]
    joined = ("还是" if language == "zh" else " or ").join(names)
    return clarify("two_metrics", language, names, metrics=joined)


def metric_query(
    metric: str,
    period: Period | None,
    filters: Filters,
    group_by: str | None,
    language: str,
    compare_to: Period | None = None,
) -> Any:
    """A metric query, with the metric's own rules: lifetime value is all time unless a period is named, and
    has no time breakdown."""
    if metric == "avg_ltv":
        if group_by in ("month", "quarter", "year"):
            return _not_understood(language)
        if period is None:
            period = Period(kind="all_time")
    return MetricQuery(
        metric=metric, period=period, filters=filters, group_by=group_by, compare_to=compare_to
    )
