"""Answer kinds built on the parser's reading of a question: one metric for two or more chosen platforms or
countries side by side ("Lazada vs Shopee revenue this year", "新加坡和马来西亚的订单数对比"), and a single
cell of the cohort table ("month-3 retention of the June cohort", "3月首购客户的次月留存率").

The parser reads the question as if only the first platform (or country) had been named; when that reading
is a single number, the answer becomes a breakdown by platform (or country) limited to the ones named, in
the order named. Anything else (a list, a breakdown, a comparison of periods) keeps the clarifying reply.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from crm.analytics.samples import sample_note, too_few
from crm.query import texts
from crm.query.ir import CohortQuery, CustomerListQuery, MetricQuery, Period
from crm.query.parsing.scan import Scan
from crm.query.result import Result
from crm.regex import DIGIT, LazyPattern, lazy


def side_by_side(s: Scan, by: str, decide: Callable[[Scan], Any]) -> MetricQuery | None:
    """The side-by-side reading of a question naming several platforms or countries (`by`), or None."""
    named: list[str] = []
    for slot in sorted(s.of(by), key=lambda x: x.start):
        if slot.value not in named:
            named.append(slot.value)
    other = "country" if by == "platform" else "platform"
    if len(named) < 2 or len(s.values(other)) > 1:
        return None
    first = next(x for x in s.of(by) if x.value == named[0])
    # "vs", "对比" here compare the names, not periods: with two periods ("this year vs last year") the
    # question asks for both at once, which stays a clarifying reply
    periods = [x for x in s.of("period") if not isinstance(x.value, tuple)]
    drop = {by} | ({"compare_word"} if len(periods) < 2 else set())
    alone = type(s)(s.text, [x for x in s.slots if x.kind not in drop or x is first])
    alone.taken = list(s.taken)  # the other names stay read, as words of this question
    q = decide(alone)
    if not isinstance(q, MetricQuery) or q.group_by is not None or q.compare_to is not None or q.compare:
        return None
    filters = q.filters.model_copy(update={by: None})
    return q.model_copy(update={"filters": filters, "group_by": by, "only": named})


def keep_named(rows: list[list[Any]], only: list[str], zero: bool) -> list[list[Any]]:
    """The breakdown's rows for the groups named, in the order named; a group with no orders counts 0 when
    the metric is a count or an amount (`zero`), and is left out for a ratio (no base to divide by)."""
    by_key = {str(r[0]): r for r in rows}
    out = []
    for key in only:
        if key in by_key:
            out.append(by_key[key])
        elif zero:
            out.append([key, 0])
    return out


# Months after the first order, said of a cohort: "month-3", "m3", "3 months later", "after 3 months",
# "next month", 次月, 3个月后. Only read in a question about retention or cohorts, where "month 3" cannot be March.
_COHORT_RE = lazy(
    r"cohort|retention|retained|留存|同期群|次月\s*(?:的)?\s*(?:复购|回购)|首购.*(?:复购|回购)",
    needs=("cohort", "retained", "retention", "同期群", "次月", "留存", "首购"),
)
_OFFSET_PATTERNS: tuple[tuple[LazyPattern, int | None], ...] = (
    (lazy(r"(?<![a-z])(?:month|m)\s*[-+]?\s*(\d{1,2})(?!\d)", needs=DIGIT), None),
    (
        lazy(
            r"(?<![a-z])(?:after\s+(\d{1,2})\s*months?|(\d{1,2})\s*months?\s*(?:later|after|on|out))"
            r"(?:\s+(?:after\s+)?(?:their|the)\s+first\s+(?:order|purchase))?(?![a-z])",
            needs=("after", "month"),
        ),
        None,
    ),
    # "次月复购率" of first-time buyers: the share buying again the month after, i.e. the cohort's month-1 cell
    (lazy(r"次月\s*(?:的)?\s*(?:复购|回购)率?", needs=("次月",)), 1),
    (
        lazy(
            r"(?<![a-z])(?:the\s+)?(?:next|following)[- ]month(?![a-z])|次月|隔月",
            needs=("month", "次月", "隔月"),
        ),
        1,
    ),
    (lazy(r"(\d{1,2})\s*个月(?:后|之后|以后)", needs=("个月",)), None),
    # "第2个月", "the 2nd month", "the second month": the n-th month after the first order (month-n), as the
    # answer says
    (lazy(r"第\s*(\d{1,2})\s*个?月", needs=("第",)), None),
    (lazy(r"(?<![a-z0-9])(\d{1,2})(?:st|nd|rd|th)\s+month(?![a-z])", needs=("month",)), None),
    *(
        (lazy(rf"(?<![a-z]){word}\s+month(?![a-z])"), n)
        for n, word in enumerate(("first", "second", "third", "fourth", "fifth", "sixth"), start=1)
    ),
)
# How a cohort question says "ordered again": part of the question, not a word it does not know.
_CAME_BACK_RE = lazy(
    r"(?<![a-z])(?:came|come|coming)\s+back|(?:ordered|bought|purchased|shopped)\s+again|re-?ordered|repurchased|"
    r"(?:were|are|was|is)?\s*still\s+(?:active|buying|ordering)|回购|再次购买|再次下单|回来"
)


def scan_cohort_offset(s: Scan) -> None:
    """Claim the months-after-first-order of a cohort question as a `cohort_offset` slot."""
    if not _COHORT_RE.search(s.text):
        return
    for pattern, fixed in _OFFSET_PATTERNS:
        for m in pattern.finditer(s.text):
            if s.free(m.start(), m.end()):
                said = fixed if fixed is not None else int(next(g for g in m.groups() if g))
                s.claim(m.start(), m.end(), "cohort_offset", said)
    for m in _CAME_BACK_RE.finditer(s.text):
        s.claim(m.start(), m.end(), "cohort_verb", None)


def cohort_cell(s: Scan, period: Period | None, query: CohortQuery) -> CohortQuery | None:
    """The single-cell reading of a cohort question that names months after the first order, or None when
    it names none; the cohort must be one month (the caller asks which otherwise)."""
    offsets = s.values("cohort_offset")
    if not offsets:
        return None
    if len(offsets) > 1 or not 1 <= offsets[0] <= 36 or period is None or period.kind != "month":
        raise ValueError("a cohort cell needs one cohort month and one number of months after it")
    return query.model_copy(update={"offset": offsets[0], "max_offset": max(query.max_offset, offsets[0])})


def cohort_cell_result(
    language: str,
    q: CohortQuery,
    labels: list[str],
    sizes: list[int],
    matrix: list[list[float | None]],
    day: date,
    min_sample: int | None = None,
) -> Result:
    """One cell of the cohort table (docs/metrics.md, retention): the share of the customers whose first valid
    order fell in the cohort month who placed a valid order `offset` months later (as-of date `day`; a month
    still running is counted so far, and the answer says so)."""
    assert q.offset is not None and q.period is not None and q.period.month is not None
    label = f"{q.period.year}-{q.period.month:02d}"
    later_y, later_m = divmod(q.period.year * 12 + q.period.month - 1 + q.offset, 12)  # type: ignore[operator]
    later = f"{later_y}-{later_m + 1:02d}"
    row = labels.index(label) if label in labels else None
    share = matrix[row][q.offset] if row is not None else None
    size = sizes[row] if row is not None else 0
    query = q.model_dump(mode="json")
    if row is None or share is None:
        key = "cohort_cell_empty" if row is None else "cohort_cell_future"
        return Result(
            intent="cohort",
            query=query,
            text=texts.t(language, key, cohort=label, k=q.offset, month=later),
            language=language,
        )
    kept = round(share * size)  # the table keeps 4 decimals: the count back, and the exact share from it
    value = kept / size
    text = texts.t(
        language,
        "cohort_cell",
        cohort=label,
        k=q.offset,
        month=later,
        value=texts.fmt_value(value, "ratio", ""),
        kept=f"{kept:,}",
        n=f"{size:,}",
    )
    if too_few(size, min_sample):  # the n is in the sentence; the mark when it is too few
        text += (" " if language != "zh" else "") + sample_note(
            size, "customers", language, min_sample=min_sample
        )
    last_day = calendar.monthrange(day.year, day.month)[1]
    if later == f"{day.year}-{day.month:02d}" and day.day < last_day:
        text += texts.t(language, "running_note", period=later, day=day.isoformat())
    return Result(
        intent="cohort",
        query=query,
        value=value,
        columns=["cohort", "customers", f"m{q.offset}"],
        rows=[[label, size, value]],
        text=text,
        language=language,
        unit="ratio",
    )


# --- customer lists by condition --------------------------------------------------------------------------
_VERB_EN = (
    r"(?:ordered|bought|purchased|shopped|placed\s+(?:an?\s+|any\s+)?orders?|made\s+(?:a|any)\s+purchases?|"
    r"come\s+back|been\s+back|order|buy|purchase|shop)"
)
_UNIT_EN = r"(days?|weeks?|months?|years?)(?![a-z])"
_VERB_ZH = r"(?:下单|下过单|下过订单|购买过?|买过?|消费过?|复购|回购|光顾)"
_UNIT_ZH = r"(天|日|周|个星期|星期|个月|月|年)"
_INACTIVE_PATTERNS = (
    lazy(
        r"(?:who\s+|that\s+)?(?:have\s+not|haven'?t|has\s+not|hasn'?t|did\s+not|didn'?t|not|never)\s+"
        rf"{_VERB_EN}(?:\s+(?:anything|again|with\s+us|from\s+us))*\s+(?:in|for|during|within|over)\s+"
        rf"(?:the\s+)?(?:last\s+|past\s+)?(?:over\s+|more\s+than\s+)?(?:(\d{{1,4}})\s*|an?\s+)?{_UNIT_EN}",
        needs=("day", "month", "week", "year"),
    ),
    lazy(
        r"(?:with\s+)?no\s+(?:valid\s+)?(?:orders?|purchases?)\s+(?:in|for|during|within|over)\s+"
        rf"(?:the\s+)?(?:last\s+|past\s+)?(?:over\s+|more\s+than\s+)?(?:(\d{{1,4}})\s*|an?\s+)?{_UNIT_EN}",
        needs=("order", "purchase"),
    ),
    lazy(
        r"(?:inactive|lapsed|idle)\s+(?:for\s+)?(?:over\s+|more\s+than\s+|at\s+least\s+)?"
        rf"(?:(\d{{1,4}})\+?\s*|an?\s+)?{_UNIT_EN}",
        needs=("idle", "inactive", "lapsed"),
    ),
    lazy(
        r"(?:超过|已经|已|有)?\s*(?:最近|过去|近)?\s*(\d{1,4})\s*"
        + _UNIT_ZH
        + r"\s*(?:内|以内|之内|里|以上|多)?\s*"
        r"(?:都|一直|还|再)?\s*(?:没有|没|未|没再|没有再|不曾)\s*(?:再)?\s*" + _VERB_ZH,
        needs=("不曾", "未", "没"),
    ),
)
_LIST_ASK_RE = lazy(r"(?<![a-z])(?:who|which)(?![a-z])|哪些|是谁|有谁", needs=("wh", "哪些", "是谁", "有谁"))
# "show me dormant customers", "give me the important winback customers": a list unless a count is asked
_SHOW_RE = lazy(
    r"(?<![a-z])(?:show|display|pull\s+up|give\s+me|get\s+me|find)(?![a-z])|显示|给我看|找出|查出",
    needs=("display", "find", "get", "give", "pull", "show", "找出", "显示", "查出", "给我看"),
)
_FILE_RE = lazy(
    r"(?<![a-z])(?:csv|excel|spreadsheet|export|download)(?![a-z])|导出|下载|表格",
    needs=("csv", "download", "excel", "export", "spreadsheet", "下载", "导出", "表格"),
)


def scan_inactivity(s: Scan) -> None:
    """Claim "who haven't ordered in 60 days", "60天没下单" as an `inactive` slot of (number, unit)."""
    for pattern in _INACTIVE_PATTERNS:
        for m in pattern.finditer(s.text):
            if s.free(m.start(), m.end()):
                s.claim(m.start(), m.end(), "inactive", (int(m[1]) if m[1] else 1, m[2]))


def _days(n: int, unit: str, ref: date) -> int:
    """n days, weeks, months or years back from the day after `ref`, in days (months as on the calendar)."""
    if unit.startswith("day") or unit in ("天", "日"):
        return n
    if unit.startswith("week") or unit in ("周", "个星期", "星期"):
        return 7 * n
    months = 12 * n if unit.startswith("year") or unit == "年" else n
    end = ref + timedelta(days=1)
    y, m = divmod(end.year * 12 + end.month - 1 - months, 12)
    start = date(y, m + 1, min(end.day, calendar.monthrange(y, m + 1)[1]))
    return (end - start).days


def wants_file(s: Scan) -> bool:
    return bool(_FILE_RE.search(s.text))


def customer_list(
    s: Scan,
    *,
    segments: list[str],
    stages: list[str],
    filters: Any,
    period: Any,
    metrics: list[str],
    group_by: Any,
    ranked: bool,
    ref: date,
) -> CustomerListQuery | None:
    """The list reading of a question naming customers by a condition, or None when it is not one.

    Raises ValueError for a list that cannot be given as asked (two conditions of a kind, a platform, a
    period or a metric beside an inactivity condition): the caller asks again rather than guess."""
    inactive = s.values("inactive")
    listed = (
        s.has("list_word")
        or bool(_LIST_ASK_RE.search(s.text))
        or wants_file(s)
        or (bool(_SHOW_RE.search(s.text)) and not s.has("count_word"))
    )
    if not inactive and not ((segments or stages) and listed):
        return None
    if not inactive and (metrics not in ([], ["customers"]) or period is not None or group_by or ranked):
        return None  # "list … revenue", "who … last month": not a list by condition
    if (
        len(inactive) > 1
        or len(segments) > 1
        or len(stages) > 1
        or metrics not in ([], ["customers"])
        or period is not None
        or group_by
        or ranked
        or filters.platform is not None
        or "prospect" in stages
    ):
        raise ValueError("not one list by condition")
    return CustomerListQuery(
        segment=segments[0] if segments else None,
        stage=stages[0] if stages else None,
        inactive_days=_days(inactive[0][0], inactive[0][1], ref) if inactive else None,
        filters=filters,
        export=wants_file(s),
    )


LIST_LIMIT = 10_000  # rows a list answer carries (the chat pages them; the CSV has the same rows)


async def customer_list_result(ctx: Any, q: CustomerListQuery, keep: Any) -> Result:
    """Customers meeting every condition of `q` as of the as-of date, most spent (all time, to the cent) first;
    ties by id.

    Days since the last valid order are whole local days (docs/metrics.md, R of RFM): "no order in the last 60
    days" is R >= 60, the last valid order on or before the as-of date minus 60 days."""
    import numpy as np

    from crm.analytics import metrics as m
    from storage.repositories import analytics as repo

    async with ctx.db.sessions() as session:
        scores = await m.customer_scores(
            session, ctx.workspace_id, ctx.as_of, ctx.tz, lifecycle_days=ctx.lifecycle_days
        )
        chosen = await keep(session, ctx, scores.ids, q.filters)
        if q.segment:
            chosen &= scores.segment == q.segment
        if q.stage:
            chosen &= scores.lifecycle == q.stage
        if q.inactive_days:
            chosen &= scores.recency_days >= q.inactive_days
        picked = sorted(
            np.flatnonzero(chosen).tolist(),
            key=lambda i: (-round(float(scores.monetary[i]), 2), int(scores.ids[i])),
        )
        total = len(picked)
        picked = picked[:LIST_LIMIT]
        names = await repo.customer_names(session, [int(scores.ids[i]) for i in picked])
        # What tells same-name customers apart, as the pickers show it: platform and country (codes in the
        # rows, for --json; the table and the CSV name them).
        origins = await repo.customer_origins(session, [int(scores.ids[i]) for i in picked])
    rows = [
        [
            names.get(int(scores.ids[i])) or f"#{int(scores.ids[i])}",
            int(scores.ids[i]),
            *origins.get(int(scores.ids[i]), (None, None)),
            int(scores.recency_days[i]),
            int(scores.frequency[i]),
            round(float(scores.monetary[i]), 2),
        ]
        for i in picked
    ]
    what = _list_condition(ctx.lang, q)
    key = "list_empty" if not rows else ("list_cut" if total > len(rows) else "list")
    text = texts.t(
        ctx.lang, key, what=what, filters=ctx.filters_text(q.filters), n=f"{total:,}", shown=f"{len(rows):,}"
    )
    return Result(
        intent="customer_list",
        query=q.model_dump(mode="json"),
        value=total,
        columns=["customer", "id", "platform", "country", "recency_days", "orders", "revenue"],
        rows=rows,
        card_ids=[r[1] for r in rows],
        text=text,
        language=ctx.lang,
        unit="money",
        currency=ctx.currency,
        export=q.export,
    )


def _list_condition(language: str, q: CustomerListQuery) -> str:
    zh = language == "zh"
    parts = []
    if q.segment:
        parts.append(
            texts.t(language, "list_segment", name=texts.SEGMENT_NAMES[language].get(q.segment, q.segment))
        )
    if q.stage:
        parts.append(texts.t(language, "list_stage", name=texts.LIFECYCLE_NAMES[language][q.stage]))
    inactive = texts.t(language, "list_inactive", days=q.inactive_days) if q.inactive_days else ""
    if zh:
        return "、".join([*parts, inactive] if inactive else parts)
    said = " ".join(parts) if parts else texts.t(language, "list_everyone")
    said = f"{said} {inactive}" if inactive else said
    return said[:1].upper() + said[1:]
