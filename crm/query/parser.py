"""The offline question parser: English and Chinese questions into the typed IR by tokenising and slot filling.

How it works (no sentence templates):
1. normalise (NFKC full-width to ASCII, lower case, Chinese and English number words to digits);
2. safety guards first (SQL, bulk contact details, jokes, forecasts): those get a clarifying reply;
3. action intents (reminders, drafts) and customer look-ups, which carry free text;
4. slot filling: periods, group-by, top-N, platforms, countries, segments, lifecycle, metrics and filler words
   each claim their span of the text (longest phrase first);
5. whatever is left must be filler: an unknown word, two metrics, two periods or two platforms mean the
   question is not understood well enough, and the answer is a `Clarify` with examples, never a guess.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from crm.outreach.offer import find_offer
from crm.query import vocab
from crm.query.ir import (
    STATUS_METRICS,
    Clarify,
    CLVQuery,
    CohortQuery,
    CustomerListQuery,
    CustomerQuery,
    DraftQuery,
    Filters,
    LifecycleQuery,
    MetricQuery,
    ParsedQuestion,
    Period,
    ReminderQuery,
    SegmentsQuery,
    TopCustomersQuery,
)
from crm.query.kinds import (
    cohort_cell,
    customer_list,
    scan_cohort_offset,
    scan_inactivity,
    side_by_side,
    wants_file,
)
from crm.query.names import NameIndex, named_customer
from crm.query.periods import BAD_DATE, FUTURE, MONTHS, SAME_PERIOD, _Periods, day_first_readings

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

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


# ----------------------------------------------------------------------------------------------------------
# normalisation
# ----------------------------------------------------------------------------------------------------------
_ZH_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "俩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000}
_ZH_NUM = "零〇一二两俩三四五六七八九十百千"
# A Chinese numeral counts as a number only next to a counter or unit word, so 一般 (general) stays a word.
_ZH_NUM_BEFORE = r"(?=\s*(?:个|名|位|天|日|周|星期|礼拜|月|年|季度|季|笔|单|家|大|强))"
_ZH_NUM_RE = re.compile(rf"(?:(?<=前)|(?<=第)|(?<=近)|(?<=过去)|(?<=最近))?([{_ZH_NUM}]+){_ZH_NUM_BEFORE}")
# 前 of 目前/当前/以前/之前 is not "top": "目前一共" is "so far, in all"
_ZH_NUM_AFTER_RE = re.compile(rf"(?<!目前)(?<!当前)(?<!以前)(?<!之前)(?<!提前)(?<=前|第|近)([{_ZH_NUM}]+)")


def zh_numeral(s: str) -> int | None:
    """二十五 -> 25, 十 -> 10, 二〇二五 -> 2025, 两 -> 2; None when it is not a numeral."""
    if not s or any(ch not in _ZH_DIGITS and ch not in _ZH_UNITS for ch in s):
        return None
    if not any(ch in _ZH_UNITS for ch in s):  # digit by digit: 二〇二五
        return int("".join(str(_ZH_DIGITS[ch]) for ch in s))
    total, cur = 0, 0
    for ch in s:
        if ch in _ZH_DIGITS:
            cur = _ZH_DIGITS[ch]
        else:
            total += (cur or 1) * _ZH_UNITS[ch]
            cur = 0
    return total + cur


_EN_SMALL = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}
_EN_TENS = {
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "twenty": 20,
}
_EN_NUM_RE = re.compile(
    r"\b(?:(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[\s-](one|two|three|four|five|six|seven|"
    r"eight|nine))?|(zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen)|(a|one) hundred)\b"
)


def _en_number(m: re.Match[str]) -> str:
    if m.group(1):
        return str(_EN_TENS[m.group(1)] + (_EN_SMALL[m.group(2)] if m.group(2) else 0))
    if m.group(3):
        return str(_EN_SMALL[m.group(3)])
    return "100"


# Traditional characters of the question vocabulary, one for one (so positions in the text do not move).
_TRADITIONAL = str.maketrans(
    "個們這單數額銷營訂購買戶顧賣錢價統計總級發歡過來後幾對與國馬亞賓蝦贊達遜灣臺韓門東種復終層類細時間嗎麼還請幫給說"
    "電話碼郵聯測預報圖區場歷積體頭週齊潛實際費貨運評優論盤長減漲選擇僅誰標籤業績",
    "个们这单数额销营订购买户顾卖钱价统计总级发欢过来后几对与国马亚宾虾赞达逊湾台韩门东种复终层类细时间吗么还请帮给说"
    "电话码邮联测预报图区场历积体头周齐潜实际费货运评优论盘长减涨选择仅谁标签业绩",
)


def simplified(text: str) -> str:
    """Traditional characters the parser knows, as simplified ones (same length)."""
    return text.translate(_TRADITIONAL)


_SHORTHAND = {
    "avg": "average",
    "wk": "week",
    "wks": "weeks",
    "mth": "month",
    "mths": "months",
    "mnth": "month",
    "mnths": "months",
    "qtr": "quarter",
    "qtrs": "quarters",
    "yr": "year",
    "yrs": "years",
    "rn": "now",
    "thx": "thanks",
}
_SHORTHAND_RE = re.compile(
    r"(?<![a-z0-9])(?:" + "|".join(sorted(_SHORTHAND, key=len, reverse=True)) + r")(?![a-z0-9])"
)


_OVER = {"w": "week", "m": "month", "q": "quarter", "y": "year"}
_OVER_RE = re.compile(r"(?<![a-z0-9/])([wmqy])/\1(?![a-z0-9/])")


def normalise(text: str) -> str:
    """NFKC (full-width to ASCII), simplified Chinese, lower case, numbers as digits, one space between words."""
    t = simplified(unicodedata.normalize("NFKC", text))
    t = t.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    t = t.replace("\u3002", ".").replace("\u3001", ",").replace("\u00a0", " ")
    t = t.lower()

    def zh(m: re.Match[str]) -> str:
        n = zh_numeral(m.group(1))
        return str(n) if n is not None else m.group(1)

    # 上一个月 / 上一季度 / 下一年 are "last/next", not "1 month"
    t = re.sub(r"(上|下)一(个)?(?=月|季|年|周|星期|礼拜)", lambda m: m.group(1) + (m.group(2) or ""), t)
    t = _ZH_NUM_RE.sub(zh, t)
    t = _ZH_NUM_AFTER_RE.sub(zh, t)
    # "one" in "which one" / "no one" is not a number worth converting
    t = _EN_NUM_RE.sub(
        lambda m: (
            m.group(0)
            if m.group(0) == "one" and re.search(r"\b(which|no|any|every|some)\s+$", t[: m.start()])
            else _en_number(m)
        ),
        t,
    )
    # Chat shorthand sellers type: "aov this yr", "orders last wk", "revenue last qtr", "sales rn".
    t = _SHORTHAND_RE.sub(lambda m: _SHORTHAND[m.group(0)], t)
    t = _OVER_RE.sub(lambda m: _OVER[m.group(1)] + " over " + _OVER[m.group(1)], t)  # "w/w", "m/m", "y/y"
    # "ebay9月", "shopee2025年": a word written against a Chinese date is still a word ("q3", "h1", "top10" stay)
    t = re.sub(r"(?<=[a-z]{2})(?=\d+\s*(?:年|月|日|号|天|周|季|个|位|名))", " ", t)
    t = re.sub(r"\s+", " ", t).strip()
    return t


# ----------------------------------------------------------------------------------------------------------
# span claiming
# ----------------------------------------------------------------------------------------------------------
@dataclass
class Slot:
    kind: str
    value: Any
    start: int
    end: int
    text: str


@dataclass
class Scan:
    text: str
    slots: list[Slot] = field(default_factory=list)
    taken: list[bool] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.taken = [False] * len(self.text)

    def free(self, start: int, end: int) -> bool:
        return not any(self.taken[start:end])

    def claim(self, start: int, end: int, kind: str, value: Any) -> Slot | None:
        if start >= end or not self.free(start, end):
            return None
        for i in range(start, end):
            self.taken[i] = True
        slot = Slot(kind, value, start, end, self.text[start:end])
        self.slots.append(slot)
        return slot

    def of(self, kind: str) -> list[Slot]:
        return [s for s in self.slots if s.kind == kind]

    def values(self, kind: str) -> list[Any]:
        out: list[Any] = []
        for s in self.slots:
            if s.kind == kind and s.value not in out:
                out.append(s.value)
        return out

    def has(self, kind: str) -> bool:
        return any(s.kind == kind for s in self.slots)

    def merge(self, parts: list[Slot], start: int, end: int, kind: str, value: Any) -> None:
        """Replace `parts` by one slot over [start, end) (the text between them must be unclaimed)."""
        for part in parts:
            self.slots.remove(part)
        for i in range(start, end):
            self.taken[i] = True
        self.slots.append(Slot(kind, value, start, end, self.text[start:end]))

    def leftover(self) -> str:
        return "".join(" " if self.taken[i] else ch for i, ch in enumerate(self.text))


def _phrase_pattern(phrase: str) -> str:
    esc = re.escape(phrase)
    if phrase[:1].isascii() and (phrase[:1].isalnum()):
        esc = r"(?<![a-z0-9])" + esc
    if phrase[-1:].isascii() and (phrase[-1:].isalnum() or phrase[-1:] == "."):
        esc = esc + r"(?![a-z0-9])"
    return esc


@lru_cache(maxsize=1)
def _lexicon() -> list[tuple[re.Pattern[str], str, Any, str]]:
    """All phrases as (regex, kind, value, length), longest first; ties keep the order of kinds below."""
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
        out.append((re.compile(_phrase_pattern(phrase.lower())), kind, value, phrase.lower(), order))
    out.sort(key=lambda e: (-len(e[3]), e[4]))
    return [(p, k, v, text) for p, k, v, text, _ in out]


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
)
_FILLER_ZH_SORTED = sorted(set(FILLER_ZH), key=len, reverse=True)


# ----------------------------------------------------------------------------------------------------------
# guards
# ----------------------------------------------------------------------------------------------------------
_SQL_RE = re.compile(
    r"\b(drop|truncate|alter|delete|insert|update|grant|revoke|create)\s+(table|database|schema|from|into|index|"
    r"view|user|all)\b|\bselect\s+.+\s+from\s+\w+|\bunion\s+select\b|;\s*--|\bexec\s*\(|\bxp_\w+|"
    r"\bwhere\s+1\s*=\s*1\b|'\s*or\s+'?1'?\s*=\s*'?1|\b(?:delete|remove|wipe|erase|purge)\s+(?:all\s+|every\s+)?"
    r"(?:the\s+|my\s+|our\s+)?(?:customers|orders|data|database|records|tables?)\b|删除|删掉|清空|清除所有|抹掉|"
    r"\bdrop\s+(?:the\s+)?(?:table|database|schema|index|view|all|everything|customers|orders)\b"
)
_PII_FIELD_RE = re.compile(
    r"\b(?:phone|phones|phone numbers?|mobile|mobiles|cell|cellphone|telephone|whatsapp|e-?mails?|email address|"
    r"addresses|address|contact details|contact info|contacts|contact information|ic number|nric|passport|"
    r"credit card|card number|bank account|password|passwords)\b|电话|手机|号码|邮箱|电邮|邮件地址|地址|联系方式|身份证|护照|银行卡|信用卡|密码|微信号"
)
_JOKE_RE = re.compile(
    r"\b(joke|jokes|funny|poem|poetry|song|story|riddle|weather|horoscope|recipe|meaning of life|who are you|"
    r"are you (?:a )?(?:bot|human|real)|your name|how are you|sing|dance|love you|chatgpt|play a game)\b|"
    r"笑话|讲个|段子|天气|写诗|唱歌|你是谁|你叫什么|故事|脑筋急转弯|你好吗|猜谜"
)
_FORECAST_RE = re.compile(
    r"\b(forecast|forecasts|forecasting|predict|prediction|predictions|projection|projections|project(?:ed)?\s+"
    r"(?:sales|revenue)|estimate next|will (?:we|i) (?:make|sell|get|have)|going to (?:make|sell|be))\b|"
    r"预测|预估|预计|展望|将会|会有多少"
)
_HELP_RE = re.compile(
    r"^(?:/?help|what can you do|what can i ask(?: you)?|what do you do|how do(?:es)? (?:this|it|you) "
    r"work|who are you|你能做什么|你会什么|你可以做什么|能问什么|可以问什么|帮助|怎么用|使用说明)[\s?!.]*$"
)
_GREETING_RE = re.compile(
    r"^(hi|hello|hey|yo|good (?:morning|afternoon|evening)|thanks|thank you|你好|您好|嗨|"
    r"谢谢|早上好|晚上好)[\s!.?]*$"
)


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


def _database_command(language: str) -> Clarify:
    return _clarify(
        "unsafe",
        language,
        "I only answer questions about your customers and sales; I can't run database commands.",
        "我只回答关于客户和销售的问题，不能执行数据库命令。",
    )


def database_command_refusal(text: str, language: str) -> Clarify | None:
    """The reply to text that reads as a database command ("drop table customers"), else None.

    The compiler asks this of a look-up that found no customer: "who is x'); DROP TABLE customers;--" is a
    look-up when such a customer exists, and is declined like the bare command when none does."""
    return _database_command(language) if _SQL_RE.search(normalise(text)) else None


def _guards(t: str, language: str) -> Clarify | None:
    if _SQL_RE.search(t):
        return _database_command(language)
    if _REMINDER_RE.search(t):
        return None  # reminders carry free text (names, phone calls); the reminder path stores it as written
    if _PII_FIELD_RE.search(t):
        return _clarify(
            "unsafe",
            language,
            "I don't send customers' contact details in chat. Look a customer up by name to see their "
            "profile, or export from your platform.",
            "我不会在聊天中发送客户的联系方式。可以按姓名查询单个客户的资料，或从平台后台导出。",
            ["who is Tan Wei Ling"] if language == "en" else ["客户 王小明"],
        )
    if _HELP_RE.match(t):
        return _clarify(
            "out_of_scope",
            language,
            "I answer questions about your sales and customers, in English or Chinese. For example:",
            "我可以用中文或英文回答关于销售和客户的问题，例如：",
        )
    if _JOKE_RE.search(t) or _GREETING_RE.match(t):
        return _clarify(
            "out_of_scope",
            language,
            "I'm your sales and customer assistant, so I can't help with that.",
            "我是你的销售和客户助手，这个我帮不上忙。",
        )
    predicted = [
        p
        for k in ("clv_word", "churn_risk_word", "expected_purchases_word", "p_alive_word")
        for p in _EXTRA[k]
    ]
    if _FORECAST_RE.search(t) and not any(p in t for p in predicted):
        return _clarify(
            "out_of_scope",
            language,
            "I don't forecast sales. I can report what happened, and predicted customer lifetime value.",
            "我不做销售预测。我可以报告历史数据，以及客户的预测终身价值。",
            ["revenue by month this year", "top 10 customers by predicted CLV"]
            if language == "en"
            else ["今年每月的销售额", "预测终身价值最高的10个客户"],
        )
    return None


# ----------------------------------------------------------------------------------------------------------
# reminders, drafts, customer look-ups
# ----------------------------------------------------------------------------------------------------------
_REMINDER_RE = re.compile(
    r"\bremind me\b|\bset (?:a |an )?reminder\b|\breminder\b.*\b(?:to|for|at|on|tomorrow)\b|"
    r"^remind\b|提醒我|设置提醒|设个提醒|设一个提醒|记得提醒|添加提醒"
)
_DRAFT_RE = re.compile(
    r"\b(draft|compose|write|prepare)\b.*\b(message|msg|note|email|text|reply|greeting|greetings|letter|"
    r"promo|promotion|dm|whatsapp|voucher|thank[- ]you|wishes)\b|^(draft|compose)\b|"
    r"\b(write|send)\s+(?:a |an )?(thank[- ]you|win-?back|welcome|follow[- ]up)\b|"
    r"起草|草拟|拟一|写一条|写一封|写个|写条|帮我写|写一段|撰写|写一份"
)
_DRAFT_LANG = {
    "english": "en",
    "chinese": "zh",
    "mandarin": "zh",
    "malay": "ms",
    "bahasa": "ms",
    "thai": "th",
    "indonesian": "id",
    "vietnamese": "vi",
    "英文": "en",
    "英语": "en",
    "中文": "zh",
    "华语": "zh",
    "马来语": "ms",
    "马来文": "ms",
    "泰语": "th",
    "泰文": "th",
    "印尼语": "id",
    "越南语": "vi",
}


_ORDERED_RE = re.compile(
    r"\b(?:ordered|order|orders|bought|buying|purchased|purchasing|shopped|placed|active|"
    r"buyers?)\b|下单|购买|买过|下过单|消费过|活跃"
)


def _draft(raw: str, t: str, language: str, local: datetime) -> DraftQuery:
    brief = raw.strip()[:500]
    offer = find_offer(raw, now=local, timezone=getattr(local.tzinfo, "key", "UTC"))
    if offer:  # "with code VIP10, 10% off until 30 Nov" is the offer, not part of a name
        raw, t = offer.rest, normalise(offer.rest)
    outreach = "custom"
    best = 0
    for kind, phrases in vocab.OUTREACH_PHRASES.items():
        for ph in phrases:
            if re.search(_phrase_pattern(ph), t) and len(ph) > best:
                outreach, best = kind, len(ph)
    festival = None
    if outreach == "festival":
        for ph in vocab.OUTREACH_PHRASES["festival"]:
            if ph not in ("festival", "holiday", "greetings", "节日") and re.search(_phrase_pattern(ph), t):
                festival = ph
                break
    lang = None
    for word, code in _DRAFT_LANG.items():
        said = rf"\b(?:in|用)\s*{re.escape(word)}\b" if word.isascii() else rf"(?:用)?{re.escape(word)}"
        if re.search(said, t):
            lang = code
            # "in Thai" names the message's language, not a country filter nor part of the customer's name
            t = re.sub(said, " ", t).strip()
    segment = None
    s = Scan(t)
    _scan_lexicon(s)
    segs = s.values("segment")
    if len(segs) == 1:
        segment = segs[0]
    platforms = s.values("platform")
    countries = s.values("country")
    customer = None
    m = re.search(r"\b(?:to|for)\s+(?:customer\s+)?([a-z][\w'.-]*(?:\s+[a-z][\w'.-]*){0,3})\s*$", t)
    if m and not segment:
        cand = m.group(1)
        if _looks_like_name(cand):
            customer = _original_case(raw, cand)
    m = re.search(
        r"给\s*(?:客户)?\s*([\u4e00-\u9fff]{2,4}|[A-Za-z][\w .'-]{1,40}?)\s*(?:写|发|起草|草拟)", raw
    )
    if m and not segment and not customer:
        cand = m.group(1).strip()
        if _looks_like_name(cand.lower()):
            customer = cand
    filters = Filters(
        platform=platforms[0] if len(platforms) == 1 else None,
        country=countries[0] if len(countries) == 1 else None,
    )
    return DraftQuery(
        outreach=outreach,
        customer=customer,
        segment=segment,
        filters=filters,
        language=lang,
        brief=brief,
        festival=festival,
        coupon=offer.coupon,
        discount=offer.discount,
        expires=offer.expires,
    )


def _original_case(raw: str, lowered: str) -> str:
    nraw = unicodedata.normalize("NFKC", raw)
    i = simplified(nraw.lower()).find(lowered)
    return nraw[i : i + len(lowered)].strip() if i >= 0 else lowered.title()


def _looks_like_name(cand: str) -> bool:
    """A candidate customer name must contain none of the parser's vocabulary (metrics, periods, fillers)."""
    cand = cand.strip(" ?!.,:;'\"")
    if not cand or len(cand) > 80:
        return False
    s = Scan(cand)
    _Periods(date(2026, 1, 1), datetime(2026, 1, 1)).scan(s)
    _scan_lexicon(s)
    # countries and platforms are also people's names (Jordan, Georgia, Amazon): only other vocabulary rejects
    if any(sl.kind not in ("country", "platform") for sl in s.slots):
        return False
    if s.slots and all(s.taken[i] or not cand[i].strip() for i in range(len(cand))):
        return False
    if CJK.search(cand):
        rest = cand
        for w in (
            "的",
            "是",
            "谁",
            "吗",
            "呢",
            "查",
            "客户",
            "资料",
            "信息",
            "情况",
            "一共",
            "总共",
            "累计",
            "总计",
        ):
            rest = rest.replace(w, "")
        return len(rest) >= 2 and rest == cand
    words = re.findall(r"[a-z0-9@._+-]+", cand)
    return bool(words) and not any(w in FILLER_EN or w in _NAME_STOP for w in words)


