"""Customer journeys: how customers moved between lifecycle stages between two dates ("how do new customers move
to active", "从上个月到现在客户阶段的变化"), and whether a period's new customers ordered a second time ("how many
of September's new customers ordered again", "9月新客的二次购买率").

These questions use words no other kind reads (move, stage changes, ordered again, 二次购买), so they are read
here from the text, above the declines of unknown words; the period comes from the shared scan.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from crm.query.ir import Period, SecondOrderQuery, TransitionsQuery
from crm.query.parsing.clarify import clarify
from crm.query.parsing.question import Question
from crm.query.parsing.recognisers import recogniser
from crm.regex import CHINESE, lazy

_STAGE_WORDS: dict[str, str] = {
    "new": r"new(?:\s+(?:customers?|buyers?))?|新客户?|新顾客|新买家",
    "active": r"active(?:\s+(?:customers?|buyers?))?|活跃(?:客户)?",
    "dormant": r"dormant|sleeping|inactive|lapsed|沉睡(?:客户)?|休眠(?:客户)?",
    "churned": r"churned|lost|流失(?:客户)?",
    "prospect": r"prospects?|潜在客户|潜客",
}
_ANY_STAGE = "|".join(f"(?P<{k}{{n}}>{v})" for k, v in _STAGE_WORDS.items())


def _stage_group(n: int) -> str:
    return _ANY_STAGE.replace("{n}", str(n))


_MOVE_EN = lazy(
    r"(?<![a-z])(?:move[sd]?|moving|movements?|transitions?|journeys?|flow(?:s|ed)?|become|became|turn(?:ed)?\s+into|"
    r"stage\s+changes?|changed?\s+(?:in|of|between)\s+(?:(?:customer|customers'?|lifecycle)\s+)?stages?|"
    r"stages?\s+(?:changed?|shifts?|moves?|movements?))(?![a-z])",
    needs=("became", "become", "change", "flow", "journey", "move", "moving", "stage", "transition", "turn"),
)
_MOVE_ZH = lazy(
    r"(?:阶段|生命周期).{0,4}(?:变化|变动|转化|流转|迁移|转移)|流转|迁移|转化为|转为|变成|转成",
    needs=("变成", "流转", "生命周期", "转为", "转化为", "转成", "迁移", "阶段"),
)
_FROM_TO_EN = lazy(
    rf"(?:{_stage_group(1)})\b(?:\s+(?:customers?|buyers?|ones))?.{{0,40}}?\b(?:to|into|become|became|turn(?:ed)?|are\s+now|is\s+now)\s+(?:{_stage_group(2)})",
    needs=("are", "became", "become", "now", "to", "turn"),
)
_FROM_TO_ZH = lazy(
    rf"(?:{_stage_group(1)}).{{0,8}}?(?:到|变成|转为|转化为|转成|进入|成为)了?(?:{_stage_group(2)})",
    needs=CHINESE,
)

_AGAIN_EN = lazy(
    r"(?<![a-z])(?:(?:order(?:ed)?|buy|bought|purchased?|shop(?:ped)?|come|came)\s+(?:again|back)|"
    r"(?:second|2nd)\s+(?:order|purchase)s?|repurchase[sd]?|re-?order(?:ed)?|repeat\s+(?:purchase|order)s?)(?![a-z])",
    needs=("again", "back", "order", "purchase", "repeat"),
)
_AGAIN_ZH = lazy(
    r"二次(?:购买|下单|复购|消费|转化)|第二单|第2单|再次(?:下单|购买|消费)|再(?:下单|买|来买)|回购|复购|二购",
    needs=("二次", "二购", "再", "回购", "复购", "第2单", "第二单"),
)
_NEW_EN = lazy(
    r"(?<![a-z])(?:new\s+(?:customers?|buyers?|clients?)|first[- ]time\s+(?:customers?|buyers?)|newcomers)",
    needs=("buyer", "client", "customer", "first", "newcomers"),
)
_NEW_ZH = lazy(
    r"新客|新顾客|新买家|首购客户|首单客户", needs=("新买家", "新客", "新顾客", "首单客户", "首购客户")
)
# Retention of a cohort k months on is the cohort table's question (crm.query.parsing.recognisers.cohort).
_COHORT = lazy(
    r"cohort|retention|retained|留存|同期群|次月|个月后|(?<![a-z])month\s*-?\s*\d",
    needs=("cohort", "month", "retained", "retention", "个月后", "同期群", "次月", "留存"),
)
_WINDOW = lazy(
    r"(?:within|in\s+the\s+(?:first|next)|in)\s+(\d{1,3})\s*(days?|weeks?)|(\d{1,3})\s*(?:天|日)(?:内|之内|以内)|"
    r"(\d{1,3})\s*(周|个星期)(?:内|之内|以内)",
    needs=("day", "week", "个星期", "周", "天", "日"),
)


def _stage_of(m: re.Match[str], n: int) -> str | None:
    return next((k for k in _STAGE_WORDS if m.group(f"{k}{n}")), None)


def _periods(q: Question, skip: tuple[int, int] | None) -> list[Any]:
    """The periods the scan read, leaving out one that is only the window's words ("within 60 days")."""
    out = []
    for slot in q.scan.of("period"):
        if isinstance(slot.value, tuple):
            continue
        if skip is not None and slot.start < skip[1] and skip[0] < slot.end:
            continue
        out.append(slot.value)
    return out


