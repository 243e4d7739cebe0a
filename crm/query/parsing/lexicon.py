"""The parser's lexicon and scanners: every phrase it knows (from the domain catalogue through crm.query.vocab,
and the question words below), and the passes that claim them in a scanned question."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from crm.query import vocab
from crm.query.parsing.scan import Scan
from crm.regex import CHINESE, lazy, needing


def _phrase_pattern(phrase: str) -> str:
    esc = re.escape(phrase)
    if phrase[:1].isascii() and (phrase[:1].isalnum()):
        esc = r"(?<![a-z0-9])" + esc
    if phrase[-1:].isascii() and (phrase[-1:].isalnum() or phrase[-1:] == "."):
        esc = esc + r"(?![a-z0-9])"
    return esc


@lru_cache(maxsize=4096)
def _phrase_regex(phrase: str) -> re.Pattern[str]:
    """A phrase's regex, compiled the first time a question contains the phrase: the lexicon has about 1,900
    phrases, and compiling them all took a tenth of a second of every process's first question."""
    return re.compile(_phrase_pattern(phrase))


@lru_cache(maxsize=1)
def _lexicon() -> list[tuple[str, str, Any]]:
    """All phrases (lower case) as (phrase, kind, value), longest first; ties keep the order of kinds below."""
    entries: list[tuple[str, str, Any]] = []
    for code, names in vocab.PLATFORM_PHRASES.items():
        entries += [(n, "platform", code) for n in names]
    for seg, names in vocab.SEGMENT_PHRASES.items():
        entries += [(n, "segment", seg) for n in names]
    for phrase, segs in vocab.AMBIGUOUS_SEGMENT_PHRASES.items():
        entries.append((phrase, "ambiguous_segment", segs))
    entries += [(n, "segments_overview", None) for n in vocab.SEGMENTS_OVERVIEW_PHRASES]
    for stage, names in vocab.LIFECYCLE_PHRASES.items():
        entries += [(n, "lifecycle", stage) for n in names]
    entries += [(n, "lifecycle_overview", None) for n in vocab.LIFECYCLE_OVERVIEW_PHRASES]
    for kind, phrases in _EXTRA.items():
        for p in phrases:
            entries.append((p, kind, None))
    for metric, names in vocab.METRIC_PHRASES.items():
        entries += [(n, "metric", metric) for n in names]
    entries += [(n, "unknown_metric", n) for n in vocab.UNKNOWN_METRIC_PHRASES]
    for phrase, code in vocab.country_phrases().items():
        entries.append((phrase, "country", code))
    entries += [(n, "entity", None) for n in vocab.ENTITY_CUSTOMER_WORDS]
    seen: set[tuple[str, str]] = set()
    out = []
    for order, (phrase, kind, value) in enumerate(entries):
        key = (phrase.lower(), kind)
        if key in seen:
            continue
        seen.add(key)
        out.append((phrase.lower(), kind, value, order))
    out.sort(key=lambda e: (-len(e[0]), e[3]))
    return [(text, k, v) for text, k, v, _ in out]


