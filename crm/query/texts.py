"""Answer wording in English and Chinese: the names of the domain's words, and `t()` for the sentences.

The sentences themselves live in the Fluent catalogues (crm/text/locales/<lang>/answers.ftl)."""

from __future__ import annotations

from typing import Any

from crm import catalog
from crm.query.ir import RATIO_METRICS
from crm.regex import lazy
from crm.text import render

# Names and definitions come from the domain catalogue (crm.catalog).
METRIC_NAMES = {lang: {m.id: m.name(lang) for m in catalog.METRICS} for lang in ("en", "zh")}
DEFINITIONS = {lang: {m.id: m.definition(lang) for m in catalog.METRICS} for lang in ("en", "zh")}
SEGMENT_NAMES = {lang: {x.id: x.name(lang) for x in catalog.SEGMENTS} for lang in ("en", "zh")}
LIFECYCLE_NAMES = {lang: {x.id: x.name(lang) for x in catalog.STAGES} for lang in ("en", "zh")}
PERIOD_NAMES_ZH = {p.kind: p.name_zh for p in catalog.PERIODS if p.name_zh}

GROUP_NAMES = {
    "en": {
        "platform": "platform",
        "country": "country",
        "month": "month",
        "quarter": "quarter",
        "year": "year",
        "segment": "segment",
        "period": "period",
        "product": "product",
        "reason": "reason",
    },
    "zh": {
        "platform": "平台",
        "country": "国家",
        "month": "月份",
        "quarter": "季度",
        "year": "年份",
        "segment": "客户分群",
        "period": "时间段",
        "product": "产品",
        "reason": "原因",
    },
}

SORT_KEYS = ("revenue", "orders", "aov", "predicted_clv", "p_alive", "churn_risk", "recency_days")


_CJK_GAP = lazy(r"(?<=[\u3400-\u9fff\uff08\uff09]) (?=[\u3400-\u9fff\uff08\uff09])")


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
    return catalog.format_value(value, unit, currency)


def platform_name(platform: str) -> str:
    """Shopee, TikTok Shop, eBay: how sellers write the platform."""
    known = {p.id: p.name for p in catalog.PLATFORMS}
    return known.get(platform, platform.capitalize())


def group_name(by: str | None, key: str, language: str) -> str:
    """A breakdown's group as people read it, its code kept in the answer's rows: a platform, a country, an RFM
    segment or a lifecycle stage by name (Shopee, 泰国, 重要价值客户), any other key as it is."""
    if by == "platform":
        return platform_name(key)
    if by == "country":
        return country_name(key, language)
    if by == "segment":
        return SEGMENT_NAMES[language].get(key, key)
    if by == "lifecycle":
        return LIFECYCLE_NAMES[language].get(key, key)
    return key


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
    "returns": "退货数",
    "share": "占比",
    "cohort": "首单月份",
    "field": "项目",
    "value": "值",
    "amount": "金额",
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
    "stage_from": "起始阶段",
    "too_recent": "太新未计入",
    "counted": "计入",
    "ordered_again": "再次下单",
    **{f"to_{x.id}": f"→{x.name_zh}" for x in catalog.STAGES},
    # products (crm.query.products)
    "product": "商品",
    "product_a": "商品 A",
    "product_b": "商品 B",
    "category": "品类",
    "units": "销量",
    "buyers": "购买人数",
    "orders_both": "同时购买的订单",
    "support": "支持度",
    "confidence_a_b": "置信度 A→B",
    "confidence_b_a": "置信度 B→A",
    "lift": "提升度",
    "cycle_days": "回购周期（天）",
    "due_this_week": "本周该回购",
    "repeat_customers": "回购客户",
    "returned_orders": "退货订单",
    "days_since": "距今天数",
    "group": "分组",
    "note": "备注",
}
_COLUMNS_EN = {
    "predicted_clv": "predicted CLV",
    "p_alive": "P(alive)",
    "churn_risk": "churn risk",
    "expected_purchases": "expected purchases",
    "recency_days": "days since last order",
    "id": "#",
    "last_order": "last order",
    "stage_from": "stage then",
    "too_recent": "too recent",
    "ordered_again": "ordered again",
    **{f"to_{x.id}": f"→{x.name_en}" for x in catalog.STAGES},
    "product_a": "product A",
    "product_b": "product B",
    "orders_both": "orders with both",
    "confidence_a_b": "conf. A→B",
    "confidence_b_a": "conf. B→A",
    "cycle_days": "cycle (days)",
    "amount": "value",
    "due_this_week": "due this week",
    "repeat_customers": "repeat customers",
    "returned_orders": "returned orders",
    "days_since": "days since",
    **{m.id: m.column_en for m in catalog.METRICS if m.column_en},
}
# The rate metrics, the shares of the CLV lists and of the product answers (category shares, support,
# confidence; a product's return rate; a return reason's share), and a journey's row shares.
RATIO_COLUMNS = (
    RATIO_METRICS
    | {
        "p_alive",
        "churn_risk",
        "share",
        "support",
        "confidence_a_b",
        "confidence_b_a",
    }
    | {f"to_{x.id}" for x in catalog.STAGES}
)


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


STATUS_NAMES = {lang: {x.id: x.name(lang) for x in catalog.STATUSES} for lang in ("en", "zh")}


def status_name(lang: str, status: str) -> str:
    return STATUS_NAMES["zh" if lang == "zh" else "en"].get(status, status)


def chart_title(lang: str, currency: str, title: str, unit: str | None) -> str:
    """A chart's title as its answer's first line, with the currency when it shows amounts."""
    title = title.strip().rstrip(":：")
    return with_currency(lang, title, currency) if unit == "money" else title


def with_currency(lang: str, text: str, currency: str) -> str:
    """A title or a column header of amounts with their currency: "revenue (SGD)", "销售额（SGD）"; a text that
    ends in brackets gets it inside them ("(top 10 of 51 products, SGD)"), not a second pair."""
    if lang == "zh":
        return f"{text[:-1]}，{currency}）" if text.endswith("）") else f"{text}（{currency}）"
    return f"{text[:-1]}, {currency})" if text.endswith(")") else f"{text} ({currency})"