_NAME_STOP = frozenset(
    [
        "top",
        "best",
        "most",
        "many",
        "much",
        "how",
        "what",
        "which",
        "who",
        "when",
        "where",
        "why",
        "rate",
        "sales",
        "revenue",
        "orders",
        "order",
        "month",
        "year",
        "quarter",
        "week",
        "day",
        "last",
        "this",
        "next",
        "segment",
        "segments",
        "customers",
        "buyers",
    ]
)  # noqa: SIM905 - a word list reads best as text

_LOOKUP_EN = [
    re.compile(
        r"^(?:who\s+is|who's|whos|tell me about|show me|show|look\s*up|lookup|find|search(?:\s+for)?|"
        r"profile(?:\s+of|\s+for)?|details\s+(?:of|for)|info(?:rmation)?\s+(?:on|about|for))\s+"
        r"(?:the\s+)?(?:customer|buyer|client)?\s*[:#]?\s*(.+?)[?.!\s]*$"
    ),
    re.compile(r"^(?:customer|buyer|client)\s*[:#]?\s+(.+?)[?.!\s]*$"),
    re.compile(
        r"^(?:please\s+|can you\s+|could you\s+)?(?:pull\s+up|bring\s+up|open(?:\s+up)?|get(?:\s+me)?|give\s+me|"
        r"show\s+me|show|display|check)\s+(?:the\s+)?(?:customer\s+)?(.+?)'s\s+(?:profile|details|card|history|"
        r"orders|info|record|purchases|spend)[?.!\s]*$"
    ),
    # what one customer bought: their card lists their orders
    re.compile(
        r"^what\s+(?:did|has|have)\s+(?:customer\s+)?(.+?)\s+(?:buy|bought|order|ordered|purchase|purchased)"
        r"(?:\s+(?:from\s+us|with\s+us|so\s+far))?[?.!\s]*$"
    ),
    re.compile(
        r"^(.+?)'s\s+(?:profile|details|history|orders|info|clv|ltv|lifetime\s+value|predicted\s+clv|"
        r"spend|spending|purchases|churn\s+risk|risk\s+of\s+churn(?:ing)?|p\s*\(\s*alive\s*\)|"
        r"chance\s+of\s+(?:coming\s+back|returning|buying\s+again)|segment|rfm(?:\s+segment)?)[?.!\s]*$"
    ),
    # One customer's value or spend: their card has orders, spend and predicted CLV.
    re.compile(
        r"^how\s+much\s+(?:has|did|does|have)\s+(?:customer\s+)?(.+?)\s+(?:spend|spent|bought|buy)"
        r"(?:\s+(?:in\s+total|so\s+far|overall|altogether|with\s+us))?[?.!\s]*$"
    ),
    re.compile(
        r"^(?:what\s+is\s+|what's\s+)?(?:the\s+)?(?:predicted\s+)?(?:clv|ltv|lifetime\s+value|"
        r"customer\s+lifetime\s+value|total\s+spend|order\s+history|purchase\s+history|churn\s+risk|"
        r"p\s*\(\s*alive\s*\)|probability\s+(?:of\s+being\s+)?alive|rfm\s+segment|segment)\s+(?:of|for)\s+"
        r"(?:customer\s+)?(.+?)[?.!\s]*$"
    ),
]
_LOOKUP_ZH = [
    re.compile(
        r"^(?:请)?(?:帮我)?(?:查一下|查询|查找|查|找一下|找|搜索|看看|看一下)?\s*(?:客户|买家|顾客)\s*[::]?\s+"
        r"(.+?)\s*(?:的)?(?:资料|信息|情况|档案|详情)?[??。!!\s]*$"
    ),
    re.compile(
        r"^(?:请)?(?:帮我)?(?:查一下|查询|查找|查|找一下|找|搜索)\s*(?:客户|买家|顾客)?\s*[::]?\s*"
        r"(.+?)\s*(?:的)?(?:资料|信息|情况|档案|详情)?[??。!!\s]*$"
    ),
    re.compile(r"^(?:客户|买家|顾客)\s*[::]\s*(.+?)[??。!!\s]*$"),
    re.compile(r"^(.+?)\s*是谁[??。!!\s]*$"),
    re.compile(
        r"^(?:客户|买家|顾客)?\s*(.+?)\s*(?:在我们这里?|在店里)?\s*(?:一共|总共|累计|总计)?\s*"
        r"(?:花了|花费了|消费了|买了)\s*多少(?:钱)?[??。!!\s]*$"
    ),
    re.compile(
        r"^(?:客户|买家|顾客)?\s*(.+?)\s*(?:都)?(?:买了|购买了|买过|下单了|订了)\s*(?:些)?(?:什么|哪些)(?:东西|商品)?[??。!!\s]*$"
    ),
    re.compile(r"^谁是\s*(.+?)[??。!!\s]*$"),
    re.compile(
        r"^(.+?)\s*的(?:资料|信息|档案|详情|客户资料|流失风险|存活概率|活跃概率|预测\s*clv|clv|"
        r"预测(?:客户)?终身价值|客户终身价值|终身价值|分群|rfm\s*分群)[??。!!\s]*$"
    ),
]


