"""The words the offline question parser understands, in English and Chinese: metrics, platforms, countries, segments.

Everything here is data; the words for metrics, platforms, segments and lifecycle stages come from the domain
catalogue (crm.catalog), the rest (countries, other question words) is defined here. Phrases are matched on a
normalised text (NFKC, lower case, single spaces), English on word boundaries and Chinese as substrings; the longest phrase wins where two overlap.
"""

from __future__ import annotations

from functools import lru_cache

from crm import catalog
from crm.catalog.metrics import BUY_AGAIN_EN, BUY_AGAIN_ZH

# --- metrics -----------------------------------------------------------------------------------------------
# Where two equally long phrases overlap ("新客户数": 新客户 / 客户数) the parser keeps the first metric's: the
# plain count of customers comes last, as every other metric is more specific than it.
METRIC_PHRASES: dict[str, tuple[str, ...]] = {
    m.id: m.phrases for m in sorted(catalog.METRICS, key=lambda m: m.id == "customers")
}
# Wordings of a metric no phrase list covers (crm.catalog Metric.patterns), matched before the phrases.
METRIC_PATTERNS: dict[str, tuple[str, ...]] = {m.id: m.patterns for m in catalog.METRICS if m.patterns}
# Buying again without a word for a share (crm.catalog.metrics.BUY_AGAIN_EN/_ZH, also read by the repeat purchase rate's
# patterns): the parser asks back rather than count all customers. Chinese forms also with 了; a form that is
# itself a metric's phrase (复购: the repeat purchase rate) stays the metric's.
_METRIC_WORDS = frozenset(p for m in catalog.METRICS for p in m.phrases)
BUY_AGAIN: tuple[str, ...] = tuple(
    w
    for w in (
        *BUY_AGAIN_EN,
        *(form for w in BUY_AGAIN_ZH for form in (w, w + "了")),
    )
    if w.removesuffix("了") not in _METRIC_WORDS
)
# "customers" words are the entity of many questions (top customers, segments, filters); the parser treats
# them as the metric only when nothing more specific is asked.
ENTITY_CUSTOMER_WORDS: tuple[str, ...] = (
    "customers",
    "customer",
    "buyers",
    "buyer",
    "clients",
    "client",
    "shoppers",
    "shopper",
    "purchasers",
    "people",
    "users",
    "consumers",
    "accounts",
    "客户",
    "买家",
    "顾客",
    "客人",
    "用户",
    "消费者",
    "人",
)

METRIC_NAMES_EN = {m.id: m.choice_en for m in catalog.METRICS}
# Orders by status: bare participles ("cancelled", "returned", "取消") in the metrics' phrases count only beside
# an order word, so "customers who returned" is not a count of returns (the parser checks that).
# Status words that name a count only beside an order word ("orders cancelled", "取消了多少单").
STATUS_PARTICIPLES = frozenset({"cancelled", "canceled", "returned", "refunded", "取消", "已取消", "被取消"})
METRIC_NAMES_ZH = {m.id: m.name_zh for m in catalog.METRICS}

# Things sellers ask about that SellerMate does not measure: a clarifying reply, never a nearby number.
UNKNOWN_METRIC_PHRASES: tuple[str, ...] = (
    "profit",
    "profits",
    "profitability",
    "margin",
    "margins",
    "gross margin",
    "net margin",
    "markup",
    "cost",
    "costs",
    "cogs",
    "expense",
    "expenses",
    "inventory",
    "stock",
    "stocks",
    "stock level",
    "warehouse",
    "refund",
    "pending",
    "unpaid",
    "conversion",
    "conversion rate",
    "conversions",
    "traffic",
    "visitors",
    "visits",
    "sessions",
    "page views",
    "pageviews",
    "clicks",
    "click-through",
    "ctr",
    "impressions",
    "ad spend",
    "ads",
    "advertising",
    "roas",
    "roi",
    "cac",
    "acquisition cost",
    "shipping cost",
    "shipping fee",
    "shipping fees",
    "fees",
    "commission",
    "commissions",
    "tax",
    "taxes",
    "vat",
    "gst",
    "review",
    "reviews",
    "satisfaction",
    "product",
    "products",
    "sku",
    "skus",
    "item",
    "items",
    "units",
    "unit",
    "category",
    "categories",
    "best-selling",
    "bestseller",
    "bestsellers",
    "best seller",
    "best sellers",
    "price",
    "prices",
    "discount",
    "discounts",
    "voucher",
    "vouchers",
    "coupon",
    "coupons",
    "cart abandonment",
    "abandoned carts",
    "bounce rate",
    "followers",
    "likes",
    "engagement",
    "market share",
    "competitors",
    "competitor",
    "median",
    "variance",
    "standard deviation",
    "gender",
    "age",
    "city",
    "cities",
    "state",
    "province",
    "zip",
    "postcode",
    "hour",
    "hours",
    "weekday",
    "weekdays",
    "weekend",
    "payment method",
    "payment methods",
    "courier",
    "delivery time",
    "shipping time",
    "salary",
    "employees",
    "staff",
    "frequency",
    "purchase frequency",
    "retention cost",
    "mrr",
    "arr",
    "subscription",
    "subscriptions",
    "per customer",
    "per buyer",
    "per client",
    "per user",
    "per head",
    "per capita",
    "per visitor",
    "利润",
    "毛利",
    "毛利率",
    "净利",
    "净利润",
    "利润率",
    "成本",
    "费用",
    "库存",
    "存货",
    "未付款",
    "待付款",
    "转化率",
    "转化",
    "流量",
    "访客",
    "浏览量",
    "点击",
    "点击率",
    "曝光",
    "广告",
    "投放",
    "投产比",
    "运费",
    "佣金",
    "手续费",
    "税",
    "评价",
    "好评",
    "差评",
    "商品",
    "产品",
    "单品",
    "品类",
    "类目",
    "sku",
    "爆款",
    "价格",
    "折扣",
    "优惠券",
    "购物车",
    "粉丝",
    "市场份额",
    "竞争对手",
    "中位数",
    "性别",
    "年龄",
    "城市",
    "省份",
    "小时",
    "周末",
    "支付方式",
    "物流",
    "快递",
    "员工",
    "工资",
    "频率",
    "购买频率",
    "人均",
    "每个客户",
    "每位客户",
    "每客户",
)

