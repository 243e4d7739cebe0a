"""Clarifying replies: a question not understood well enough gets one of these, never a guess.

Each reply the recognisers give is one row of CLARIFICATIONS: its reason, its sentence in English and Chinese
(with {placeholders} the recogniser fills), and the example questions it leads with.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def clarify(key: str, language: str, leading: list[str] | None = None, **fields: str) -> Clarify:
    """The clarifying reply `key` of CLARIFICATIONS in `language`, its placeholders filled from `fields`;
    `leading`: example questions made for this question, before the row's own."""
    row = CLARIFICATIONS[key]
    zh = language == "zh"
    extra = [
        *(leading or []),
        *(x.format(**fields) for x in (row.suggestions_zh if zh else row.suggestions_en)),
    ]
    return _clarify(row.reason, language, row.en.format(**fields), row.zh.format(**fields), extra or None)


def _not_understood(language: str, what: str | None = None) -> Clarify:
    # The reply names the word it could not read; it never builds a suggestion out of it ("who is doing",
    # "who is usd"): a suggestion must be a question that is known to be understood.
    return clarify("unknown_word", language, what=what) if what else clarify("not_understood", language)


@dataclass(frozen=True)
class Clarification:
    reason: str  # Clarify.reason: ambiguous, out_of_scope, unsafe, unknown
    en: str
    zh: str
    suggestions_en: tuple[str, ...] = ()
    suggestions_zh: tuple[str, ...] = ()