# Which number of one customer a look-up asks for, from the words around the name (first match wins).
_ASPECTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("churn_risk", re.compile(r"churn|流失")),
    (
        "p_alive",
        re.compile(r"p\s*\(\s*alive\s*\)|alive|coming\s+back|returning|buying\s+again|存活|活跃概率"),
    ),
    ("predicted_clv", re.compile(r"predicted|projected|expected|future|预测|预计")),
    ("clv", re.compile(r"clv|cltv")),
    (
        "spend",
        re.compile(r"ltv|lifetime\s+value|spen[dt]|spending|how\s+much|total|终身价值|花了|花费|消费|多少钱"),
    ),
    ("segment", re.compile(r"segment|分群")),
)


def _aspect(t: str, name_start: int, name_end: int) -> str:
    around = t[:name_start] + " " + t[name_end:]
    for aspect, rx in _ASPECTS:
        if rx.search(around):
            return aspect
    return "card"


def _lookup(raw: str, t: str) -> CustomerQuery | None:
    nraw = unicodedata.normalize("NFKC", raw).strip()
    for rx in _LOOKUP_EN + _LOOKUP_ZH:
        m = rx.match(t)
        if not m:
            continue
        cand = m.group(1).strip(" ?!.,:;'\"")
        if _looks_like_name(cand):
            # keep the user's capitalisation; also accept e-mail-like or order-number-like searches
            i = simplified(nraw.lower()).find(cand)
            return CustomerQuery(
                search=nraw[i : i + len(cand)] if i >= 0 else cand, aspect=_aspect(t, *m.span(1))
            )
    return None


