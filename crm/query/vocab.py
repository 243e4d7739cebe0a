"""The words the offline question parser understands, in English and Chinese: metrics, platforms, countries, segments.

Everything here is data. Phrases are matched on a normalised text (NFKC, lower case, single spaces), English on
word boundaries and Chinese as substrings; the longest phrase wins where two overlap.
"""
from __future__ import annotations

from functools import lru_cache

# --- metrics -----------------------------------------------------------------------------------------------
METRIC_PHRASES: dict[str, tuple[str, ...]] = {
    "repeat_rate": (
        "repeat rate", "repeat purchase rate", "repeat purchasing rate", "repeat-purchase rate", "repurchase rate",
        "re-purchase rate", "returning customer rate", "returning customers rate", "returning-customer rate",
        "repeat customer rate", "repeat customers rate", "repeat buyer rate", "repeat order rate",
        "rate of repeat purchase", "rate of repeat purchases", "share of repeat customers",
        "percentage of repeat customers", "percent of repeat customers", "repeat ratio", "repeat %",
        "repeat purchase ratio", "repurchase ratio", "repeat-customer rate",
        "复购率", "回购率", "重复购买率", "重购率", "复购比例", "复购比率", "回头客比例", "回头客率", "回头率",
        "二次购买率", "再购率", "复购", "回头客占比", "复购客户占比", "复购客户比例", "老客占比", "老客户占比",
        "老客户比例", "重复购买客户比例", "二次购买比例", "复购人数占比",
        "repeat customer percentage", "percentage of returning customers", "returning customer percentage",
        "share of returning customers", "repeat buyers rate", "repeat buyer ratio", "repeat purchase percentage",
        "percentage of repeat buyers", "percent of repeat buyers", "returning buyer rate", "returning buyers rate",
    ),
    "churn_rate": (
        "churn rate", "churn", "customer churn", "churn ratio", "attrition rate", "customer attrition",
        "attrition", "churning rate",
        "流失率", "客户流失率", "流失比例", "流失比率", "客户流失", "流失客户比例",
        "客户流失比例", "churn %", "churn percentage",
    ),
    "aov": (
        "aov", "average order value", "avg order value", "average order size", "average order amount",
        "average basket size", "average basket value", "basket size", "average basket", "average ticket",
        "avg order size", "average spend per order", "average value per order", "mean order value",
        "average sale per order", "average order", "avg. order value", "average transaction value",
        "客单价", "平均订单金额", "平均订单价值", "平均订单额", "平均客单价", "单均价", "平均每单金额",
        "每单平均金额", "笔单价", "平均订单价", "平均每单", "每单平均", "平均客单", "平均单价", "平均每笔订单金额",
        "average purchase value", "average transaction size", "avg order amount", "avg basket size",
    ),
    "avg_ltv": (
        "ltv", "lifetime value", "customer lifetime value", "clv", "cltv", "average ltv", "avg ltv",
        "average lifetime value", "average customer lifetime value", "average clv", "life time value",
        "life-time value", "lifetime spend", "average lifetime spend",
        "客户终身价值", "平均终身价值", "终身价值", "生命周期价值", "客户生命周期价值", "平均客户终身价值",
        "客户平均终身价值", "平均生命周期价值",
    ),
    "revenue": (
        "revenue", "revenues", "sales", "gmv", "turnover", "gross sales", "total sales", "sales revenue",
        "income", "takings", "sales amount", "sales volume", "gross merchandise value", "earnings",
        "spend", "spending", "spent", "total spend", "total spending", "money",
        "how much did we sell", "how much have we sold", "how much we sold", "how much did i sell",
        "how much have i sold", "how much did we make", "how much money did we make", "how much did we earn",
        "how much money", "卖了多少钱", "卖了多少", "卖出多少钱",
        "销售额", "营业额", "收入", "营收", "销售收入", "成交额", "交易额", "销售金额", "销量额", "总销售额",
        "销售总额", "业绩", "流水", "成交金额", "销售业绩", "总收入", "总营收", "交易金额",
    ),
    "orders": (
        "orders", "order count", "number of orders", "order volume", "orders placed", "order", "transactions",
        "purchases", "# of orders", "no. of orders", "how many orders",
        "订单数", "订单量", "单量", "多少单", "几单", "多少笔订单", "几笔订单", "订单总量", "成交订单数", "有效订单数", "有效订单",
        "订单笔数", "valid orders", "number of valid orders", "completed orders count", "订单数量", "订单总数", "订单", "下单量", "成交单数", "成交量", "单数",
    ),
    "new_customers": (
        "new customer count", "new customers count", "number of new customers", "count of new customers",
        "new buyer count", "new buyers count", "number of new buyers", "new customer number",
        "new customers", "new customer", "new buyers", "new buyer", "first-time buyers", "first time buyers",
        "first-time customers", "first time customers", "new clients", "newly acquired customers",
        "customers acquired", "customer acquisition", "new shoppers", "first-time shoppers", "new users",
        "acquired customers", "first-time purchasers", "first time purchasers", "new purchasers",
        "新客", "新客户", "新增客户", "新顾客", "新买家", "首购客户", "首次购买客户", "新客数", "新增客户数",
        "新增顾客", "拉新", "新用户", "首单客户", "新增买家", "新增用户",
        "首次下单客户", "首次购买的客户", "第一次购买的客户", "新下单客户", "新客户数量", "新客数量",
    ),
    # Orders by status. Bare participles ("cancelled", "returned", "取消") count only beside an order word:
    # the parser checks that (STATUS_PARTICIPLES), so "customers who returned" is not a count of returns.
    "cancelled_orders": (
        "cancelled orders", "canceled orders", "cancelled order", "canceled order", "cancellations",
        "order cancellations", "number of cancellations", "cancelled order count", "canceled order count",
        "cancelled", "canceled", "cancelled order number", "cancellation",
        "取消订单", "取消的订单", "已取消订单", "已取消的订单", "被取消的订单", "取消单", "取消订单数", "取消的单",
        "取消", "已取消", "被取消",
    ),
    "cancellation_rate": (
        "cancellation rate", "cancelation rate", "cancel rate", "cancellation ratio", "cancellation %",
        "cancellation percentage", "order cancellation rate", "cancelled order rate", "canceled order rate",
        "percentage of cancelled orders", "share of cancelled orders", "percentage of orders cancelled",
        "share of orders cancelled", "取消率", "订单取消率", "取消比例", "取消订单比例", "取消占比", "取消订单占比",
    ),
    "returned_orders": (
        "returned orders", "returned order", "returns", "order returns", "number of returns", "refunded orders",
        "refunds", "returned", "refunded",
        "退货", "退货订单", "退货单", "退货数", "退货订单数", "退款订单", "退单", "退货数量", "退款", "退货的订单",
        "退款的订单",
    ),
    "return_rate": (
        "return rate", "returns rate", "refund rate", "return ratio", "return %", "return percentage",
        "returned order rate", "order return rate", "percentage of returned orders", "share of returned orders",
        "percentage of orders returned", "share of orders returned", "refund ratio",
        "退货率", "退款率", "退货比例", "退单率", "退货占比", "退款比例", "退货订单占比",
    ),
    "customers": (
        "active customers", "active buyers", "active shoppers", "active clients", "active users",
        "customer count", "number of customers", "paying customers", "unique customers", "distinct customers",
        "ordering customers", "purchasing customers", "unique buyers", "number of buyers", "buyer count",
        "客户数", "下单客户", "下单客户数", "活跃客户", "活跃客户数", "买家数", "顾客数", "购买客户",
        "客户数量", "活跃买家", "付费客户", "下单人数", "购买人数", "买家人数", "客户人数", "下单用户数",
        "下单用户", "客户总数", "活跃用户", "活跃用户数", "活跃买家数", "购买客户数", "成交客户数", "成交客户",
    ),
}
# "customers" words are the entity of many questions (top customers, segments, filters); the parser treats
# them as the metric only when nothing more specific is asked.
ENTITY_CUSTOMER_WORDS: tuple[str, ...] = (
    "customers", "customer", "buyers", "buyer", "clients", "client", "shoppers", "shopper", "purchasers",
    "people", "users", "consumers", "accounts",
    "客户", "买家", "顾客", "客人", "用户", "消费者", "人",
)

