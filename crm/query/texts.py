"""Answer wording in English and Chinese: the names of the domain's words, and `t()` for the sentences.

The sentences themselves live in the Fluent catalogues (crm/text/locales/<lang>/answers.ftl)."""

from __future__ import annotations

import re
from typing import Any

from crm.query.ir import RATIO_METRICS
from crm.text import render

METRIC_NAMES = {
    "en": {
        "customers": "customers with orders",
        "new_customers": "new customers",
        "orders": "orders",
        "revenue": "revenue",
        "aov": "average order value",
        "repeat_rate": "repeat purchase rate",
        "churn_rate": "churn rate",
        "avg_ltv": "average customer lifetime value",
        "cancelled_orders": "cancelled orders",
        "returned_orders": "returned orders",
        "cancellation_rate": "cancellation rate",
        "return_rate": "return rate",
    },
    "zh": {
        "customers": "下单客户数",
        "new_customers": "新客户数",
        "orders": "订单数",
        "revenue": "销售额",
        "aov": "客单价",
        "repeat_rate": "复购率",
        "churn_rate": "流失率",
        "avg_ltv": "客户平均终身价值",
        "cancelled_orders": "取消订单数",
        "returned_orders": "退货订单数",
        "cancellation_rate": "取消率",
        "return_rate": "退货率",
    },
}

DEFINITIONS = {
    "en": {
        "customers": "distinct customers with at least one valid (paid, shipped or completed) order in the period",
        "new_customers": "customers whose first valid order ever falls in the period",
        "orders": "number of valid orders in the period",
        "revenue": "sum of valid order values in the base currency",
        "aov": "revenue / orders",
        "repeat_rate": "among customers with a valid order in the period, the share with 2 or more valid orders "
        "from their first order up to the end of the period",
        "churn_rate": "among customers with a valid order in the window of the same length just before the period, "
        "the share with no valid order in the period",
        "avg_ltv": "mean total order value, up to the end of the period, over customers with a valid order",
        "cancelled_orders": "orders created in the period whose current status is cancelled",
        "returned_orders": "orders created in the period whose current status is returned (fully refunded or "
        "returned)",
        "cancellation_rate": "cancelled orders / all orders created in the period except unpaid (pending) ones",
        "return_rate": "returned orders / (valid + returned) orders created in the period",
    },
    "zh": {
        "customers": "期间内至少有一笔有效订单（已付款、已发货或已完成）的不同客户数",
        "new_customers": "首笔有效订单落在期间内的客户数",
        "orders": "期间内有效订单数",
        "revenue": "有效订单金额之和（本位币）",
        "aov": "销售额 / 订单数",
        "repeat_rate": "期间内下过单的客户中，从首单到期末有 2 笔及以上有效订单的比例",
        "churn_rate": "在期间之前同样长度的窗口内下过单的客户中，本期间没有有效订单的比例",
        "avg_ltv": "截至期末有有效订单的客户，其截至期末的订单总额的平均值",
        "cancelled_orders": "期间内创建、当前状态为已取消的订单数",
        "returned_orders": "期间内创建、当前状态为已退货（全额退款或退货）的订单数",
        "cancellation_rate": "已取消订单 / 期间内创建的全部订单（不含未付款订单）",
        "return_rate": "已退货订单 / 期间内创建的（有效 + 已退货）订单",
    },
}

SEGMENT_NAMES = {
    "en": {
        s: s.replace("_", " ")
        for s in (
            "important_value",
            "important_develop",
            "important_keep",
            "important_winback",
            "general_value",
            "general_develop",
            "general_keep",
            "general_winback",
        )
    },
    "zh": {
        "important_value": "重要价值客户",
        "important_develop": "重要发展客户",
        "important_keep": "重要保持客户",
        "important_winback": "重要挽留客户",
        "general_value": "一般价值客户",
        "general_develop": "一般发展客户",
        "general_keep": "一般保持客户",
        "general_winback": "一般挽留客户",
    },
}