_EXTRA: dict[str, tuple[str, ...]] = {
    "count_word": (
        "how many",
        "how much",
        "number of",
        "count of",
        "count",
        "# of",
        "no. of",
        "total number of",
        "多少",
        "有多少",
        "多少个",
        "多少位",
        "多少人",
        "几个",
        "几位",
        "几",
        "数量",
        "人数",
        "是多少",
        "总数",
    ),
    "top_word": (
        "top",
        "best",
        "biggest",
        "largest",
        "highest",
        "most valuable",
        "leading",
        "highest-spending",
        "highest spending",
        "biggest-spending",
        "biggest spending",
        "heaviest",
        "big spenders",
        "biggest spenders",
        "top spenders",
        "top buyers",
        "top customers",
        "best customers",
        "vip list",
        "排名前",
        "前",
        "最好",
        "最佳",
        "最有价值",
        "价值最高",
        "最重要",
        "排行",
        "排行榜",
        "排名",
        "榜",
        "大户",
    ),
    "most_word": ("the most", "most", "最多", "最高", "最大", "最多的", "最高的", "最大的"),
    "top_revenue_word": (
        "spenders",
        "spender",
        "by value",
        "by amount",
        "by spend",
        "消费",
        "花费",
        "花钱",
        "消费金额",
        "消费额",
        "金额",
        "贡献",
        "买得最多",
        "花得最多",
        "花了最多",
        "消费最高",
        "贡献最大",
    ),
    "top_orders_word": (
        "order count",
        "number of orders",
        "most orders",
        "most purchases",
        "most frequent",
        "frequent",
        "ordered the most",
        "ordered most",
        "bought the most often",
        "purchase count",
        "购买次数",
        "下单次数",
        "下单最多",
        "购买最多",
        "买的次数",
        "订单最多",
    ),
    "clv_word": (
        "predicted clv",
        "predicted ltv",
        "predicted lifetime value",
        "predicted customer lifetime value",
        "projected clv",
        "projected ltv",
        "expected clv",
        "expected ltv",
        "future value",
        "clv prediction",
        "ltv prediction",
        "predicted value",
        "future lifetime value",
        "expected lifetime value",
        "预测clv",
        "预测ltv",
        "预测终身价值",
        "预测的终身价值",
        "预测价值",
        "预计终身价值",
        "未来价值",
        "预测客户价值",
        "预测客户终身价值",
    ),
    "churn_risk_word": (
        "will churn",
        "going to churn",
        "predicted churn",
        "预测流失",
        "churn risk",
        "risk of churn",
        "risk of churning",
        "likely to churn",
        "most likely to churn",
        "at risk of churning",
        "churn probability",
        "probability of churn",
        "probability of churning",
        "likely to leave",
        "about to churn",
        "might churn",
        "could churn",
        "churn-risk",
        "流失风险",
        "可能流失",
        "容易流失",
        "流失概率",
        "即将流失",
        "快要流失",
        "有流失风险",
        "最有可能流失",
        "最可能流失",
        "有可能流失",
        "可能流失的客户",
    ),
    "p_alive_word": (
        "p(alive)",
        "p alive",
        "palive",
        "probability alive",
        "probability of being alive",
        "still alive",
        "存活概率",
        "活跃概率",
    ),
    "expected_purchases_word": (
        "expected purchases",
        "expected orders",
        "predicted purchases",
        "predicted orders",
        "预计购买次数",
        "预计订单",
        "预测购买次数",
    ),
    "cohort_word": (
        "cohort",
        "cohorts",
        "cohort retention",
        "retention",
        "retention rate",
        "retention table",
        "retention matrix",
        "cohort analysis",
        "customer retention",
        "留存",
        "留存率",
        "同期群",
        "同期群分析",
        "留存分析",
        "群组留存",
        "月度留存",
        "客户留存",
        "留存表",
    ),
    "compare_word": (
        "compared to",
        "compared with",
        "compare",
        "comparison",
        "versus",
        "vs",
        "vs.",
        "side by side",
        "对比",
        "比较",
        "相比",
        "比一比",
    ),
    "change_word": (
        "growth",
        "grow",
        "grew",
        "growing",
        "increase",
        "increased",
        "decrease",
        "decreased",
        "change",
        "changed",
        "drop",
        "dropped",
        "decline",
        "declined",
        "yoy",
        "year over year",
        "year-over-year",
        "mom",
        "month over month",
        "month-over-month",
        "qoq",
        "week over week",
        "quarter over quarter",
        "wow growth",
        "环比",
        "同比",
        "增长",
        "增长率",
        "下降",
        "变化",
        "增幅",
        "涨了",
        "跌了",
        "降了",
    ),
    "trend_word": ("trend", "trends", "over time", "trajectory", "趋势", "走势", "变化趋势"),
    "negation_word": (
        "not",
        "except",
        "excluding",
        "exclude",
        "without",
        "other than",
        "apart from",
        "besides",
        "non",
        "不含",
        "除了",
        "不包括",
        "排除",
        "以外",
        "之外",
        "不是",
        "没有",
    ),
    "filler_phrase": (
        # Chinese function words around a question: "有没有" asks whether, it does not exclude
        "有没有",
        "有无",
        "已经",
        "已",
        "总共有",
        "一共有",
        "目前",
        "my store",
        "our store",
        "my shop",
        "our shop",
        "the store",
        "the shop",
        "my stores",
        "our stores",
        "my shops",
        "our shops",
        "store's",
        "shop's",
        "in total",
        "all stores",
        "all platforms",
        "all channels",
        "all shops",
        "across all platforms",
        "on all platforms",
        "in the store",
        "all markets",
        "all countries",
    ),
    "list_word": (
        "csv",
        "as csv",
        "as a csv",
        "in csv",
        "to csv",
        "csv file",
        "as a spreadsheet",
        "spreadsheet",
        "excel",
        "表格",
        "csv文件",
        "list",
        "list of",
        "show me all",
        "all customers",
        "all the customers",
        "every customer",
        "each customer",
        "export",
        "dump",
        "download",
        "列出",
        "列表",
        "名单",
        "清单",
        "导出",
        "下载",
        "所有客户",
        "全部客户",
    ),
    # Customers one gains are new customers: "how many customers did we acquire", "今年新增了多少客户".
    "acquire_verb": (
        "acquire",
        "acquired",
        "acquiring",
        "gain",
        "gained",
        "gaining",
        "attract",
        "attracted",
        "attracting",
        "win",
        "won",
        "onboard",
        "onboarded",
        "新增",
        "新增了",
        "新增加",
        "新增加了",
        "获得",
        "获得了",
        "获取",
        "获取了",
        "拉来",
        "拉来了",
        "吸引",
        "吸引了",
        "新来",
        "新来了",
        "引入",
        "引入了",
    ),
    # Buying again, without a word for a share: "how many customers bought again" is not the repeat purchase
    # rate, nor a count of all customers; the parser asks back (recognisers.declines.repeat_count).
    "repeat_verb": (
        *vocab.BUY_AGAIN,
        "repeat customers",
        "repeat buyers",
        "repeat purchasers",
        "returning customers",
        "returning buyers",
        "回头客",
    ),
    "order_verb": (
        "placed an order",
        "placed orders",
        "place an order",
        "placed order",
        "made an order",
        "made a purchase",
        "made purchases",
        "made orders",
        "make a purchase",
        "bought",
        "buy",
        "buying",
        "purchased",
        "purchase",
        "ordered from us",
        "ordered",
        "shopped",
        "shop with us",
        "shopped with us",
        "ordering",
        "have ordered",
        "下单",
        "下过单",
        "下了单",
        "购买过",
        "买过",
        "购买",
        "买了",
        "买",
        "消费过",
        "成交",
    ),
}