# --- platforms ---------------------------------------------------------------------------------------------
PLATFORM_PHRASES: dict[str, tuple[str, ...]] = {p.id: p.phrases for p in catalog.PLATFORMS if p.phrases}
PLATFORM_LABELS = {p.id: p.name for p in catalog.PLATFORMS}

# --- countries ---------------------------------------------------------------------------------------------
# Curated names (English names, demonyms, common short forms, Chinese). pycountry adds the remaining English
# names at run time; ISO codes are recognised by the parser when written in capitals.
COUNTRY_PHRASES: dict[str, tuple[str, ...]] = {
    "SG": ("singapore", "singaporean", "singaporeans", "s'pore", "spore", "sg", "新加坡", "狮城", "星加坡"),
    "MY": ("malaysia", "malaysian", "malaysians", "msia", "m'sia", "马来西亚", "大马", "馬來西亞", "马来"),
    "TH": ("thailand", "thai", "thais", "th", "泰国", "泰國"),
    "PH": (
        "philippines",
        "the philippines",
        "philippine",
        "filipino",
        "filipinos",
        "filipina",
        "pinoy",
        "ph",
        "菲律宾",
        "菲律賓",
    ),
    "ID": ("indonesia", "indonesian", "indonesians", "indo", "印尼", "印度尼西亚", "印度尼西亞"),
    "VN": ("vietnam", "viet nam", "vietnamese", "vn", "越南"),
    "US": (
        "united states",
        "united states of america",
        "usa",
        "u.s.",
        "u.s.a.",
        "america",
        "american",
        "americans",
        "the states",
        "美国",
        "美國",
    ),
    "GB": (
        "united kingdom",
        "uk",
        "u.k.",
        "britain",
        "great britain",
        "british",
        "england",
        "gb",
        "英国",
        "英國",
    ),
    "AU": (
        "australia",
        "australian",
        "australians",
        "aussie",
        "aussies",
        "au",
        "澳大利亚",
        "澳洲",
        "澳大利亞",
    ),
    "CN": ("china", "mainland china", "prc", "中国", "中國", "中国大陆", "大陆"),
    "HK": ("hong kong", "hongkong", "香港"),
    "TW": ("taiwan", "taiwanese", "台湾", "臺灣", "台灣"),
    "JP": ("japan", "japanese", "日本"),
    "KR": ("south korea", "korea", "korean", "koreans", "韩国", "韓國"),
    "IN": ("india", "indian", "indians", "印度"),
    "CA": ("canada", "canadian", "canadians", "加拿大"),
    "DE": ("germany", "german", "germans", "德国"),
    "FR": ("france", "french", "法国"),
    "NZ": ("new zealand", "kiwi", "新西兰"),
    "BN": ("brunei", "文莱"),
    "KH": ("cambodia", "cambodian", "柬埔寨"),
    "MM": ("myanmar", "burma", "缅甸"),
    "AE": ("uae", "united arab emirates", "emirates", "阿联酋"),
    "SA": ("saudi arabia", "saudi", "沙特"),
    "IT": ("italy", "italian", "意大利"),
    "ES": ("spain", "spanish", "西班牙"),
    "NL": ("netherlands", "the netherlands", "holland", "dutch", "荷兰"),
    "MX": ("mexico", "mexican", "墨西哥"),
    "BR": ("brazil", "brazilian", "巴西"),
}
# Codes that are also ordinary English words: recognised only in capitals ("MY", "ID", "US", "IN" ...).
ISO_CODES_AS_WORDS = frozenset(
    {
        "my",
        "id",
        "us",
        "in",
        "it",
        "no",
        "be",
        "is",
        "at",
        "am",
        "to",
        "so",
        "me",
        "do",
        "go",
        "by",
        "of",
        "on",
        "or",
        "an",
        "as",
        "he",
        "hi",
        "la",
        "ma",
        "pa",
        "sa",
        "ca",
        "de",
        "es",
        "fr",
        "nz",
        "mm",
        "ae",
        "cn",
        "hk",
        "tw",
        "jp",
        "kr",
        "ie",
        "pe",
        "mo",
        "bn",
        "kh",
        "br",
        "mx",
        "nl",
        "ch",
        "se",
        "pl",
        "pt",
    }
)


