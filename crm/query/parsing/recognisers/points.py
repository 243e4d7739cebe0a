"""Loyalty points of the whole shop: the points customers hold ("total points outstanding", "积分总余额") and
the points that expire within a window ("points expiring this month", "本月到期的积分"). One customer's points
("how many points does Tan have") are a customer look-up (crm.query.parser, aspect "points")."""

from __future__ import annotations

import re
from typing import Any

from crm.query.ir import PointsQuery
from crm.query.parsing.question import Question
from crm.query.parsing.recognisers import recogniser
from crm.regex import lazy

_POINTS = lazy(r"(?<!percentage )(?<!percent )\b(?:loyalty |reward )?points?\b|积分", needs=("point", "积分"))
_EXPIRING = lazy(
    r"expir|lapse|run(?:ning)? out|到期|过期|失效", needs=(" out", "expir", "lapse", "到期", "失效", "过期")
)
_DAYS = lazy(
    r"(?:next|coming|within(?: the next)?)\s+(\d{1,4})\s+days?|未来\s*(\d{1,4})\s*天|(\d{1,4})\s*天内",
    needs=("coming", "next", "within", "天内", "未来"),
)
_WINDOWS = (
    ("next_month", lazy(r"next month|下个?月", needs=("next month", "下"))),
    (
        "this_week",
        lazy(
            r"this week|本周|这周|这个星期|本星期", needs=("this week", "本周", "本星期", "这个星期", "这周")
        ),
    ),
    ("this_year", lazy(r"this year|今年|本年", needs=("this year", "今年", "本年"))),
    ("this_month", lazy(r"this month|本月|这个月|当月", needs=("this month", "当月", "本月", "这个月"))),
)


@recogniser("points", rank=597)
def points(q: Question) -> Any:
    t = q.text
    if not _POINTS.search(t):
        return None
    if _EXPIRING.search(t):
        days = _DAYS.search(t)
        if days:
            n = int(next(g for g in days.groups() if g))
            return PointsQuery(kind="expiring", within="days", days=min(max(n, 1), 3660))
        within = next((name for name, rx in _WINDOWS if rx.search(t)), "this_month")
        return PointsQuery(kind="expiring", within=within)
    if re.search(
        r"outstanding|total|all|liabilit|balance|in circulation|how many|总|余额|一共|多少|未兑换", t
    ):
        return PointsQuery(kind="outstanding")
    return None
