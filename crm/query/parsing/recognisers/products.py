"""Questions about products: best sellers, what a group of customers buys (category preference), products bought
together, replenishment cycles and who is due to reorder, return rate by product, what lapsed valuable customers
bought most. Ranked above the declines: "products" is no metric, and would otherwise be refused as one."""

from __future__ import annotations

from typing import Any

from crm.analytics.service import SERVICE_METRICS
from crm.query.ir import Period, ProductQuery
from crm.query.parsing.question import Question
from crm.query.parsing.recognisers import recogniser
from crm.regex import lazy

_PRODUCT_RE = lazy(
    r"(?<![a-z])(?:products?|items?|skus?|goods|merchandise|best[- ]?sell(?:ers?|ing)|top[- ]?sell(?:ers?|ing)|"
    r"categor(?:y|ies)|sell(?:s|ing)?\s+(?:the\s+)?(?:best|most))(?![a-z])|"
    r"商品|产品|货品|品类|类目|单品|宝贝|爆款|卖得最好|卖得最多|卖最好|卖最多|畅销"
)
_TOGETHER_RE = lazy(
    r"(?<![a-z])(?:(?:bought|purchased|ordered|sold|buy|purchase|order|go|goes|sell)\s+together|"
    r"frequently\s+bought|basket\s+analysis|cross[- ]sell)(?![a-z])|一起(?:买|购买|下单|卖|出现)|同时(?:买|购买|下单)|"
    r"搭配(?:买|购买)|连带",
    needs=("analysis", "cross", "frequently", "together", "一起", "同时", "搭配", "连带"),
)
_MIN_ORDERS_RE = lazy(
    r"(?:at\s+least|min(?:imum)?(?:_orders)?\s*)\s*(\d{1,4})\s*orders?|至少\s*(\d{1,4})\s*(?:笔|单|个)?订?单?",
    needs=("order", "至少"),
)
_REORDER_PATTERNS = (
    lazy(
        r"(?<![a-z])(?:who(?:'s|\s+is|\s+are)?|which\s+customers\s+are)\s+due\s+(?:to|for)\s+"
        r"(?:re-?order(?:ing)?|replenish(?:ing|ment)?|buy(?:ing)?\s+again|restock(?:ing)?)\s*(?P<p>.*)$",
        needs=("again", "order", "replenish", "restock"),
    ),
    lazy(
        r"(?<![a-z])due\s+(?:to|for)\s+(?:re-?order(?:ing)?|replenish(?:ing|ment)?|buy(?:ing)?\s+again)"
        r"\s*(?P<p>.*)$",
        needs=("again", "order", "replenish"),
    ),
    lazy(
        r"(?<![a-z])(?:re-?order|replenishment|repurchase|restock)\s+(?:cycles?|intervals?|periods?)"
        r"(?:\s+(?:of|for)\s+(?P<p>.*))?$",
        needs=("cycle", "interval", "period"),
    ),
    lazy(
        r"^(?P<p>.*?)\s*(?:'s)?\s+(?:re-?order|replenishment|repurchase)\s+(?:cycles?|intervals?)\s*$",
        needs=("cycle", "interval"),
    ),
    lazy(r"^(?P<p>.*?)\s*的?\s*(?:回购|复购|补货|再购)(?:周期|间隔)", needs=("周期", "间隔")),
    lazy(r"(?:回购|复购|补货)(?:周期|间隔)", needs=("周期", "间隔")),
    lazy(
        r"(?:谁|哪些客户|哪些人)(?:该|需要|应该)(?:回购|复购|补货|再买)了?\s*(?P<p>.*)$",
        needs=("再买", "回购", "复购", "补货"),
    ),
    lazy(
        r"^(?P<p>.*?)\s*(?:本周|这周)?\s*(?:谁|哪些客户|哪些人)(?:该|需要|应该)(?:回购|复购|补货|再买)",
        needs=("再买", "回购", "复购", "补货"),
    ),
)
_P_TRIM_RE = lazy(
    r"^(?:the|a|an|our|my)\s+|\s*(?:this\s+week|now|soon|please|本周|这周|了|吗)\s*$|[?？。.!！\s]+$"
)
_RETURNS_RE = lazy(
    r"(?<![a-z])(?:returned\s+most|most\s+returned|returns?)(?![a-z])|退货|退款",
    needs=("return", "退款", "退货"),
)
_WINBACK_RE = lazy(
    r"(?<![a-z])(?:lapsed|lost|win[- ]?back|churned|inactive)(?![a-z])|流失|挽留|挽回|沉睡|不再购买",
    needs=("back", "churned", "inactive", "lapsed", "lost", "不再购买", "挽回", "挽留", "沉睡", "流失"),
)
_BUY_RE = lazy(
    r"(?<![a-z])(?:buy|bought|purchase[ds]?|order(?:ed)?|shop(?:ped)?)(?![a-z])|买|购买|下单",
    needs=("bought", "buy", "order", "purchase", "shop", "下单", "买"),
)
_MIX_RE = lazy(
    r"(?<![a-z])(?:what\s+(?:do|did|does)\s+.*(?:buy|bought|purchase|order)|category\s+(?:mix|preference|share)s?|"
    r"categor(?:y|ies)|preference)(?![a-z])|(?:喜欢|爱|最常|常)买什么|买什么|买(?:得)?最多的是什么|品类|类目|偏好",
    needs=("categor", "preference", "what", "买什么", "偏好", "品类", "最多的是什么", "类目"),
)
_REVENUE_RE = lazy(
    r"(?<![a-z])(?:revenue|sales\s+amount|sales\s+value|gmv|value)(?![a-z])|销售额|营业额|金额|收入",
    needs=("amount", "gmv", "revenue", "sales", "value", "收入", "营业额", "金额", "销售额"),
)
_BUYERS_RE = lazy(
    r"(?<![a-z])(?:buyers|by\s+customers|most\s+customers|most\s+people)(?![a-z])|购买人数|买的人最多|人数",
    needs=("buyers", "customers", "people", "买的人最多", "人数"),
)
_RANKED_RE = lazy(
    r"(?<![a-z])(?:best|top|most|highest|popular)(?![a-z])|最|畅销|热销|爆款|前\s*\d",
    needs=("best", "highest", "most", "popular", "top", "前", "最", "热销", "爆款", "畅销"),
)
_N_RE = lazy(
    r"(?<![a-z0-9])(?:top|best|first)\s*(\d{1,3})(?![0-9])|(?<![0-9])(\d{1,3})\s*(?:个|款|件|种|大)?\s*"
    r"(?:best|top|most|products?|items?|skus?|商品|产品|单品|宝贝|畅销)",
    needs=("best", "first", "item", "most", "product", "sku", "top", "产品", "单品", "商品", "宝贝", "畅销"),
)