# Words that carry no meaning for the answer.
FILLER_EN = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "for",
        "in",
        "on",
        "at",
        "to",
        "from",
        "by",
        "with",
        "and",
        "or",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "am",
        "do",
        "does",
        "did",
        "done",
        "what",
        "what's",
        "whats",
        "which",
        "who",
        "whom",
        "whose",
        "how",
        "me",
        "my",
        "we",
        "our",
        "us",
        "i",
        "you",
        "your",
        "yours",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "there",
        "their",
        "they",
        "them",
        "show",
        "tell",
        "give",
        "get",
        "got",
        "list",
        "display",
        "see",
        "view",
        "please",
        "pls",
        "plz",
        "can",
        "could",
        "should",
        "may",
        "might",
        "about",
        "much",
        "many",
        "some",
        "any",
        "all",
        "total",
        "overall",
        "sum",
        "whole",
        "entire",
        "whatsoever",
        "current",
        "currently",
        "now",
        "right",
        "so",
        "far",
        "have",
        "has",
        "had",
        "having",
        "there's",
        "here",
        "let",
        "know",
        "want",
        "need",
        "find",
        "check",
        "look",
        "looking",
        "calculate",
        "compute",
        "report",
        "breakdown",
        "break",
        "down",
        "split",
        "broken",
        "across",
        "per",
        "each",
        "every",
        "versus",
        "over",
        "during",
        "within",
        "between",
        "since",
        "until",
        "till",
        "through",
        "up",
        "as",
        "well",
        "also",
        "just",
        "only",
        "exactly",
        "roughly",
        "approximately",
        "approx",
        "around",
        "business",
        "company",
        "brand",
        "team",
        "platform",
        "platforms",
        "channel",
        "channels",
        "marketplace",
        "marketplaces",
        "market",
        "markets",
        "site",
        "sites",
        "s",
        "t",
        "d",
        "ll",
        "ve",
        "re",
        "m",
        "figure",
        "figures",
        "number",
        "numbers",
        "stats",
        "statistics",
        "stat",
        "metric",
        "metrics",
        "kpi",
        "kpis",
        "data",
        "info",
        "information",
        "details",
        "detail",
        "level",
        "levels",
        "customer",
        "customers",
        "buyer",
        "buyers",
        "client",
        "clients",
        "shopper",
        "shoppers",
        "people",
        "user",
        "users",
        "consumer",
        "consumers",
        "based",
        "made",
        "make",
        "making",
        "generated",
        "generate",
        "generating",
        "earn",
        "earned",
        "bring",
        "brought",
        "come",
        "came",
        "sell",
        "sold",
        "selling",
        "ours",
        "hey",
        "hi",
        "hello",
        "thanks",
        "thank",
        "kindly",
        "quick",
        "quickly",
        "summary",
        "summarize",
        "like",
        "love",
        "wondering",
        "wonder",
        "curious",
        "interested",
        "acquire",
        "acquired",
        "acquiring",
        "gain",
        "gained",
        "gaining",
        "attract",
        "attracted",
        "win",
        "won",
        "onboard",
        "onboarded",
        "table",
        "tables",
        "chart",
        "charts",
        "graph",
        "graphs",
        "plot",
        "plots",
        "plotted",
        "draw",
        "visualize",
        "visualise",
        "visualization",
        "visualisation",
        "diagram",
        "diagrams",
        "matrix",
        "heatmap",
        "reports",
        "overview",
        "analysis",
        "analyses",
        "probably",
        "likely",
        "possibly",
        "soon",
        "again",
        "brings",
        "generates",
        "contribute",
        "contributes",
        "contributed",
        "place",
        "placed",
        "places",
        "tally",
        "out",
        "hows",
        "who's",
        "when",
        "where",
        "why",
        "period",
        "time",
        "timeframe",
        "window",
        "date",
        "dates",
        "range",
        "count",
        "counts",
        "ranked",
        "rank",
        "ranking",
        "order",
        "sorted",
        "sort",
        "highest",
        "group",
        "grouped",
        "grouping",
        "listed",
        "year's",
        "month's",
        "quarter's",
        "week's",
        "day's",
        "today's",
        "compare",
        "comparing",
        "ever",
    ]
)  # noqa: SIM905 - a word list reads best as text

