"""Customer names in questions: the workspace's names, so a known name is read wherever the question puts it.

The parser stays offline and pure: the service loads a `NameIndex` of the customers' display names (once per
data version) and passes it in. A question is read as a look-up of a known customer only when everything
else in it is look-up words ("pull up Tan Wei Ling's profile", "Tan Wei Ling一共花了多少钱", or the name
alone); a name beside a metric, period or platform word is left to the other readings.
"""

from __future__ import annotations

import re
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from crm.regex import CHINESE, lazy

_CJK_RUN = lazy(r"[\u3400-\u9fff]+", needs=CHINESE)
# A word of a Latin (or other non-CJK) name; a Chinese run is read apart, so "nair的客单价" holds the word "nair".
_WORD = lazy(r"[^\W_\u3400-\u9fff]+(?:['.-][^\W_\u3400-\u9fff]+)*")
MAX_NAME_WORDS = 5
MAX_CJK_NAME = 6


def name_key(name: str) -> str:
    """A name as questions are compared with it: NFKC, lower case, one space between words."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", name).lower()).strip(" .,'\"")


@dataclass
class NameIndex:
    """Known customer names by key (the display name kept for the answer)."""

    names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, names: Iterable[str | None]) -> NameIndex:
        out: dict[str, str] = {}
        for name in names:
            if not name:
                continue
            key = name_key(name)
            if len(key) >= 2 and len(key.split()) <= MAX_NAME_WORDS and key not in out:
                out[key] = name.strip()
        return cls(out)

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Known names in `text` (a normalised question) as (start, end, display name), longest first."""
        if not self.names:
            return []
        found: list[tuple[int, int, str]] = []
        words = list(_WORD.finditer(text))
        for i in range(len(words)):
            for j in range(min(len(words), i + MAX_NAME_WORDS), i, -1):
                start, end = words[i].start(), words[j - 1].end()
                written = re.sub(r"\s+", " ", text[start:end])
                hit = self.names.get(written)
                if hit is None and written.endswith("'s"):  # "tan wei ling's orders"
                    hit, end = self.names.get(written[:-2]), end - 2
                if hit is not None:
                    found.append((start, end, hit))
                    break
        for run in _CJK_RUN.finditer(text):
            s = run.group()
            for a in range(len(s)):
                for b in range(min(len(s), a + MAX_CJK_NAME), a + 1, -1):
                    hit = self.names.get(s[a:b])
                    if hit is not None:
                        found.append((run.start() + a, run.start() + b, hit))
                        break
        found.sort(key=lambda x: (x[0] - x[1], x[0]))
        kept: list[tuple[int, int, str]] = []
        for span in found:
            if all(span[1] <= k[0] or span[0] >= k[1] for k in kept):
                kept.append(span)
        return kept