def _n(q: Question) -> int:
    if q.reading.top_n:
        return int(q.reading.top_n[0])
    m = _N_RE.search(q.text)
    if m:
        return int(m.group(1) or m.group(2))
    return 10


def _product_text(found: str) -> str | None:
    p = found.strip()
    for _ in range(3):
        p = _P_TRIM_RE.sub("", p).strip()
    return p or None


@recogniser("products", rank=595)
def products(q: Question) -> Any:
    t = q.text
    together = bool(_TOGETHER_RE.search(t))
    reorder = next((m for pat in _REORDER_PATTERNS if (m := pat.search(t))), None)
    mentions = bool(_PRODUCT_RE.search(t))
    mix = bool(_MIX_RE.search(t))
    winback = bool(_WINBACK_RE.search(t)) and bool(_BUY_RE.search(t))
    if not (together or reorder or mentions or (mix and _BUY_RE.search(t)) or winback):
        return None
    r = q.reading
    if any(m in SERVICE_METRICS for m in r.metrics):
        return None  # "average rating by product": a service figure per product (recognisers/metric.py)
    if r.markers or r.compare_to is not None or any(not isinstance(p, Period) for p in r.periods):
        return None  # an as-of date, a comparison or a period that cannot be read: the declines say so
    if len(r.periods) > 1 or len(r.platforms) > 1 or len(r.countries) > 1 or len(r.segments) > 1:
        return None
    filters = r.filters
    if r.segments:
        filters = filters.model_copy(update={"segment": r.segments[0]})
    group_by = r.group_by if r.group_by in ("country", "segment") else None
    # "by product" is what a products answer is already broken down by.
    if r.group_by not in (None, "product") and group_by is None and not together:
        return None  # "best sellers by month": not a breakdown products answer
    n = _n(q)
    if not 1 <= n <= 100:
        return None
    base: dict[str, Any] = {"period": r.period, "filters": filters, "n": n}
    if together:
        m = _MIN_ORDERS_RE.search(t)
        if m:
            base["min_orders"] = int(m.group(1) or m.group(2))
        return ProductQuery(kind="together", **base)
    if reorder is not None:
        said = reorder.groupdict().get("p")
        product = _product_text(said) if said else None
        return ProductQuery(kind="reorder", product=product, **base)
    if "return_rate" in r.metrics or "returned_orders" in r.metrics or (mentions and _RETURNS_RE.search(t)):
        return ProductQuery(kind="returns", **base)
    if winback or (
        r.segments
        and r.segments[0] in ("important_winback", "important_keep")
        and _BUY_RE.search(t)
        and r.is_most
    ):
        return ProductQuery(kind="winback", by="buyers", **base)
    if mix and (
        group_by
        or r.countries
        or r.segments
        or r.tags
        or "categor" in t
        or "品类" in t
        or "类目" in t
        or _BUY_RE.search(t)
    ):
        return ProductQuery(kind="mix", group_by=group_by, **base)
    if not mentions:
        return None
    by = "units"
    if "revenue" in r.metrics or _REVENUE_RE.search(t):
        by = "revenue"
    elif _BUYERS_RE.search(t):
        by = "buyers"
    if group_by is not None or not (r.is_top or r.is_most or r.top_n or _RANKED_RE.search(t)):
        return None  # "how many items did we sell": a total, not a ranking
    return ProductQuery(kind="best", by=by, **base)