FILLER_ZH = (
    "请问",
    "请",
    "帮我",
    "帮忙",
    "麻烦",
    "给我",
    "告诉我",
    "告诉",
    "我们的",
    "我们",
    "咱们",
    "我的",
    "我",
    "你",
    "查询",
    "查一下",
    "查查",
    "查看",
    "查",
    "看一下",
    "看看",
    "看下",
    "看",
    "一下",
    "统计一下",
    "统计",
    "计算",
    "算一下",
    "算",
    "显示",
    "展示",
    "列出",
    "总共",
    "一共",
    "总计",
    "合计",
    "总",
    "共",
    "数量",
    "数",
    "量",
    "个",
    "位",
    "名",
    "在",
    "里面",
    "里",
    "中的",
    "中",
    "内",
    "期间",
    "时候",
    "时",
    "从",
    "到",
    "店铺",
    "店",
    "上的",
    "平台",
    "渠道",
    "站点",
    "站",
    "市场",
    "地区",
    "国家",
    "情况",
    "怎么样",
    "如何",
    "哪些",
    "哪个",
    "哪",
    "谁",
    "什么",
    "所有",
    "全部",
    "是",
    "的",
    "了",
    "吗",
    "呢",
    "吧",
    "啊",
    "呀",
    "嘛",
    "有",
    "多少",
    "几",
    "各",
    "分别",
    "现在",
    "目前",
    "当前",
    "来自",
    "所有的",
    "整体",
    "全部的",
    "全体",
    "按照",
    "按",
    "分",
    "每",
    "每个",
    "都",
    "和",
    "与",
    "及",
    "跟",
    "还有",
    "以及",
    "或",
    "或者",
    "最近的",
    "一个",
    "为",
    "是多少",
    "额",
    "值",
    "率",
    "水平",
    "排名",
    "排行",
    "最",
    "哪位",
    "者",
    "们",
    "该",
    "这",
    "那",
    "些",
    "个人",
    "名单",
    "数据",
    "指标",
    "下",
    "报告",
    "汇总",
    "概况",
    "多少钱",
    "钱",
    "金额",
    "情况如何",
    "表现",
    "业绩情况",
    "上",
    "分布",
    "想",
    "想要",
    "想知道",
    "希望",
    "需要",
    "能否",
    "可以",
    "能不能",
    "分析",
    "明细",
    "概览",
    "一览",
    "报表",
    # a chart asked for (the bot draws one where a breakdown has one): "画一张…的图", "…图表"
    "画一张",
    "画一个",
    "画个",
    "画出来",
    "画出",
    "画成",
    "做一张",
    "一张",
    "图表",
    "柱状图",
    "条形图",
    "折线图",
    "趋势图",
    "饼图",
    "可视化",
    "图",
)
_FILLER_ZH_SORTED = sorted(set(FILLER_ZH), key=len, reverse=True)


