"""Clarifying replies: a question not understood well enough gets one of these, never a guess.

Each reply the parser gives is one row of CLARIFICATIONS: its reason and the example questions it leads with.
Its sentence is the Fluent message `clarify-<row>` (crm/text/locales/<lang>/query.ftl), filled with the
arguments the recogniser passes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crm.query.ir import Clarify
from crm.text import render

SUGGESTIONS_EN = [
    "repeat purchase rate last month",
    "revenue by platform this year",
    "top 10 customers by revenue",
    "how many important value customers in Singapore",
    "churn rate last quarter",
    "new customers in September 2026",
]
SUGGESTIONS_ZH = [
    "上个月的复购率",
    "今年按平台的销售额",
    "消费最多的10个客户",
    "新加坡有多少重要价值客户",
    "上个季度的流失率",
    "2026年9月的新客户数",
]


def suggestions(language: str) -> list[str]:
    return list(SUGGESTIONS_ZH if language == "zh" else SUGGESTIONS_EN)


# A question "as of" another date than the one answered for. Worded for every front end (Telegram has no as-of
# setting); the command line adds how to set its --as-of option (bot.cli_ask.console_answer).
OTHER_AS_OF_DATE = "clarify.other_as_of_date"


def _clarify(reason: str, language: str, key: str, extra: list[str] | None = None, **args: Any) -> Clarify:
    """A clarifying reply: its sentence from the catalogues (crm/text/locales/<lang>/query.ftl), in the
    question's language, then example questions."""
    msg = render("zh" if language == "zh" else "en", key, **args)
    sugg = list(extra or []) + [s for s in suggestions(language) if s not in (extra or [])]
    return Clarify(reason=reason, message=msg, suggestions=sugg[:6])


def clarify(name: str, language: str, leading: list[str] | None = None, **args: str) -> Clarify:
    """The clarifying reply `name` of CLARIFICATIONS in `language`, its sentence filled with `args`; `leading`:
    example questions made for this question, before the row's own (which may use `args` too)."""
    row = CLARIFICATIONS[name]
    own = row.suggestions_zh if language == "zh" else row.suggestions_en
    extra = [*(leading or []), *(x.format(**args) for x in own)]
    return _clarify(row.reason, language, f"clarify.{name}", extra or None, **args)


def _not_understood(language: str, what: str | None = None) -> Clarify:
    # The reply names the word it could not read; it never builds a suggestion out of it ("who is doing",
    # "who is usd"): a suggestion must be a question that is known to be understood.
    return clarify("unknown_word", language, what=what) if what else clarify("not_understood", language)


@dataclass(frozen=True)
class Clarification:
    reason: str  # Clarify.reason: ambiguous, out_of_scope, unsafe, unknown
    suggestions_en: tuple[str, ...] = ()
    suggestions_zh: tuple[str, ...] = ()


_TWO_PERIODS_EN, _TWO_PERIODS_ZH = ("revenue this year vs last year",), ("今年和去年的销售额对比",)
CLARIFICATIONS: dict[str, Clarification] = {
    # guards and input
    "database_command": Clarification("unsafe"),
    "contact_details": Clarification("unsafe", ("who is Tan Wei Ling",), ("客户 王小明",)),
    "help": Clarification("out_of_scope"),
    "off_topic": Clarification("out_of_scope"),
    "forecast": Clarification(
        "out_of_scope",
        ("revenue by month this year", "top 10 customers by predicted CLV"),
        ("今年每月的销售额", "预测终身价值最高的10个客户"),
    ),
    "empty": Clarification("unknown"),
    "too_long": Clarification("unknown"),
    "not_understood": Clarification("unknown"),
    "unknown_word": Clarification("unknown"),  # what
    # declines of a scanned question
    "other_as_of_date": Clarification("ambiguous"),
    "future": Clarification("out_of_scope"),
    "same_period": Clarification("ambiguous", _TWO_PERIODS_EN, _TWO_PERIODS_ZH),
    "bad_date": Clarification("ambiguous"),
    "two_periods": Clarification("ambiguous"),
    "unknown_metric": Clarification("out_of_scope"),  # metric
    "repeat_count": Clarification("ambiguous"),
    "exclude": Clarification("ambiguous", ("revenue by platform this year",), ("今年按平台的销售额",)),
    "two_places": Clarification(  # by (platform or country), by_zh (平台 or 国家)
        "ambiguous", ("revenue by {by} last month",), ("上个月按{by_zh}的销售额",)
    ),
    "one_breakdown": Clarification("ambiguous"),
    "filter_and_breakdown": Clarification("ambiguous"),
    "compare_kinds": Clarification(
        "ambiguous",
        (*_TWO_PERIODS_EN, "revenue by month this year"),
        (*_TWO_PERIODS_ZH, "今年每月的销售额"),
    ),
    "segment_names": Clarification(  # segments
        "ambiguous", ("how many customers are tagged vip",), ("带有vip标签的客户有多少",)
    ),
    "two_segments": Clarification("ambiguous"),
    # kinds of question that must ask back
    "predicted_period": Clarification("ambiguous"),
    "rank_places": Clarification(  # dim (platform or country), by_zh
        "ambiguous", ("revenue by {dim} last month",), ("上个月按{by_zh}的销售额",)
    ),
    "rank_by_what": Clarification(
        "ambiguous",
        ("top 10 customers by revenue", "top 10 customers by orders"),
        ("消费最多的10个客户", "订单最多的10个客户"),
    ),
    "list_size": Clarification("ambiguous"),
    "lifecycle_today": Clarification("ambiguous", ("how many dormant customers",), ("有多少沉睡客户",)),
    "whole_base": Clarification(
        "unsafe",
        ("top 10 customers by revenue", "how many customers in Malaysia this year"),
        ("消费最多的10个客户", "今年马来西亚有多少客户下单"),
    ),
    "two_metrics": Clarification("ambiguous"),  # metrics
    "cohort_cell": Clarification(
        "ambiguous", ("month-3 retention of the June 2026 cohort",), ("2026年6月首购客户的次月留存率",)
    ),
    "list_condition": Clarification(
        "ambiguous", ("customers who haven't ordered in 60 days",), ("60天没下单的客户",)
    ),
}