METRIC_NAMES_EN = {
    "customers": "customers", "new_customers": "new customers", "orders": "orders", "revenue": "revenue",
    "aov": "average order value", "repeat_rate": "repeat purchase rate", "churn_rate": "churn rate",
    "avg_ltv": "average lifetime value", "cancelled_orders": "cancelled orders", "returned_orders": "returned orders",
    "cancellation_rate": "cancellation rate", "return_rate": "return rate",
}
# Status words that name a count only beside an order word ("orders cancelled", "取消了多少单").
STATUS_PARTICIPLES = frozenset({"cancelled", "canceled", "returned", "refunded", "取消", "已取消", "被取消"})
METRIC_NAMES_ZH = {
    "customers": "下单客户数", "new_customers": "新客户数", "orders": "订单数", "revenue": "销售额",
    "aov": "客单价", "repeat_rate": "复购率", "churn_rate": "流失率", "avg_ltv": "客户平均终身价值",
    "cancelled_orders": "取消订单数", "returned_orders": "退货订单数", "cancellation_rate": "取消率",
    "return_rate": "退货率",
}

# Things sellers ask about that SellerMate does not measure: a clarifying reply, never a nearby number.
UNKNOWN_METRIC_PHRASES: tuple[str, ...] = (
    "profit", "profits", "profitability", "margin", "margins", "gross margin", "net margin", "markup", "cost",
    "costs", "cogs", "expense", "expenses", "inventory", "stock", "stocks", "stock level", "warehouse",
    "refund", "pending", "unpaid", "conversion",
    "conversion rate", "conversions", "traffic", "visitors", "visits", "sessions", "page views", "pageviews",
    "clicks", "click-through", "ctr", "impressions", "ad spend", "ads", "advertising", "roas", "roi", "cac",
    "acquisition cost", "shipping cost", "shipping fee", "shipping fees", "fees", "commission", "commissions",
    "tax", "taxes", "vat", "gst", "rating", "ratings", "review", "reviews", "nps", "satisfaction",
    "product", "products", "sku", "skus", "item", "items", "units", "unit", "category", "categories",
    "best-selling", "bestseller", "bestsellers", "best seller", "best sellers", "price", "prices", "discount",
    "discounts", "voucher", "vouchers", "coupon", "coupons", "cart abandonment", "abandoned carts",
    "bounce rate", "followers", "likes", "engagement", "market share", "competitors", "competitor",
    "median", "variance", "standard deviation", "gender", "age", "city", "cities", "state", "province",
    "zip", "postcode", "hour", "hours", "weekday", "weekdays", "weekend", "payment method", "payment methods",
    "courier", "delivery time", "shipping time", "salary", "employees", "staff", "frequency",
    "purchase frequency", "retention cost", "mrr", "arr", "subscription", "subscriptions",
    "per customer", "per buyer", "per client", "per user", "per head", "per capita", "per visitor",
    "利润", "毛利", "毛利率", "净利", "净利润", "利润率", "成本", "费用", "库存", "存货", "未付款", "待付款", "转化率", "转化", "流量", "访客", "浏览量",
    "点击", "点击率", "曝光", "广告", "投放", "投产比", "运费", "佣金", "手续费", "税", "评分", "评价",
    "好评", "差评", "商品", "产品", "单品", "品类", "类目", "sku", "爆款", "价格", "折扣", "优惠券",
    "购物车", "粉丝", "市场份额", "竞争对手", "中位数", "性别", "年龄", "城市", "省份", "小时", "周末",
    "支付方式", "物流", "快递", "员工", "工资", "频率", "购买频率", "人均", "每个客户", "每位客户", "每客户",
)

