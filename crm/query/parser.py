"""The offline question parser: English and Chinese questions into the typed IR by tokenising and slot filling.

How it works (no sentence templates):
1. normalise (NFKC full-width to ASCII, lower case, Chinese and English number words to digits);
2. the recognisers (crm.query.parsing.recognisers), one per kind of question, are asked from the highest rank
   down and the first claim wins: safety guards first (SQL, bulk contact details, jokes, forecasts), then the
   action intents (reminders, drafts) and customer look-ups, which carry free text (registered below);
3. the others read the scanned question: periods, group-by, top-N, platforms, countries, segments, lifecycle,
   metrics and filler words each claim their span of the text (longest phrase first, crm.query.parsing.lexicon);
4. whatever is left must be filler: an unknown word, two metrics, two periods or two platforms mean the
   question is not understood well enough, and the answer is a `Clarify` with examples
   (crm.query.parsing.clarify), never a guess.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from crm.outreach.offer import find_offer
from crm.query import vocab
from crm.query.ir import (
    Clarify,
    CohortQuery,
    CustomerListQuery,
    CustomerQuery,
    DraftQuery,
    Filters,
    ParsedQuestion,
    ReminderQuery,
    TopCustomersQuery,
)
from crm.query.kinds import scan_cohort_offset, scan_inactivity, wants_file
from crm.query.names import NameIndex, named_customer
from crm.query.parsing.clarify import (  # noqa: F401  (re-exported: the parser's public names)
    OTHER_AS_OF_DATE,
    SUGGESTIONS_EN,
    SUGGESTIONS_ZH,
    _clarify,
    _not_understood,
    clarify,
    suggestions,
)
from crm.query.parsing.lexicon import (  # noqa: F401
    _EXTRA,
    _GROUP_PATTERNS,
    _TOP_N_PATTERNS,
    FILLER_EN,
    FILLER_ZH,
    GROUP_WORDS,
    _lexicon,
    _phrase_pattern,
    _scan_iso_codes,
    _scan_lexicon,
    _scan_tags,
)
from crm.query.parsing.question import Question
from crm.query.parsing.recognisers import decide, recogniser
from crm.query.parsing.scan import BAD_DATE, FUTURE, SAME_PERIOD, Scan, Slot  # noqa: F401
from crm.query.periods import MONTHS, _add_months, _Periods, day_first_readings, scan_shift  # noqa: F401
from crm.regex import CHINESE, LATIN, LazyPattern, classes_in, could_match, lazy


def has_cjk(text: str) -> bool:
    """Whether `text` holds a Chinese character (U+3400-U+9FFF, U+F900-U+FAFF): tested character by character,
    as compiling a regular-expression class of these ~28,000 characters takes over a millisecond."""
    return any("\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff" for c in text)


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
_ZH_NUM_RE = lazy(rf"(?:(?<=前)|(?<=第)|(?<=近)|(?<=过去)|(?<=最近))?([{_ZH_NUM}]+){_ZH_NUM_BEFORE}")
# 前 of 目前/当前/以前/之前 is not "top": "目前一共" is "so far, in all"
_ZH_NUM_AFTER_RE = lazy(rf"(?<!目前)(?<!当前)(?<!以前)(?<!之前)(?<!提前)(?<=前|第|近)([{_ZH_NUM}]+)")


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
_EN_NUM_RE = lazy(
    r"\b(?:(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[\s-](one|two|three|four|five|six|seven|"
    r"eight|nine))?|(zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen)|(a|one) hundred)\b",
    needs=LATIN,
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
_SHORTHAND_RE = lazy(
    r"(?<![a-z0-9])(?:" + "|".join(sorted(_SHORTHAND, key=len, reverse=True)) + r")(?![a-z0-9])", needs=LATIN
)

_OVER = {"w": "week", "m": "month", "q": "quarter", "y": "year"}
_OVER_RE = lazy(r"(?<![a-z0-9/])([wmqy])/\1(?![a-z0-9/])", needs=LATIN)


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
# guards
# ----------------------------------------------------------------------------------------------------------
_SQL_RE = lazy(
    r"\b(drop|truncate|alter|delete|insert|update|grant|revoke|create)\s+(table|database|schema|from|into|index|"
    r"view|user|all)\b|\bselect\s+.+\s+from\s+\w+|\bunion\s+select\b|;\s*--|\bexec\s*\(|\bxp_\w+|"
    r"\bwhere\s+1\s*=\s*1\b|'\s*or\s+'?1'?\s*=\s*'?1|\b(?:delete|remove|wipe|erase|purge)\s+(?:all\s+|every\s+)?"
    r"(?:the\s+|my\s+|our\s+)?(?:customers|orders|data|database|records|tables?)\b|删除|删掉|清空|清除所有|抹掉|"
    r"\bdrop\s+(?:the\s+)?(?:table|database|schema|index|view|all|everything|customers|orders)\b"
)
_PII_FIELD_RE = lazy(
    r"\b(?:phone|phones|phone numbers?|mobile|mobiles|cell|cellphone|telephone|whatsapp|e-?mails?|email address|"
    r"addresses|address|contact details|contact info|contacts|contact information|ic number|nric|passport|"
    r"credit card|card number|bank account|password|passwords)\b|电话|手机|号码|邮箱|电邮|邮件地址|地址|联系方式|身份证|护照|银行卡|信用卡|密码|微信号"
)
_JOKE_RE = lazy(
    r"\b(joke|jokes|funny|poem|poetry|song|story|riddle|weather|horoscope|recipe|meaning of life|who are you|"
    r"are you (?:a )?(?:bot|human|real)|your name|how are you|sing|dance|love you|chatgpt|play a game)\b|"
    r"笑话|讲个|段子|天气|写诗|唱歌|你是谁|你叫什么|故事|脑筋急转弯|你好吗|猜谜"
)
_FORECAST_RE = lazy(
    r"\b(forecast|forecasts|forecasting|predict|prediction|predictions|projection|projections|project(?:ed)?\s+"
    r"(?:sales|revenue)|estimate next|will (?:we|i) (?:make|sell|get|have)|going to (?:make|sell|be))\b|"
    r"预测|预估|预计|展望|将会|会有多少"
)
_HELP_RE = lazy(
    r"^(?:/?help|what can you do|what can i ask(?: you)?|what do you do|how do(?:es)? (?:this|it|you) "
    r"work|who are you|你能做什么|你会什么|你可以做什么|能问什么|可以问什么|帮助|怎么用|使用说明)[\s?!.]*$"
)
_GREETING_RE = lazy(
    r"^(hi|hello|hey|yo|good (?:morning|afternoon|evening)|thanks|thank you|你好|您好|嗨|"
    r"谢谢|早上好|晚上好)[\s!.?]*$"
)


def _database_command(language: str) -> Clarify:
    return clarify("database_command", language)


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
        return clarify("contact_details", language)
    if _HELP_RE.match(t):
        return clarify("help", language)
    if _JOKE_RE.search(t) or _GREETING_RE.match(t):
        return clarify("off_topic", language)
    predicted = [
        p
        for k in ("clv_word", "churn_risk_word", "expected_purchases_word", "p_alive_word")
        for p in _EXTRA[k]
    ]
    if _FORECAST_RE.search(t) and not any(p in t for p in predicted):
        return clarify("forecast", language)
    return None


# ----------------------------------------------------------------------------------------------------------
# reminders, drafts, customer look-ups
# ----------------------------------------------------------------------------------------------------------
_REMINDER_RE = lazy(
    r"\bremind me\b|\bset (?:a |an )?reminder\b|\breminder\b.*\b(?:to|for|at|on|tomorrow)\b|"
    r"^remind\b|提醒我|设置提醒|设个提醒|设一个提醒|记得提醒|添加提醒",
    needs=("remind", "提醒我", "添加提醒", "记得提醒", "设一个提醒", "设个提醒", "设置提醒"),
)
_DRAFT_RE = lazy(
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
    if has_cjk(cand):
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
    lazy(
        r"^(?:who\s+is|who's|whos|tell me about|show me|show|look\s*up|lookup|find|search(?:\s+for)?|"
        r"profile(?:\s+of|\s+for)?|details\s+(?:of|for)|info(?:rmation)?\s+(?:on|about|for))\s+"
        r"(?:the\s+)?(?:customer|buyer|client)?\s*[:#]?\s*(.+?)[?.!\s]*$",
        needs=LATIN,
    ),
    lazy(r"^(?:customer|buyer|client)\s*[:#]?\s+(.+?)[?.!\s]*$", needs=("buyer", "client", "customer")),
    lazy(
        r"^(?:please\s+|can you\s+|could you\s+)?(?:pull\s+up|bring\s+up|open(?:\s+up)?|get(?:\s+me)?|give\s+me|"
        r"show\s+me|show|display|check)\s+(?:the\s+)?(?:customer\s+)?(.+?)'s\s+(?:profile|details|card|history|"
        r"orders|info|record|purchases|spend)[?.!\s]*$",
        needs=("card", "details", "history", "info", "orders", "profile", "purchases", "record", "spend"),
    ),
    # what one customer bought: their card lists their orders
    lazy(
        r"^what\s+(?:did|has|have)\s+(?:customer\s+)?(.+?)\s+(?:buy|bought|order|ordered|purchase|purchased)"
        r"(?:\s+(?:from\s+us|with\s+us|so\s+far))?[?.!\s]*$",
        needs=("what",),
    ),
    lazy(
        r"^(.+?)'s\s+(?:profile|details|history|orders|info|clv|ltv|lifetime\s+value|predicted\s+clv|"
        r"spend|spending|purchases|churn\s+risk|risk\s+of\s+churn(?:ing)?|p\s*\(\s*alive\s*\)|"
        r"chance\s+of\s+(?:coming\s+back|returning|buying\s+again)|segment|rfm(?:\s+segment)?)[?.!\s]*$",
        needs=LATIN,
    ),
    # One customer's value or spend: their card has orders, spend and predicted CLV.
    lazy(
        r"^how\s+much\s+(?:has|did|does|have)\s+(?:customer\s+)?(.+?)\s+(?:spend|spent|bought|buy)"
        r"(?:\s+(?:in\s+total|so\s+far|overall|altogether|with\s+us))?[?.!\s]*$",
        needs=("much",),
    ),
    lazy(
        r"^(?:what\s+is\s+|what's\s+)?(?:the\s+)?(?:predicted\s+)?(?:clv|ltv|lifetime\s+value|"
        r"customer\s+lifetime\s+value|total\s+spend|order\s+history|purchase\s+history|churn\s+risk|"
        r"p\s*\(\s*alive\s*\)|probability\s+(?:of\s+being\s+)?alive|rfm\s+segment|segment)\s+(?:of|for)\s+"
        r"(?:customer\s+)?(.+?)[?.!\s]*$",
        needs=(
            "alive",
            "churn",
            "clv",
            "customer",
            "history",
            "lifetime",
            "ltv",
            "probability",
            "purchase",
            "segment",
            "total",
        ),
    ),
]
_LOOKUP_EN.append(
    lazy(
        r"^how\s+many\s+(?:loyalty\s+|reward\s+)?points\s+(?:does|has|have|did)\s+(?:customer\s+)?(.+?)"
        r"(?:\s+(?:have|got|earned|left|collected))?(?:\s+(?:now|left|so\s+far))?[?.!\s]*$",
        needs=("points",),
    )
)
_LOOKUP_EN.append(
    lazy(
        r"^(?:what\s+is\s+|what's\s+|show\s+)?(?:the\s+)?(?:loyalty\s+|reward\s+)?points(?:\s+balance)?\s+"
        r"(?:of|for)\s+(?:customer\s+)?(.+?)[?.!\s]*$",
        needs=("points",),
    )
)
_LOOKUP_EN.append(
    lazy(r"^(.+?)'s\s+(?:loyalty\s+|reward\s+)?points(?:\s+balance)?[?.!\s]*$", needs=("points",))
)
_LOOKUP_ZH = [
    lazy(
        r"^(?:客户|买家|顾客)?\s*(.+?)\s*(?:现在|目前)?(?:还)?有多少(?:个)?积分[??。!!\s]*$",
        needs=("有多少",),
    ),
    lazy(r"^(?:客户|买家|顾客)?\s*(.+?)\s*的积分(?:余额)?(?:是)?(?:多少)?[??。!!\s]*$", needs=("的积分",)),
    lazy(
        r"^(?:请)?(?:帮我)?(?:查一下|查询|查找|查|找一下|找|搜索|看看|看一下)?\s*(?:客户|买家|顾客)\s*[::]?\s+"
        r"(.+?)\s*(?:的)?(?:资料|信息|情况|档案|详情)?[??。!!\s]*$",
        needs=("买家", "客户", "顾客"),
    ),
    lazy(
        r"^(?:请)?(?:帮我)?(?:查一下|查询|查找|查|找一下|找|搜索)\s*(?:客户|买家|顾客)?\s*[::]?\s*"
        r"(.+?)\s*(?:的)?(?:资料|信息|情况|档案|详情)?[??。!!\s]*$",
        needs=("找", "搜索", "查"),
    ),
    lazy(r"^(?:客户|买家|顾客)\s*[::]\s*(.+?)[??。!!\s]*$", needs=("买家", "客户", "顾客")),
    lazy(r"^(.+?)\s*是谁[??。!!\s]*$", needs=("是谁",)),
    lazy(
        r"^(?:客户|买家|顾客)?\s*(.+?)\s*(?:在我们这里?|在店里)?\s*(?:一共|总共|累计|总计)?\s*"
        r"(?:花了|花费了|消费了|买了)\s*多少(?:钱)?[??。!!\s]*$",
        needs=("多少",),
    ),
    lazy(
        r"^(?:客户|买家|顾客)?\s*(.+?)\s*(?:都)?(?:买了|购买了|买过|下单了|订了)\s*(?:些)?(?:什么|哪些)(?:东西|商品)?[??。!!\s]*$",
        needs=("什么", "哪些"),
    ),
    lazy(r"^谁是\s*(.+?)[??。!!\s]*$", needs=("谁是",)),
    lazy(
        r"^(.+?)\s*的(?:资料|信息|档案|详情|客户资料|流失风险|存活概率|活跃概率|预测\s*clv|clv|"
        r"预测(?:客户)?终身价值|客户终身价值|终身价值|分群|rfm\s*分群)[??。!!\s]*$",
        needs=CHINESE,
    ),
]


# Which number of one customer a look-up asks for, from the words around the name (first match wins).
_ASPECTS: tuple[tuple[str, LazyPattern], ...] = (
    ("points", lazy(r"\bpoints?\b|积分", needs=("point", "积分"))),
    ("churn_risk", lazy(r"churn|流失", needs=("churn", "流失"))),
    (
        "p_alive",
        lazy(
            r"p\s*\(\s*alive\s*\)|alive|coming\s+back|returning|buying\s+again|存活|活跃概率",
            needs=("alive", "buying", "coming", "returning", "存活", "活跃概率"),
        ),
    ),
    (
        "predicted_clv",
        lazy(
            r"predicted|projected|expected|future|预测|预计",
            needs=("expected", "future", "predicted", "projected", "预测", "预计"),
        ),
    ),
    ("clv", lazy(r"clv|cltv", needs=("cl",))),
    (
        "aov",
        lazy(
            r"average\s+(?:order|basket|spend)|avg\s+order|aov|(?:spend|spent|spends)\s+per\s+order|客单价|平均",
            needs=("aov", "average", "order", "客单价", "平均"),
        ),
    ),
    (
        "last_order",
        lazy(
            r"when\b.*\b(?:last|latest|most\s+recent(?:ly)?)\b|(?:last|latest|most\s+recent)\s+(?:order|purchase|buy)|"
            r"last\s+(?:ordered|bought|purchased|shopped)|最近[1一]次|最后[1一]次|上[1一]?次|什么时候",
            needs=(
                "bought",
                "last",
                "latest",
                "ordered",
                "purchased",
                "recent",
                "shopped",
                "when",
                "上",
                "什么时候",
                "最后",
                "最近",
            ),
        ),
    ),
    (
        "orders",
        lazy(
            r"how\s+many\s+(?:orders|times|purchases)|number\s+of\s+(?:orders|purchases)|order\s+count|"
            r"(?:多少|几)(?:笔|单|次|个订单)|订单数",
            needs=("number", "order", "purchases", "times", "几", "多少", "订单数"),
        ),
    ),
    (
        "spend",
        lazy(
            r"ltv|lifetime\s+value|spen[dt]|spending|how\s+much|total|终身价值|花了|花费|消费|多少钱",
            needs=("lifetime", "ltv", "much", "spen", "total", "多少钱", "消费", "终身价值", "花了", "花费"),
        ),
    ),
    ("segment", lazy(r"segment|分群", needs=("segment", "分群"))),
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
    language = "zh" if has_cjk(text or "") else "en"
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
    # The words for customers are filler too (they only say what is counted), yet "custmers" is one of them.
    known = frozenset(w for p in phrases for w in re.findall(r"[a-z]{4,}", p.lower())) - FILLER_EN
    # So are the nouns of a breakdown ("by platform"), read by patterns rather than the lexicon.
    return known | {w for w in vocab.ENTITY_CUSTOMER_WORDS if len(w) >= 4} | set(GROUP_WORDS)


def _parse(raw: str, language: str, ref: date, local: datetime, names: NameIndex | None = None) -> Any:
    t = normalise(raw)
    if not any("a" <= c <= "z" or "\u3400" <= c <= "\u9fff" for c in t):  # (a regex class: 1.5 ms to compile)
        return clarify("empty", language)
    if len(t) > 300:
        return clarify("too_long", language)
    q = Question(raw=raw, text=t, language=language, ref=ref, local=local, scanner=_scan, names=names)
    query = decide(q)
    if isinstance(query, Clarify) or "scan" not in q.__dict__:
        return query  # read before the scan (guards, reminders, drafts, look-ups) or a clarifying reply
    s = q.scan
    if (s.has("cohort_offset") and not isinstance(query, CohortQuery)) or (
        s.has("inactive") and not isinstance(query, CustomerListQuery)
    ):
        return _not_understood(language)  # a condition read but not answered: never a number without it
    if isinstance(query, TopCustomersQuery) and wants_file(s):
        return query.model_copy(update={"export": True})  # "export the top 50 customers as csv"
    return query


def _scan(q: Question) -> Scan:
    """Claim the question's spans: periods first, then breakdowns, top-N, country codes, tags and the lexicon."""
    s = Scan(q.text)
    scan_cohort_offset(s)  # before periods: "next month" after a cohort's first order is not the future
    scan_inactivity(s)  # before periods: "haven't ordered in the last 60 days" is a condition, not a window
    scan_shift(s)  # before periods: "month over month" is no month
    _Periods(q.ref, q.local).scan(s)
    present = classes_in(q.text)
    for pattern, by in _GROUP_PATTERNS:
        if not could_match(pattern, q.text, present):
            continue
        for m in re.finditer(pattern, q.text):
            s.claim(m.start(), m.end(), "group_by", by)
    for pattern in _TOP_N_PATTERNS:
        if not could_match(pattern, q.text, present):
            continue
        for m in re.finditer(pattern, q.text):
            if s.free(m.start(1), m.end(1)):
                # claim the whole phrase so "top"/"前"/"个客户" are not read again
                s.claim(m.start(), m.end(), "top_n", int(m.group(1)))
    _scan_iso_codes(s, q.raw)
    _scan_tags(s)
    _scan_lexicon(s)
    return s


# The recognisers of questions that carry free text, read before the scan (crm.query.parsing.recognisers).
@recogniser("guards", rank=900)
def _guarded(q: Question) -> Any:
    guard = _guards(q.text, q.language)
    if guard and guard.reason == "unsafe" and _SQL_RE.search(q.text):
        return _lookup_of_command_text(q.raw, q.text, q.language) or guard
    return guard


@recogniser("reminder", rank=800)
def _reminder(q: Question) -> Any:
    return ReminderQuery(text=q.raw.strip()[:500]) if _REMINDER_RE.search(q.text) else None


@recogniser("draft", rank=700)
def _drafted(q: Question) -> Any:
    return _draft(q.raw, q.text, q.language, q.local) if _DRAFT_RE.search(q.text) else None


@recogniser("customer", rank=600)
def _customer(q: Question) -> Any:
    found = _lookup(q.raw, q.text)
    if found is not None:
        return found
    known = named_customer(
        q.text, q.names, FILLER_EN, FILLER_ZH
    )  # a known name, whatever the wording around it
    if known is not None and _looks_like_name(q.text[known[0] : known[1]]):
        return CustomerQuery(search=known[2], aspect=_aspect(q.text, known[0], known[1]))
    return None
