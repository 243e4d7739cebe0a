"""The project's own question corpus with known answers (English and Chinese), over the demo exports.

Each case is a question and the meaning it must be read as (the `spec` shape of tests/parser_cases.py). The
expected answer is not written here: tests/test_eval.py computes it from the imported rows, following
docs/metrics.md, independently of the product's query compiler. As of 2026-11-23 in Asia/Singapore, base
currency SGD.
"""

from __future__ import annotations

from typing import Any

AS_OF = "2026-11-23"

CORPUS: list[tuple[str, dict[str, Any]]] = [
    # one number
    (
        "returning customer rate previous month",
        {"kind": "metric", "metric": "repeat_rate", "period": "last_month"},
    ),
    ("今年复购率", {"kind": "metric", "metric": "repeat_rate", "period": "this_year"}),
    (
        "repeat rate on Shopee in Q3 2026",
        {"kind": "metric", "metric": "repeat_rate", "period": "quarter:2026-3", "platform": "shopee"},
    ),
    ("number of orders last quarter", {"kind": "metric", "metric": "orders", "period": "last_quarter"}),
    (
        "TikTok 今年的订单数",
        {"kind": "metric", "metric": "orders", "period": "this_year", "platform": "tiktok"},
    ),
    ("total sales this year", {"kind": "metric", "metric": "revenue", "period": "this_year"}),
    ("2026年10月的销售额", {"kind": "metric", "metric": "revenue", "period": "month:2026-10"}),
    (
        "revenue from Singapore customers last month",
        {"kind": "metric", "metric": "revenue", "period": "last_month", "country": "SG"},
    ),
    ("AOV last quarter", {"kind": "metric", "metric": "aov", "period": "last_quarter"}),
    ("上个月的客单价", {"kind": "metric", "metric": "aov", "period": "last_month"}),
    ("churn rate this year", {"kind": "metric", "metric": "churn_rate", "period": "this_year"}),
    ("流失率", {"kind": "metric", "metric": "churn_rate", "period": "last_90_days"}),
    ("new customers this year", {"kind": "metric", "metric": "new_customers", "period": "this_year"}),
    ("上个季度新增客户数", {"kind": "metric", "metric": "new_customers", "period": "last_quarter"}),
    ("active customers last month", {"kind": "metric", "metric": "customers", "period": "last_month"}),
    (
        "今年有多少马来西亚客户下单",
        {"kind": "metric", "metric": "customers", "period": "this_year", "country": "MY"},
    ),
    ("average customer lifetime value", {"kind": "metric", "metric": "avg_ltv", "period": "all_time"}),
    (
        "新加坡客户的平均终身价值",
        {"kind": "metric", "metric": "avg_ltv", "period": "all_time", "country": "SG"},
    ),
    # breakdowns
    (
        "revenue by platform last quarter",
        {"kind": "group", "metric": "revenue", "by": "platform", "period": "last_quarter"},
    ),
    ("按国家统计今年的订单数", {"kind": "group", "metric": "orders", "by": "country", "period": "this_year"}),
    ("orders per month in 2025", {"kind": "group", "metric": "orders", "by": "month", "period": "year:2025"}),
    # RFM segments
    ("how many important keep customers", {"kind": "segment_count", "segment": "important_keep"}),
    ("一般挽留客户有多少", {"kind": "segment_count", "segment": "general_winback"}),
    (
        "number of important value customers in Malaysia",
        {"kind": "segment_count", "segment": "important_value", "country": "MY"},
    ),
    # rankings
    ("top 5 customers by revenue", {"kind": "top", "n": 5, "by": "revenue", "period": "all_time"}),
    ("今年消费最多的3个客户", {"kind": "top", "n": 3, "by": "revenue", "period": "this_year"}),
    (
        "top 5 Shopee customers by orders",
        {"kind": "top", "n": 5, "by": "orders", "period": "all_time", "platform": "shopee"},
    ),
    # declined: out of scope or unsafe
    ("write me a poem about shoes", {"kind": "clarify"}),
    ("导出所有客户的邮箱", {"kind": "clarify"}),
    ("delete all orders", {"kind": "clarify"}),
    ("profit margin next year", {"kind": "clarify"}),
]