# ----------------------------------------------------------------------------------------------------------
# slot filling
# ----------------------------------------------------------------------------------------------------------
# The nouns the breakdown patterns below are made of, for reading a misspelt one ("by platfrom", "per contry").
GROUP_WORDS = (
    "platform",
    "platforms",
    "channel",
    "channels",
    "marketplace",
    "marketplaces",
    "country",
    "countries",
    "market",
    "markets",
    "region",
    "regions",
    "segment",
    "segments",
    "product",
    "products",
    "monthly",
    "weekly",
    "quarterly",
    "yearly",
    "daily",
    "breakdown",
)
_GROUP_PATTERNS: list[tuple[str, str]] = [
    (
        (
            needing(
                ("channel", "marketplace", "platform"),
                r"(?:broken down |split |breakdown |grouped |group |sorted |ranked )?(?:by|per|for each|for every|each|every|across|"
                r"across all|among|between|in each|in every)\s+(?:the\s+)?(?:different\s+)?(?:sales\s+)?"
                r"(platforms?|channels?|marketplaces?)(?![a-z])",
            )
        ),
        "platform",
    ),
    (
        needing(
            ("channel", "marketplace", "platform"),
            r"(?:platform|channel|marketplace)(?:[\s-]by[\s-]platform)?\s+(?:breakdown|split|mix|comparison|distribution)",
        ),
        "platform",
    ),
    (
        needing(("channel", "marketplace", "platform"), r"which\s+(?:platform|channel|marketplace)s?"),
        "platform",
    ),
    (
        (
            needing(
                CHINESE,
                r"按平台|分平台|各平台|各个平台|每个平台|不同平台|平台分布|按渠道|各渠道|分渠道|每个渠道|哪个平台|平台别|按照平台|"
                r"各大平台",
            )
        ),
        "platform",
    ),
    (
        (
            needing(
                ("countries", "country", "market", "region"),
                r"(?:broken down |split |breakdown |grouped |group |sorted |ranked )?(?:by|per|for each|for every|each|every|"
                r"across|across all|in each|in every|among)\s+(?:the\s+)?(?:different\s+)?(?:countries|country|markets?|regions?)"
                r"(?![a-z])",
            )
        ),
        "country",
    ),
    (
        needing(
            ("countr", "market", "regional"),
            r"(?:country|countries|market|regional)\s+(?:breakdown|split|mix|distribution)|which\s+(?:country|countries)",
        ),
        "country",
    ),
    (
        (
            needing(
                CHINESE,
                r"按国家|分国家|各国家|各个国家|每个国家|不同国家|国家分布|按地区|各地区|分地区|每个地区|各国|哪个国家|按照国家|"
                r"各市场|按市场|分市场",
            )
        ),
        "country",
    ),
    (
        (
            r"(?:broken down |split |breakdown |grouped |group )?(?:by|per|for each|for every|each|every|in each)\s+"
            r"(?:calendar\s+)?month(?![a-z])|monthly|month[\s-]by[\s-]month|month over month breakdown|"
            # The longer words first: "按月" before "按月份" left "份" unread (and the answer's own title says 按月份).
            r"按月份|各月份|每个月份|分月份|每月|每个月|按月|逐月|月度|分月|各月|每一个月|各个月|"
            # "which month had the most revenue", "best month for sales": every month, the leader named
            r"(?:which|what)\s+months?(?![a-z])|(?:best|top|strongest|biggest|busiest)(?:[\s-]selling)?\s+months?"
            r"(?:\s+(?:for|of|in|by))?(?![a-z])|哪个月|哪一个月|哪几个月"
        ),
        "month",
    ),
    (
        (
            needing(
                ("quarter", "分季度", "各季度", "季度分布", "按季度", "每个季度", "每季度", "逐季"),
                r"(?:broken down |split |breakdown |grouped |group )?(?:by|per|for each|for every|each|every|in each)\s+"
                r"quarter(?![a-z])|quarterly|quarter[\s-]by[\s-]quarter|每季度|每个季度|按季度|逐季|季度分布|各季度|分季度",
            )
        ),
        "quarter",
    ),
    (
        (
            needing(
                ("annual", "year", "分年", "各年", "年度分布", "按年", "每年", "逐年"),
                r"(?:broken down |split |breakdown |grouped |group )?(?:by|per|for each|for every|each|every|in each)\s+"
                r"year(?![a-z])|yearly|annually|annual|year[\s-]by[\s-]year|每年|按年|逐年|年度分布|各年|分年",
            )
        ),
        "year",
    ),
    (
        (
            r"(?:broken down |split |breakdown |grouped |group )?(?:by|per|for each|for every|each|every|across|in each)\s+"
            r"(?:the\s+)?(?:products?|items?|skus?)(?![a-z])|按产品|按商品|各产品|各商品|每个产品|每个商品|分产品|分商品|"
            r"按单品|各个产品|各个商品"
        ),
        "product",
    ),
    (
        (
            needing(
                ("segment", "各分层", "各分群", "按分层", "按分群", "按客户分层", "按细分", "每个分群"),
                r"(?:by|per|for each|for every|each|every|across)\s+(?:rfm\s+)?segments?(?![a-z])|按分群|按分层|各分群|各分层|"
                r"每个分群|按客户分层|按细分",
            )
        ),
        "segment",
    ),
]

