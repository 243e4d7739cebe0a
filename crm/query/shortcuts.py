"""The questions behind the bot's shortcut commands (/kpi, /top, /segments, /cohort, /products), built as queries.

They used to be phrases in the bot's texts fed back through the parser, so a translator's edit could break a
command; now the command is the query, and the answer is worded in the asker's language like any other.
"""

from __future__ import annotations

from typing import Literal

from crm.query.ir import (
    CohortQuery,
    MetricQuery,
    ParsedQuestion,
    Period,
    ProductQuery,
    SegmentsQuery,
    TopCustomersQuery,
)
from crm.query.parsing.clarify import clarify

Language = Literal["en", "zh"]

TOP_DEFAULT = 10
TOP_MAX = 100


def _last(days: int) -> Period:
    return Period(kind="last_n_days", n=days)


def kpi_questions(language: Language) -> list[ParsedQuestion]:
    """/kpi: the key numbers, each answered on its own line (revenue, orders, AOV, new customers over the last
    30 days; the repeat rate over 90, its default window in docs/metrics.md)."""
    queries = [
        MetricQuery(metric="revenue", period=_last(30)),
        MetricQuery(metric="orders", period=_last(30)),
        MetricQuery(metric="aov", period=_last(30)),
        MetricQuery(metric="new_customers", period=_last(30)),
        MetricQuery(metric="repeat_rate", period=_last(90)),
    ]
    return [ParsedQuestion(query=q, language=language) for q in queries]


def top_customers(n: int | None, language: Language) -> ParsedQuestion:
    """/top [N]: the N best customers by revenue, all time (10 without N); outside 1..100 a clarification."""
    n = TOP_DEFAULT if n is None else n
    if not 1 <= n <= TOP_MAX:  # the parser's own reply to "top 500 customers", with its example questions
        return ParsedQuestion(query=clarify("list_size", language), language=language)
    return ParsedQuestion(query=TopCustomersQuery(n=n, sort_by="revenue"), language=language)


def segments(language: Language) -> ParsedQuestion:
    """/segments: the RFM segments of all customers."""
    return ParsedQuestion(query=SegmentsQuery(), language=language)


def cohort(language: Language) -> ParsedQuestion:
    """/cohort: the monthly retention of the first-order cohorts of the last 12 months."""
    return ParsedQuestion(query=CohortQuery(), language=language)


def best_sellers(language: Language) -> ParsedQuestion:
    """/products: the best sellers of the last 30 days by units (the answer's buttons rank them by revenue or
    buyers)."""
    return ParsedQuestion(query=ProductQuery(kind="best", period=_last(30)), language=language)
