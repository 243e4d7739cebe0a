"""Deciding what a scanned question asks."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from crm.query import vocab
from crm.query.ir import (
    STATUS_METRICS,
    Clarify,
    CLVQuery,
    CohortQuery,
    Filters,
    LifecycleQuery,
    MetricQuery,
    Period,
    SegmentsQuery,
    TopCustomersQuery,
)
from crm.query.parsing.clarify import OTHER_AS_OF_DATE, _clarify, _not_understood
from crm.query.parsing.lexicon import _leftover
from crm.query.parsing.scan import BAD_DATE, FUTURE, SAME_PERIOD, Scan

_ORDERED_RE = re.compile(
    r"\b(?:ordered|order|orders|bought|buying|purchased|purchasing|shopped|placed|active|"
    r"buyers?)\b|下单|购买|买过|下过单|消费过|活跃"
)


def _period_or_none(periods: list[Any]) -> Period | None:
    return periods[0] if periods else None


def _decide(s: Scan, language: str, zh: bool, ref: date) -> Any:
    en = not zh
    periods = s.values("period")
    markers = [p for p in periods if isinstance(p, tuple)]
    periods = [p for p in periods if not isinstance(p, tuple)]
    if any(m[1] != ref for m in markers):
        return _clarify("ambiguous", language, *OTHER_AS_OF_DATE)
    if FUTURE in periods:
        return _clarify(
            "out_of_scope",
            language,
            "That period is in the future: I report on what has already happened.",
            "这个时间段还没到：我只统计已经发生的数据。",
        )
    if SAME_PERIOD in periods:
        return _clarify(
            "ambiguous",
            language,
            'The same period as which one? Name it, e.g. "revenue November 2025", or compare two '
            'periods: "revenue this year vs last year".',
            "请写明具体时间段，例如“2025年11月的销售额”，或对比两个时间段：“今年和去年的销售额对比”。",
            ["revenue this year vs last year"] if en else ["今年和去年的销售额对比"],
        )
    if BAD_DATE in periods:
        return _clarify(
            "ambiguous",
            language,
            "I couldn't read that date; try e.g. 'September 2026' or 'Q3 2026'.",
            "无法识别这个日期，请写成例如“2026年9月”或“2026年第三季度”。",
        )
    compare_to = None
    if len(periods) == 2 and s.has("compare_word") and periods[0] != periods[1]:
        # "this year vs last year": both, side by side (metrics only, below); the later period first, so the
        # change reads from the earlier one to it whichever way the question put them.
        moment = datetime.combine(ref, datetime.min.time(), tzinfo=ZoneInfo("UTC"))
        period, compare_to = sorted(periods, key=lambda p: p.bounds(moment, ZoneInfo("UTC"))[1], reverse=True)
    elif len(periods) > 1:
        return _clarify(
            "ambiguous",
            language,
            "That question names more than one period; which one do you mean?",
            "问题中有多个时间段，请问是哪一个？",
        )
    else:
        period = _period_or_none(periods)

    unknown = s.values("unknown_metric")
    if unknown:
        return _clarify(
            "out_of_scope",
            language,
            f"I can't measure {unknown[0]} from order exports. I can answer revenue, orders, customers, "
            "new customers, average order value, repeat purchase rate, churn rate, lifetime value, "
            "cancellations and returns.",
            f"我无法从订单数据中统计“{unknown[0]}”。我能回答：销售额、订单数、下单客户数、新客户数、客单价、"
            "复购率、流失率、客户终身价值、取消和退货。",
        )
    if s.has("negation_word"):
        return _clarify(
            "ambiguous",
            language,
            "I can't exclude things from a number yet; ask for one platform or "
            "country, or a breakdown by platform or country.",
            "暂时不支持“排除”某一部分;可以只问一个平台或国家，或按平台/国家分组。",
            ["revenue by platform this year"] if en else ["今年按平台的销售额"],
        )

    left = _leftover(s)
    if left.words or left.cjk:
        what = left.words[0] if left.words else left.cjk[:8]
        return _not_understood(language, what)
    if left.numbers:
        return _not_understood(language, str(left.numbers[0]))

    platforms = s.values("platform")
    countries = s.values("country")
    if len(platforms) > 1 or len(countries) > 1:
        by = "platform" if len(platforms) > 1 else "country"
        return _clarify(
            "ambiguous",
            language,
            f"I answer for one {by} at a time, or for all of them side by side.",
            "我一次回答一个平台或国家，或者按平台/国家分组对比。",
            [f"revenue by {by} last month"]
            if en
            else [f"上个月按{'平台' if by == 'platform' else '国家'}的销售额"],
        )
    tags = s.values("tag")
    filters = Filters(
        platform=platforms[0] if platforms else None,
        country=countries[0] if countries else None,
        tag=tags[0] if tags else None,
    )
    if (
        tags
        and period is None
        and s.values("metric") in ([], ["customers"])
        and not s.values("segment")
        and not s.values("lifecycle")
        and not s.values("top_n")
    ):
        period = Period(
            kind="all_time"
        )  # "how many customers are tagged vip": all of them, not the last 90 days
    groups = s.values("group_by")
    if len(groups) > 1:
        return _clarify(
            "ambiguous", language, "I can break a number down one way at a time.", "一次只能按一个维度分组。"
        )
    group_by = groups[0] if groups else None
    if (group_by == "platform" and filters.platform) or (group_by == "country" and filters.country):
        return _clarify(
            "ambiguous",
            language,
            "That asks for one platform and a breakdown by platform at once.",
            "问题里同时指定了一个平台/国家又要求按它分组。",
        )

    metrics = s.values("metric")
    ambiguous_segments = s.values("ambiguous_segment")
    segments = s.values("segment")
    stages = s.values("lifecycle")
    top_n = s.values("top_n")
    is_top = bool(top_n) or s.has("top_word")
    is_most = s.has("most_word") or any(
        sl.kind in ("top_revenue_word", "top_orders_word") and re.search(r"most|最", sl.text)
        for sl in s.slots
    )
    has_count = s.has("count_word")
    ranked = any(s.has(k) for k in ("top_word", "most_word", "top_revenue_word", "top_orders_word"))
    # "最有价值的10个客户": the customers are inside the top-N phrase ("10个客户" alone is no ranking)
    has_entity = s.has("entity") or any(
        (sl.kind == "top_word" or (sl.kind == "top_n" and ranked))
        and re.search(r"customer|buyer|client|spender|shopper|客户|买家|顾客|客人|用户", sl.text)
        for sl in s.slots
    )
    compare = s.has("compare_word")

    if s.has("trend_word"):
        if group_by in (None, "month", "quarter", "year") and not is_top:
            group_by = group_by or "month"
        else:
            return _not_understood(language)
    if (
        compare
        and group_by in ("platform", "country", "segment")
        and not s.has("change_word")
        and not _compares_a_period(s)
    ):
        compare = False  # "compare platforms" = the breakdown itself; "by platform vs last year" is not
    comparable = (
        compare_to is not None
        and group_by is None
        and len(metrics) == 1
        and not is_top
        and not segments
        and not stages
        and not ambiguous_segments
    )
    if (compare or s.has("change_word") or compare_to is not None) and not comparable:
        return _clarify(
            "ambiguous",
            language,
            'I compare one number over two named periods, e.g. "revenue this year vs last year"; not '
            "breakdowns or lists. Name both periods, or ask for a monthly breakdown.",
            "我可以对比一个指标在两个明确时间段的数值，例如“今年和去年的销售额对比”，暂不支持分组或名单的对比。"
            "请写明两个时间段，或按月分组查看。",
            ["revenue this year vs last year", "revenue by month this year"]
            if en
            else ["今年和去年的销售额对比", "今年每月的销售额"],
        )
    if ambiguous_segments:
        segs = ambiguous_segments[0]
        labels = [
            vocab.SEGMENT_LABELS_ZH[x] if zh else vocab.SEGMENT_LABELS_EN[x] + " customers" for x in segs
        ]
        return _clarify(
            "ambiguous",
            language,
            "That can mean more than one customer segment: " + ", ".join(labels) + ". Which one? "
            '(For customers with a tag of that name, say "customers tagged vip".)',
            "这可能指多个客户分群：" + "、".join(labels) + "。请问是哪一个？"
            "（如果指带有该名称标签的客户，请说“带有vip标签的客户”。）",
            [(f"{x}有多少" if zh else f"how many {x}") for x in labels]
            + ["带有vip标签的客户有多少" if zh else "how many customers are tagged vip"],
        )
    if len(segments) > 1 or len(stages) > 1:
        return _clarify(
            "ambiguous",
            language,
            "That names more than one segment; ask about one at a time.",
            "问题中有多个分群，请一次问一个。",
        )

    # predicted value lists ------------------------------------------------------------------------------
    clv_kinds = [
        k for k in ("clv_word", "churn_risk_word", "p_alive_word", "expected_purchases_word") if s.has(k)
    ]
    if clv_kinds:
        if (
            len(clv_kinds) > 1
            or (metrics and not (metrics == ["churn_rate"] and clv_kinds == ["churn_risk_word"]))
            or group_by
            or segments
            or stages
        ):
            return _not_understood(language)
        horizon = 365
        if period is not None:
            return _clarify(
                "ambiguous",
                language,
                "Predicted value is computed from all history up to today; I can't limit it to a period.",
                "预测值基于截至今天的全部历史数据计算，不能限定时间段。",
            )
        sort = {
            "clv_word": "predicted_clv",
            "churn_risk_word": "churn_risk",
            "p_alive_word": "p_alive",
            "expected_purchases_word": "expected_purchases",
        }[clv_kinds[0]]
        n = top_n[0] if top_n else 10
        if not 1 <= n <= 100:
            return _not_understood(language, str(n))
        return CLVQuery(sort_by=sort, n=n, horizon_days=horizon, filters=filters)

    # cohort retention -----------------------------------------------------------------------------------
    if s.has("cohort_word"):
        if metrics or is_top or group_by not in (None, "month") or segments or stages:
            return _not_understood(language)
        return CohortQuery(period=period, filters=filters)

    if s.has("acquire_verb") and (
        is_top or segments or stages or s.has("segments_overview") or s.has("lifecycle_overview")
    ):
        return _not_understood(
            language
        )  # "top customers we acquired": rankings and segments are not by first order

    # top customers --------------------------------------------------------------------------------------
    asks_who = bool(re.search(r"(?<![a-z])who(?![a-z])|谁|哪位", s.text))
    if (is_top or is_most) and not (has_entity or asks_who) and group_by is None:
        # "top platform by orders", "销售额最高的国家": platforms or countries ranked, not customers
        left = s.leftover()
        ranked_dim = (
            "platform"
            if re.search(r"(?<![a-z])(?:platforms?|channels?|marketplaces?)(?![a-z])|平台|渠道", left)
            else "country"
            if re.search(r"(?<![a-z])(?:countries|country|markets?|regions?)(?![a-z])|国家|地区|市场", left)
            else None
        )
        if ranked_dim and top_n and top_n != [1]:
            return _clarify(
                "ambiguous",
                language,
                f"I rank customers, not {ranked_dim}s; the breakdown by "
                f"{ranked_dim} shows every {ranked_dim} side by side.",
                f"我只对客户排名，不对{'平台' if ranked_dim == 'platform' else '国家'}排名；可以按"
                f"{'平台' if ranked_dim == 'platform' else '国家'}分组查看。",
                [f"revenue by {ranked_dim} last month"]
                if en
                else [f"上个月按{'平台' if ranked_dim == 'platform' else '国家'}的销售额"],
            )
        if ranked_dim:
            group_by = ranked_dim
    if is_top and not (
        has_entity or metrics or asks_who or s.has("top_revenue_word") or s.has("top_orders_word") or group_by
    ):
        return _not_understood(language)  # a bare "top": top what?
    if is_top or (
        is_most
        and (
            has_entity
            or asks_who
            or s.has("top_revenue_word")
            or s.has("top_orders_word")
            or group_by in ("platform", "country")
        )
    ):
        if group_by in ("platform", "country") and not top_n:
            # "which platform has the most orders" / "top countries by revenue" = a breakdown
            implied = list(metrics)
            if s.has("top_revenue_word") and "revenue" not in implied:
                implied.append("revenue")
            if s.has("top_orders_word") and "orders" not in implied:
                implied.append("orders")
            if not implied and has_entity:
                implied = ["customers"]  # "which country has the most customers"
            if len(implied) == 1 and not top_n:
                return _metric(implied[0], period, filters, group_by, language)
            return _not_understood(language)
        if group_by or stages:
            return _not_understood(language)
        sort_keys = set()
        for m in metrics:
            key = {"revenue": "revenue", "orders": "orders", "aov": "aov", "avg_ltv": "revenue"}.get(m)
            if key is None:
                return _not_understood(language)
            sort_keys.add(key)
        if s.has("top_revenue_word"):
            sort_keys.add("revenue")
        if s.has("top_orders_word"):
            sort_keys.add("orders")
        if len(sort_keys) > 1:
            return _clarify(
                "ambiguous",
                language,
                "Top customers by what: spend or number of orders?",
                "按什么排名：消费金额还是订单数？",
                ["top 10 customers by revenue", "top 10 customers by orders"]
                if en
                else ["消费最多的10个客户", "订单最多的10个客户"],
            )
        sort = sort_keys.pop() if sort_keys else "revenue"
        if top_n:
            if len(top_n) > 1:
                return _not_understood(language)
            n = top_n[0]
        else:
            n = 1 if _singular_top(s) else 10
        if not 1 <= n <= 100:
            return _clarify(
                "ambiguous", language, "I can list between 1 and 100 customers.", "我可以列出1到100个客户。"
            )
        if "avg_ltv" in metrics and period is None:
            period = None  # lifetime spend = all time
        f = filters
        if segments:
            f = f.model_copy(update={"segment": segments[0]})
        if period is not None and period.kind == "all_time":
            period = None
        return TopCustomersQuery(n=n, sort_by=sort, period=period, filters=f)
    if top_n:
        return _not_understood(language)

    # segments and lifecycle -----------------------------------------------------------------------------
    if segments:
        seg = segments[0]
        if stages:
            return _not_understood(language)
        if metrics and metrics != ["customers"]:
            if len(metrics) > 1:
                return _two_metrics(language, metrics)
            return _metric(
                metrics[0], period, filters.model_copy(update={"segment": seg}), group_by, language
            )
        if period is not None and (metrics or group_by or _ORDERED_RE.search(s.text)):
            # "important value customers who ordered last month": the segment's buyers in the period
            return MetricQuery(
                metric="customers",
                period=period,
                filters=filters.model_copy(update={"segment": seg}),
                group_by=group_by,
            )
        if group_by:
            return _not_understood(language)
        # "how many important win-back customers last month": the segment as it stood at the period's end
        return SegmentsQuery(
            segment=seg,
            filters=filters,
            period=period if period is not None and period.kind != "all_time" else None,
        )
    if group_by == "segment" and metrics == ["customers"] and period is None:
        metrics = []  # "customers per segment" = the segment distribution
    if s.has("segments_overview") or (group_by == "segment" and not metrics):
        if metrics or period is not None or stages:
            if group_by == "segment" and len(metrics) == 1:
                return _metric(metrics[0], period, filters, group_by, language)
            return _not_understood(language)
        return SegmentsQuery(segment=None, filters=filters)
    if stages or s.has("lifecycle_overview"):
        if (metrics and metrics not in (["customers"],)) or period is not None or group_by:
            if stages == ["churned"] and metrics == ["churn_rate"]:
                pass
            else:
                return _clarify(
                    "ambiguous",
                    language,
                    "Lifecycle stages are counted as of today; ask without a period or metric.",
                    "生命周期阶段按今天统计;请不带时间段或指标提问。",
                    ["how many dormant customers"] if en else ["有多少沉睡客户"],
                )
        return LifecycleQuery(stage=stages[0] if stages else None, filters=filters)

    # metrics --------------------------------------------------------------------------------------------
    if s.has("acquire_verb") and (has_entity or metrics) and set(metrics) <= {"customers", "new_customers"}:
        metrics = ["new_customers"]
    # "客户消费了多少" (how much did customers spend) outside a ranking is revenue
    if s.has("top_revenue_word") and "revenue" not in metrics:
        metrics = [*metrics, "revenue"]
    if s.has("top_orders_word") and "orders" not in metrics:
        metrics = [*metrics, "orders"]
    if any(metric in STATUS_METRICS for metric in metrics):
        metrics = _status_metrics(s, metrics, has_entity)
        if not metrics:
            return _not_understood(language)
    if len(metrics) > 1:
        # "new customers" and "customers" both match "how many new customers": keep the specific one
        specific = [m for m in metrics if m != "customers"]
        if len(specific) == 1 and "customers" in metrics and specific[0] in ("new_customers",):
            metrics = specific
        else:
            return _two_metrics(language, metrics)
    if metrics:
        if re.search(
            r"\bwhich (?:of (?:my|our|the) )?(?:customers|buyers|clients|shoppers|people)\b|哪些(?:客户|买家|顾客|人)",
            s.text,
        ):
            return _not_understood(language)  # a list of customers was asked for, not one number
        if metrics == ["customers"] and period is None and not _ACTIVE_RE.search(s.text):
            period = Period(kind="all_time")  # the customer base, not the last 90 days' buyers
        return _metric(metrics[0], period, filters, group_by, language, compare_to if comparable else None)
    if has_entity and (has_count or period is not None) and not s.has("list_word"):
        # "how many customers do I have": with no period, the customer base (every customer who has ordered)
        return MetricQuery(
            metric="customers", period=period or Period(kind="all_time"), filters=filters, group_by=group_by
        )
    if has_entity and s.has("list_word"):
        return _clarify(
            "unsafe",
            language,
            "I don't list the whole customer base in chat. I can show top customers or counts.",
            "我不会在聊天中列出全部客户。可以查看消费最多的客户或客户数量。",
            ["top 10 customers by revenue", "how many customers in Malaysia this year"]
            if en
            else ["消费最多的10个客户", "今年马来西亚有多少客户下单"],
        )
    if has_count and s.has("order_verb") and not has_entity:
        return MetricQuery(metric="orders", period=period, filters=filters, group_by=group_by)
    return _not_understood(language)


# "active customers" with no period are the last 90 days' buyers; a bare count of customers is the whole base.
_ACTIVE_RE = re.compile(r"(?<![a-z])active(?![a-z])|活跃|最近")
_ORDER_WORD_RE = re.compile(r"(?<![a-z])orders?(?![a-z])|订单|单")


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


def _singular_top(s: Scan) -> bool:
    plural = re.search(r"customers|buyers|clients|shoppers|spenders|people|哪些|(?<![我咱你])们", s.text)
    return not plural and bool(
        re.search(
            r"(?<![a-z])(customer|buyer|client|shopper|spender|who)(?![a-z])|谁|哪位|"
            r"哪个(?:客户|买家|顾客)",
            s.text,
        )
    )


def _two_metrics(language: str, metrics: list[str]) -> Clarify:
    names = [vocab.METRIC_NAMES_ZH[m] if language == "zh" else vocab.METRIC_NAMES_EN[m] for m in metrics]
    return _clarify(
        "ambiguous",
        language,
        "I answer one measure at a time: " + " or ".join(names) + "?",
        "我一次回答一个指标：" + "还是".join(names) + "?",
        names,
    )


def _compares_a_period(s: Scan) -> bool:
    """Whether a compare word stands right beside a period ("… vs last year", "和去年相比"): the question then
    compares periods, whatever else it breaks down by."""
    slots = sorted(s.slots, key=lambda x: x.start)
    for i, slot in enumerate(slots):
        if slot.kind == "compare_word":
            beside = slots[i - 1 : i] + slots[i + 1 : i + 2]
            if any(b.kind == "period" for b in beside):
                return True
    return False


def _metric(
    metric: str,
    period: Period | None,
    filters: Filters,
    group_by: str | None,
    language: str,
    compare_to: Period | None = None,
) -> Any:
    if metric == "avg_ltv":
        if group_by in ("month", "quarter", "year"):
            return _not_understood(language)
        if period is None:
            period = Period(kind="all_time")
    return MetricQuery(
        metric=metric, period=period, filters=filters, group_by=group_by, compare_to=compare_to
    )
