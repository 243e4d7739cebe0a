"""Customer segments (one segment's count, a metric of its customers, the distribution) and lifecycle stages."""

from __future__ import annotations

from typing import Any

from crm.query.ir import LifecycleQuery, MetricQuery, SegmentsQuery
from crm.query.parsing.clarify import _not_understood, clarify
from crm.query.parsing.question import Question
from crm.query.parsing.recognisers import recogniser
from crm.query.parsing.recognisers.metric import metric_query, two_metrics
from crm.regex import lazy

_ORDERED_RE = lazy(
    r"\b(?:ordered|order|orders|bought|buying|purchased|purchasing|shopped|placed|active|"
    r"buyers?)\b|下单|购买|买过|下过单|消费过|活跃"
)


@recogniser("segment", rank=420)
def segment(q: Question) -> Any:
    r, language = q.reading, q.language
    if not r.segments:
        return None
    seg, metrics, period, group_by = r.segments[0], r.metrics, r.period, r.group_by
    if r.stages:
        return _not_understood(language)
    if metrics and metrics != ["customers"]:
        if len(metrics) > 1:
            return two_metrics(language, metrics)
        return metric_query(
            metrics[0], period, r.filters.model_copy(update={"segment": seg}), group_by, language
        )
    if period is not None and (metrics or group_by or _ORDERED_RE.search(q.scan.text)):
        # "important value customers who ordered last month": the segment's buyers in the period
        return MetricQuery(
            metric="customers",
            period=period,
            filters=r.filters.model_copy(update={"segment": seg}),
            group_by=group_by,
        )
    if group_by:
        return _not_understood(language)
    # "how many important win-back customers last month": the segment as it stood at the period's end
    return SegmentsQuery(
        segment=seg,
        filters=r.filters,
        period=period if period is not None and period.kind != "all_time" else None,
    )


@recogniser("segments_overview", rank=410)
def segments_overview(q: Question) -> Any:
    r, metrics = q.reading, q.reading.metrics
    if r.group_by == "segment" and metrics == ["customers"] and r.period is None:
        metrics = []  # "customers per segment" = the segment distribution
    if not (q.scan.has("segments_overview") or (r.group_by == "segment" and not metrics)):
        return None
    if metrics or r.period is not None or r.stages:
        if r.group_by == "segment" and len(metrics) == 1:
            return metric_query(metrics[0], r.period, r.filters, r.group_by, q.language)
        if metrics or r.stages or r.group_by not in (None, "segment"):
            return _not_understood(q.language)
        if r.group_by == "segment" and q.scan.has("entity"):
            # "customers by segment this year": the period's customers per segment, as "number of customers
            # by segment this year" reads
            return metric_query("customers", r.period, r.filters, "segment", q.language)
        # "segments last month": the distribution as it stood at the period's end
        return SegmentsQuery(segment=None, filters=r.filters, period=r.period)
    return SegmentsQuery(segment=None, filters=r.filters)


@recogniser("lifecycle", rank=400)
def lifecycle(q: Question) -> Any:
    r = q.reading
    if not (r.stages or q.scan.has("lifecycle_overview")):
        return None
    metrics = r.metrics
    if ((metrics and metrics not in (["customers"],)) or r.period is not None or r.group_by) and not (
        r.stages == ["churned"] and metrics == ["churn_rate"]
    ):
        return clarify("lifecycle_today", q.language)
    return LifecycleQuery(stage=r.stages[0] if r.stages else None, filters=r.filters)