_BY_ZH = "{by_zh}"  # 平台 or 国家
CLARIFICATIONS: dict[str, Clarification] = {
    "not_understood": Clarification(
        "unknown",
        "I didn't understand that question well enough to answer it. For example:",
        "这个问题我没能完全理解，为避免答错，请换个说法。例如：",
    ),
    "unknown_word": Clarification(
        "unknown",
        "I'm not sure what \"{what}\" means here, so I won't guess. Questions I can answer:",
        "我不确定“{what}”在这里指什么，为避免答错，请换个说法。我能回答的问题例如：",
    ),
    "database_command": Clarification(
        "unsafe",
        "I only answer questions about your customers and sales; I can't run database commands.",
        "我只回答关于客户和销售的问题，不能执行数据库命令。",
    ),
    "contact_details": Clarification(
        "unsafe",
        "I don't send customers' contact details in chat. Look a customer up by name to see their "
        "profile, or export from your platform.",
        "我不会在聊天中发送客户的联系方式。可以按姓名查询单个客户的资料，或从平台后台导出。",
        ("who is Tan Wei Ling",),
        ("客户 王小明",),
    ),
    "help": Clarification(
        "out_of_scope",
        "I answer questions about your sales and customers, in English or Chinese. For example:",
        "我可以用中文或英文回答关于销售和客户的问题，例如：",
    ),
    "small_talk": Clarification(
        "out_of_scope",
        "I'm your sales and customer assistant, so I can't help with that.",
        "我是你的销售和客户助手，这个我帮不上忙。",
    ),
    "forecast": Clarification(
        "out_of_scope",
        "I don't forecast sales. I can report what happened, and predicted customer lifetime value.",
        "我不做销售预测。我可以报告历史数据，以及客户的预测终身价值。",
        ("revenue by month this year", "top 10 customers by predicted CLV"),
        ("今年每月的销售额", "预测终身价值最高的10个客户"),
    ),
    "no_words": Clarification(
        "unknown",
        "Ask me about your sales and customers, for example:",
        "可以问我关于销售和客户的问题，例如：",
    ),
    "too_long": Clarification(
        "unknown",
        "That question is too long for me; please ask one thing at a time.",
        "问题太长了，请一次只问一件事。",
    ),
    "other_as_of_date": Clarification("ambiguous", *OTHER_AS_OF_DATE),
    "future_period": Clarification(
        "out_of_scope",
        "That period is in the future: I report on what has already happened.",
        "这个时间段还没到：我只统计已经发生的数据。",
    ),
    "same_period": Clarification(
        "ambiguous",
        'The same period as which one? Name it, e.g. "revenue November 2025", or compare two '
        'periods: "revenue this year vs last year".',
        "请写明具体时间段，例如“2025年11月的销售额”，或对比两个时间段：“今年和去年的销售额对比”。",
        ("revenue this year vs last year",),
        ("今年和去年的销售额对比",),
    ),
    "bad_date": Clarification(
        "ambiguous",
        "I couldn't read that date; try e.g. 'September 2026' or 'Q3 2026'.",
        "无法识别这个日期，请写成例如“2026年9月”或“2026年第三季度”。",
    ),
    "two_periods": Clarification(
        "ambiguous",
        "That question names more than one period; which one do you mean?",
        "问题中有多个时间段，请问是哪一个？",
    ),
    "unknown_metric": Clarification(
        "out_of_scope",
        "I can't measure {what} from order exports. I can answer revenue, orders, customers, "
        "new customers, average order value, repeat purchase rate, churn rate, lifetime value, "
        "cancellations and returns.",
        "我无法从订单数据中统计“{what}”。我能回答：销售额、订单数、下单客户数、新客户数、客单价、"
        "复购率、流失率、客户终身价值、取消和退货。",
    ),
    "negation": Clarification(
        "ambiguous",
        "I can't exclude things from a number yet; ask for one platform or "
        "country, or a breakdown by platform or country.",
        "暂时不支持“排除”某一部分;可以只问一个平台或国家，或按平台/国家分组。",
        ("revenue by platform this year",),
        ("今年按平台的销售额",),
    ),
    "two_places": Clarification(
        "ambiguous",
        "I answer for one {by} at a time, or for all of them side by side.",
        "我一次回答一个平台或国家，或者按平台/国家分组对比。",
        ("revenue by {by} last month",),
        ("上个月按" + _BY_ZH + "的销售额",),
    ),
    "two_breakdowns": Clarification(
        "ambiguous", "I can break a number down one way at a time.", "一次只能按一个维度分组。"
    ),
    "filter_and_breakdown": Clarification(
        "ambiguous",
        "That asks for one platform and a breakdown by platform at once.",
        "问题里同时指定了一个平台/国家又要求按它分组。",
    ),
    "not_comparable": Clarification(
        "ambiguous",
        'I compare one number over two named periods, e.g. "revenue this year vs last year"; not '
        "breakdowns or lists. Name both periods, or ask for a monthly breakdown.",
        "我可以对比一个指标在两个明确时间段的数值，例如“今年和去年的销售额对比”，暂不支持分组或名单的对比。"
        "请写明两个时间段，或按月分组查看。",
        ("revenue this year vs last year", "revenue by month this year"),
        ("今年和去年的销售额对比", "今年每月的销售额"),
    ),
    "ambiguous_segment": Clarification(
        "ambiguous",
        "That can mean more than one customer segment: {labels}. Which one? "
        '(For customers with a tag of that name, say "customers tagged vip".)',
        "这可能指多个客户分群：{labels}。请问是哪一个？（如果指带有该名称标签的客户，请说“带有vip标签的客户”。）",
        ("how many customers are tagged vip",),
        ("带有vip标签的客户有多少",),
    ),
    "two_metrics": Clarification(
        "ambiguous", "I answer one measure at a time: {names}?", "我一次回答一个指标：{names}?"
    ),
    "two_segments": Clarification(
        "ambiguous",
        "That names more than one segment; ask about one at a time.",
        "问题中有多个分群，请一次问一个。",
    ),
    "predicted_with_period": Clarification(
        "ambiguous",
        "Predicted value is computed from all history up to today; I can't limit it to a period.",
        "预测值基于截至今天的全部历史数据计算，不能限定时间段。",
    ),
    "ranked_places": Clarification(
        "ambiguous",
        "I rank customers, not {by}s; the breakdown by {by} shows every {by} side by side.",
        "我只对客户排名，不对" + _BY_ZH + "排名；可以按" + _BY_ZH + "分组查看。",
        ("revenue by {by} last month",),
        ("上个月按" + _BY_ZH + "的销售额",),
    ),
    "top_by_what": Clarification(
        "ambiguous",
        "Top customers by what: spend or number of orders?",
        "按什么排名：消费金额还是订单数？",
        ("top 10 customers by revenue", "top 10 customers by orders"),
        ("消费最多的10个客户", "订单最多的10个客户"),
    ),
    "top_size": Clarification(
        "ambiguous", "I can list between 1 and 100 customers.", "我可以列出1到100个客户。"
    ),
    "lifecycle_today": Clarification(
        "ambiguous",
        "Lifecycle stages are counted as of today; ask without a period or metric.",
        "生命周期阶段按今天统计;请不带时间段或指标提问。",
        ("how many dormant customers",),
        ("有多少沉睡客户",),
    ),
    "whole_base": Clarification(
        "unsafe",
        "I don't list the whole customer base in chat. I can show top customers or counts.",
        "我不会在聊天中列出全部客户。可以查看消费最多的客户或客户数量。",
        ("top 10 customers by revenue", "how many customers in Malaysia this year"),
        ("消费最多的10个客户", "今年马来西亚有多少客户下单"),
    ),
}