_TOP_N_PATTERNS = [
    needing(
        ("best", "biggest", "first", "heaviest", "highest", "largest", "leading", "most valuable", "top"),
        r"(?:top|best|biggest|largest|highest|leading|first|most valuable|heaviest)\s*[-]?\s*(\d{1,3})(?![\d])",
    ),
    (
        needing(
            (
                "best",
                "biggest",
                "heaviest",
                "highest",
                "largest",
                "leading",
                "most frequent",
                "most loyal",
                "most valuable",
                "top",
            ),
            r"(?<![\d.])(\d{1,3})\s+(?:top|best|biggest|largest|highest|leading|most valuable|heaviest|highest-spending|"
            r"biggest-spending|most loyal|most frequent)(?![a-z])",
        )
    ),
    needing(("前",), r"(?:排名)?前\s*(\d{1,3})\s*(?:名|位|个|大|强)?"),
    needing(
        ("买家", "客人", "客户", "用户", "顾客"),
        r"(?<![\d.])(\d{1,3})\s*(?:个|位|名|大)\s*(?:客户|买家|顾客|客人|用户)",
    ),
    # "10个消费最多的客户", "5位下单最多的买家": the count before the ranking words
    needing(
        ("个", "位", "名"),
        r"(?<![\d.])(\d{1,3})\s*(?:个|位|名)(?=[\u4e00-\u9fff]{0,10}?最[\u4e00-\u9fff]{0,6}?(?:客户|买家|顾客|客人|用户))",
    ),
    needing(
        ("buyers", "clients", "customers", "people", "shoppers", "spenders"),
        r"(?<![\d.])(\d{1,3})\s+(?:customers|buyers|clients|shoppers|people|spenders)(?![a-z])",
    ),
    needing(("top",), r"top\s*(\d{1,3})"),
]