LIFECYCLE_NAMES = {
    "en": {
        "new": "new",
        "active": "active",
        "dormant": "dormant",
        "churned": "churned",
        "prospect": "prospect",
    },
    "zh": {"new": "新客", "active": "活跃", "dormant": "沉睡", "churned": "流失", "prospect": "潜在"},
}

PERIOD_NAMES_ZH = {
    "today": "今天",
    "yesterday": "昨天",
    "this_week": "本周",
    "last_week": "上周",
    "this_month": "本月",
    "last_month": "上个月",
    "this_quarter": "本季度",
    "last_quarter": "上季度",
    "this_year": "今年",
    "last_year": "去年",
    "all_time": "全部时间",
}

GROUP_NAMES = {
    "en": {
        "platform": "platform",
        "country": "country",
        "month": "month",
        "quarter": "quarter",
        "year": "year",
        "segment": "segment",
        "period": "period",
    },
    "zh": {
        "platform": "平台",
        "country": "国家",
        "month": "月份",
        "quarter": "季度",
        "year": "年份",
        "segment": "客户分群",
        "period": "时间段",
    },
}

SORT_KEYS = ("revenue", "orders", "aov", "predicted_clv", "p_alive", "churn_risk", "recency_days")


_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff\uff08\uff09]) (?=[\u3400-\u9fff\uff08\uff09])")


def t(language: str, phrase: str, /, **kw: Any) -> str:
    """An answer's sentence (crm/text/locales/<language>/answers.ftl: answer-<phrase>), filled with `kw`."""
    text = render(language, f"answer.{phrase}", **kw)
    # Chinese filter words are joined with spaces so a Latin name stays apart ("Shopee 复购率"); between two
    # Chinese words the space does not belong ("泰国重要挽留客户").
    return _CJK_GAP.sub("", text) if language == "zh" else text


def sort_key_name(language: str, key: str) -> str:
    names = dict(zip(SORT_KEYS, t(language, "keys").split("|"), strict=True))
    names["expected_purchases"] = t(language, "expected_purchases")
    return names.get(key, key)


def fmt_value(value: float | None, unit: str, currency: str) -> str:
    if value is None:
        return "—"
    if unit == "ratio":
        return f"{value * 100:.1f}%"
    if unit == "money":
        return f"{currency} {value:,.2f}"
    return f"{int(value):,}"


def platform_name(platform: str) -> str:
    """Shopee, TikTok Shop, eBay: how sellers write the platform."""
    from crm.query.vocab import PLATFORM_LABELS

    return PLATFORM_LABELS.get(platform, platform.capitalize())


def country_name(code: str, language: str) -> str:
    """A country as people say it: 泰国 in Chinese, Thailand in English (the ISO code when unknown)."""
    from crm.query.vocab import COUNTRY_PHRASES

    phrases = COUNTRY_PHRASES.get(code.upper(), ())
    if language == "zh":
        return next((p for p in phrases if not p.isascii()), code)
    name = next((p for p in phrases if p.isascii() and len(p) > 3), None)
    if name is None:
        try:
            import pycountry

            found = pycountry.countries.get(alpha_2=code.upper())
            name = found.name if found is not None else None
        except ImportError:
            name = None
    return name.title() if name and name.islower() else (name or code)


def clarify_text(lang: str, message: str, suggestions: list[str]) -> str:
    """A clarifying reply: the message, then example questions (with a lead-in unless the message has one)."""
    if not suggestions:
        return message
    lead = [] if message.rstrip().endswith((":", "：")) else [t(lang, "clarify_try")]
    return "\n".join([message, *lead, *(f"• {x}" for x in suggestions)])