@recogniser("journeys", rank=650)
def journeys(q: Question) -> Any:
    t = q.text
    zh = q.zh
    if (_AGAIN_ZH if zh else _AGAIN_EN).search(t) and (_NEW_ZH if zh else _NEW_EN).search(t):
        if _COHORT.search(t) or q.scan.has("cohort_word") or q.scan.has("cohort_offset"):
            return None
        return _second_order(q)
    if (_MOVE_ZH if zh else _MOVE_EN).search(t) or (_FROM_TO_ZH if zh else _FROM_TO_EN).search(t):
        stages_named = any(re.search(v, t) for v in _STAGE_WORDS.values()) or re.search(
            r"stage|lifecycle|阶段|生命周期", t
        )
        if not stages_named:
            return None
        return _transitions(q)
    return None


def _second_order(q: Question) -> Any:
    window, span = 90, None
    m = _WINDOW.search(q.text)
    if m:
        span = m.span()
        if m.group(1):
            window = int(m.group(1)) * (7 if m.group(2).startswith("week") else 1)
        elif m.group(3):
            window = int(m.group(3))
        else:
            window = int(m.group(4)) * 7
        if not 1 <= window <= 730:
            return clarify("not_understood", q.language)
    periods = _periods(q, span)
    if len(periods) > 1:
        return clarify("two_periods", q.language)
    if periods and not isinstance(periods[0], Period):
        return None  # a future or unreadable period: the declines say so
    return SecondOrderQuery(period=periods[0] if periods else None, window_days=window)


def _transitions(q: Question) -> Any:
    from_stage = to_stage = None
    m = (_FROM_TO_ZH if q.zh else _FROM_TO_EN).search(q.text)
    if m:
        from_stage, to_stage = _stage_of(m, 1), _stage_of(m, 2)
    periods = _periods(q, None)
    if len(periods) > 1:
        return clarify("two_periods", q.language)
    if periods and not isinstance(periods[0], Period):
        return None
    start = end = None
    if periods:
        start, end = _dates(periods[0], q)
        if start is None:
            return clarify("not_understood", q.language)
    if from_stage is not None and from_stage == to_stage:
        to_stage = None
    return TransitionsQuery(start=start, end=end, from_stage=from_stage, to_stage=to_stage)


def _dates(period: Period, q: Question) -> tuple[date | None, date | None]:
    """The two dates a period names: a range of days from its first day to its last; any other period (last
    month, this year, the last 60 days) from the day before it starts to the as-of date."""
    if period.kind == "range":
        # "from 1 Oct to 1 Nov": those two days; a range running to the as-of date ("since last month",
        # "since 1 Oct") starts from the day before it
        first, last = period.inclusive_days()
        if first < last < q.ref:
            return first, last
        return first - timedelta(days=1), None
    tz = q.local.tzinfo
    assert isinstance(tz, ZoneInfo)
    start, _ = period.bounds(q.local, tz)
    if start is None:
        return None, None
    d1 = start.astimezone(tz).date() - timedelta(days=1)
    return (d1, None) if d1 < q.ref else (None, None)