@lru_cache(maxsize=1)
def _metric_patterns() -> list[tuple[re.Pattern[str], str]]:
    return [(re.compile(p), metric) for metric, ps in vocab.METRIC_PATTERNS.items() for p in ps]


def _scan_lexicon(s: Scan) -> None:
    for prx, metric in _metric_patterns():  # a pattern's span is longer than any phrase inside it
        for m in prx.finditer(s.text):
            s.claim(m.start(), m.end(), "metric", metric)
    for phrase, kind, value in _lexicon():
        if phrase not in s.text:  # cheap test first: most phrases are not in a short question
            continue
        for m in _phrase_regex(phrase).finditer(s.text):
            s.claim(m.start(), m.end(), kind, value)


def _scan_iso_codes(s: Scan, raw: str) -> None:
    """Country codes written in capitals (MY, ID, US, SG ...) in the original text."""
    nraw = unicodedata.normalize("NFKC", raw)
    if nraw.upper() == nraw and re.search(r"[A-Z]{3}", nraw):  # all-caps text: codes are unreliable
        return
    try:
        import pycountry
    except ImportError:  # pragma: no cover
        return
    # Normalising changes lengths ("twenty-five" -> "25", 二十五 -> 25), so a code is found in the normalised text
    # as the same occurrence (k-th standalone two-letter word with those letters) as in the original.
    pairs = [m.group(1) for m in re.finditer(r"(?<![A-Za-z])([A-Za-z]{2})(?![A-Za-z])", nraw)]
    spots = [m.start(1) for m in re.finditer(r"(?<![a-z])([a-z]{2})(?![a-z])", s.text)]
    words = [s.text[i : i + 2] for i in spots]
    if [p.lower() for p in pairs] != words:
        return  # the words do not line up one to one: better no code than the wrong one
    for word, i in zip(pairs, spots, strict=False):
        code = "GB" if word == "UK" else word
        if (
            not word.isupper()
            or code in ("OK", "AM", "PM", "QA", "AI", "TV", "PC")
            or pycountry.countries.get(alpha_2=code) is None
        ):
            continue
        s.claim(i, i + 2, "country", code)