# --- platforms ---------------------------------------------------------------------------------------------
PLATFORM_PHRASES: dict[str, tuple[str, ...]] = {
    "shopee": ("shopee", "shoppee", "shope", "shoppe", "shopee.sg", "shopee mall", "shoppee mall", "shopie",
               "shoopee", "showpee", "虾皮", "虾皮购物", "蝦皮"),
    "lazada": ("lazada", "lazadda", "lazda", "lazadah", "lazad", "lazzada", "lasada", "lazmall", "laz mall",
               "lazada mall", "来赞达", "來贊達", "来赞"),
    "tiktok": ("tts", "tiktok", "tik tok", "tik-tok", "tiktok shop", "tik tok shop", "tiktokshop", "tt shop",
               "tiktock", "tictok", "tik tock", "douyin", "抖音", "抖店", "抖音小店", "抖音商城", "tiktok商店"),
    "amazon": ("amazon", "amazn", "amzn", "amazone", "amazom", "amazon.com", "amazon.co.uk", "amz",
               "亚马逊", "亞馬遜"),
    "ebay": ("ebay", "e-bay", "e bay", "ebey", "eaby", "易贝", "亿贝", "易趣"),
    "shopify": ("shopify", "shopfiy", "shoppify", "shopfy", "shopify store", "shoppify store"),
    "woocommerce": ("woocommerce", "woo commerce", "woo", "wordpress shop"),
}
PLATFORM_LABELS = {
    "shopee": "Shopee", "lazada": "Lazada", "tiktok": "TikTok Shop", "amazon": "Amazon", "ebay": "eBay",
    "shopify": "Shopify", "woocommerce": "WooCommerce", "generic": "other",
}

