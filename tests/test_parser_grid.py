"""A grid of metric × period × filter phrasings in both languages: the parser is general, not fitted to sentences."""

from __future__ import annotations

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from crm.query.parser import parse_question
from tests.parser_cases import ir_spec

AS_OF = datetime(2026, 11, 24, tzinfo=ZoneInfo("Asia/Singapore"))

METRIC_WORDS_EN = {
    "repeat_rate": ["repeat rate", "repeat purchase rate", "repurchase rate", "returning customer rate"],
    "churn_rate": ["churn rate", "churn", "customer churn"],
    "aov": ["AOV", "average order value", "basket size"],
    "avg_ltv": ["LTV", "lifetime value", "average CLV"],
    "revenue": ["revenue", "sales", "GMV", "turnover"],
    "orders": ["orders", "order count", "number of orders"],
    "customers": ["active customers", "number of customers", "unique buyers"],
    "new_customers": ["new customers", "first-time buyers", "new buyers"],
}
METRIC_WORDS_ZH = {
    "repeat_rate": ["复购率", "回购率", "重复购买率"],
    "churn_rate": ["流失率", "客户流失率"],
    "aov": ["客单价", "平均订单金额"],
    "avg_ltv": ["客户终身价值", "平均终身价值"],
    "revenue": ["销售额", "营业额", "收入", "GMV"],
    "orders": ["订单数", "单量", "订单量"],
    "customers": ["下单客户数", "活跃客户数"],
    "new_customers": ["新客数", "新增客户数", "新客户数"],
}
PERIODS_EN = {
    "last month": "last_month",
    "this month": "this_month",
    "last quarter": "last_quarter",
    "this year": "this_year",
    "last year": "last_year",
    "in 2025": "year:2025",
    "Q3 2025": "quarter:2025-3",
    "in Q3": "quarter:2026-3",
    "September 2026": "month:2026-09",
    "in the last 30 days": "last_n_days:30",
    "over the past 2 weeks": "last_n_days:14",
    "2026-09": "month:2026-09",
}
PERIODS_ZH = {
    "上个月": "last_month",
    "本月": "this_month",
    "上个季度": "last_quarter",
    "今年": "this_year",
    "去年": "last_year",
    "2025年": "year:2025",
    "2025年第三季度": "quarter:2025-3",
    "第三季度": "quarter:2026-3",
    "2026年9月": "month:2026-09",
    "过去30天": "last_n_days:30",
    "最近三十天": "last_n_days:30",
    "近两周": "last_n_days:14",
}
FILTERS_EN = {
    "": {},
    "on Shopee": {"platform": "shopee"},
    "on Lazada": {"platform": "lazada"},
    "in Malaysia": {"country": "MY"},
    "for Thai customers": {"country": "TH"},
    "on TikTok Shop in Singapore": {"platform": "tiktok", "country": "SG"},
}
FILTERS_ZH = {
    "": {},
    "虾皮": {"platform": "shopee"},
    "来赞达": {"platform": "lazada"},
    "马来西亚": {"country": "MY"},
    "泰国客户": {"country": "TH"},
    "亚马逊美国": {"platform": "amazon", "country": "US"},
}
TEMPLATES_EN = ["{m} {f} {p}", "what was the {m} {f} {p}?", "{p}, {m} {f}", "Show me the {m} {f} {p}"]
TEMPLATES_ZH = ["{p}{f}的{m}", "{f}{p}的{m}是多少？", "请问{f}{p}{m}"]


def _grid(words, periods, filters, templates):
    for (metric, ws), (pt, pspec), (ft, fspec), tpl in itertools.product(
        words.items(), periods.items(), filters.items(), templates
    ):
        for w in ws:
            q = " ".join(tpl.format(m=w, f=ft, p=pt).split())
            yield q, {**fspec, "kind": "metric", "metric": metric, "period": pspec}


def test_english_grid() -> None:
    bad = [
        (q, ir_spec(parse_question(q, as_of=AS_OF).query), e)
        for q, e in _grid(METRIC_WORDS_EN, PERIODS_EN, FILTERS_EN, TEMPLATES_EN)
        if ir_spec(parse_question(q, as_of=AS_OF).query) != e
    ]
    assert not bad, f"{len(bad)} wrong, e.g. {bad[:5]}"


def test_chinese_grid() -> None:
    bad = [
        (q, ir_spec(parse_question(q, as_of=AS_OF).query), e)
        for q, e in _grid(METRIC_WORDS_ZH, PERIODS_ZH, FILTERS_ZH, TEMPLATES_ZH)
        if ir_spec(parse_question(q, as_of=AS_OF).query) != e
    ]
    assert not bad, f"{len(bad)} wrong, e.g. {bad[:5]}"


@pytest.mark.parametrize(
    "by,en,zh",
    [
        ("platform", "by platform", "按平台"),
        ("country", "per country", "各国家"),
        ("month", "by month", "每月"),
    ],
)
def test_breakdowns_in_both_languages(by: str, en: str, zh: str) -> None:
    for metric, words in METRIC_WORDS_EN.items():
        if metric == "avg_ltv" and by == "month":
            continue
        q = parse_question(f"{words[0]} {en} this year", as_of=AS_OF).query
        assert (q.intent, q.metric, q.group_by) == ("metric", metric, by), words[0]
    for metric, words in METRIC_WORDS_ZH.items():
        if metric == "avg_ltv" and by == "month":
            continue
        q = parse_question(f"今年{zh}的{words[0]}", as_of=AS_OF).query
        assert (q.intent, q.metric, q.group_by) == ("metric", metric, by), words[0]