@dataclass
class _Leftover:
    words: list[str]
    cjk: str
    numbers: list[int]


# "how is revenue doing this month", "how are sales looking": the verb says nothing more after "how is"; without it
# ("who is doing best") the word is not filler.
_HOW_IS_RE = lazy(r"(?<![a-z])how(?:'s| is| are| was| were| has been| have been)(?![a-z])", needs=("how",))
_HOW_IS_WORDS = frozenset(("doing", "performing", "going", "looking"))


def _leftover(s: Scan) -> _Leftover:
    rest = s.leftover()
    how_is = bool(_HOW_IS_RE.search(s.text))
    numbers = [int(x) for x in re.findall(r"(?<![a-z])\d+(?![a-z])", rest)]
    words = [w for w in re.findall(r"[a-z][a-z'-]*", rest) if w.strip("'-")]
    unknown = []
    for w in words:
        w = w.strip("'-")
        parts = [p for p in re.split(r"['-]", w) if p]
        if all(p in FILLER_EN or (how_is and p in _HOW_IS_WORDS) for p in parts):
            continue
        unknown.append(w)
    cjk = "".join(re.findall(r"[\u3400-\u9fff]+", rest))
    chunks = re.findall(r"[\u3400-\u9fff]+", rest)
    left = []
    for chunk in chunks:
        for f in _FILLER_ZH_SORTED:
            chunk = chunk.replace(f, " ")
        left.append(chunk.replace(" ", ""))
    cjk = "".join(left)
    return _Leftover(unknown, cjk, numbers)


# "customers tagged vip", "with the tag wholesale", "vip-tagged", "带有vip标签的客户", "标签为批发的客户"
_TAG_WORD = r"[\"'“]?([a-z0-9\u4e00-\u9fff][\w\u4e00-\u9fff-]{0,30}?)[\"'”]?"
_NOT_TAGS = {"customers", "customer", "buyers", "clients", "users", "people", "as", "with", "the", "a", "an"}
_TAG_PATTERNS = (
    lazy(r"\b([a-z0-9][\w]{0,30}?)-tagged\b", needs=("-tagged",)),
    lazy(
        rf"\b(?:tagged|labell?ed)(?:\s+as|\s+with)?\s+{_TAG_WORD}(?=\s|$|[?,.!])", needs=("label", "tagged")
    ),
    lazy(rf"\bwith\s+(?:the\s+|a\s+)?(?:tag|label)\s+{_TAG_WORD}(?=\s|$|[?,.!])", needs=("with",)),
    lazy(
        r"(?:带有|带着|打了|打上|有)\s*[“\"]?([a-z0-9\u4e00-\u9fff][\w\u4e00-\u9fff-]{0,20}?)[”\"]?\s*标签",
        needs=("标签",),
    ),
    lazy(r"(?<![a-z0-9])([a-z0-9][\w-]{0,30})\s*标签", needs=("标签",)),
    lazy(r"[“\"]([^”\"]{1,20})[”\"]\s*标签", needs=("标签",)),
    lazy(rf"标签(?:为|是)\s*{_TAG_WORD}(?=的|客户|$|\s|[?？,，。])", needs=("标签",)),
)


# Every tag pattern holds one of these words (the question is in lower case, as the patterns).
_TAG_WORDS = ("tag", "label", "标签")


def _scan_tags(s: Scan) -> None:
    """A tag named in the question selects the customers carrying it (docs/metrics.md: tags select customers)."""
    if not any(word in s.text for word in _TAG_WORDS):
        return  # no pattern can match: none is compiled (their classes of Chinese characters take ~5 ms)
    for pattern in _TAG_PATTERNS:
        for m in pattern.finditer(s.text):
            if m.group(1) and m.group(1) not in _NOT_TAGS and s.free(m.start(), m.end()):
                s.claim(m.start(), m.end(), "tag", m.group(1))
                return