@lru_cache(maxsize=1)
def country_phrases() -> dict[str, str]:
    """Every country phrase (lower case) mapped to its ISO 3166-1 alpha-2 code."""
    out: dict[str, str] = {}
    try:
        import pycountry

        for c in pycountry.countries:
            for attr in ("name", "common_name", "official_name"):
                name = getattr(c, attr, None)
                if name and "," not in name and len(name) >= 4:
                    out[name.lower()] = c.alpha_2
    except ImportError:  # pragma: no cover - pycountry is a dependency; the curated list still works
        pass
    for code, names in COUNTRY_PHRASES.items():
        for n in names:
            out[n.lower()] = code
    return out


@lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """ISO code -> an English display name."""
    out = {}
    try:
        import pycountry

        for c in pycountry.countries:
            out[c.alpha_2] = getattr(c, "common_name", None) or c.name
    except ImportError:  # pragma: no cover
        pass
    out.update({"US": "United States", "GB": "United Kingdom", "VN": "Vietnam", "KR": "South Korea"})
    return out


# --- segments and lifecycle --------------------------------------------------------------------------------
SEGMENT_PHRASES: dict[str, tuple[str, ...]] = {x.id: x.phrases for x in catalog.SEGMENTS}
SEGMENT_LABELS_EN = {x.id: x.choice_en for x in catalog.SEGMENTS}
SEGMENT_LABELS_ZH = {x.id: x.name_zh for x in catalog.SEGMENTS}
# Names that point at more than one segment: the parser asks which one.
AMBIGUOUS_SEGMENT_PHRASES: dict[str, tuple[str, ...]] = {
    "at risk": ("important_keep", "important_winback"),
    "at-risk": ("important_keep", "important_winback"),
    "vip": ("important_value", "important_keep"),
    "vips": ("important_value", "important_keep"),
    "loyal": ("important_value", "general_value"),
    "loyal customers": ("important_value", "general_value"),
    "important customers": ("important_value", "important_develop", "important_keep", "important_winback"),
    "general customers": ("general_value", "general_develop", "general_keep", "general_winback"),
    "hibernating": ("important_winback", "general_winback"),
    "can't lose": ("important_keep", "important_winback"),
    "cannot lose": ("important_keep", "important_winback"),
    "高价值": ("important_value", "important_keep"),
    "重要客户": ("important_value", "important_develop", "important_keep", "important_winback"),
    "一般客户": ("general_value", "general_develop", "general_keep", "general_winback"),
    "大客户": ("important_value", "important_keep"),
    "忠实客户": ("important_value", "general_value"),
}
SEGMENTS_OVERVIEW_PHRASES: tuple[str, ...] = (
    "segments",
    "segment",
    "rfm",
    "rfm segments",
    "customer segments",
    "segmentation",
    "segment breakdown",
    "segment distribution",
    "segment counts",
    "客户分层",
    "客户分群",
    "分群",
    "分层",
    "rfm分层",
    "客户细分",
    "细分",
    "客户分类",
    "客户类型",
    "分群分布",
)

LIFECYCLE_PHRASES: dict[str, tuple[str, ...]] = {x.id: x.phrases for x in catalog.STAGES if x.phrases}
LIFECYCLE_OVERVIEW_PHRASES: tuple[str, ...] = (
    "lifecycle",
    "life cycle",
    "lifecycle stages",
    "lifecycle stage",
    "customer lifecycle",
    "lifecycle breakdown",
    "生命周期",
    "生命周期阶段",
    "客户生命周期",
    "生命周期分布",
    "各阶段",
    "各个阶段",
    "每个阶段",
    "阶段分布",
)

OUTREACH_PHRASES: dict[str, tuple[str, ...]] = {
    "welcome": ("welcome", "欢迎"),
    "thank_you": ("thank you", "thank-you", "thanks", "thank", "感谢", "谢谢", "致谢"),
    "abandoned_cart": ("abandoned cart", "cart reminder", "弃购", "购物车提醒"),
    "replenishment": ("replenishment", "restock reminder", "reorder reminder", "复购提醒", "补货提醒"),
    "winback": ("win-back", "winback", "win back", "come back", "we miss you", "挽回", "召回", "唤醒"),
    "review_request": (
        "review request",
        "ask for a review",
        "ask for review",
        "request a review",
        "邀评",
        "求好评",
        "邀请评价",
    ),
    "service_recovery": ("apology", "apologise", "apologize", "sorry", "service recovery", "道歉", "致歉"),
    "festival": (
        "festival",
        "holiday",
        "greetings",
        "christmas",
        "new year",
        "chinese new year",
        "hari raya",
        "deepavali",
        "songkran",
        "节日",
        "春节",
        "新年",
        "圣诞",
        "中秋",
        "开斋节",
    ),
}