def _lookup_of_command_text(raw: str, t: str, language: str) -> CustomerQuery | None:
    """A look-up ("who is X", "X's profile", "客户 X") whose name X holds all the database-command text.

    Names are the buyers' own text and can hold anything ("Robert'); DROP TABLE customers;--"); nothing runs
    it (the look-up is a parameterised query), so such a look-up goes ahead, and the compiler declines it as a
    database command only when no customer matches. Command text outside the name is declined here as ever."""
    commands = list(_SQL_RE.finditer(t))
    nraw = unicodedata.normalize("NFKC", raw).strip()
    for rx in _LOOKUP_EN + _LOOKUP_ZH:
        m = rx.match(t)
        if not m:
            continue
        start, end = m.span(1)
        if not all(start <= c.start() and c.end() <= end for c in commands):
            continue
        cand = m.group(1).strip(" ?!.,:;'\"")
        if not cand or len(cand) > 200 or _guards(f"{t[:start]} {t[end:]}", language) is not None:
            continue
        i = simplified(nraw.lower()).find(cand)
        return CustomerQuery(search=nraw[i : i + len(cand)] if i >= 0 else cand)
    return None


# ----------------------------------------------------------------------------------------------------------
# slot filling
# ----------------------------------------------------------------------------------------------------------
_GROUP_PATTERNS: list[tuple[str, str]] = [
    (
        (
            r"(?:broken down |split |breakdown |grouped |group |sorted |ranked )?(?:by|per|for each|for every|each|every|across|"
            r"across all|among|between|in each|in every)\s+(?:the\s+)?(?:different\s+)?(?:sales\s+)?"
            r"(platforms?|channels?|marketplaces?)(?![a-z])"
        ),
        "platform",
    ),
    (
        r"(?:platform|channel|marketplace)(?:[\s-]by[\s-]platform)?\s+(?:breakdown|split|mix|comparison|distribution)",
        "platform",
    ),
    (r"which\s+(?:platform|channel|marketplace)s?", "platform"),
    (
        (
            r"按平台|分平台|各平台|各个平台|每个平台|不同平台|平台分布|按渠道|各渠道|分渠道|每个渠道|哪个平台|平台别|按照平台|"
            r"各大平台"
        ),
        "platform",
    ),
    (
        (
            r"(?:broken down |split |breakdown |grouped |group |sorted |ranked )?(?:by|per|for each|for every|each|every|"
            r"across|across all|in each|in every|among)\s+(?:the\s+)?(?:different\s+)?(?:countries|country|markets?|regions?)"
            r"(?![a-z])"
        ),
        "country",
    ),
    (
        r"(?:country|countries|market|regional)\s+(?:breakdown|split|mix|distribution)|which\s+(?:country|countries)",
        "country",
    ),
    (
        (
            r"按国家|分国家|各国家|各个国家|每个国家|不同国家|国家分布|按地区|各地区|分地区|每个地区|各国|哪个国家|按照国家|"
            r"各市场|按市场|分市场"
        ),
        "country",
    ),
    (
        (
            r"(?:broken down |split |breakdown |grouped |group )?(?:by|per|for each|for every|each|every|in each)\s+"
            r"(?:calendar\s+)?month(?![a-z])|monthly|month[\s-]by[\s-]month|month over month breakdown|"
            r"每月|每个月|按月|逐月|月度|分月|各月|按月份|每一个月|各个月"
        ),
        "month",
    ),
    (
        (
            r"(?:broken down |split |breakdown |grouped |group )?(?:by|per|for each|for every|each|every|in each)\s+"
            r"quarter(?![a-z])|quarterly|quarter[\s-]by[\s-]quarter|每季度|每个季度|按季度|逐季|季度分布|各季度|分季度"
        ),
        "quarter",
    ),
    (
        (
            r"(?:broken down |split |breakdown |grouped |group )?(?:by|per|for each|for every|each|every|in each)\s+"
            r"year(?![a-z])|yearly|annually|annual|year[\s-]by[\s-]year|每年|按年|逐年|年度分布|各年|分年"
        ),
        "year",
    ),
    (
        (
            r"(?:by|per|for each|for every|each|every|across)\s+(?:rfm\s+)?segments?(?![a-z])|按分群|按分层|各分群|各分层|"
            r"每个分群|按客户分层|按细分"
        ),
        "segment",
    ),
]