# --- countries ---------------------------------------------------------------------------------------------
# Curated names (English names, demonyms, common short forms, Chinese). pycountry adds the remaining English
# names at run time; ISO codes are recognised by the parser when written in capitals.
COUNTRY_PHRASES: dict[str, tuple[str, ...]] = {
    "SG": ("singapore", "singaporean", "singaporeans", "s'pore", "spore", "sg", "新加坡", "狮城", "星加坡"),
    "MY": ("malaysia", "malaysian", "malaysians", "msia", "m'sia", "马来西亚", "大马", "馬來西亞", "马来"),
    "TH": ("thailand", "thai", "thais", "th", "泰国", "泰國"),
    "PH": ("philippines", "the philippines", "philippine", "filipino", "filipinos", "filipina", "pinoy", "ph",
           "菲律宾", "菲律賓"),
    "ID": ("indonesia", "indonesian", "indonesians", "indo", "印尼", "印度尼西亚", "印度尼西亞"),
    "VN": ("vietnam", "viet nam", "vietnamese", "vn", "越南"),
    "US": ("united states", "united states of america", "usa", "u.s.", "u.s.a.", "america", "american",
           "americans", "the states", "美国", "美國"),
    "GB": ("united kingdom", "uk", "u.k.", "britain", "great britain", "british", "england",
           "gb", "英国", "英國"),
    "AU": ("australia", "australian", "australians", "aussie", "aussies", "au", "澳大利亚", "澳洲", "澳大利亞"),
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
ISO_CODES_AS_WORDS = frozenset({"my", "id", "us", "in", "it", "no", "be", "is", "at", "am", "to", "so", "me",
                                "do", "go", "by", "of", "on", "or", "an", "as", "he", "hi", "la", "ma", "pa",
                                "sa", "ca", "de", "es", "fr", "nz", "mm", "ae", "cn", "hk", "tw", "jp", "kr",
                                "ie", "pe", "mo", "bn", "kh", "br", "mx", "nl", "ch", "se", "pl", "pt"})


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
SEGMENT_PHRASES: dict[str, tuple[str, ...]] = {
    "important_value": ("important value", "important-value", "important_value", "high value", "high-value",
                        "champions", "champion", "重要价值", "重要价值客户", "重要价值用户"),
    "important_develop": ("important develop", "important development", "important developing",
                          "important-develop", "important_develop", "important growth", "important potential",
                          "重要发展", "重要发展客户"),
    "important_keep": ("important keep", "important retain", "important retention", "important maintain",
                       "important-keep", "important_keep", "important retaining", "重要保持", "重要保持客户"),
    "important_winback": ("important winback", "important win-back", "important win back", "important_winback",
                          "important win-back", "important recover", "important recall", "重要挽留",
                          "重要挽留客户", "重要挽回", "重要召回"),
    "general_value": ("general value", "general-value", "general_value", "ordinary value", "normal value",
                      "一般价值", "一般价值客户", "普通价值"),
    "general_develop": ("general develop", "general development", "general developing", "general-develop",
                        "general_develop", "ordinary develop", "一般发展", "一般发展客户", "普通发展"),
    "general_keep": ("general keep", "general retain", "general retention", "general maintain",
                     "general-keep", "general_keep", "一般保持", "一般保持客户", "普通保持"),
    "general_winback": ("general winback", "general win-back", "general win back", "general_winback",
                        "general recover", "一般挽留", "一般挽留客户", "普通挽留", "一般挽回"),
}
SEGMENT_LABELS_EN = {
    "important_value": "important value", "important_develop": "important develop",
    "important_keep": "important keep", "important_winback": "important win-back",
    "general_value": "general value", "general_develop": "general develop", "general_keep": "general keep",
    "general_winback": "general win-back",
}
SEGMENT_LABELS_ZH = {
    "important_value": "重要价值客户", "important_develop": "重要发展客户", "important_keep": "重要保持客户",
    "important_winback": "重要挽留客户", "general_value": "一般价值客户", "general_develop": "一般发展客户",
    "general_keep": "一般保持客户", "general_winback": "一般挽留客户",
}
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
    "segments", "segment", "rfm", "rfm segments", "customer segments", "segmentation", "segment breakdown",
    "segment distribution", "segment counts", "客户分层", "客户分群", "分群", "分层", "rfm分层", "客户细分",
    "细分", "客户分类", "客户类型", "分群分布",
)

