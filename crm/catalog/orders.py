"""Order statuses and period words: how orders are counted and how periods are named in answers."""

from __future__ import annotations

from crm.catalog.types import OrderStatus, PeriodWord
from storage.statuses import ORDER_STATUSES, VALID_ORDER_STATUSES

# The statuses themselves and which count belong to the schema (storage cannot import the domain); this adds
# what a person reads.
_NAMES = {
    "pending": ("unpaid", "待付款"),
    "paid": ("paid", "已付款"),
    "shipped": ("shipped", "已发货"),
    "completed": ("completed", "已完成"),
    "cancelled": ("cancelled", "已取消"),
    "returned": ("returned", "已退货"),
}
STATUSES: tuple[OrderStatus, ...] = tuple(
    OrderStatus(id=s, name_en=_NAMES[s][0], name_zh=_NAMES[s][1], valid=s in VALID_ORDER_STATUSES)
    for s in ORDER_STATUSES
)

PERIODS: tuple[PeriodWord, ...] = (
    PeriodWord("today", "today", "今天"),
    PeriodWord("yesterday", "yesterday", "昨天"),
    PeriodWord("this_week", "this week", "本周"),
    PeriodWord("last_week", "last week", "上周"),
    PeriodWord("this_month", "this month", "本月"),
    PeriodWord("last_month", "last month", "上个月"),
    PeriodWord("this_quarter", "this quarter", "本季度"),
    PeriodWord("last_quarter", "last quarter", "上季度"),
    PeriodWord("this_year", "this year", "今年"),
    PeriodWord("last_year", "last year", "去年"),
    PeriodWord("last_n_days", None, None),
    PeriodWord("month", None, None),
    PeriodWord("quarter", None, None),
    PeriodWord("year", None, None),
    PeriodWord("range", None, None),
    PeriodWord("all_time", "all time", "全部时间"),
)