_TOP_N_PATTERNS = [
    r"(?:top|best|biggest|largest|highest|leading|first|most valuable|heaviest)\s*[-]?\s*(\d{1,3})(?![\d])",
    (
        r"(?<![\d.])(\d{1,3})\s+(?:top|best|biggest|largest|highest|leading|most valuable|heaviest|highest-spending|"
        r"biggest-spending|most loyal|most frequent)(?![a-z])"
    ),
    r"(?:排名)?前\s*(\d{1,3})\s*(?:名|位|个|大|强)?",
    r"(?<![\d.])(\d{1,3})\s*(?:个|位|名|大)\s*(?:客户|买家|顾客|客人|用户)",
    # "10个消费最多的客户", "5位下单最多的买家": the count before the ranking words
    r"(?<![\d.])(\d{1,3})\s*(?:个|位|名)(?=[\u4e00-\u9fff]{0,10}?最[\u4e00-\u9fff]{0,6}?(?:客户|买家|顾客|客人|用户))",
    r"(?<![\d.])(\d{1,3})\s+(?:customers|buyers|clients|shoppers|people|spenders)(?![a-z])",
    r"top\s*(\d{1,3})",
]


def _scan_lexicon(s: Scan) -> None:
    for rx, kind, value, phrase in _lexicon():
        if phrase not in s.text:  # cheap test first: most phrases are not in a short question
            continue
        for m in rx.finditer(s.text):
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


def _leftover(s: Scan) -> _Leftover:
    rest = s.leftover()
    numbers = [int(x) for x in re.findall(r"(?<![a-z])\d+(?![a-z])", rest)]
    words = [w for w in re.findall(r"[a-z][a-z'-]*", rest) if w.strip("'-")]
    unknown = []
    for w in words:
        w = w.strip("'-")
        parts = [p for p in re.split(r"['-]", w) if p]
        if all(p in FILLER_EN for p in parts):
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


def _period_or_none(periods: list[Any]) -> Period | None:
    return periods[0] if periods else None


def parse_question(
    text: str,
    *,
    as_of: datetime | None = None,
    timezone: str = "Asia/Singapore",
    names: NameIndex | None = None,
) -> ParsedQuestion:
    """Parse one question into the IR offline; anything not clearly understood becomes a `Clarify`.

    `names` (the workspace's customer names, crm.query.names) lets a known name be read with no look-up words."""
    tz = ZoneInfo(timezone)
    if as_of is None:
        as_of = datetime.now(tz)
    if as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=tz)
    local = as_of.astimezone(tz)
    ref = (local - timedelta(microseconds=1)).date()
    language = "zh" if CJK.search(text or "") else "en"
    query = _parse(text or "", language, ref, local, names)
    if not isinstance(query, Clarify):
        # "1/10" could be either order: it was read day first, and the answer says so
        readings = day_first_readings(normalise(text or ""), language)
        return ParsedQuestion(query=query, language=language, parser="offline", corrections=readings)
    if query.reason == "unknown":
        # A misspelt vocabulary word ("revnue", "quater", "novmber"): read it as the word it is closest to, only
        # when that reading is then understood, and say so in the answer.
        fixed = _respelt(text or "")
        if fixed is not None:
            again = _parse(fixed[0], language, ref, local, names)
            if not isinstance(again, Clarify):
                return ParsedQuestion(query=again, language=language, parser="offline", corrections=fixed[1])
    return ParsedQuestion(query=query, language=language, parser="offline")