# What else a question about one customer may say: look-up verbs and the card's own fields.
LOOKUP_WORDS_EN = frozenset(
    [
        "profile",
        "profiles",
        "details",
        "detail",
        "history",
        "orders",
        "order",
        "info",
        "information",
        "card",
        "record",
        "records",
        "points",
        "loyalty",
        "spend",
        "spent",
        "spending",
        "spends",
        "total",
        "much",
        "how",
        "has",
        "have",
        "had",
        "did",
        "does",
        "do",
        "what",
        "bought",
        "buy",
        "buys",
        "purchased",
        "purchases",
        "purchase",
        "ordered",
        "clv",
        "ltv",
        "cltv",
        "lifetime",
        "value",
        "predicted",
        "churn",
        "risk",
        "segment",
        "rfm",
        "customer",
        "buyer",
        "client",
        "pull",
        "up",
        "bring",
        "open",
        "show",
        "get",
        "give",
        "me",
        "us",
        "with",
        "so",
        "far",
        "in",
        "all",
        "altogether",
        "overall",
        "about",
        "tell",
        "who",
        "is",
        "s",
        "chance",
        "alive",
        "coming",
        "back",
        "returning",
        "p",
        "look",
        "lookup",
        "find",
        "search",
        "the",
        "of",
        "for",
        "a",
        "an",
        "please",
        "status",
        "our",
        "my",
        "from",
        "spending",
        # one number of the card: "when did X last order", "how many times has X bought", "X's aov"
        "when",
        "last",
        "latest",
        "recent",
        "recently",
        "most",
        "place",
        "placed",
        "many",
        "times",
        "number",
        "count",
        "average",
        "avg",
        "aov",
        "basket",
        "per",
    ]
)
LOOKUP_WORDS_ZH = (
    "一共",
    "总共",
    "累计",
    "总计",
    "花费了",
    "花了",
    "花费",
    "消费了",
    "消费过",
    "消费",
    "金额",
    "购买了",
    "购买过",
    "买了",
    "买过",
    "下单了",
    "多少钱",
    "多少",
    "钱",
    "什么",
    "哪些",
    "东西",
    "商品",
    "资料",
    "信息",
    "档案",
    "详情",
    "情况",
    "客户",
    "买家",
    "顾客",
    "查一下",
    "查询",
    "查",
    "看看",
    "看一下",
    "调出",
    "打开",
    "帮我",
    "请",
    "是谁",
    "谁",
    "订单",
    "记录",
    "历史",
    "在我们这里",
    "在我们这",
    "在店里",
    "我们",
    "这里",
    "流失风险",
    "存活概率",
    "终身价值",
    "预测",
    "分群",
    "什么时候",
    "最近1次",
    "最后1次",
    "上1次",
    "最近一次",
    "最后一次",
    "上一次",
    "上次",
    "最近",
    "下单",
    "下了",
    "下过",
    "购买",
    "买东西",
    "买",
    "多少次",
    "几次",
    "多少笔",
    "几笔",
    "多少单",
    "几单",
    "订单数",
    "客单价",
    "平均",
    "单",
    "次",
    "是",
    "的",
    "了",
    "过",
    "都",
    "呢",
    "吗",
    "些",
)
_LOOKUP_ZH_SORTED = sorted(LOOKUP_WORDS_ZH, key=len, reverse=True)


def named_customer(t: str, index: NameIndex | None, filler_en: Any, filler_zh: Iterable[str]) -> Any:
    """(start, end, display name) of the one known customer a question is about, or None.

    Only when the rest of the question is look-up words or filler: "Tan Wei Ling's orders last month" or
    "revenue from Tan Wei Ling" are not look-ups."""
    if index is None:
        return None
    hits = index.find(t)
    if len(hits) != 1:
        return None
    start, end, name = hits[0]
    if t[start:end] in LOOKUP_WORDS_EN or t[start:end] in filler_en:
        return None  # a customer called "Me" or "Top" is not meant by "show me" or "top"
    # "最近一次" is normalised to "最近1次": that 1 is a word of the phrase, not a number of the question
    rest = re.sub(r"(?<=[\u3400-\u9fff])1(?=[次单笔])", "", f"{t[:start]} {t[end:]}")
    for word in _WORD.findall(rest.replace("'s", " ")):
        for part in re.split(r"['.-]", word):
            if not part or _CJK_RUN.fullmatch(part):
                continue
            if part not in LOOKUP_WORDS_EN and part not in filler_en:
                return None
    for run in _CJK_RUN.findall(rest):
        for w in (*_LOOKUP_ZH_SORTED, *filler_zh):
            run = run.replace(w, "")
        if run:
            return None
    return start, end, name


_INDEXES: OrderedDict[tuple[Any, ...], NameIndex] = OrderedDict()


async def load_name_index(db: Any, workspace_id: int) -> NameIndex:
    """The workspace's customer names, read once per data version (the result cache's token)."""
    from sqlalchemy import select

    from storage.models import Customer
    from storage.repositories.analytics import data_token

    async with db.sessions() as session:
        key = (id(db), workspace_id, await data_token(db, session, workspace_id))
        found = _INDEXES.get(key)
        if found is None:
            rows = await session.execute(
                select(Customer.display_name).where(
                    Customer.workspace_id == workspace_id, Customer.merged_into_id.is_(None)
                )
            )
            found = NameIndex.of(r[0] for r in rows)
            _INDEXES[key] = found
            while len(_INDEXES) > 8:
                _INDEXES.popitem(last=False)
    return found
