"""Rankings: top-N customers by a sort key, and "which platform / country has the most ..." (a breakdown)."""

from __future__ import annotations

import re
from typing import Any

from crm.query.ir import TopCustomersQuery
from crm.query.parsing.clarify import _not_understood, clarify
from crm.query.parsing.question import Question
from crm.query.parsing.recognisers import recogniser
from crm.query.parsing.recognisers.metric import metric_query
from crm.query.parsing.scan import Scan
from crm.regex import lazy

_WHO_RE = lazy(r"(?<![a-z])who(?![a-z])|谁|哪位", needs=("who", "哪位", "谁"))
_PLATFORM_RE = lazy(
    r"(?<![a-z])(?:platforms?|channels?|marketplaces?)(?![a-z])|平台|渠道",
    needs=("channel", "marketplace", "platform", "平台", "渠道"),
)
_COUNTRY_RE = lazy(
    r"(?<![a-z])(?:countries|country|markets?|regions?)(?![a-z])|国家|地区|市场",
    needs=("countries", "country", "market", "region", "国家", "地区", "市场"),
)


@recogniser("acquired_ranking", rank=450)
def acquired_ranking(q: Question) -> Any:
    """ "top customers we acquired": rankings and segments are not by first order."""
    r, s = q.reading, q.scan
    if s.has("acquire_verb") and (
        r.is_top or r.segments or r.stages or s.has("segments_overview") or s.has("lifecycle_overview")
    ):
        return _not_understood(q.language)
    return None


_RANKED_GROUPS = ("platform", "country", "month")


@recogniser("top", rank=440)
def top(q: Question) -> Any:
    r, s, language = q.reading, q.scan, q.language
    metrics, top_n, period, group_by = r.metrics, r.top_n, r.period, r.group_by
    asks_who = bool(_WHO_RE.search(s.text))
    top_revenue, top_orders = s.has("top_revenue_word"), s.has("top_orders_word")
    if (r.is_top or r.is_most) and not (r.has_entity or asks_who) and group_by is None:
        # "top platform by orders", "销售额最高的国家": platforms or countries ranked, not customers
        left = s.leftover()
        ranked_dim = (
            "platform" if _PLATFORM_RE.search(left) else "country" if _COUNTRY_RE.search(left) else None
        )
        if ranked_dim and top_n and top_n != [1]:
            return clarify(
                "rank_places",
                language,
                dim=ranked_dim,
                by_zh="平台" if ranked_dim == "platform" else "国家",
            )
        if ranked_dim:
            group_by = ranked_dim
    if r.is_top and not (r.has_entity or metrics or asks_who or top_revenue or top_orders or group_by):
        return _not_understood(language)  # a bare "top": top what?
    if not (
        r.is_top
        or (
            r.is_most
            and (r.has_entity or asks_who or top_revenue or top_orders or group_by in _RANKED_GROUPS)
        )
    ):
        return None
    if group_by in _RANKED_GROUPS and not top_n:
        # "which platform has the most orders" / "top countries by revenue" / "which month had the most orders"
        # = a breakdown (every group, the leader named)
        implied = list(metrics)
        if top_revenue and "revenue" not in implied:
            implied.append("revenue")
        if top_orders and "orders" not in implied:
            implied.append("orders")
        if not implied and r.has_entity:
            implied = ["customers"]  # "which country has the most customers"
        if len(implied) == 1 and not top_n:
            return metric_query(implied[0], period, r.filters, group_by, language)
        return _not_understood(language)
    if group_by or r.stages:
        return _not_understood(language)
    sort_keys = set()
    for m in metrics:
        key = {"revenue": "revenue", "orders": "orders", "aov": "aov", "avg_ltv": "revenue"}.get(m)
        if key is None:
            return _not_understood(language)
        sort_keys.add(key)
    if top_revenue:
        sort_keys.add("revenue")
    if top_orders:
        sort_keys.add("orders")
    if len(sort_keys) > 1:
        return clarify("rank_by_what", language)
    sort = sort_keys.pop() if sort_keys else "revenue"
    if top_n:
        if len(top_n) > 1:
            return _not_understood(language)
        n = top_n[0]
    else:
        n = 1 if _singular_top(s) else 10
    if not 1 <= n <= 100:
        return clarify("list_size", language)
    f = r.filters
    if r.segments:
        f = f.model_copy(update={"segment": r.segments[0]})
    if period is not None and period.kind == "all_time":
        period = None  # lifetime spend = all time
    return TopCustomersQuery(n=n, sort_by=sort, period=period, filters=f)


@recogniser("top_n_unused", rank=430)
def top_n_unused(q: Question) -> Any:
    """A number of customers with no ranking to take them from ("10个客户")."""
    return _not_understood(q.language) if q.reading.top_n else None


def _singular_top(s: Scan) -> bool:
    plural = re.search(r"customers|buyers|clients|shoppers|spenders|people|哪些|(?<![我咱你])们", s.text)
    return not plural and bool(
        re.search(
            r"(?<![a-z])(customer|buyer|client|shopper|spender|who)(?![a-z])|谁|哪位|"
            r"哪个(?:客户|买家|顾客)",
            s.text,
        )
    )