def _respelt(raw: str) -> tuple[str, list[tuple[str, str]]] | None:
    """The question with each unknown English word of 4+ letters replaced by the vocabulary word it is closest
    to (edit similarity >= 80%), and the replacements; None when nothing is close. Numbers, dates and names
    that match nothing are left alone; the caller keeps the reading only when it is then understood."""
    from rapidfuzz import fuzz, process  # only for questions not understood as written

    words = _spelling_words()
    fixes: list[tuple[str, str]] = []
    out = raw
    for word in dict.fromkeys(re.findall(r"[A-Za-z]{4,}", raw)):
        low = word.lower()
        if low in words or low in FILLER_EN:  # known as written
            continue
        best = process.extractOne(low, words, scorer=fuzz.ratio, score_cutoff=80)
        if best is not None:
            fixes.append((word, best[0]))
            out = re.sub(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", best[0], out)
    return (out, fixes) if fixes else None


@lru_cache(maxsize=1)
def _spelling_words() -> frozenset[str]:
    """Every English word of 4+ letters the parser's vocabulary is made of (metrics, platforms, segments,
    stages, periods, countries, the other question words), filler words aside."""
    phrases: list[str] = [
        *MONTHS,
        "quarter",
        "quarters",
        "month",
        "months",
        "week",
        "weeks",
        "year",
        "years",
        "today",
        "yesterday",
        "previous",
        "past",
        "last",
        "this",
        "days",
        "since",
        "until",
    ]
    for table in (
        vocab.METRIC_PHRASES,
        vocab.PLATFORM_PHRASES,
        vocab.SEGMENT_PHRASES,
        vocab.LIFECYCLE_PHRASES,
    ):
        for names in table.values():
            phrases += names
    phrases += [*vocab.ENTITY_CUSTOMER_WORDS, *vocab.UNKNOWN_METRIC_PHRASES, *vocab.country_phrases()]
    for names in _EXTRA.values():
        phrases += names
    # Not the filler words: a near-filler word is more likely a thing the parser does not know ("brandd").
    return frozenset(w for p in phrases for w in re.findall(r"[a-z]{4,}", p.lower())) - FILLER_EN


def _parse(raw: str, language: str, ref: date, local: datetime, names: NameIndex | None = None) -> Any:
    zh = language == "zh"
    t = normalise(raw)
    if not re.search(r"[a-z\u3400-\u9fff]", t):
        return _clarify(
            "unknown",
            language,
            "Ask me about your sales and customers, for example:",
            "可以问我关于销售和客户的问题，例如：",
        )
    if len(t) > 300:
        return _clarify(
            "unknown",
            language,
            "That question is too long for me; please ask one thing at a time.",
            "问题太长了，请一次只问一件事。",
        )
    guard = _guards(t, language)
    if guard:
        if guard.reason == "unsafe" and _SQL_RE.search(t):
            return _lookup_of_command_text(raw, t, language) or guard
        return guard
    if _REMINDER_RE.search(t):
        return ReminderQuery(text=raw.strip()[:500])
    if _DRAFT_RE.search(t):
        return _draft(raw, t, language, local)
    found = _lookup(raw, t)
    if found:
        return found
    known = named_customer(t, names, FILLER_EN, FILLER_ZH)  # a known name, whatever the wording around it
    if known is not None and _looks_like_name(t[known[0] : known[1]]):
        return CustomerQuery(search=known[2], aspect=_aspect(t, known[0], known[1]))

    s = Scan(t)
    scan_cohort_offset(s)  # before periods: "next month" after a cohort's first order is not the future
    scan_inactivity(s)  # before periods: "haven't ordered in the last 60 days" is a condition, not a window
    _Periods(ref, local).scan(s)
    for pattern, by in _GROUP_PATTERNS:
        for m in re.finditer(pattern, t):
            s.claim(m.start(), m.end(), "group_by", by)
    top_n: list[int] = []
    for pattern in _TOP_N_PATTERNS:
        for m in re.finditer(pattern, t):
            if s.free(m.start(1), m.end(1)):
                top_n.append(int(m.group(1)))
                # claim the whole phrase so "top"/"前"/"个客户" are not read again
                s.claim(m.start(), m.end(), "top_n", int(m.group(1)))
    _scan_iso_codes(s, raw)
    _scan_tags(s)
    _scan_lexicon(s)
    query = _decide(s, language, zh, ref)
    if (s.has("cohort_offset") and not isinstance(query, (CohortQuery, Clarify))) or (
        s.has("inactive") and not isinstance(query, (CustomerListQuery, Clarify))
    ):
        return _not_understood(language)  # a condition read but not answered: never a number without it
    if isinstance(query, TopCustomersQuery) and wants_file(s):
        return query.model_copy(update={"export": True})  # "export the top 50 customers as csv"
    return query


# "customers tagged vip", "with the tag wholesale", "vip-tagged", "带有vip标签的客户", "标签为批发的客户"
_TAG_WORD = r"[\"'“]?([a-z0-9\u4e00-\u9fff][\w\u4e00-\u9fff-]{0,30}?)[\"'”]?"
_NOT_TAGS = {"customers", "customer", "buyers", "clients", "users", "people", "as", "with", "the", "a", "an"}
_TAG_PATTERNS = (
    re.compile(r"\b([a-z0-9][\w]{0,30}?)-tagged\b"),
    re.compile(rf"\b(?:tagged|labell?ed)(?:\s+as|\s+with)?\s+{_TAG_WORD}(?=\s|$|[?,.!])"),
    re.compile(rf"\bwith\s+(?:the\s+|a\s+)?(?:tag|label)\s+{_TAG_WORD}(?=\s|$|[?,.!])"),
    re.compile(
        r"(?:带有|带着|打了|打上|有)\s*[“\"]?([a-z0-9\u4e00-\u9fff][\w\u4e00-\u9fff-]{0,20}?)[”\"]?\s*标签"
    ),
    re.compile(r"(?<![a-z0-9])([a-z0-9][\w-]{0,30})\s*标签"),
    re.compile(r"[“\"]([^”\"]{1,20})[”\"]\s*标签"),
    re.compile(rf"标签(?:为|是)\s*{_TAG_WORD}(?=的|客户|$|\s|[?？,，。])"),
)


def _scan_tags(s: Scan) -> None:
    """A tag named in the question selects the customers carrying it (docs/metrics.md: tags select customers)."""
    for pattern in _TAG_PATTERNS:
        for m in pattern.finditer(s.text):
            if m.group(1) and m.group(1) not in _NOT_TAGS and s.free(m.start(), m.end()):
                s.claim(m.start(), m.end(), "tag", m.group(1))
                return


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


def _decide(s: Scan, language: str, zh: bool, ref: date) -> Any:
    en = not zh
    periods = s.values("period")
    markers = [p for p in periods if isinstance(p, tuple)]
    periods = [p for p in periods if not isinstance(p, tuple)]
    if any(m[1] != ref for m in markers):
        return _clarify("ambiguous", language, *OTHER_AS_OF_DATE)
    if FUTURE in periods:
        return _clarify(
            "out_of_scope",
            language,
            "That period is in the future: I report on what has already happened.",
            "这个时间段还没到：我只统计已经发生的数据。",
        )
    if SAME_PERIOD in periods:
        return _clarify(
            "ambiguous",
            language,
            'The same period as which one? Name it, e.g. "revenue November 2025", or compare two '
            'periods: "revenue this year vs last year".',
            "请写明具体时间段，例如“2025年11月的销售额”，或对比两个时间段：“今年和去年的销售额对比”。",
            ["revenue this year vs last year"] if en else ["今年和去年的销售额对比"],
        )
    if BAD_DATE in periods:
        return _clarify(
            "ambiguous",
            language,
            "I couldn't read that date; try e.g. 'September 2026' or 'Q3 2026'.",
            "无法识别这个日期，请写成例如“2026年9月”或“2026年第三季度”。",
        )
    compare_to = None
    if len(periods) == 2 and s.has("compare_word") and periods[0] != periods[1]:
        # "this year vs last year": both, side by side (metrics only, below); the later period first, so the
        # change reads from the earlier one to it whichever way the question put them.
        moment = datetime.combine(ref, datetime.min.time(), tzinfo=ZoneInfo("UTC"))
        period, compare_to = sorted(periods, key=lambda p: p.bounds(moment, ZoneInfo("UTC"))[1], reverse=True)
    elif len(periods) > 1:
        return _clarify(
            "ambiguous",
            language,
            "That question names more than one period; which one do you mean?",
            "问题中有多个时间段，请问是哪一个？",
        )
    else:
        period = _period_or_none(periods)

    unknown = s.values("unknown_metric")
    if unknown:
        return _clarify(
            "out_of_scope",
            language,
            f"I can't measure {unknown[0]} from order exports. I can answer revenue, orders, customers, "
            "new customers, average order value, repeat purchase rate, churn rate, lifetime value, "
            "cancellations and returns.",
            f"我无法从订单数据中统计“{unknown[0]}”。我能回答：销售额、订单数、下单客户数、新客户数、客单价、"
            "复购率、流失率、客户终身价值、取消和退货。",
        )
    if s.has("negation_word"):
        return _clarify(
            "ambiguous",
            language,
            "I can't exclude things from a number yet; ask for one platform or "
            "country, or a breakdown by platform or country.",
            "暂时不支持“排除”某一部分;可以只问一个平台或国家，或按平台/国家分组。",
            ["revenue by platform this year"] if en else ["今年按平台的销售额"],
        )

    left = _leftover(s)
    if left.words or left.cjk:
        what = left.words[0] if left.words else left.cjk[:8]
        return _not_understood(language, what)
    if left.numbers:
        return _not_understood(language, str(left.numbers[0]))

    platforms = s.values("platform")
    countries = s.values("country")
    if len(platforms) > 1 or len(countries) > 1:
        by = "platform" if len(platforms) > 1 else "country"
        both = side_by_side(s, by, lambda one: _decide(one, language, zh, ref))
        if both is not None:
            return both
        return _clarify(
            "ambiguous",
            language,
            f"I answer for one {by} at a time, or for all of them side by side.",
            "我一次回答一个平台或国家，或者按平台/国家分组对比。",
            [f"revenue by {by} last month"]
            if en
            else [f"上个月按{'平台' if by == 'platform' else '国家'}的销售额"],
        )
    tags = s.values("tag")
    filters = Filters(
        platform=platforms[0] if platforms else None,
        country=countries[0] if countries else None,
        tag=tags[0] if tags else None,
    )
    if (
        tags
        and period is None
        and s.values("metric") in ([], ["customers"])
        and not s.values("segment")
        and not s.values("lifecycle")
        and not s.values("top_n")
    ):
        period = Period(
            kind="all_time"
        )  # "how many customers are tagged vip": all of them, not the last 90 days
    groups = s.values("group_by")
    if len(groups) > 1:
        return _clarify(
            "ambiguous", language, "I can break a number down one way at a time.", "一次只能按一个维度分组。"
        )
    group_by = groups[0] if groups else None
    if (group_by == "platform" and filters.platform) or (group_by == "country" and filters.country):
        return _clarify(
            "ambiguous",
            language,
            "That asks for one platform and a breakdown by platform at once.",
            "问题里同时指定了一个平台/国家又要求按它分组。",
        )

    metrics = s.values("metric")
    ambiguous_segments = s.values("ambiguous_segment")
    segments = s.values("segment")
    stages = s.values("lifecycle")
    top_n = s.values("top_n")
    is_top = bool(top_n) or s.has("top_word")
    is_most = s.has("most_word") or any(
        sl.kind in ("top_revenue_word", "top_orders_word") and re.search(r"most|最", sl.text)
        for sl in s.slots
    )
    has_count = s.has("count_word")
    ranked = any(s.has(k) for k in ("top_word", "most_word", "top_revenue_word", "top_orders_word"))
    # "最有价值的10个客户": the customers are inside the top-N phrase ("10个客户" alone is no ranking)
    has_entity = s.has("entity") or any(
        (sl.kind == "top_word" or (sl.kind == "top_n" and ranked))
        and re.search(r"customer|buyer|client|spender|shopper|客户|买家|顾客|客人|用户", sl.text)
        for sl in s.slots
    )
    compare = s.has("compare_word")

    if s.has("trend_word"):
        if group_by in (None, "month", "quarter", "year") and not is_top:
            group_by = group_by or "month"
        else:
            return _not_understood(language)
    if (
        compare
        and group_by in ("platform", "country", "segment")
        and not s.has("change_word")
        and not _compares_a_period(s)
    ):
        compare = False  # "compare platforms" = the breakdown itself; "by platform vs last year" is not
    comparable = (
        compare_to is not None
        and group_by is None
        and len(metrics) == 1
        and not is_top
        and not segments
        and not stages
        and not ambiguous_segments
    )
    if (compare or s.has("change_word") or compare_to is not None) and not comparable:
        return _clarify(
            "ambiguous",
            language,
            'I compare one number over two named periods, e.g. "revenue this year vs last year"; not '
            "breakdowns or lists. Name both periods, or ask for a monthly breakdown.",
            "我可以对比一个指标在两个明确时间段的数值，例如“今年和去年的销售额对比”，暂不支持分组或名单的对比。"
            "请写明两个时间段，或按月分组查看。",
            ["revenue this year vs last year", "revenue by month this year"]
            if en
            else ["今年和去年的销售额对比", "今年每月的销售额"],
        )
    if ambiguous_segments:
        segs = ambiguous_segments[0]
        labels = [
            vocab.SEGMENT_LABELS_ZH[x] if zh else vocab.SEGMENT_LABELS_EN[x] + " customers" for x in segs
        ]
        return _clarify(
            "ambiguous",
            language,
            "That can mean more than one customer segment: " + ", ".join(labels) + ". Which one? "
            '(For customers with a tag of that name, say "customers tagged vip".)',
            "这可能指多个客户分群：" + "、".join(labels) + "。请问是哪一个？"
            "（如果指带有该名称标签的客户，请说“带有vip标签的客户”。）",
            [(f"{x}有多少" if zh else f"how many {x}") for x in labels]
            + ["带有vip标签的客户有多少" if zh else "how many customers are tagged vip"],
        )
    if len(segments) > 1 or len(stages) > 1:
        return _clarify(
            "ambiguous",
            language,
            "That names more than one segment; ask about one at a time.",
            "问题中有多个分群，请一次问一个。",
        )

    # predicted value lists ------------------------------------------------------------------------------
    clv_kinds = [
        k for k in ("clv_word", "churn_risk_word", "p_alive_word", "expected_purchases_word") if s.has(k)
    ]
    if clv_kinds:
        if (
            len(clv_kinds) > 1
            or (metrics and not (metrics == ["churn_rate"] and clv_kinds == ["churn_risk_word"]))
            or group_by
            or segments
            or stages
        ):
            return _not_understood(language)
        horizon = 365
        if period is not None:
            return _clarify(
                "ambiguous",
                language,
                "Predicted value is computed from all history up to today; I can't limit it to a period.",
                "预测值基于截至今天的全部历史数据计算，不能限定时间段。",
            )
        sort = {
            "clv_word": "predicted_clv",
            "churn_risk_word": "churn_risk",
            "p_alive_word": "p_alive",
            "expected_purchases_word": "expected_purchases",
        }[clv_kinds[0]]
        n = top_n[0] if top_n else 10
        if not 1 <= n <= 100:
            return _not_understood(language, str(n))
        return CLVQuery(sort_by=sort, n=n, horizon_days=horizon, filters=filters)

    # cohort retention -----------------------------------------------------------------------------------
    if s.has("cohort_word") or s.has("cohort_offset"):
        # "首购客户" names the cohort itself (customers by first order), not a second metric
        if (
            metrics not in ([], ["new_customers"])
            or is_top
            or group_by not in (None, "month")
            or segments
            or stages
        ):
            return _not_understood(language)
        try:
            return cohort_cell(s, period, CohortQuery(period=period, filters=filters)) or (
                _not_understood(language) if metrics else CohortQuery(period=period, filters=filters)
            )
        except ValueError:
            return _clarify(
                "ambiguous",
                language,
                "Which cohort, and how many months after its first order? e.g. "
                '"month-3 retention of the June 2026 cohort".',
                "请写明哪个月的首购客户、首单后第几个月，例如“2026年6月首购客户的次月留存率”。",
                ["month-3 retention of the June 2026 cohort"] if en else ["2026年6月首购客户的次月留存率"],
            )

    if s.has("acquire_verb") and (
        is_top or segments or stages or s.has("segments_overview") or s.has("lifecycle_overview")
    ):
        return _not_understood(
            language
        )  # "top customers we acquired": rankings and segments are not by first order

    # top customers --------------------------------------------------------------------------------------
    asks_who = bool(re.search(r"(?<![a-z])who(?![a-z])|谁|哪位", s.text))
    if (is_top or is_most) and not (has_entity or asks_who) and group_by is None:
        # "top platform by orders", "销售额最高的国家": platforms or countries ranked, not customers
        rest = s.leftover()
        ranked_dim = (
            "platform"
            if re.search(r"(?<![a-z])(?:platforms?|channels?|marketplaces?)(?![a-z])|平台|渠道", rest)
            else "country"
            if re.search(r"(?<![a-z])(?:countries|country|markets?|regions?)(?![a-z])|国家|地区|市场", rest)
            else None
        )
        if ranked_dim and top_n and top_n != [1]:
            return _clarify(
                "ambiguous",
                language,
                f"I rank customers, not {ranked_dim}s; the breakdown by "
                f"{ranked_dim} shows every {ranked_dim} side by side.",
                f"我只对客户排名，不对{'平台' if ranked_dim == 'platform' else '国家'}排名；可以按"
                f"{'平台' if ranked_dim == 'platform' else '国家'}分组查看。",
                [f"revenue by {ranked_dim} last month"]
                if en
                else [f"上个月按{'平台' if ranked_dim == 'platform' else '国家'}的销售额"],
            )
        if ranked_dim:
            group_by = ranked_dim
    if is_top and not (
        has_entity or metrics or asks_who or s.has("top_revenue_word") or s.has("top_orders_word") or group_by
    ):
        return _not_understood(language)  # a bare "top": top what?
    if is_top or (
        is_most
        and (
            has_entity
            or asks_who
            or s.has("top_revenue_word")
            or s.has("top_orders_word")
            or group_by in ("platform", "country")
        )
    ):
        if group_by in ("platform", "country") and not top_n:
            # "which platform has the most orders" / "top countries by revenue" = a breakdown
            implied = list(metrics)
            if s.has("top_revenue_word") and "revenue" not in implied:
                implied.append("revenue")
            if s.has("top_orders_word") and "orders" not in implied:
                implied.append("orders")
            if not implied and has_entity:
                implied = ["customers"]  # "which country has the most customers"
            if len(implied) == 1 and not top_n:
                return _metric(implied[0], period, filters, group_by, language)
            return _not_understood(language)
        if group_by or stages:
            return _not_understood(language)
        sort_keys = set()
        for m in metrics:
            key = {"revenue": "revenue", "orders": "orders", "aov": "aov", "avg_ltv": "revenue"}.get(m)
            if key is None:
                return _not_understood(language)
            sort_keys.add(key)
        if s.has("top_revenue_word"):
            sort_keys.add("revenue")
        if s.has("top_orders_word"):
            sort_keys.add("orders")
        if len(sort_keys) > 1:
            return _clarify(
                "ambiguous",
                language,
                "Top customers by what: spend or number of orders?",
                "按什么排名：消费金额还是订单数？",
                ["top 10 customers by revenue", "top 10 customers by orders"]
                if en
                else ["消费最多的10个客户", "订单最多的10个客户"],
            )
        sort = sort_keys.pop() if sort_keys else "revenue"
        if top_n:
            if len(top_n) > 1:
                return _not_understood(language)
            n = top_n[0]
        else:
            n = 1 if _singular_top(s) else 10
        if not 1 <= n <= 100:
            return _clarify(
                "ambiguous", language, "I can list between 1 and 100 customers.", "我可以列出1到100个客户。"
            )
        if "avg_ltv" in metrics and period is None:
            period = None  # lifetime spend = all time
        f = filters
        if segments:
            f = f.model_copy(update={"segment": segments[0]})
        if period is not None and period.kind == "all_time":
            period = None
        return TopCustomersQuery(n=n, sort_by=sort, period=period, filters=f)
    if top_n:
        return _not_understood(language)

    # customer lists by condition ------------------------------------------------------------------------
    try:
        listing = customer_list(
            s,
            segments=segments,
            stages=stages,
            filters=filters,
            period=period,
            metrics=metrics,
            group_by=group_by,
            ranked=bool(is_top or top_n),
            ref=ref,
        )
    except ValueError:
        return _clarify(
            "ambiguous",
            language,
            "I list customers by one condition at a time over all platforms, most spent first, e.g. "
            '"customers who haven\'t ordered in 60 days" or "list the important winback customers in Thailand".',
            "我按一个条件列出客户（全部平台），按累计消费排序，例如“60天没下单的客户”或“列出泰国的重要挽留客户”。",
            ["customers who haven't ordered in 60 days"] if en else ["60天没下单的客户"],
        )
    if listing is not None:
        return listing

    # segments and lifecycle -----------------------------------------------------------------------------
    if segments:
        seg = segments[0]
        if stages:
            return _not_understood(language)
        if metrics and metrics != ["customers"]:
            if len(metrics) > 1:
                return _two_metrics(language, metrics)
            return _metric(
                metrics[0], period, filters.model_copy(update={"segment": seg}), group_by, language
            )
        if period is not None and (metrics or group_by or _ORDERED_RE.search(s.text)):
            # "important value customers who ordered last month": the segment's buyers in the period
            return MetricQuery(
                metric="customers",
                period=period,
                filters=filters.model_copy(update={"segment": seg}),
                group_by=group_by,
            )
        if group_by:
            return _not_understood(language)
        # "how many important win-back customers last month": the segment as it stood at the period's end
        return SegmentsQuery(
            segment=seg,
            filters=filters,
            period=period if period is not None and period.kind != "all_time" else None,
        )
    if group_by == "segment" and metrics == ["customers"] and period is None:
        metrics = []  # "customers per segment" = the segment distribution
    if s.has("segments_overview") or (group_by == "segment" and not metrics):
        if metrics or period is not None or stages:
            if group_by == "segment" and len(metrics) == 1:
                return _metric(metrics[0], period, filters, group_by, language)
            return _not_understood(language)
        return SegmentsQuery(segment=None, filters=filters)
    if stages or s.has("lifecycle_overview"):
        if (metrics and metrics not in (["customers"],)) or period is not None or group_by:
            if stages == ["churned"] and metrics == ["churn_rate"]:
                pass
            else:
                return _clarify(
                    "ambiguous",
                    language,
                    "Lifecycle stages are counted as of today; ask without a period or metric.",
                    "生命周期阶段按今天统计;请不带时间段或指标提问。",
                    ["how many dormant customers"] if en else ["有多少沉睡客户"],
                )
        return LifecycleQuery(stage=stages[0] if stages else None, filters=filters)

    # metrics --------------------------------------------------------------------------------------------
    if s.has("acquire_verb") and (has_entity or metrics) and set(metrics) <= {"customers", "new_customers"}:
        metrics = ["new_customers"]
    # "客户消费了多少" (how much did customers spend) outside a ranking is revenue
    if s.has("top_revenue_word") and "revenue" not in metrics:
        metrics = [*metrics, "revenue"]
    if s.has("top_orders_word") and "orders" not in metrics:
        metrics = [*metrics, "orders"]
    if any(metric in STATUS_METRICS for metric in metrics):
        metrics = _status_metrics(s, metrics, has_entity)
        if not metrics:
            return _not_understood(language)
    if len(metrics) > 1:
        # "new customers" and "customers" both match "how many new customers": keep the specific one
        specific = [m for m in metrics if m != "customers"]
        if len(specific) == 1 and "customers" in metrics and specific[0] in ("new_customers",):
            metrics = specific
        else:
            return _two_metrics(language, metrics)
    if metrics:
        if re.search(
            r"\bwhich (?:of (?:my|our|the) )?(?:customers|buyers|clients|shoppers|people)\b|哪些(?:客户|买家|顾客|人)",
            s.text,
        ):
            return _not_understood(language)  # a list of customers was asked for, not one number
        if metrics == ["customers"] and period is None and not _ACTIVE_RE.search(s.text):
            period = Period(kind="all_time")  # the customer base, not the last 90 days' buyers
        return _metric(metrics[0], period, filters, group_by, language, compare_to if comparable else None)
    if has_entity and (has_count or period is not None) and not s.has("list_word"):
        # "how many customers do I have": with no period, the customer base (every customer who has ordered)
        return MetricQuery(
            metric="customers", period=period or Period(kind="all_time"), filters=filters, group_by=group_by
        )
    if has_entity and s.has("list_word"):
        return _clarify(
            "unsafe",
            language,
            "I don't list the whole customer base in chat. I can show top customers or counts.",
            "我不会在聊天中列出全部客户。可以查看消费最多的客户或客户数量。",
            ["top 10 customers by revenue", "how many customers in Malaysia this year"]
            if en
            else ["消费最多的10个客户", "今年马来西亚有多少客户下单"],
        )
    if has_count and s.has("order_verb") and not has_entity:
        return MetricQuery(metric="orders", period=period, filters=filters, group_by=group_by)
    return _not_understood(language)


# "active customers" with no period are the last 90 days' buyers; a bare count of customers is the whole base.
_ACTIVE_RE = re.compile(r"(?<![a-z])active(?![a-z])|活跃|最近")
_ORDER_WORD_RE = re.compile(r"(?<![a-z])orders?(?![a-z])|订单|单")


def _status_metrics(s: Scan, metrics: list[str], has_entity: bool) -> list[str]:
    """Cancellations and returns: the status metric is the specific one ("how many orders were cancelled" is
    cancelled orders, not orders; "cancellation rate" beats "cancelled"). A bare status word counts orders only
    beside an order word, so "customers who returned" or "有多少客户退货" is no count of returns ([] = not
    understood)."""
    status = [m for m in metrics if m in STATUS_METRICS]
    rates = [m for m in status if m.endswith("_rate")]
    kept = rates or status
    if len(kept) > 1:
        return kept  # two status measures: the caller asks which one
    order_word = "orders" in metrics or bool(_ORDER_WORD_RE.search(s.text))
    bare = any(
        sl.kind == "metric" and sl.value in STATUS_METRICS and sl.text in vocab.STATUS_PARTICIPLES
        for sl in s.slots
    )
    if not rates and not order_word and (bare or has_entity):
        return []
    return kept + [m for m in metrics if m not in STATUS_METRICS and m != "orders"]


def _singular_top(s: Scan) -> bool:
    plural = re.search(r"customers|buyers|clients|shoppers|spenders|people|哪些|(?<![我咱你])们", s.text)
    return not plural and bool(
        re.search(
            r"(?<![a-z])(customer|buyer|client|shopper|spender|who)(?![a-z])|谁|哪位|"
            r"哪个(?:客户|买家|顾客)",
            s.text,
        )
    )


def _two_metrics(language: str, metrics: list[str]) -> Clarify:
    names = [vocab.METRIC_NAMES_ZH[m] if language == "zh" else vocab.METRIC_NAMES_EN[m] for m in metrics]
    return _clarify(
        "ambiguous",
        language,
        "I answer one measure at a time: " + " or ".join(names) + "?",
        "我一次回答一个指标：" + "还是".join(names) + "?",
        names,
    )


def _compares_a_period(s: Scan) -> bool:
    """Whether a compare word stands right beside a period ("… vs last year", "和去年相比"): the question then
    compares periods, whatever else it breaks down by."""
    slots = sorted(s.slots, key=lambda x: x.start)
    for i, slot in enumerate(slots):
        if slot.kind == "compare_word":
            beside = slots[i - 1 : i] + slots[i + 1 : i + 2]
            if any(b.kind == "period" for b in beside):
                return True
    return False


def _metric(
    metric: str,
    period: Period | None,
    filters: Filters,
    group_by: str | None,
    language: str,
    compare_to: Period | None = None,
) -> Any:
    if metric == "avg_ltv":
        if group_by in ("month", "quarter", "year"):
            return _not_understood(language)
        if period is None:
            period = Period(kind="all_time")
    return MetricQuery(
        metric=metric, period=period, filters=filters, group_by=group_by, compare_to=compare_to
    )