LIFECYCLE_PHRASES: dict[str, tuple[str, ...]] = {
    "dormant": ("dormant", "dormant customers", "inactive customers", "inactive", "sleeping customers",
                "lapsed", "lapsed customers", "沉睡", "沉睡客户", "休眠", "休眠客户", "不活跃客户", "沉默客户"),
    "churned": ("churned", "churned customers", "lost customers", "churned buyers", "former customers",
                "已流失", "已流失客户", "流失客户", "流失的客户", "流失掉的客户"),
    "prospect": ("prospects", "prospect", "prospective customers", "leads", "potential customers",
                 "潜在客户", "潜客", "意向客户"),
}
LIFECYCLE_OVERVIEW_PHRASES: tuple[str, ...] = (
    "lifecycle", "life cycle", "lifecycle stages", "lifecycle stage", "customer lifecycle", "lifecycle breakdown",
    "生命周期", "生命周期阶段", "客户生命周期", "生命周期分布",
)

OUTREACH_PHRASES: dict[str, tuple[str, ...]] = {
    "welcome": ("welcome", "欢迎"),
    "thank_you": ("thank you", "thank-you", "thanks", "thank", "感谢", "谢谢", "致谢"),
    "abandoned_cart": ("abandoned cart", "cart reminder", "弃购", "购物车提醒"),
    "replenishment": ("replenishment", "restock reminder", "reorder reminder", "复购提醒", "补货提醒"),
    "winback": ("win-back", "winback", "win back", "come back", "we miss you", "挽回", "召回", "唤醒"),
    "review_request": ("review request", "ask for a review", "ask for review", "request a review", "邀评",
                       "求好评", "邀请评价"),
    "service_recovery": ("apology", "apologise", "apologize", "sorry", "service recovery", "道歉", "致歉"),
    "festival": ("festival", "holiday", "greetings", "christmas", "new year", "chinese new year", "hari raya",
                 "deepavali", "songkran", "节日", "春节", "新年", "圣诞", "中秋", "开斋节"),
}
