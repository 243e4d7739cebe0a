"""Clarifying replies: a question not understood well enough gets one of these, never a guess."""

from __future__ import annotations

from crm.query.ir import Clarify

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
OTHER_AS_OF_DATE = (
    "I answer as of one date at a time, so I can't take another as-of date inside the question. Ask about a "
    'period instead, e.g. "revenue June 2025" or "customers 2025".',
    "我一次只按一个截止日期回答，不能在问题里另设截止日期。请改问一个时间段，例如“2025年6月的销售额”或“2025年的客户数”。",
)


def _clarify(
    reason: str, language: str, message_en: str, message_zh: str, extra: list[str] | None = None
) -> Clarify:
    msg = message_zh if language == "zh" else message_en
    sugg = list(extra or []) + [s for s in suggestions(language) if s not in (extra or [])]
    return Clarify(reason=reason, message=msg, suggestions=sugg[:6])


def _not_understood(language: str, what: str | None = None) -> Clarify:
    if what:
        # The reply names the word it could not read; it never builds a suggestion out of it ("who is doing",
        # "who is usd"): a suggestion must be a question that is known to be understood.
        return _clarify(
            "unknown",
            language,
            f"I'm not sure what \"{what}\" means here, so I won't guess. Questions I can answer:",
            f"我不确定“{what}”在这里指什么，为避免答错，请换个说法。我能回答的问题例如：",
        )
    return _clarify(
        "unknown",
        language,
        "I didn't understand that question well enough to answer it. For example:",
        "这个问题我没能完全理解，为避免答错，请换个说法。例如：",
    )