# Table headers people read (Result.columns stay machine names for --json).
_COLUMNS_ZH = {
    "customer": "客户",
    "customers": "客户数",
    "cohort": "首单月份",
    "field": "项目",
    "value": "值",
    "id": "编号",
    "segment": "客户分群",
    "lifecycle": "生命周期",
    "predicted_clv": "预测终身价值",
    "p_alive": "存活概率",
    "churn_risk": "流失风险",
    "expected_purchases": "预计购买次数",
    "recency_days": "距上次下单天数",
    "last_order": "最近下单",
    "platform": "平台",
    "country": "国家",
}
_COLUMNS_EN = {
    "predicted_clv": "predicted CLV",
    "p_alive": "P(alive)",
    "churn_risk": "churn risk",
    "expected_purchases": "expected purchases",
    "recency_days": "days since last order",
    "repeat_rate": "repeat rate",
    "churn_rate": "churn rate",
    "avg_ltv": "avg LTV",
    "new_customers": "new customers",
    "id": "#",
    "last_order": "last order",
    "cancellation_rate": "cancellation rate",
    "return_rate": "return rate",
    "cancelled_orders": "cancelled",
    "returned_orders": "returned",
}
RATIO_COLUMNS = RATIO_METRICS | {"p_alive", "churn_risk"}  # the rate metrics, and the shares of the CLV lists


def column_name(lang: str, column: str) -> str:
    if lang == "zh":
        return (
            _COLUMNS_ZH.get(column)
            or GROUP_NAMES["zh"].get(column)
            or METRIC_NAMES["zh"].get(column)
            or column
        )
    return _COLUMNS_EN.get(column, column)


def is_ratio_column(column: str) -> bool:
    """Shares shown as percentages: rates, P(alive), churn risk, cohort retention months (m0, m1, ...)."""
    return column in RATIO_COLUMNS or (column[:1] == "m" and column[1:].isdigit())


def customer_line(hit: Any, currency: str, lang: str = "en", *, short: bool = False, tz: Any = None) -> str:
    """One customer as pickers and lists show them, with what tells same-name customers apart:
    "Tan Wei Ling #1382 · Shopee @tanwl · MY · last order 2026-11-02 · SGD 1,234.50" (short: for a button,
    "Tan Wei Ling #1382 · Shopee · MY · 2026-11-02 · 1,235")."""
    from crm.display import BUTTON_LENGTH, NAME_LENGTH, displayable

    name, handle = displayable(hit.name, NAME_LENGTH) or "?", displayable(hit.handle, NAME_LENGTH)
    parts = [f"{name} #{hit.id}"]
    if hit.platform:
        parts.append(
            platform_name(hit.platform) + ("" if short or not handle or handle == name else f" @{handle}")
        )
    if hit.country:
        parts.append(hit.country)
    if hit.last_order is not None:
        day = (hit.last_order.astimezone(tz) if tz is not None else hit.last_order).date().isoformat()
        parts.append(day if short else t(lang, "last_order_on", day=day))
    elif not short:
        parts.append(t(lang, "no_valid_order"))
    if hit.spend is not None:
        parts.append(f"{hit.spend:,.0f}" if short else f"{currency} {hit.spend:,.2f}")
    if short:  # a button: the details stay whole, a long name gives way
        rest = " · ".join([f"#{hit.id}", *parts[1:]])
        return f"{displayable(name, max(8, BUTTON_LENGTH - len(rest) - 1))} {rest}"
    return " · ".join(parts)


STATUS_NAMES = {
    "en": {
        "pending": "unpaid",
        "paid": "paid",
        "shipped": "shipped",
        "completed": "completed",
        "cancelled": "cancelled",
        "returned": "returned",
    },
    "zh": {
        "pending": "待付款",
        "paid": "已付款",
        "shipped": "已发货",
        "completed": "已完成",
        "cancelled": "已取消",
        "returned": "已退货",
    },
}


def status_name(lang: str, status: str) -> str:
    return STATUS_NAMES["zh" if lang == "zh" else "en"].get(status, status)
