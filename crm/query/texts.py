"""Answer wording in English and Chinese: one place per language for what the compiler says."""

from __future__ import annotations

import re
from typing import Any

from crm.query.ir import RATIO_METRICS

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

PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "metric": "{name} {period}{filters}: {value}",
        "customer_base": "Your customer base{filters}: {value} customers with at least one valid order, all time.",
        "customer_base_prospects": " {n} more customer records have no valid order yet.",
        "compared": "{name}{filters}: {period} {value}, {other} {other_value}{change}",
        "change_pct": " ({sign}{pct} on {other})",
        "change_pts": " ({sign}{pts} percentage points on {other})",
        "partial_window": "\nNote: {period} is not over yet: {days} so far, against {other_days} in {other}.",
        "so_far": " (so far)",
        "part": " (part)",
        "running_note": "\n{period} is still running: counted up to {day}.",
        "cut_note": "\n{period} counts only its part in the window, {start} to {end}.",
        "unpriced": "\n⚠️ {n} orders have no {currencies} rate and are left out; add the rate with a rates.csv "
        "(currency,rate into {base}).",
        "unpriced_one": "\n⚠️ 1 order has no {currencies} rate and is left out; add the rate with a rates.csv "
        "(currency,rate into {base}).",
        "cohort_month": "{month} (n={n})",
        "cohort_x": "months after the first order",
        "cohort_running": " (hatched: the month still running)",
        "cohort_y": "first-order month (customers)",
        "no_data": "{name} {period}{filters}: no data (no valid orders in that window)",
        "group": "{name} by {by} {period}{filters}:",
        "group_leader": " — highest: {who} ({value}):",
        "top": "Top {n} customers by {key} {period}{filters}:",
        "top_empty": "No customers with valid orders {period}{filters}.",
        "segment_count": "{segment}{filters}{as_of}: {value} customers",
        "as_of_day": " (as of {day})",
        "segments": "Customers by RFM segment{filters} (as of {day}):",
        "lifecycle_count": "{stage} customers{filters}: {value}",
        "lifecycle": "Customers by lifecycle stage{filters} (as of {day}):",
        "cohort": "Monthly cohort retention{filters}: share of each first-order month buying again k months later.",
        "cohort_empty": "No valid orders in those months, so no cohorts.",
        "list": "{what}{filters}: {n}, most spent first.",
        "list_cut": "{what}{filters}: {n}, most spent first; the first {shown} are listed.",
        "list_empty": "{what}{filters}: none.",
        "list_inactive": "with no valid order in the last {days} days",
        "cohort_cell": (
            "Month-{k} retention of the {cohort} cohort: {value} ({kept} of the {n} customers whose first order "
            "was in {cohort} ordered again in {month})."
        ),
        "cohort_cell_empty": "No customer placed a first order in {cohort}, so that cohort has no retention.",
        "cohort_cell_future": "{month} has not started yet, so month-{k} retention of the {cohort} cohort is not known.",
        "cohort_future": "That period is in the future: cohorts start with customers' first orders, so far none.",
        "per_platform_customers": "(A customer who bought on several platforms counts on each — for new customers, "
        "at their first order there — so the platforms can add up to more than the shop.)",
        "clv": "Top {n} customers by {key}{filters} (BG/NBD + Gamma-Gamma, next {horizon} days):",
        "clv_empty": "Not enough repeat purchases to fit the CLV model yet.",
        "customer_none": "No customer matches “{search}”.",
        "customer_many": "{n} customers match “{search}”. Which one?",
        "recent_orders": "Recent orders:",
        "more_items": "+{n} more",
        "customer_spend": "{who} has spent {spent} over {orders} valid orders (their lifetime value so far).",
        "customer_then_clv": " Predicted CLV for the next 12 months: {clv}.",
        "customer_clv": "Predicted CLV of {who} for the next 12 months: {clv} (spent so far: {spent}).",
        "customer_churn_risk": "Churn risk of {who}: {risk} (P(alive) {p_alive}).",
        "customer_p_alive": "P(alive) of {who}: {p_alive} (churn risk {risk}).",
        "customer_segment": "{who} is in the {segment} segment; lifecycle: {stage}.",
        "customer_no_orders": "{who} has no valid order yet, so there is nothing to measure.",
        "customer_one_order": "{who} has one order only, so the model cannot estimate their churn risk (BG/NBD learns it from repeat purchases); last order {days} days ago, lifecycle: {stage}.",
        "more_than": "More than {n}",
        "clarify_ambiguous": "I'm not sure what you mean; could you say it another way?",
        "clarify_out_of_scope": "I can only answer questions about your shop's customers, orders and sales.",
        "clarify_unsafe": "I can't do that: I never send out customers' contact details or change your data "
        "from a question.",
        "clarify_unknown": "I didn't understand that question.",
        "clarify_try": "You can ask, for example:",
        "draft": "Drafting: use /draft or the customer card.",
        "reminder": "Reminders: use /reminders.",
        "window": "Window: {start} to {end} ({tz}).",
        "definition": "Definition: {text}.",
        "filters_label": "Filters: {filters}.",
        "in_platform": " on {platform}",
        "in_country": " in {country}",
        "with_tag": " tagged {tag}",
        "in_segment": " in segment {segment}",
        "keys": "revenue|orders|average order value|predicted CLV|P(alive)|churn risk|days since last order",
    },
    "zh": {
        "metric": "{period}{filters}{name}：{value}",
        "customer_base": "{filters}客户总数：{value} 位（至今至少有一笔有效订单的客户）。",
        "customer_base_prospects": "另有 {n} 条客户记录还没有有效订单。",
        "compared": "{filters}{name}：{period} {value}，{other} {other_value}{change}",
        "change_pct": "（比{other}{sign}{pct}）",
        "change_pts": "（比{other}{sign}{pts}个百分点）",
        "partial_window": "\n注意：{period}还没结束，目前只有 {days}，{other}有 {other_days}。",
        "so_far": "（截至今日）",
        "part": "（部分）",
        "running_note": "\n{period}尚未结束：统计截至 {day}。",
        "cut_note": "\n{period}只统计时间窗口内的部分：{start} 至 {end}。",
        "unpriced": "\n⚠️ 有 {n} 笔订单没有 {currencies} 汇率，未计入；请用 rates.csv（currency,rate，折算成 {base}）"
        "补上汇率。",
        "unpriced_one": "\n⚠️ 有 1 笔订单没有 {currencies} 汇率，未计入；请用 rates.csv（currency,rate，折算成 {base}）"
        "补上汇率。",
        "cohort_month": "{month}（{n} 人）",
        "cohort_x": "首单后第 k 个月",
        "cohort_running": "（斜线：尚未结束的本月）",
        "cohort_y": "首单月份（客户数）",
        "no_data": "{period}{filters}{name}：没有数据（该时间段内没有有效订单）",
        "group": "{period}{filters}按{by}统计的{name}：",
        "group_leader": "，最高的是{who}（{value}）：",
        "top": "{period}{filters}{key}前 {n} 名客户：",
        "top_empty": "{period}{filters}没有有效订单的客户。",
        "segment_count": "{filters}{segment}{as_of}：{value} 位",
        "as_of_day": "（截至 {day}）",
        "segments": "{filters}RFM 客户分群（截至 {day}）：",
        "lifecycle_count": "{filters}{stage}客户：{value} 位",
        "lifecycle": "{filters}客户生命周期分布（截至 {day}）：",
        "cohort": "{filters}按首单月份的月度留存：每个首单月份的客户在第 k 个月再次购买的比例。",
        "cohort_empty": "这些月份没有有效订单，无法计算留存。",
        "list": "{filters}{what}共 {n} 位，按累计消费从高到低：",
        "list_cut": "{filters}{what}共 {n} 位，按累计消费从高到低，列出前 {shown} 位：",
        "list_empty": "{filters}没有{what}。",
        "list_inactive": "最近 {days} 天没有有效订单的客户",
        "cohort_cell": "{cohort} 首购客户第 {k} 个月（{month}）的留存率：{value}（{n} 位客户中有 {kept} 位再次下单）。",
        "cohort_cell_empty": "{cohort} 没有首次下单的客户，无法计算留存。",
        "cohort_cell_future": "{month} 还没开始，{cohort} 首购客户第 {k} 个月的留存率还无法计算。",
        "cohort_future": "这个时间段还没到：留存从客户的首单算起，目前还没有数据。",
        "per_platform_customers": "（在多个平台购买的客户在每个平台各计一次，新客户按其在该平台的首单计，所以各平台相加可能多于全店。）",
        "clv": "{filters}{key}前 {n} 名客户（BG/NBD + Gamma-Gamma，未来 {horizon} 天）：",
        "clv_empty": "复购数据还不够，暂时无法拟合 CLV 模型。",
        "customer_none": "没有找到匹配“{search}”的客户。",
        "customer_many": "有 {n} 位客户匹配“{search}”，请问是哪一位？",
        "recent_orders": "最近订单：",
        "more_items": "另 {n} 件",
        "customer_spend": "{who} 累计消费 {spent}，共 {orders} 笔有效订单（至今的终身价值）。",
        "customer_then_clv": "预测未来一年的 CLV：{clv}。",
        "customer_clv": "{who} 未来一年的预测 CLV：{clv}（至今已消费 {spent}）。",
        "customer_churn_risk": "{who} 的流失风险：{risk}（存活概率 {p_alive}）。",
        "customer_p_alive": "{who} 的存活概率：{p_alive}（流失风险 {risk}）。",
        "customer_segment": "{who} 属于{segment}；生命周期：{stage}。",
        "customer_no_orders": "{who} 还没有有效订单，暂无法计算。",
        "customer_one_order": "{who} 只有一笔订单，模型无法估计流失风险（BG/NBD 只能从复购节奏推断）；距上次下单 {days} 天，生命周期：{stage}。",
        "more_than": "超过 {n}",
        "clarify_ambiguous": "不太确定您的意思，可以换个说法吗？",
        "clarify_out_of_scope": "我只能回答关于您店铺的客户、订单和销售的问题。",
        "clarify_unsafe": "这个我不能做：我不会导出客户的联系方式，也不会通过提问修改数据。",
        "clarify_unknown": "没有理解这个问题。",
        "clarify_try": "您可以这样问：",
        "draft": "起草消息：请使用 /draft 或客户卡片。",
        "reminder": "提醒：请使用 /reminders。",
        "window": "时间窗口：{start} 至 {end}（{tz}）。",
        "definition": "定义：{text}。",
        "filters_label": "筛选：{filters}。",
        "in_platform": "{platform} ",
        "in_country": "{country} ",
        "with_tag": "标签 {tag} ",
        "in_segment": "{segment} ",
        "keys": "消费金额|订单数|客单价|预测 CLV|存活概率|流失风险|距上次下单天数",
    },
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
    table = PHRASES.get(language, PHRASES["en"])
    text = table.get(phrase, PHRASES["en"][phrase]).format(**kw)
    # Chinese filter words are joined with spaces so a Latin name stays apart ("Shopee 复购率"); between two
    # Chinese words the space does not belong ("泰国重要挽留客户").
    return _CJK_GAP.sub("", text) if language == "zh" else text


def sort_key_name(language: str, key: str) -> str:
    names = dict(zip(SORT_KEYS, t(language, "keys").split("|"), strict=True))
    names["expected_purchases"] = "预计购买次数" if language == "zh" else "expected purchases"
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
        parts.append(day if short else (f"最近下单 {day}" if lang == "zh" else f"last order {day}"))
    elif not short:
        parts.append("还没有有效订单" if lang == "zh" else "no valid order yet")
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
